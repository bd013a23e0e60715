package entities

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, head string
		want       Format
	}{
		// Python 2 protocol 0 starts MARK DICT PUT: "(dp1" (cPickle) or
		// "(dp0" (the shop demo's writer); protocol 1 EMPTY_DICT; 2+ PROTO.
		{"pickle p0 py2", "(dp0\nI0\n(dp1\nS'carts'\n", FormatPickle},
		{"pickle p0 empty", "(d.", FormatPickle},
		{"pickle p1", "}q\x00(K\x00}q\x01(U\x05carts", FormatPickle},
		{"pickle p2", "\x80\x02}q\x00(K\x00", FormatPickle},
		{"pickle p4", "\x80\x04\x95\xf8\x08\x00\x00", FormatPickle},
		{"jsonl", `{"ts": "2026-11-24T12:25:55Z", "op": "add"}` + "\n", FormatJSONL},
		{"jsonl keys in another order", `{"name": "a", "kind": "pod", "op": "add", "ts": "2026-11-24T12:25:55Z"}`, FormatJSONL},
		{"jsonl with comment and BOM", "\xef\xbb\xbf# entities\n\n{\"ts\": \"x\"}\n", FormatJSONL},
		{"kubectl list", "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {", FormatKubectlList},
		{"kubectl pod list", `{"kind": "PodList", "apiVersion": "v1", "metadata": {}}`, FormatKubectlList},
		{"kubectl watch (sorted keys)", "{\n    \"object\": {\n        \"apiVersion\": \"v1\",\n        \"kind\": \"Pod\"}, \"type\": \"ADDED\"}", FormatKubectlWatch},
		{"kubectl watch (cut in the object)", "{\n    \"object\": {\n        \"apiVersion\": \"v1\",\n        \"kind\": \"Po", FormatKubectlWatch},
		{"kubectl watch (type first)", `{"type": "ADDED", "object": {"kind": "Pod"}}`, FormatKubectlWatch},
		{"kubectl bare object", "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {", FormatKubectlWatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect([]byte(tc.head))
			if err != nil || got != tc.want {
				t.Errorf("Detect = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDetectFixtures(t *testing.T) {
	files := map[string]Format{
		shopDir + "/cluster_creation_log.pickle": FormatPickle,
		shopDir + "/entities.jsonl":              FormatJSONL,
		fixture("shop-watch.json"):               FormatKubectlWatch,
		fixture("shop-list.json"):                FormatKubectlList,
		fixture("kubectl-list-edge.json"):        FormatKubectlList,
		fixture("kubectl-watch-edge.json"):       FormatKubectlWatch,
	}
	for f, want := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > headSize {
			b = b[:headSize]
		}
		if got, err := Detect(b); err != nil || got != want {
			t.Errorf("Detect(%s) = %q, %v; want %q", f, got, err, want)
		}
	}
}

func TestDetectUnknown(t *testing.T) {
	for _, head := range []string{"", "time,ip,name\n1,10.0.0.1,a\n", "[1, 2]", `{"hello": "world"}`, "PK\x03\x04"} {
		_, err := Detect([]byte(head))
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Detect(%q): error %v, want ErrUnknownFormat", head, err)
			continue
		}
		// The message must list every format so the user knows what to give.
		for _, f := range []Format{FormatPickle, FormatJSONL, FormatKubectlList, FormatKubectlWatch} {
			if !strings.Contains(err.Error(), string(f)) {
				t.Errorf("Detect(%q) error %q does not list %s", head, err, f)
			}
		}
	}
}

// TestParseGzip checks a gzip-compressed log is read like the plain one.
func TestParseGzip(t *testing.T) {
	plain, err := os.ReadFile(shopDir + "/entities.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(plain)
	w.Close()
	l, err := Parse(&z, "entities.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Events) != 22 || l.Format != FormatJSONL {
		t.Errorf("%d events of %s, want 22 of jsonl (the file's 22 lines)", len(l.Events), l.Format)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("/nonexistent/entities.jsonl")
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "/nonexistent/entities.jsonl") {
		t.Errorf("error %v, want a not-exist error naming the file", err)
	}
}
