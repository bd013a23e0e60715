package capture

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used. The
// benchmarks report it per packet next to the wall-clock ns/op: on a
// shared machine wall time includes waiting for a core, CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
