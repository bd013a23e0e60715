// Package capture reads packet captures in one streaming pass.
//
// It reads pcap (micro- and nanosecond timestamps, either byte order) and
// pcapng (several interfaces, each with its own link type and timestamp
// resolution), either of them gzip-compressed (detected by magic bytes, not
// by file name), from a file or from standard input ("-").
//
// Each frame is decoded into a Packet: timestamp, original wire length (what
// tshark calls frame.len), IPv4/IPv6 addresses, transport protocol, ports,
// TCP flags and transport payload. Decoding allocates nothing per packet:
// the Packet and its Payload alias the reader's buffer until the next call
// to Next.
package capture
