// Package traffic cuts a stream of decoded packets into time windows and
// aggregates each window per directed IP pair.
//
// Windows of size T are anchored at the first packet's timestamp t0: window
// k covers [t0+kT, t0+(k+1)T). Packets are assigned by their own timestamp,
// not by file order, so a capture that is not strictly time-ordered still
// lands in the right windows; a packet earlier than t0 lands in a negative
// window. A window is emitted (Drain) once a packet more than the reorder
// slack past its end has been seen; a packet for a window already emitted
// is dropped and counted as late. Empty windows are emitted too; the last
// window (Finish) is marked partial. Several window sizes are aggregated
// in the same pass.
//
// Per window and directed pair the Aggregator counts frames and wire bytes
// (frame.len, as tshark counts them: every IP fragment is a frame), and
// TCP connection initiations. With Config.Details it also counts
// initiations per service endpoint (fan-out) and summarises DNS queries
// per registered domain (query-name length and entropy, distinct names,
// unusual types, NXDOMAIN), from first fragments only.
//
// Memory grows with windows × pairs in flight, never with packets: windows
// are released once emitted. All timestamp arithmetic is in int64
// nanoseconds. The counts equal tshark's per-packet output bucketed into
// the same windows (TestOracleTshark; with capture.Options.Inner,
// tshark's innermost IP header, TestOracleTsharkInner). Several captures
// merged by capture.OpenAll are aggregated like one: the reorder slack
// absorbs what their clocks and merge leave out of order.
package traffic
