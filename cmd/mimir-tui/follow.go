package main

import (
	"flag"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
)

// followFlags are the flags of analyze and the explorer that follow a
// capture and an entity log while they are written.
type followFlags struct {
	follow bool
	lag    time.Duration
	fs     *flag.FlagSet
}

func (f *followFlags) register(fs *flag.FlagSet) {
	f.fs = fs
	fs.BoolVar(&f.follow, "follow", false, "follow the capture and the entity log while they are written (tcpdump -U -w FILE, or -w - into standard input; mimir-tui record -o FILE): windows are scored as they close, until Ctrl-C (standard input: until it ends)")
	fs.DurationVar(&f.lag, "entities-lag", engine.DefaultEntitiesLag, "with --follow, how long an entity change may take to reach the log: packets are resolved once the log has been read that long after their time")
}

// apply sets the engine options; --entities-lag needs --follow.
func (f *followFlags) apply(opts *engine.Options) error {
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "entities-lag" })
	if given && !f.follow {
		return usagef("--entities-lag applies to a followed run only: add --follow, or leave --entities-lag out")
	}
	if f.lag <= 0 && f.follow {
		return usagef("--entities-lag %v: give a positive duration, e.g. 2s (the default)", f.lag)
	}
	opts.Follow, opts.EntitiesLag = f.follow, f.lag
	return nil
}
