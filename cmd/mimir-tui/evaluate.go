package main

import (
	"context"
	"errors"
	"io"
)

// TODO(skeleton): replaced by the real command.
func runEvaluate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("evaluate: not implemented yet")
}
