package tui

import (
	tea "charm.land/bubbletea/v2"
)

// copyRequestMsg asks the root to copy one of choices: at once when there
// is one, through the copy menu when there are several.
type copyRequestMsg struct{ choices []copyable }

// clipboardSupport says whether the terminal is known to take clipboard
// writes by OSC 52 (which the explorer uses: it works over ssh, needs no
// X11), and when it is not, or only with a setting, why. env is os.Getenv.
func clipboardSupport(env func(string) string) (ok bool, why string) {
	switch {
	case env("TERM") == "linux":
		return false, "the Linux console has no clipboard"
	case env("TERM_PROGRAM") == "Apple_Terminal":
		return false, "Terminal.app ignores OSC 52 clipboard writes (iTerm2, kitty, WezTerm take them)"
	case env("VTE_VERSION") != "":
		return false, "VTE terminals (GNOME Terminal, Tilix…) ignore OSC 52 clipboard writes"
	case env("TMUX") != "":
		return true, "under tmux it reaches your terminal with `set -g set-clipboard on`"
	}
	return true, ""
}

// copyValue puts c on the clipboard and says so; where the terminal is
// known not to take it, the value opens in full to be selected by hand.
func (m *Model) copyValue(c copyable) tea.Cmd {
	ok, why := clipboardSupport(m.cfg.Env)
	if !ok {
		m.push(newPopupPane(m.sh, "copy "+c.what+" by hand", c.value+"\n\n"+why+
			": select the text above with the mouse (hold shift while dragging).", nil))
		m.setStatus("could not copy: "+why, false)
		return nil
	}
	msg := "⧉ copied " + c.what + ": " + c.value
	if why != "" {
		msg += " (" + why + ")"
	}
	m.setStatus(msg, true)
	return tea.SetClipboard(c.value)
}

// copyChoices copies one of choices (see copyRequestMsg).
func (m *Model) copyChoices(choices []copyable) tea.Cmd {
	switch len(choices) {
	case 0:
		m.setStatus("nothing to copy here", false)
		return nil
	case 1:
		return m.copyValue(choices[0])
	}
	m.push(newCopyMenu(m.sh, choices))
	return nil
}
