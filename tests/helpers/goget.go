// SPDX-License-Identifier: MIT
// goget: the Go program of tests/integration/backstop-go.sh (standard
// library only). Built by the test twice: CGO_ENABLED=0 (static: Go's own
// resolver, every call a raw system call) and CGO_ENABLED=1 (dynamic:
// libc's getaddrinfo with GODEBUG=netdns=cgo, the library's hook; the
// connects are still Go's raw system calls). Every mode prints one result
// line, "ok ..." or "error: <Go's own error text>", and exits 0 on "ok".
//
//	get URL                 GET, body to stdout
//	dial HOST:PORT MS       net.DialTimeout(MS ms): "ok peer ADDR" (the
//	                        connection's RemoteAddr), or the error and
//	                        "after N ms" on stderr
//	parallel N URL          N GETs at once; "ok N ms"
//	storm N URL             N GETs one after another, while every thread
//	                        of the process gets SIGURG (Go's preemption
//	                        signal) every millisecond; "ok N signals S"
//	resolve NAME            net.LookupHost: the addresses, one per line
//	exec PROG ARGS...       execve PROG (argv[0] = PROG)
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// One connection per request, no proxy from the environment: every GET
// is a connect() of its own.
var client = &http.Client{
	Timeout: 20 * time.Second,
	Transport: &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: true,
	},
}

func fail(err error) {
	fmt.Printf("error: %v\n", err)
	os.Exit(1)
}

func get(url string, out io.Writer) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	_, err = io.Copy(out, resp.Body)
	return err
}

func dial(addr string, ms int) {
	t0 := time.Now()
	c, err := net.DialTimeout("tcp", addr,
		time.Duration(ms)*time.Millisecond)
	fmt.Fprintf(os.Stderr, "after %d ms\n", time.Since(t0).Milliseconds())
	if err != nil {
		fail(err)
	}
	fmt.Printf("ok peer %s\n", c.RemoteAddr())
	c.Close()
}

func parallel(n int, url string) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			errs[i] = get(url, io.Discard)
		}(i)
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			fail(err)
		}
	}
	fmt.Printf("ok %d %d ms\n", n, time.Since(t0).Milliseconds())
}

// tasks: the thread IDs of this process.
func tasks() []int {
	d, err := os.Open("/proc/self/task")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	ids := make([]int, 0, len(names))
	for _, s := range names {
		if id, err := strconv.Atoi(s); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

func storm(n int, url string) {
	var seen int64
	urg := make(chan os.Signal, 64)
	signal.Notify(urg, syscall.SIGURG)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-urg:
				atomic.AddInt64(&seen, 1)
			case <-done:
				return
			}
		}
	}()
	go func() {
		pid := os.Getpid()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				close(done)
				return
			case <-tick.C:
				for _, tid := range tasks() {
					_ = syscall.Tgkill(pid, tid, syscall.SIGURG)
				}
			}
		}
	}()
	var err error
	for i := 0; i < n && err == nil; i++ {
		err = get(url, io.Discard)
	}
	close(stop)
	<-done
	if err != nil {
		fail(err)
	}
	fmt.Printf("ok %d signals %d\n", n, atomic.LoadInt64(&seen))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: see the comment in goget.go")
	os.Exit(2)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		usage()
	}
	return n
}

func main() {
	a := os.Args
	switch {
	case len(a) == 3 && a[1] == "get":
		if err := get(a[2], os.Stdout); err != nil {
			fail(err)
		}
	case len(a) == 4 && a[1] == "dial":
		dial(a[2], atoi(a[3]))
	case len(a) == 4 && a[1] == "parallel":
		parallel(atoi(a[2]), a[3])
	case len(a) == 4 && a[1] == "storm":
		storm(atoi(a[2]), a[3])
	case len(a) == 3 && a[1] == "resolve":
		addrs, err := net.LookupHost(a[2])
		if err != nil {
			fail(err)
		}
		for _, s := range addrs {
			fmt.Println(s)
		}
	case len(a) >= 3 && a[1] == "exec":
		err := syscall.Exec(a[2], a[2:], os.Environ())
		fail(err)
	default:
		usage()
	}
}
