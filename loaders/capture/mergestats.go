package capture

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stats returns the counts of all inputs together. Counts are summed
// (Packets counts every frame read, the duplicates too; Duplicates those
// that Next dropped), First and Last are corrected by each input's clock
// offset, FirstInFile is the first packet Next returned, Format lists
// the inputs' formats and Truncated is the first input's cut. With one
// input they are that input's Stats.
func (m *Merged) Stats() Stats {
	ins := m.Inputs()
	if len(ins) == 1 {
		s := ins[0].Stats
		s.Duplicates = ins[0].Duplicates
		return s
	}
	var s Stats
	var formats []string
	for _, in := range ins {
		addStats(&s, &in.Stats)
		s.Duplicates += in.Duplicates
		if f := in.Stats.Format; f != "" && !slices.Contains(formats, f) {
			formats = append(formats, f)
		}
		if in.Stats.Packets == 0 {
			continue
		}
		first, last := in.Stats.First-in.Clock.Offset.Nanoseconds(), in.Stats.Last-in.Clock.Offset.Nanoseconds()
		if s.First == 0 && s.Last == 0 || first < s.First {
			s.First = first
		}
		if last > s.Last {
			s.Last = last
		}
	}
	s.Format = strings.Join(formats, "+")
	if m.seen {
		s.FirstInFile = m.first
	}
	return s
}

// addStats adds the counts of t to s.
func addStats(s, t *Stats) {
	s.Compressed = s.Compressed || t.Compressed
	for _, l := range t.LinkTypes {
		if !slices.Contains(s.LinkTypes, l) {
			s.LinkTypes = append(s.LinkTypes, l)
		}
	}
	s.Interfaces += t.Interfaces
	s.Packets += t.Packets
	s.Bytes += t.Bytes
	s.IPPackets += t.IPPackets
	s.NonIP += t.NonIP
	s.Skipped += t.Skipped
	s.Malformed += t.Malformed
	s.Snapped += t.Snapped
	s.UnknownBlocks += t.UnknownBlocks
	s.OutOfOrder += t.OutOfOrder
	s.Concatenated += t.Concatenated
	if s.Truncated == nil && t.Truncated != nil {
		s.Truncated = t.Truncated
	}
	s.SkipReasons = mergeCounts(s.SkipReasons, t.SkipReasons, func(a, b *SkipReason) bool {
		if a.Reason == b.Reason {
			a.Count += b.Count
		}
		return a.Reason == b.Reason
	})
	s.Encapsulations = mergeCounts(s.Encapsulations, t.Encapsulations, func(a, b *Count) bool {
		if a.What == b.What {
			a.Frames += b.Frames
		}
		return a.What == b.What
	})
	s.Undecoded = mergeCounts(s.Undecoded, t.Undecoded, func(a, b *Undecoded) bool {
		if a.What == b.What {
			a.Frames += b.Frames
		}
		return a.What == b.What
	})
}

// mergeCounts adds the counts of src to dst: add adds b to a and reports
// true when they count the same thing; a thing dst lacks is appended.
func mergeCounts[T any](dst, src []T, add func(a, b *T) bool) []T {
	for i := range src {
		found := false
		for j := range dst {
			if add(&dst[j], &src[i]) {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, src[i])
		}
	}
	return dst
}

// Warnings are what the user should be told about the inputs: each
// input's warnings (Stats.Warnings), prefixed with its name when there
// are several, then the inputs whose clock offset could not be estimated
// and a deduplication that had to forget early.
func (m *Merged) Warnings() []Warning {
	ins := m.Inputs()
	var out []Warning
	for _, in := range ins {
		for _, w := range in.Stats.Warnings() {
			// A cut's message names the file already.
			if len(ins) > 1 && w.Kind != WarnTruncated {
				w.Message = in.Name + ": " + w.Message
			}
			out = append(out, w)
		}
	}
	for _, in := range ins {
		if in.Clock.Source == ClockUnknown {
			out = append(out, Warning{Kind: WarnClock, Count: uint64(in.Clock.Matches), Message: fmt.Sprintf(
				"%s: its clock offset to the other captures could not be estimated (%d packets in common, %d needed): its timestamps are taken as they are, and copies of its packets in the other captures are recognised only if its clock is off by less than the deduplication span; if its clock is off, give its offset",
				in.Name, in.Clock.Matches, MinClockMatches)})
		}
	}
	for _, in := range ins {
		if c := in.Clock; c.Contradicted() {
			out = append(out, Warning{Kind: WarnClock, Count: uint64(c.Matches), Message: fmt.Sprintf(
				"%s: its clock offset was given as %s, but the %d packets it has in common with %s measure %s: copies of a packet further apart than the deduplication span count twice; give %s, or leave its offset out to have it estimated",
				in.Name, signed(c.Offset), c.Matches, c.Against, signed(c.Measured), signed(c.Measured.Round(time.Microsecond)))})
		}
	}
	if d := m.dedup; d != nil && d.Forgotten() > 0 {
		out = append(out, Warning{Kind: WarnDedupFull, Count: d.Forgotten(), Message: fmt.Sprintf(
			"deduplication had to forget packets early %d times (more than %d packets within its span): some copies may count twice", d.Forgotten(), maxDedupSlots*3/4)})
	}
	return out
}
