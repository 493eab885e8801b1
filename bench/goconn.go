// goconn: the Go twin of bench/conn.c's latency mode, for figure 9 (the
// backstop's supervisor path). Standard library only.
//
//	goconn [-n N] HOST PORT
//
// N times: net.Dial("tcp", HOST:PORT) (a name is looked up by Go for
// every connection, as conn calls getaddrinfo(); GODEBUG=netdns=cgo
// makes a cgo build ask libc's getaddrinfo), write 1 byte, read the
// 1-byte echo, close. Go makes its socket calls as raw system calls, so
// under socksify every connect() is the supervisor's. Prints one line of
// key=value as conn does: wall_us, wall_us_per, cpu_us_per (getrusage,
// all threads), maxrss_kb, wall_p50, wall_p90. On the first failure: a
// one-line reason on stderr, exit status 1.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"syscall"
	"time"
)

func die(i int, what string, err error) {
	fmt.Fprintf(os.Stderr, "goconn: connection %d: %s: %v\n", i, what, err)
	os.Exit(1)
}

func cpuUs() (float64, int64) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	us := float64(ru.Utime.Sec+ru.Stime.Sec)*1e6 +
		float64(ru.Utime.Usec+ru.Stime.Usec)
	return us, ru.Maxrss
}

func main() {
	n := flag.Int("n", 1000, "connections")
	flag.Parse()
	if flag.NArg() != 2 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: goconn [-n N] HOST PORT")
		os.Exit(2)
	}
	addr := net.JoinHostPort(flag.Arg(0), flag.Arg(1))
	lat := make([]float64, *n)
	buf := make([]byte, 1)
	cpu0, _ := cpuUs()
	t0 := time.Now()
	for i := 0; i < *n; i++ {
		c0 := time.Now()
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			die(i, "dial", err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		b := byte('a' + i%26)
		if _, err := c.Write([]byte{b}); err != nil {
			die(i, "write", err)
		}
		if _, err := c.Read(buf); err != nil {
			die(i, "read echo", err)
		}
		if buf[0] != b {
			die(i, "echo", fmt.Errorf("mismatch"))
		}
		c.Close()
		lat[i] = float64(time.Since(c0).Nanoseconds()) / 1e3
	}
	wall := float64(time.Since(t0).Nanoseconds()) / 1e3
	cpu1, rss := cpuUs()
	sort.Float64s(lat)
	fmt.Printf("wall_us=%.0f wall_us_per=%.1f cpu_us_per=%.1f maxrss_kb=%d "+
		"wall_p50=%.1f wall_p90=%.1f\n", wall, wall/float64(*n),
		(cpu1-cpu0)/float64(*n), rss, lat[*n/2], lat[*n*9/10])
}
