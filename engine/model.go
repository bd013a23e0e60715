package engine

// Model is a trained model as stored by `mimir-tui train` (versioned JSON).
// Its contents are filled in by the training code.
type Model struct {
	Version int `json:"version"`
}
