package main

import "os"

// checkOutput is the rule for every output file named on the command line
// (-o, --export-intervals): an existing file is never replaced unless
// --force is given. Commands check before the work starts, so nobody waits
// for a run whose result cannot be written; the write itself (safefile)
// checks again, atomically, with the same force.
func checkOutput(path string, force bool) error {
	if path == "" || force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return usagef("%s exists; remove it or pass --force", path)
	}
	return nil
}
