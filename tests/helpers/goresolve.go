// SPDX-License-Identifier: MIT
// Test helper: one lookup through Go's own resolver (PreferGo: it reads
// resolv.conf and speaks DNS itself, as static Go programs do).
//
//	goresolve host|mx|txt|srv|ptr NAME
//	goresolve get HOST:PORT PATH
//
// Prints the results one per line (host: addresses; mx: "PREF HOST"; txt:
// the strings; srv: "PRIO WEIGHT PORT TARGET"; ptr: names), or "error:
// ..." and exit 1. get: an HTTP/1.0 GET of PATH from HOST:PORT, HOST
// resolved by the same resolver (net only: no net/http, which takes long
// to build); the body of a 200 answer goes to stdout. Every run is
// bounded by 5 s.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// get fetches path from hostport (HTTP/1.0) through a dialer that resolves
// with r; the body of a 200 answer to stdout.
func get(ctx context.Context, r *net.Resolver, hostport, path string) error {
	d := &net.Dialer{Resolver: r}
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(hostport)
	_, err = fmt.Fprintf(c, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host)
	if err != nil {
		return err
	}
	all, err := io.ReadAll(c)
	if err != nil {
		return err
	}
	head, body, found := bytes.Cut(all, []byte("\r\n\r\n"))
	if !found || !bytes.HasPrefix(head, []byte("HTTP/1.")) ||
		!bytes.Contains(bytes.SplitN(head, []byte("\r\n"), 2)[0], []byte(" 200 ")) {
		return fmt.Errorf("not an HTTP 200 answer: %.40q", all)
	}
	_, err = os.Stdout.Write(body)
	return err
}

func main() {
	if len(os.Args) != 3 && (len(os.Args) != 4 || os.Args[1] != "get") {
		fmt.Fprintln(os.Stderr,
			"usage: goresolve host|mx|txt|srv|ptr NAME | get HOST:PORT PATH")
		os.Exit(2)
	}
	r := &net.Resolver{PreferGo: true}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var lines []string
	var err error
	switch os.Args[1] {
	case "get":
		err = get(ctx, r, os.Args[2], os.Args[3])
	case "host":
		lines, err = r.LookupHost(ctx, os.Args[2])
	case "mx":
		var mx []*net.MX
		mx, err = r.LookupMX(ctx, os.Args[2])
		for _, m := range mx {
			lines = append(lines, fmt.Sprintf("%d %s", m.Pref, m.Host))
		}
	case "txt":
		lines, err = r.LookupTXT(ctx, os.Args[2])
	case "ptr":
		lines, err = r.LookupAddr(ctx, os.Args[2])
	default:
		var srv []*net.SRV
		_, srv, err = r.LookupSRV(ctx, "", "", os.Args[2])
		for _, s := range srv {
			lines = append(lines, fmt.Sprintf("%d %d %d %s",
				s.Priority, s.Weight, s.Port, s.Target))
		}
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for _, l := range lines {
		fmt.Println(l)
	}
}
