package capture

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Extract copies the packets r reads (a Reader, or a Merged read of
// several captures) for which keep holds
// to w as pcapng, each with its interface's link type, its timestamp (to
// the nanosecond) and its original length: what an analyst opens in
// Wireshark. It returns the packets written. It reads r to its end (a
// capture is not sorted by time) and stops when ctx is cancelled.
func Extract(ctx context.Context, r interface{ Next(*Packet) error }, keep func(*Packet) bool, w io.Writer) (int, error) {
	var ng *pcapgo.NgWriter
	ifaces := make(map[LinkType]int) // link type → interface of the output
	var p Packet
	n := 0
	for i := 0; ; i++ {
		if i&4095 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
		if !keep(&p) {
			continue
		}
		if ng == nil {
			if ng, err = pcapgo.NewNgWriterInterface(w, ngInterface(p.LinkType), pcapgo.NgWriterOptions{}); err != nil {
				return n, fmt.Errorf("write pcapng: %w", err)
			}
			ifaces[p.LinkType] = 0
		}
		id, ok := ifaces[p.LinkType]
		if !ok {
			if id, err = ng.AddInterface(ngInterface(p.LinkType)); err != nil {
				return n, fmt.Errorf("write pcapng: %w", err)
			}
			ifaces[p.LinkType] = id
		}
		// With Options.Inner WireLen is the inner packet's; a frame is
		// never shorter than what was captured of it.
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, p.Timestamp), CaptureLength: len(p.Frame),
			Length: max(int(p.WireLen), len(p.Frame)), InterfaceIndex: id}
		if err := ng.WritePacket(ci, p.Frame); err != nil {
			return n, fmt.Errorf("write pcapng: %w", err)
		}
		n++
	}
	if ng == nil {
		// No packet: still a valid, empty capture.
		var err error
		if ng, err = pcapgo.NewNgWriterInterface(w, ngInterface(LinkEthernet), pcapgo.NgWriterOptions{}); err != nil {
			return 0, fmt.Errorf("write pcapng: %w", err)
		}
	}
	return n, ng.Flush()
}

// ngInterface is an output interface of a link type, with nanosecond
// timestamps and room for the longest frame.
func ngInterface(lt LinkType) pcapgo.NgInterface {
	return pcapgo.NgInterface{LinkType: layers.LinkType(lt), SnapLength: maxPacket, TimestampResolution: 9, Name: fmt.Sprintf("link type %d", lt)}
}
