package traffic_test

import (
	"bytes"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

var (
	benchOnce sync.Once
	benchPcap []byte
	benchErr  error
)

// shopPcap is the shop-demo capture (Ethernet; 97% IPv4, of which 93%
// TCP) as a microsecond pcap in memory, eight times over, each copy
// shifted by the capture's length: 139 632 packets over 32 minutes.
func shopPcap(b *testing.B) []byte {
	benchOnce.Do(func() {
		f, err := os.Open("../../testdata/shop-demo/capture.pcapng.gz")
		if err != nil {
			benchErr = err
			return
		}
		defer f.Close()
		ng, err := pcapgo.NewNgReader(f, pcapgo.NgReaderOptions{})
		if err != nil {
			benchErr = err
			return
		}
		type fr struct {
			ts   time.Time
			n    int
			data []byte
		}
		var frames []fr
		for {
			data, ci, err := ng.ReadPacketData()
			if err == io.EOF {
				break
			}
			if err != nil {
				benchErr = err
				return
			}
			frames = append(frames, fr{ci.Timestamp, ci.Length, data})
		}
		var buf bytes.Buffer
		w := pcapgo.NewWriter(&buf)
		w.WriteFileHeader(262144, layers.LinkTypeEthernet)
		span := frames[len(frames)-1].ts.Sub(frames[0].ts) + time.Second
		for c := range 8 {
			for _, f := range frames {
				ci := gopacket.CaptureInfo{Timestamp: f.ts.Add(time.Duration(c) * span), CaptureLength: len(f.data), Length: f.n}
				if err := w.WritePacket(ci, f.data); err != nil {
					benchErr = err
					return
				}
			}
		}
		benchPcap = buf.Bytes()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPcap
}

// BenchmarkIngest reads an Ethernet/IPv4/TCP pcap from memory into 10 s
// windowed pair counts (Details off), as `mimir-tui conversations` does.
// One op is one packet.
func BenchmarkIngest(b *testing.B) {
	benchIngest(b, traffic.Config{Sizes: []time.Duration{10 * time.Second}})
}

// BenchmarkIngestDetails also collects endpoints and DNS, as the engine
// does, for 10 s and 60 s windows.
func BenchmarkIngestDetails(b *testing.B) {
	benchIngest(b, traffic.Config{Sizes: []time.Duration{10 * time.Second, time.Minute}, Details: true})
}

// BenchmarkIngestMerged reads as the engine does: through capture.OpenAll
// with tunnels opened and copies dropped (one input, so no clock is
// estimated), with details, for 10 s and 60 s windows.
func BenchmarkIngestMerged(b *testing.B) {
	benchIngestWith(b, traffic.Config{Sizes: []time.Duration{10 * time.Second, time.Minute}, Details: true}, func(data []byte) (packetReader, error) {
		return capture.OpenAll([]capture.Input{{Name: "bench", R: bytes.NewReader(data)}}, capture.Options{Inner: true, Dedup: true})
	})
}

// packetReader is what the benchmarks read: a capture.Reader or a
// capture.Merged.
type packetReader interface{ Next(*capture.Packet) error }

func benchIngest(b *testing.B, cfg traffic.Config) {
	benchIngestWith(b, cfg, func(data []byte) (packetReader, error) { return capture.NewReader(bytes.NewReader(data), "bench") })
}

func benchIngestWith(b *testing.B, cfg traffic.Config, open func([]byte) (packetReader, error)) {
	data := shopPcap(b)
	b.ReportAllocs()
	b.ResetTimer()
	var r packetReader
	var a *traffic.Aggregator
	var p capture.Packet
	windows := 0
	emit := func(int, *traffic.Window) { windows++ }
	n := 0
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if r == nil {
			var err error
			if r, err = open(data); err != nil {
				b.Fatal(err)
			}
			a = traffic.New(cfg)
		}
		if err := r.Next(&p); err == io.EOF {
			a.Finish(emit)
			r = nil
			i--
			continue
		} else if err != nil {
			b.Fatal(err)
		}
		a.Add(&p)
		a.Drain(emit)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/packet")
}
