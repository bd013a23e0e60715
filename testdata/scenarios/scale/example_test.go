package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// Build two copies of the benign scenario, the second carrying the
// direct-exfil attack, and look at what the second copy became.
func Example() {
	dir, err := os.MkdirTemp("", "scale-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	args := []string{"-copies", "2", "-attack", "direct-exfil:1", "-o", dir, "../benign"}
	if err := run(context.Background(), args, io.Discard, io.Discard); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "entities.jsonl"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct{ Name, Namespace, IP, Owner string }
		json.Unmarshal(sc.Bytes(), &e)
		if strings.HasPrefix(e.Name, "shop-db") {
			fmt.Printf("%-13s %-10s %-14s owner %s\n", e.Name, e.Namespace, e.IP, e.Owner)
		}
	}
	// Output:
	// shop-db-k1    default-k1 10.96.197.105  owner shop-db-k1
	// shop-db-k1-0  default-k1 10.244.1.9     owner shop-db-k1
	// shop-db       default    10.96.217.51   owner shop-db
	// shop-db-0     default    10.244.0.12    owner shop-db
}
