// Package export turns a series of analysed windows into flagged intervals
// (runs of consecutive alerting windows) and writes them as JSON or CSV.
//
// It is shared by the explorer's export key and by the headless
// `mimir-tui analyze --export-intervals FILE`. Files are written atomically
// (a temporary file in the same directory, then a rename) and never
// overwrite an existing file unless asked to.
package export
