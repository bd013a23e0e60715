package main

import (
	"context"
	"errors"
	"io"
)

// TODO(skeleton): replaced by the real command.
func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("explore: not implemented yet")
}
