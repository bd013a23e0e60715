package capture

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seeds of TestFuzzSeeds in testdata/fuzz/FuzzReader")

// fuzzSeeds are the shapes of the input policy and the encapsulations,
// for FuzzReader to start from: captures joined with cat, bad records, a
// gzip stream cut in its trailer, and a frame of every encapsulation.
func fuzzSeeds() map[string][]byte {
	le, be := binary.LittleEndian, binary.BigEndian
	eth := udpFrame(nil)
	raw := eth[14:]
	first := cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(le, 1, 500000, eth, 60))
	ng := newNg()
	ng.idb(LinkEthernet, 0)
	ng.epb(0, 3_000_000, eth, 60)
	ng.epb(0, 4_000_000, eth, 1<<30)
	bad := cat(pcapHeader(le, 0xa1b2c3d4, 65535, LinkEthernet), pcapRecord(le, 2, 1_000_000, eth, 60),
		pcapRecord(le, 3, 0, eth, 60), pcapRecord(le, 4, 0, eth, 262145))
	gzWhole := gz(first)
	encaps := newPcap(LinkEthernet, 262144)
	ppp := newPcap(LinkPPP, 262144)
	for i, c := range encapCases() {
		switch c.link {
		case LinkEthernet:
			encaps.record(uint32(i), 0, c.data, uint32(len(c.data)), uint32(len(c.data)))
		case LinkPPP:
			ppp.record(uint32(i), 0, c.data, uint32(len(c.data)), uint32(len(c.data)))
		}
	}
	overlays := newPcap(LinkEthernet, 262144)
	cooked := newPcap(LinkLinuxSLL2, 262144)
	for i, c := range innerCases() {
		if c.link == LinkEthernet {
			overlays.record(uint32(i), 0, c.data, uint32(len(c.data)), uint32(len(c.data)))
		} else {
			cooked.record(uint32(i), 0, c.data, uint32(len(c.data)), uint32(len(c.data)))
		}
	}
	return map[string][]byte{
		"pcap-overlays":             overlays.Bytes(),
		"pcap-sll2-overlays":        cooked.Bytes(),
		"pcap-concatenated-be-nano": cat(first, pcapHeader(be, 0xa1b23c4d, 262144, LinkRaw), pcapRecord(be, 2, 7, raw, uint32(len(raw)))),
		"pcap-then-pcapng":          cat(first, ng.Bytes()),
		"pcapng-then-pcap":          cat(ng.Bytes(), first),
		"pcap-bad-records":          bad,
		"pcap-gzip-trailer-cut":     gzWhole[:len(gzWhole)-4],
		"pcap-encapsulations":       encaps.Bytes(),
		"pcap-ppp":                  ppp.Bytes(),
	}
}

// TestFuzzSeeds checks that the seed corpus holds fuzzSeeds, byte for byte
// (go test ./loaders/capture -run TestFuzzSeeds -update-seeds rewrites it).
func TestFuzzSeeds(t *testing.T) {
	for name, data := range fuzzSeeds() {
		path := filepath.Join("testdata", "fuzz", "FuzzReader", name)
		want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data)
		if *updateSeeds {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale (%v): run go test ./loaders/capture -run TestFuzzSeeds -update-seeds", path, err)
		}
	}
}
