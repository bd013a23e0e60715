package tui

import (
	"errors"
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/export"
)

// packetJob is the packets x writes: an edge's, over a time range.
type packetJob struct {
	sel   engine.PacketSelection
	what  string // "shop-db -> outside in window 19"
	short string // for the file name: "shop-db-outside-w19"
}

// packetsDoneMsg reports a pcapng file written.
type packetsDoneMsg struct {
	path   string
	n      int
	filter string
	err    error
}

// askPackets asks where to write the packets of the selection's edge.
func (m *Model) askPackets(sel selection) tea.Cmd {
	switch {
	case m.cfg.Source == nil:
		m.setStatus("no capture to read packets from in this session", false)
		return nil
	case sel.edge == nil:
		m.setStatus("x writes the packets of an edge: select a flagged edge (tab), open one (⏎), or an interval in the alerts list (a)", false)
		return nil
	}
	job := packetJob{sel: engine.EdgeSelection(sel.edge, sel.from, sel.to),
		what:  export.EdgeName(sel.edge.Src, sel.edge.Dst) + " in " + sel.scope,
		short: fileSafe(sel.edge.Src + "-" + sel.edge.Dst + "-" + strings.ReplaceAll(sel.scope, " ", ""))}
	if len(job.sel.A) == 0 || len(job.sel.B) == 0 {
		m.setStatus("the edge "+job.what+" has no addresses to select its packets by", false)
		return nil
	}
	name := "mimir-" + job.short + "-" + m.cfg.Now().Format("20060102-150405") + ".pcapng"
	return m.prompt.ask(promptPackets, "write the packets of "+job.what+" to: ", name, "", job)
}

// fileSafe keeps letters, digits, '-', '_' and '.' of s.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, s)
}

// writePackets writes the job's packets off the update loop; it never
// writes over a file.
func (m *Model) writePackets(name string, job packetJob) tea.Cmd {
	if name == "" {
		m.setStatus("packets not written: no file name", false)
		return nil
	}
	path := m.outPath(name)
	src, ctx, log := *m.cfg.Source, m.ctx, m.log
	m.setStatus("writing the packets of "+job.what+"…", true)
	return func() tea.Msg {
		n, err := src.ExportPackets(ctx, job.sel, path)
		if err != nil {
			log.Error("packets", "path", path, "err", err)
		}
		return packetsDoneMsg{path: path, n: n, filter: job.sel.WiresharkFilter(), err: err}
	}
}

func (m *Model) packetsWritten(msg packetsDoneMsg) {
	switch {
	case errors.Is(msg.err, os.ErrExist):
		m.setStatus(msg.path+" exists and is kept: press x again and give another name", false)
	case msg.err != nil:
		m.setStatus("packets not written: "+msg.err.Error(), false)
	default:
		// The filter is long: it opens in full, to read or copy.
		m.setStatus(fmt.Sprintf("✓ wrote %s to %s", plural(msg.n, "packet"), msg.path), true)
		m.push(newPopupPane(m.sh, "packets written", fmt.Sprintf("✓ wrote %s to %s\n\nWireshark display filter of the same packets:\n%s",
			plural(msg.n, "packet"), msg.path, msg.filter), []copyable{{"Wireshark filter", msg.filter}, {"file", msg.path}}))
	}
}
