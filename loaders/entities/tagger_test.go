package entities_test

import (
	"testing"

	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

// The package must not import traffic (it would be a dependency for
// nothing), but a Timeline is the traffic package's Tagger: this external
// test checks the method and the constant match.
var _ traffic.Tagger = (*entities.Timeline)(nil)

func TestNoTag(t *testing.T) {
	if entities.NoTag != traffic.NoTag {
		t.Errorf("entities.NoTag = %d, traffic.NoTag = %d", entities.NoTag, traffic.NoTag)
	}
}
