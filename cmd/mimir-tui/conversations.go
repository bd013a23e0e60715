package main

import (
	"context"
	"errors"
	"io"
)

// TODO(skeleton): replaced by the real command.
func runConversations(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("conversations: not implemented yet")
}
