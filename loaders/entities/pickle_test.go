package entities

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestPickleSemantics replays synthetic logs written the way the original
// MIMIR (Python 2, protocol 0) wrote them. Each expected event list is
// derived by hand from the rules in the package documentation; the
// comments give the reasoning.
func TestPickleSemantics(t *testing.T) {
	const web = "app=web"
	tests := []struct {
		name string
		keys []pkey
		want []string
	}{{
		// Key 10 lists 3 of the 4 entities live before it (3 >= 4/2 and
		// 3 > 1): a full listing, so c, absent from it, goes at 10. Key 5
		// lists 1 of 3: a change.
		name: "snapshot absence deletes",
		keys: []pkey{
			{"0", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running"), pod("c", "10.1.0.3", "+", web, "Running")}},
			{"5", []pent{pod("d", "10.1.0.4", "+", web, "Running")}},
			{"10", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running"), pod("d", "10.1.0.4", "+", web, "Running")}},
		},
		want: []string{"0 add a 10.1.0.1", "0 add b 10.1.0.2", "0 add c 10.1.0.3", "5 add d 10.1.0.4", "10 delete c 10.1.0.3"},
	}, {
		// '-' deletes; a '-' for an entity not live is ignored.
		name: "minus deletes",
		keys: []pkey{
			{"0", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running")}},
			{"7", []pent{pod("b", "10.1.0.2", "-", web, "Terminating")}},
			{"8", []pent{pod("zz", "10.1.0.9", "-", web, "Terminating")}},
		},
		want: []string{"0 add a 10.1.0.1", "0 add b 10.1.0.2", "7 delete b 10.1.0.2"},
	}, {
		// A re-listed entity with a new address is a delete and an add; a
		// repeated identical listing (key 4, like key 8018 of the mk5 log)
		// changes nothing.
		name: "new address",
		keys: []pkey{
			{"0", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running"), pod("c", "10.1.0.3", "+", web, "Running")}},
			{"3", []pent{pod("a", "10.1.0.7", "+", web, "Running")}},
			{"4", []pent{pod("a", "10.1.0.7", "+", web, "Running")}},
		},
		want: []string{"0 add a 10.1.0.1", "0 add b 10.1.0.2", "0 add c 10.1.0.3", "3 delete a 10.1.0.1", "3 add a 10.1.0.7"},
	}, {
		// b is last seen Terminating (key 2); at key 6 e is listed with b's
		// address, so b releases it at 6.
		name: "terminating pod hands its address over",
		keys: []pkey{
			{"0", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running"), pod("c", "10.1.0.3", "+", web, "Running")}},
			{"2", []pent{pod("b", "10.1.0.2", "+", web, "Terminating")}},
			{"6", []pent{pod("e", "10.1.0.2", "+", web, "Running")}},
		},
		want: []string{"0 add a 10.1.0.1", "0 add b 10.1.0.2", "0 add c 10.1.0.3", "6 delete b 10.1.0.2", "6 add e 10.1.0.2"},
	}, {
		// Same as above but b is Running: no hand-over, both hold the
		// address (the Timeline makes them a host-network group).
		name: "running pods share an address",
		keys: []pkey{
			{"0", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running"), pod("c", "10.1.0.3", "+", web, "Running")}},
			{"6", []pent{pod("e", "10.1.0.2", "+", web, "Running")}},
		},
		want: []string{"0 add a 10.1.0.1", "0 add b 10.1.0.2", "0 add c 10.1.0.3", "6 add e 10.1.0.2"},
	}, {
		// With two live entities, a key listing one is not full (a full
		// listing needs more than one entry), so b stays.
		name: "one entry is never a full listing",
		keys: []pkey{
			{"0", []pent{pod("a", "10.1.0.1", "+", web, "Running"), pod("b", "10.1.0.2", "+", web, "Running")}},
			{"9", []pent{pod("a", "10.1.0.1", "+", web, "Running")}},
		},
		want: []string{"0 add a 10.1.0.1", "0 add b 10.1.0.2"},
	}, {
		// Float keys are seconds too; keys are replayed in time order
		// whatever their order in the file; empty keys are skipped (the
		// MIMIR logs have 10799 keys, most of them empty).
		name: "float, unordered and empty keys",
		keys: []pkey{
			{"4", []pent{pod("b", "10.1.0.2", "+", web, "Running")}},
			{"3", nil},
			{"2.5", []pent{pod("a", "10.1.0.1", "+", web, "Running")}},
		},
		want: []string{"2.5 add a 10.1.0.1", "4 add b 10.1.0.2"},
	}, {
		// The first non-empty key is a full listing even with one entry;
		// a headless service ('None') and labels '<none>' are no address
		// and no labels.
		name: "headless service",
		keys: []pkey{
			{"0", []pent{svc("db", "None", "app=db")}},
			{"1", []pent{svc("db", "None", "app=db"), svc("kubernetes", "10.96.0.1", "<none>")}},
		},
		want: []string{"0 add db -", "1 add kubernetes 10.96.0.1"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustParse(t, string(mimirPickle(tc.keys...)), "synthetic.pickle")
			if l.Format != FormatPickle || !l.Relative {
				t.Fatalf("format %s relative %v, want %s relative", l.Format, l.Relative, FormatPickle)
			}
			if got := evs(l); !slices.Equal(got, tc.want) {
				t.Errorf("events:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestPickleLabelsAndFields checks the tuple fields end up where they
// belong, on an entry of the shop-demo log (its key 0, as Python prints
// it: ('10.244.0.9', '+', 'default', 'pod',
// 'name=shop-db,app.kubernetes.io/component=database', 'Running')).
func TestPickleLabelsAndFields(t *testing.T) {
	l := mustLoad(t, shopDir+"/cluster_creation_log.pickle")
	i := slices.IndexFunc(l.Events, func(e Event) bool { return e.Entity.Name == "shop-db-0" })
	if i < 0 {
		t.Fatal("shop-db-0 not in the log")
	}
	e := l.Events[i]
	want := Entity{Kind: Pod, Name: "shop-db-0", Namespace: "default", IP: addr("10.244.0.9"), Status: "Running",
		Labels: map[string]string{"name": "shop-db", "app.kubernetes.io/component": "database"}}
	if e.At != 0 || e.Op != Add || e.Entity.Kind != want.Kind || e.Entity.Namespace != want.Namespace ||
		e.Entity.IP != want.IP || e.Entity.Status != want.Status || !mapsEqual(e.Entity.Labels, want.Labels) {
		t.Errorf("event %+v, want add at 0 of %+v", e, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestPickleProtocols loads the shop-demo log re-pickled by Python 2 and
// Python 3 with protocols 0, 1, 2 and 4 (testdata/entities/make_pickles.py)
// and checks every variant yields the very events of the original.
func TestPickleProtocols(t *testing.T) {
	want := evs(mustLoad(t, shopDir+"/cluster_creation_log.pickle"))
	if len(want) != 22 {
		// 19 entities at key 0, adds at 60 and 100, a '-' at 67 (python3:
		// pickle.load(f, encoding='latin1')).
		t.Fatalf("original: %d events, want 22", len(want))
	}
	for _, f := range []string{"shop-py2-p0.pickle", "shop-py2-p1.pickle", "shop-py2-p2.pickle", "shop-py3-p0.pickle", "shop-py3-p2.pickle", "shop-py3-p4.pickle"} {
		t.Run(f, func(t *testing.T) {
			l := mustLoad(t, fixture(f))
			if l.Format != FormatPickle {
				t.Fatalf("format %s", l.Format)
			}
			if got := evs(l); !slices.Equal(got, want) {
				t.Errorf("events differ from the original:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestPickleStrings checks string decoding on escapes-*.pickle, written by
// make_pickles.py: Python 2 writes "it's" as S"it's", a backslash and a tab
// escaped in S'…', u'café' as V with a Latin-1 byte, and UTF-8 bytes in a
// str as \xc3\xa9; Python 3 writes V'…' with \u005c for a backslash and
// \u2603 for the snowman.
func TestPickleStrings(t *testing.T) {
	want := map[string]string{
		"it's":   "note=a\\b\tc",
		"café-0": "app=café,x=☃",
		"café-1": "app=café",
	}
	for _, f := range []string{"escapes-py2-p0.pickle", "escapes-py2-p2.pickle", "escapes-py3-p0.pickle", "escapes-py3-p2.pickle"} {
		t.Run(f, func(t *testing.T) {
			l := mustLoad(t, fixture(f))
			got := make(map[string]string)
			for _, e := range l.Events {
				var parts []string
				for _, k := range sortedKeys(e.Entity.Labels) {
					parts = append(parts, k+"="+e.Entity.Labels[k])
				}
				got[e.Entity.Name] = strings.Join(parts, ",")
			}
			if !mapsEqual(got, want) {
				t.Errorf("names and labels:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestPickleBad feeds corrupt, hostile and wrong-shaped pickles: each must
// give an error naming the problem, never a panic or a huge allocation.
func TestPickleBad(t *testing.T) {
	tuple := func(fields ...string) string {
		s := "("
		for _, f := range fields {
			s += "S'" + f + "'\n"
		}
		return s + "t"
	}
	entry := func(fields ...string) string { return "(dp0\nI0\n(dS'x'\n" + tuple(fields...) + "ss." }
	tests := []struct {
		name, data, want string
	}{
		{"truncated", "(dp0\nI0\n(d", "truncated"},
		{"no STOP", "}", "without its STOP"},
		{"odd DICT", "(dp0\n(I1\nd.", "odd number"},
		{"odd SETITEMS", "}(I1\nu.", "odd number"},
		{"GLOBAL", "\x80\x02cos\nsystem\n.", "GLOBAL builds Python objects"},
		{"REDUCE", "}R.", "REDUCE builds Python objects"},
		{"huge BINUNICODE", "\x80\x02}X\xff\xff\xff\x7f", "claims 2147483647 bytes"},
		{"huge BINUNICODE8", "\x80\x04}\x8d\xff\xff\xff\xff\xff\xff\xff\xff", "claims"},
		{"negative BINSTRING", "}T\xff\xff\xff\xff", "negative length"},
		{"deep MARKs", "(d" + strings.Repeat("(", 100), "nests deeper than 64"},
		{"stack bomb", "}" + strings.Repeat("N", 1<<20+1), "more than 1048576 items"},
		{"protocol 9", "\x80\x09}.", "protocol 9 is newer than 5"},
		{"long number", "(dI" + strings.Repeat("9", 100) + "\n", "numbers in a MIMIR log are short"},
		{"POP on empty", "}00.", "POP on an empty stack"},
		{"SETITEM underflow", "}s.", "needs 3 items"},
		{"unknown opcode", "}\xff", "is not a pickle opcode"},
		{"unquoted S", "(dS'abc\n", "not a quoted string"},
		{"bad escape", "(dS'\\x4'\n", `truncated \x escape`},
		{"APPEND to a dict", "}}a.", "corrupt pickle"},
		{"not a dict", "\x80\x02]q\x00.", "holds a list, not a dict"},
		{"string key", "(dp0\nS'soon'\n(ds.", `key "soon": key is a str`},
		{"huge key", "(dp0\nI99999999999\n(ds.", "out of range"},
		{"value not a dict", "(dp0\nI0\nI1\ns.", "key 0: value is a int"},
		{"name not a string", "(dp0\nI0\n(dI1\n" + tuple("1", "+", "d", "pod", "", "") + "ss.", "entity name 1 is not"},
		{"short tuple", entry("10.0.0.1", "+", "default", "pod", "a=b"), `entry "x": tuple has 5 fields`},
		{"bad sign", entry("10.0.0.1", "*", "default", "pod", "a=b", "Running"), `field 2 (sign) is "*"`},
		{"bad kind", entry("10.0.0.1", "+", "default", "node", "a=b", "Running"), `field 4 (kind) is "node"`},
		{"bad ip", entry("10.0.0.300", "+", "default", "pod", "a=b", "Running"), `field 1 (ip): "10.0.0.300" is not an IP address`},
		{"bad labels", entry("10.0.0.1", "+", "default", "pod", "=b", "Running"), "empty label key"},
		{"int field", "(dp0\nI0\n(dS'x'\n(S'10.0.0.1'\nI1\nS'd'\nS'pod'\nS''\nS''\ntss.", "field 2 (sign) is a int"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.data), "bad.pickle")
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bad.pickle") {
				t.Errorf("error %q, want it to start with the file name and contain %q", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

// TestPickleTooLarge checks the size limit on a pickle (never read whole
// past MaxPickle).
func TestPickleTooLarge(t *testing.T) {
	r := &repeatReader{head: []byte("(dp0\n"), fill: 'N', n: MaxPickle + 10}
	_, err := Parse(r, "big.pickle")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}

// repeatReader yields head and then fill bytes up to n bytes in all.
type repeatReader struct {
	head []byte
	fill byte
	n    int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, os.ErrClosed
	}
	k := 0
	for k < len(p) && r.off < r.n {
		if r.off < len(r.head) {
			p[k] = r.head[r.off]
		} else {
			p[k] = r.fill
		}
		k++
		r.off++
	}
	return k, nil
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\\b`, `a\b`},
		{`it\'s`, "it's"},
		{`\t\n\r`, "\t\n\r"},
		{`\x41\x7a`, "Az"},
		{`\101\0`, "A\x00"},
		{`\q`, `\q`}, // Python keeps unknown escapes
	}
	for _, tc := range tests {
		got, err := unescapePy([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("unescapePy(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	raw := []struct{ in, want string }{
		{`caf\u00e9`, "café"},
		{"caf\xe9", "café"}, // Latin-1 byte
		{`\U0001F600`, "😀"},
		{`a\\u0041`, `a\\u0041`}, // even backslashes: no escape
		{`a\\\u0041`, `a\\A`},
	}
	for _, tc := range raw {
		got, err := rawUnicodeEscape([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("rawUnicodeEscape(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestPickleMemoBomb lists one memoized 1000-entry dict under 20000 keys:
// 200 KB of pickle that would replay 2·10⁷ entries. It must be refused,
// not ground through.
func TestPickleMemoBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("(dp0\nI0\n(dp1\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "S'p%d'\n(S'10.0.%d.%d'\nS'+'\nS'd'\nS'pod'\nS''\nS''\nts", i, i/256, i%256)
	}
	b.WriteString("s")
	for k := 1; k <= 20000; k++ {
		fmt.Fprintf(&b, "I%d\ng1\ns", k)
	}
	b.WriteString(".")
	_, err := Parse(strings.NewReader(b.String()), "bomb.pickle")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}
