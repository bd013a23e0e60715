package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"path/filepath"
	"testing"
)

const fixtures = "../../testdata/captures"

func fixture(name string) string { return filepath.Join(fixtures, name) }

// allFixtures lists the capture fixtures.
func allFixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtures, "*.pcap*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no capture fixtures in %s: %v", fixtures, err)
	}
	return files
}

// pcapFile builds a little-endian microsecond pcap in memory.
type pcapFile struct {
	bytes.Buffer
	order binary.ByteOrder
}

func newPcap(link LinkType, snaplen uint32) *pcapFile {
	f := &pcapFile{order: binary.LittleEndian}
	h := make([]byte, 24)
	f.order.PutUint32(h[0:], 0xa1b2c3d4)
	f.order.PutUint16(h[4:], 2)
	f.order.PutUint16(h[6:], 4)
	f.order.PutUint32(h[16:], snaplen)
	f.order.PutUint32(h[20:], uint32(link))
	f.Write(h)
	return f
}

// record appends a record; caplen is normally len(data).
func (f *pcapFile) record(sec, usec uint32, data []byte, caplen, wirelen uint32) {
	r := make([]byte, 16)
	f.order.PutUint32(r[0:], sec)
	f.order.PutUint32(r[4:], usec)
	f.order.PutUint32(r[8:], caplen)
	f.order.PutUint32(r[12:], wirelen)
	f.Write(r)
	f.Write(data)
}

// ngFile builds a little-endian pcapng in memory.
type ngFile struct{ bytes.Buffer }

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

func (f *ngFile) block(typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	f.Write(le32(typ))
	f.Write(le32(n))
	f.Write(body)
	f.Write(le32(n))
}

func newNg() *ngFile {
	f := &ngFile{}
	body := append(le32(0x1a2b3c4d), 1, 0, 0, 0)
	body = append(body, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	f.block(blockSHB, body)
	return f
}

// idb adds an interface; tsresol 0 means no option.
func (f *ngFile) idb(link LinkType, tsresol byte) {
	body := append(le16(uint16(link)), 0, 0)
	body = append(body, le32(262144)...)
	if tsresol != 0 {
		body = append(body, le16(optTSResol)...)
		body = append(body, le16(1)...)
		body = append(body, tsresol, 0, 0, 0)
		body = append(body, 0, 0, 0, 0)
	}
	f.block(blockIDB, body)
}

func (f *ngFile) epb(iface uint32, ts uint64, data []byte, wirelen uint32) {
	body := le32(iface)
	body = append(body, le32(uint32(ts>>32))...)
	body = append(body, le32(uint32(ts))...)
	body = append(body, le32(uint32(len(data)))...)
	body = append(body, le32(wirelen)...)
	f.block(blockEPB, append(body, data...))
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// udpFrame is an Ethernet/IPv4/UDP frame 10.0.0.1:1000 -> 10.0.0.2:53
// with the payload given (60 bytes or more on the wire).
func udpFrame(payload []byte) []byte {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
	ip := []byte{0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	binary.BigEndian.PutUint16(ip[2:], uint16(28+len(payload)))
	udp := []byte{0x03, 0xe8, 0, 53, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	b = append(append(append(b, ip...), udp...), payload...)
	for len(b) < 60 {
		b = append(b, 0)
	}
	return b
}
