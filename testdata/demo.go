// Package testdata embeds the shop-demo capture and entity log so the binary
// can open a real demo with no arguments, and tests can use the same bytes.
//
// The files are ours (recorded for this project), unlike the original MIMIR
// logs in ../shared, which carry no licence and are never copied here.
package testdata

import _ "embed"

// ShopCapture is the shop-demo capture (pcapng, gzip-compressed).
//
//go:embed shop-demo/capture.pcapng.gz
var ShopCapture []byte

// ShopEntities is the shop-demo entity log in mimir-tui's JSON Lines format.
//
//go:embed shop-demo/entities.jsonl
var ShopEntities []byte

// ShopGroundTruth is the shop-demo ground truth (attack intervals).
//
//go:embed shop-demo/ground_truth.json
var ShopGroundTruth []byte

// ShopCaptureName and ShopEntitiesName name the embedded files in messages.
const (
	ShopCaptureName  = "demo:shop-demo/capture.pcapng.gz"
	ShopEntitiesName = "demo:shop-demo/entities.jsonl"
)
