// Package traffic cuts a stream of decoded packets into time windows and
// aggregates each window per directed IP pair.
//
// Windows of size T are anchored at the first packet's timestamp t0: window
// k covers [t0+kT, t0+(k+1)T). Packets are assigned by their own timestamp,
// not by file order, so a capture that is not strictly time-ordered still
// lands in the right windows. Empty windows are kept; the last window is
// marked partial. Memory grows with windows × pairs, never with packets, and
// windows are released once the reorder horizon has passed them.
package traffic
