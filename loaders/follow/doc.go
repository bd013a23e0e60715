// Package follow reads inputs that are still being written: a capture
// file that `tcpdump -U -w FILE` is appending to, or standard input from
// `tcpdump -w -`.
//
// A Reader never reports the current end of a growing file as the end of
// the input. When it has nothing to give it returns an error that
// errors.Is ErrNoData, so that a caller can do other work (seal windows
// by the clock, read an entity log) instead of blocking; Wait, given that
// error, then pauses until more data may be there: at most one poll
// interval, and never past the Reader's context. A reader of records
// that meets ErrNoData inside a record keeps what it has and asks again:
// a record cut at the current end of the file is waited for, never taken
// for a truncation.
//
// A regular file is read to its current end and then polled for growth
// (Options.Poll, 200 ms by default: no busy loop); it has no end of its
// own, and the Reader ends only with its context (Read then returns the
// context's error). Anything else, a pipe or a terminal, is read by a
// goroutine into a bounded buffer as its data comes, and ends at its end
// (io.EOF) as usual.
package follow
