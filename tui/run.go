package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
)

// stopTimeout bounds how long quitting waits for the analysis to notice
// its cancellation.
const stopTimeout = 5 * time.Second

// Run opens the explorer on the terminal and returns when the user quits.
// It cancels the analysis and waits for it before returning, so nothing
// writes after the terminal is restored. The error is the analysis' own
// when it failed (it was shown on the screen too), ctx.Err() when ctx was
// cancelled, or the terminal's.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) error {
	m := New(ctx, cfg)
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)...)
	final, err := p.Run()
	m.Stop(stopTimeout)
	if err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("terminal: %w", err)
	}
	if fm, ok := final.(*Model); ok && fm.Err() != nil {
		return fmt.Errorf("analysis failed: %w", fm.Err())
	}
	return nil
}
