package capture

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The benchmarks read the shop-demo capture (Ethernet, 97% IPv4 of which
// 93% TCP; `tshark -r testdata/shop-demo/capture.pcapng.gz -q -z io,phs`)
// from memory, so that they measure the reader and not the disk.

const shopGz = "../../testdata/shop-demo/capture.pcapng.gz"

type benchFrame struct {
	ts      int64
	wirelen uint32
	data    []byte
}

var (
	benchOnce   sync.Once
	benchFrames []benchFrame
	benchPcap   []byte // the frames as a microsecond pcap, 8 copies shifted in time
	benchNg     []byte // the original pcapng, decompressed
)

func loadBench(b *testing.B) {
	benchOnce.Do(func() {
		raw, err := os.ReadFile(shopGz)
		if err != nil {
			return
		}
		r, err := NewReader(bytes.NewReader(raw), shopGz)
		if err != nil {
			return
		}
		for {
			var p Packet
			data, err := r.readFrame(&p)
			if err != nil {
				break
			}
			benchFrames = append(benchFrames, benchFrame{p.Timestamp, p.WireLen, bytes.Clone(data)})
		}
		f := newPcap(LinkEthernet, 262144)
		span := benchFrames[len(benchFrames)-1].ts - benchFrames[0].ts + 1e9
		for c := range int64(8) {
			for _, fr := range benchFrames {
				ts := fr.ts + c*span
				f.record(uint32(ts/1e9), uint32(ts%1e9/1e3), fr.data, uint32(len(fr.data)), fr.wirelen)
			}
		}
		benchPcap = f.Bytes()
		benchNg = decompress(raw)
	})
	if len(benchFrames) == 0 {
		b.Fatalf("cannot read %s", shopGz)
	}
}

func decompress(b []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(r)
	return out
}

// BenchmarkNext reads and decodes packets from an in-memory pcap; one op
// is one packet.
func BenchmarkNext(b *testing.B) {
	loadBench(b)
	benchRead(b, benchPcap, func(r *Reader, p *Packet) error { return r.Next(p) })
}

// BenchmarkFramingPcap and BenchmarkFramingPcapgoPcap compare our pcap
// framing (no decoding) with pcapgo's zero-copy reader on the same bytes.
func BenchmarkFramingPcap(b *testing.B) {
	loadBench(b)
	benchRead(b, benchPcap, func(r *Reader, p *Packet) error { _, err := r.readFrame(p); return err })
}

func BenchmarkFramingPcapgoPcap(b *testing.B) {
	loadBench(b)
	b.ReportAllocs()
	var r *pcapgo.Reader
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		if r == nil {
			var err error
			if r, err = pcapgo.NewReader(bytes.NewReader(benchPcap)); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := r.ZeroCopyReadPacketData(); err == io.EOF {
			r = nil
			i--
		} else if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFramingPcapng and BenchmarkFramingPcapgoPcapng do the same on
// the original pcapng.
func BenchmarkFramingPcapng(b *testing.B) {
	loadBench(b)
	benchRead(b, benchNg, func(r *Reader, p *Packet) error { _, err := r.readFrame(p); return err })
}

func BenchmarkFramingPcapgoPcapng(b *testing.B) {
	loadBench(b)
	b.ReportAllocs()
	var r *pcapgo.NgReader
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		if r == nil {
			var err error
			if r, err = pcapgo.NewNgReader(bytes.NewReader(benchNg), pcapgo.NgReaderOptions{WantMixedLinkType: true}); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := r.ZeroCopyReadPacketData(); err == io.EOF {
			r = nil
			i--
		} else if err != nil {
			b.Fatal(err)
		}
	}
}

// benchRead calls next b.N times, starting a new Reader over data at
// each end; one op is one packet.
func benchRead(b *testing.B, data []byte, next func(*Reader, *Packet) error) {
	b.ReportAllocs()
	var r *Reader
	var p Packet
	n := 0
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if r == nil {
			var err error
			if r, err = NewReader(bytes.NewReader(data), "bench"); err != nil {
				b.Fatal(err)
			}
		}
		if err := next(r, &p); err == io.EOF {
			r = nil
			i--
		} else if err != nil {
			b.Fatal(err)
		} else {
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}

// reportCPU reports the CPU time per op since cpu0.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkDecodeHandwritten and BenchmarkDecodeLayerParser decode the
// same frames into addresses, protocol and ports: ours, and gopacket's
// DecodingLayerParser (the fastest way gopacket offers). One op is one
// frame.
func BenchmarkDecodeHandwritten(b *testing.B) {
	loadBench(b)
	b.ReportAllocs()
	var p Packet
	var sum uint64
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		f := &benchFrames[i%len(benchFrames)]
		p = Packet{LinkType: LinkEthernet, CaptureLen: uint32(len(f.data)), WireLen: f.wirelen}
		decode(&p, f.data)
		if p.Src.Is4() {
			sum += uint64(p.SrcPort) + uint64(p.Src.As4()[3])
		}
	}
	sink = sum
}

var sink uint64

func BenchmarkDecodeLayerParser(b *testing.B) {
	loadBench(b)
	b.ReportAllocs()
	var (
		eth   layers.Ethernet
		dot1q layers.Dot1Q
		ip4   layers.IPv4
		ip6   layers.IPv6
		tcp   layers.TCP
		udp   layers.UDP
		icmp4 layers.ICMPv4
		icmp6 layers.ICMPv6
		pl    gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &dot1q, &ip4, &ip6, &tcp, &udp, &icmp4, &icmp6, &pl)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	var sum uint64
	defer reportCPU(b, cpuTime())
	for i := 0; i < b.N; i++ {
		f := &benchFrames[i%len(benchFrames)]
		parser.DecodeLayers(f.data, &decoded)
		var src netip.Addr
		var sport uint16
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv4:
				src, _ = netip.AddrFromSlice(ip4.SrcIP.To4())
				_, _ = netip.AddrFromSlice(ip4.DstIP.To4())
			case layers.LayerTypeIPv6:
				src, _ = netip.AddrFromSlice(ip6.SrcIP)
				_, _ = netip.AddrFromSlice(ip6.DstIP)
			case layers.LayerTypeTCP:
				sport = uint16(tcp.SrcPort)
			case layers.LayerTypeUDP:
				sport = uint16(udp.SrcPort)
			}
		}
		if src.Is4() {
			sum += uint64(sport) + uint64(src.As4()[3])
		}
	}
	sink = sum
}
