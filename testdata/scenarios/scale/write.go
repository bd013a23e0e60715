package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// defaultSnaplen is written when no source declares a snap length.
const defaultSnaplen = 262144

// ngHeaderSize is the size of the section header and interface blocks
// packetWriter writes for pcapng.
var ngHeaderSize = func() int64 {
	cw := &countWriter{w: io.Discard}
	pw, err := newPacketWriter(cw, "pcapng", defaultSnaplen)
	if err != nil {
		panic(err) // fixed arguments: cannot fail
	}
	pw.flush()
	return cw.n
}()

// packetWriter writes frames as pcapng or nanosecond pcap.
type packetWriter struct {
	ng *pcapgo.NgWriter
	pc *pcapgo.Writer
}

func newPacketWriter(w io.Writer, format string, snaplen uint32) (*packetWriter, error) {
	if format == "pcap" {
		pc := pcapgo.NewWriterNanos(w)
		return &packetWriter{pc: pc}, pc.WriteFileHeader(snaplen, layers.LinkTypeEthernet)
	}
	intf := pcapgo.NgInterface{Name: "scale", LinkType: layers.LinkTypeEthernet, SnapLength: snaplen, TimestampResolution: 9}
	opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "mimir-tui testdata/scenarios/scale"}}
	ng, err := pcapgo.NewNgWriterInterface(w, intf, opts)
	return &packetWriter{ng: ng}, err
}

func (p *packetWriter) write(ts int64, data []byte, wireLen uint32) error {
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, ts), CaptureLength: len(data), Length: int(wireLen)}
	if p.pc != nil {
		return p.pc.WritePacket(ci, data)
	}
	return p.ng.WritePacket(ci, data)
}

func (p *packetWriter) flush() error {
	if p.ng != nil {
		return p.ng.Flush()
	}
	return nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// progressEvery is how often a long write reports on standard error.
const progressEvery = 10 * time.Second

// writeCapture streams the output capture to w: every repetition, every
// frame of the program, once per copy of its source, rewritten for the
// copy, at the same timestamp. Memory does not grow with the output.
func (b *build) writeCapture(ctx context.Context, w io.Writer, stderr io.Writer) error {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	var out io.Writer = bw
	var gz *gzip.Writer
	if b.opts.gzip {
		gz, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed) // a valid level: no error
		out = gz
	}
	snap := uint32(defaultSnaplen)
	for _, s := range b.sources {
		if s.snaplen > snap {
			snap = s.snaplen
		}
	}
	pw, err := newPacketWriter(out, b.opts.format, snap)
	if err != nil {
		return err
	}
	scratch := make([]byte, 0, 1<<16)
	next := time.Now().Add(progressEvery)
	for r := range b.reps {
		shift := int64(r) * b.period
		for i, it := range b.program {
			if i&0xfff == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if time.Now().After(next) {
					next = time.Now().Add(progressEvery)
					fmt.Fprintf(stderr, "scale: repetition %d of %d, %s written\n", r+1, b.reps, mib(cw.n))
				}
			}
			s := b.sources[it.src]
			p := &s.pkts[it.idx]
			frame := s.frames[p.off : p.off+int(p.capLen)]
			for _, c := range b.copiesOf[s] {
				data := frame
				if c.k != 0 {
					scratch = append(scratch[:0], frame...)
					if err := rewriteFrame(scratch, c); err != nil {
						return err
					}
					data = scratch
				}
				if err := pw.write(p.ts+s.shift+shift, data, p.wireLen); err != nil {
					return err
				}
			}
		}
	}
	if err := pw.flush(); err != nil {
		return err
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// outFile is an output being written to a temporary file beside its
// final name, so that nothing half-written is ever left under that name.
type outFile struct {
	*os.File
	final string
}

func createOut(dir, name string) (*outFile, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w (is it a writable directory?)", dir, err)
	}
	return &outFile{File: f, final: filepath.Join(dir, name)}, nil
}

// writeOutputs writes every output file and renames them into place only
// when all are complete; on any error (or interruption) the temporary
// files are removed and earlier outputs are left as they were.
func (b *build) writeOutputs(ctx context.Context, captureName string, stderr io.Writer) (err error) {
	steps := []struct {
		name  string
		write func(io.Writer) error
	}{
		{captureName, func(w io.Writer) error { return b.writeCapture(ctx, w, stderr) }},
		{"entities.jsonl", func(w io.Writer) error { return b.writeEntitiesBuffered(w) }},
		{"ground_truth.json", func(w io.Writer) error { return writeJSON(w, b.groundTruth(captureName)) }},
		{"metadata.json", func(w io.Writer) error { return writeJSON(w, b.metadata(captureName)) }},
	}
	var outs []*outFile
	defer func() {
		if err != nil {
			for _, o := range outs {
				o.Close()
				os.Remove(o.Name())
			}
		}
	}()
	for _, st := range steps {
		o, err := createOut(b.opts.out, st.name)
		if err != nil {
			return err
		}
		outs = append(outs, o)
		if err := st.write(o); err != nil {
			if errors.Is(err, context.Canceled) {
				return errors.New("interrupted: no output was written (the partial files are removed)")
			}
			return fmt.Errorf("writing %s: %w", o.final, err)
		}
		if err := o.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", o.final, err)
		}
	}
	for _, o := range outs {
		os.Chmod(o.Name(), 0o644)
		if err := os.Rename(o.Name(), o.final); err != nil {
			return fmt.Errorf("moving %s into place: %w", o.final, err)
		}
	}
	return nil
}

func (b *build) writeEntitiesBuffered(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	n, err := b.writeEntities(bw)
	if err != nil {
		return err
	}
	b.entityEvents = n
	return bw.Flush()
}
