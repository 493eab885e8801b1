// SPDX-License-Identifier: MIT
// Test helper: one lookup through Go's own resolver (PreferGo: it reads
// resolv.conf and speaks DNS itself, as static Go programs do).
//
//	goresolve host|mx|txt|srv|ptr NAME
//
// Prints the results one per line (host: addresses; mx: "PREF HOST"; txt:
// the strings; srv: "PRIO WEIGHT PORT TARGET"; ptr: names), or "error:
// ..." and exit 1. Every lookup is bounded by 5 s.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: goresolve host|mx|txt|srv|ptr NAME")
		os.Exit(2)
	}
	r := &net.Resolver{PreferGo: true}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var lines []string
	var err error
	switch os.Args[1] {
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
