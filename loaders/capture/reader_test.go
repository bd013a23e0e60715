package capture

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// readAll reads a capture to its end and returns its packets' framing.
func readAll(t testing.TB, r *Reader) []Packet {
	t.Helper()
	var out []Packet
	for {
		var p Packet
		err := r.Next(&p)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next after %d packets: %v", len(out), err)
		}
		p.Payload = nil // aliases the buffer
		out = append(out, p)
	}
}

// TestFixtureStats checks what the reader counts on every fixture.
//
// Frames and bytes: `tshark -r F -T fields -e frame.len`, lines and sum
// (records without a time, i.e. ngopts.pcapng's custom block, left out).
// IP: `tshark -r F -Y "ip.src or ipv6.src"`, lines. Malformed and snapped
// in headers.pcap are counted by hand from the list in
// testdata/captures/src/gen/main.go: malformed are the IHL-3 header, the
// total length below the header, the 10-byte runt, the 17-header IPv6
// chain and the TCP data offset of 8; snapped are the two frames cut at
// 44 and 34 bytes.
func TestFixtureStats(t *testing.T) {
	eth := []LinkType{LinkEthernet}
	tests := []struct {
		file              string
		format            string
		gz                bool
		links             []LinkType
		ifaces            int
		frames, bytes, ip uint64
		malformed, snap   uint64
		unknownBlocks     uint64
	}{
		{"eth-nano.pcap", FormatPcap, false, eth, 1, 102, 36589, 100, 0, 0, 0},
		{"eth-micro.pcap", FormatPcap, false, eth, 1, 102, 36589, 100, 0, 0, 0},
		{"eth-micro.pcap.gz", FormatPcap, true, eth, 1, 102, 36589, 100, 0, 0, 0},
		{"be-micro.pcap", FormatPcap, false, eth, 1, 102, 36589, 100, 0, 0, 0},
		{"eth-modified.pcap", FormatPcap, false, eth, 1, 102, 36589, 100, 0, 0, 0},
		{"sll.pcap", FormatPcap, false, []LinkType{LinkLinuxSLL}, 1, 102, 36793, 100, 0, 0, 0},
		{"sll2-nano.pcap", FormatPcap, false, []LinkType{LinkLinuxSLL2}, 1, 102, 37201, 100, 0, 0, 0},
		{"null.pcap", FormatPcap, false, []LinkType{LinkNull}, 1, 100, 35505, 100, 0, 0, 0},
		{"loop.pcap", FormatPcap, false, []LinkType{LinkLoop}, 1, 100, 35505, 100, 0, 0, 0},
		{"raw.pcap", FormatPcap, false, []LinkType{LinkRaw}, 1, 100, 35105, 100, 0, 0, 0},
		{"raw-ipv4.pcap", FormatPcap, false, []LinkType{LinkIPv4}, 1, 62, 20171, 62, 0, 0, 0},
		{"raw-ipv6.pcap", FormatPcap, false, []LinkType{LinkIPv6}, 1, 38, 14934, 38, 0, 0, 0},
		{"vlan.pcap", FormatPcap, false, eth, 1, 102, 37269, 100, 0, 0, 0},
		{"headers.pcap", FormatPcap, false, eth, 1, 22, 1698, 18, 5, 2, 0},
		{"multi.pcapng.gz", FormatPcapng, true, []LinkType{LinkEthernet, LinkLinuxSLL2}, 2, 204, 73790, 200, 0, 0, 0},
		// ngopts.pcapng: 5 interfaces in two sections; a custom block and
		// a block of type 0x42 are unknown to the reader.
		{"ngopts.pcapng", FormatPcapng, false, []LinkType{LinkEthernet, LinkIPv4, LinkLinuxSLL}, 5, 102, 36553, 100, 0, 0, 2},
		// The encapsulation fixtures: 23 frames each (22 without the ARP
		// frame where the encapsulation cannot carry it); all IP but the
		// ARP frame and, in macsec.pcap, the 4 encrypted frames.
		{"mpls.pcap", FormatPcap, false, eth, 1, 23, 2061, 22, 0, 0, 0},
		{"pppoe.pcap", FormatPcap, false, eth, 1, 23, 2071, 22, 0, 0, 0},
		{"pbb.pcap", FormatPcap, false, eth, 1, 23, 2457, 22, 0, 0, 0},
		{"vntag.pcap", FormatPcap, false, eth, 1, 23, 2045, 22, 0, 0, 0},
		{"macsec.pcap", FormatPcap, false, eth, 1, 23, 2547, 18, 0, 0, 0},
		{"nsh.pcap", FormatPcap, false, eth, 1, 23, 2365, 22, 0, 0, 0},
		{"ppp.pcap", FormatPcap, false, []LinkType{LinkPPP}, 1, 22, 1633, 22, 0, 0, 0},
		{"ppp-hdlc.pcap", FormatPcap, false, []LinkType{LinkPPPHDLC}, 1, 22, 1645, 22, 0, 0, 0},
		{"chdlc.pcap", FormatPcap, false, []LinkType{LinkCHDLC}, 1, 22, 1645, 22, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := Open(fixture(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			pk := readAll(t, r)
			s := r.Stats()
			if s.Format != tt.format || s.Compressed != tt.gz || !slices.Equal(s.LinkTypes, tt.links) || s.Interfaces != tt.ifaces {
				t.Errorf("format %s gzip %v links %v interfaces %d, want %s %v %v %d", s.Format, s.Compressed, s.LinkTypes, s.Interfaces, tt.format, tt.gz, tt.links, tt.ifaces)
			}
			if s.Packets != tt.frames || s.Bytes != tt.bytes || s.IPPackets != tt.ip || s.NonIP != tt.frames-tt.ip {
				t.Errorf("packets %d bytes %d IP %d non-IP %d, want %d %d %d %d", s.Packets, s.Bytes, s.IPPackets, s.NonIP, tt.frames, tt.bytes, tt.ip, tt.frames-tt.ip)
			}
			if s.Malformed != tt.malformed || s.Snapped != tt.snap || s.UnknownBlocks != tt.unknownBlocks || s.Skipped != 0 {
				t.Errorf("malformed %d snapped %d unknown blocks %d skipped %d, want %d %d %d 0", s.Malformed, s.Snapped, s.UnknownBlocks, s.Skipped, tt.malformed, tt.snap, tt.unknownBlocks)
			}
			if uint64(len(pk)) != s.Packets || pk[0].Timestamp != s.FirstInFile {
				t.Errorf("%d packets returned, first at %d; stats say %d, %d", len(pk), pk[0].Timestamp, s.Packets, s.FirstInFile)
			}
			fi, err := os.Stat(fixture(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.Offset() != fi.Size() {
				t.Errorf("Offset at the end %d, want the file size %d", r.Offset(), fi.Size())
			}
		})
	}
}

// TestFramingMatchesPcapgo reads every fixture pcapgo can read with both
// readers and compares each record: timestamp, lengths, interface, link
// type and bytes.
func TestFramingMatchesPcapgo(t *testing.T) {
	for _, path := range allFixtures(t) {
		name := filepath.Base(path)
		if name == "eth-modified.pcap" {
			continue // pcapgo does not read the modified pcap format
		}
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var read func() ([]byte, gopacket.CaptureInfo, error)
			var link func(gopacket.CaptureInfo) LinkType
			if strings.Contains(name, ".pcapng") {
				ng, err := pcapgo.NewNgReader(f, pcapgo.NgReaderOptions{WantMixedLinkType: true})
				if err != nil {
					t.Fatal(err)
				}
				read = ng.ReadPacketData
				link = func(ci gopacket.CaptureInfo) LinkType { return LinkType(ci.AncillaryData[0].(layers.LinkType)) }
			} else {
				pr, err := pcapgo.NewReader(f)
				if err != nil {
					t.Fatal(err)
				}
				read = pr.ReadPacketData
				link = func(gopacket.CaptureInfo) LinkType { return LinkType(pr.LinkType()) }
			}
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for i := 0; ; i++ {
				var p Packet
				ours, err := r.readFrame(&p)
				data, ci, gerr := read()
				if err == io.EOF || gerr == io.EOF {
					if err != gerr {
						t.Fatalf("packet %d: ours %v, pcapgo %v", i, err, gerr)
					}
					if i == 0 {
						t.Fatal("no packet")
					}
					return
				}
				if err != nil || gerr != nil {
					t.Fatalf("packet %d: ours %v, pcapgo %v", i, err, gerr)
				}
				want := ci.Timestamp.UnixNano()
				if name == "ngopts.pcapng" && p.Interface == 1 && p.LinkType == LinkIPv4 {
					// Resolution 2^-20 s: pcapgo scales by the truncated
					// 1e9/2^20 = 953 ns per tick (953.67 exactly), up to 0.7 ms
					// late by the end of a second; we compute rem*1e9/2^20 exactly, as tshark
					// does (frame 13 is 1795528710.958519935 in
					// `tshark -r ngopts.pcapng -T fields -e frame.time_epoch`).
					if d := p.Timestamp - want; d < 0 || d > 700_000 {
						t.Fatalf("packet %d: ts %d, pcapgo %d: more than pcapgo's rounding apart", i, p.Timestamp, want)
					}
					want = p.Timestamp
				}
				if p.Timestamp != want || int(p.CaptureLen) != ci.CaptureLength || int(p.WireLen) != ci.Length || int(p.Interface) != ci.InterfaceIndex || p.LinkType != link(ci) {
					t.Fatalf("packet %d: ours ts %d caplen %d len %d iface %d link %v; pcapgo %d %d %d %d %v", i, p.Timestamp, p.CaptureLen, p.WireLen, p.Interface, p.LinkType, ci.Timestamp.UnixNano(), ci.CaptureLength, ci.Length, ci.InterfaceIndex, link(ci))
				}
				if !bytes.Equal(ours, data) {
					t.Fatalf("packet %d: bytes differ", i)
				}
			}
		})
	}
}
