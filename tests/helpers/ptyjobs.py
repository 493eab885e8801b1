# SPDX-License-Identifier: MIT
"""ptyjobs.py SOCKSIFY: job control through the backstop, in a
pseudo-terminal, as a user at an interactive bash would see it:
  - socksify sleep: Ctrl-Z stops the job (status 148), fg resumes it,
    Ctrl-C ends it (status 130), nothing is left stopped
  - socksify --shell: the inner shell runs under the filter; its own jobs
    stop with Ctrl-Z, resume with fg, end with Ctrl-C; exit returns to
    the outer shell with its status
Prints "ok   - ..." / "FAIL - ..." lines; exit status 1 if any failed.
Every wait is bounded."""
import os
import pty
import re
import select
import signal
import sys
import time

SX = sys.argv[1]
failed = 0
buf = b""


def report(ok, what):
    global failed
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failed += 1


def expect(fd, pattern, timeout=10.0):
    """Read until pattern (a regex) appears; True, or False on timeout."""
    global buf
    rx = re.compile(pattern.encode())
    end = time.monotonic() + timeout
    while True:
        m = rx.search(buf)
        if m:
            buf = buf[m.end():]
            return True
        left = end - time.monotonic()
        if left <= 0:
            sys.stderr.write("timeout waiting for %r; have %r\n" %
                             (pattern, buf[-400:]))
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                return False
            buf += data


def send(fd, text):
    os.write(fd, text.encode())


def drain(fd, seconds):
    """Let the shell settle, keeping what it printed."""
    global buf
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            buf += data


def main():
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, PS1="OUTER> ", TERM="dumb")
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    try:
        report(expect(fd, r"OUTER> "), "outer bash started")
        # A socksified command in the outer shell's job control.
        send(fd, "%s sleep 30\n" % SX)
        drain(fd, 1.0)
        send(fd, "\x1a")
        report(expect(fd, r"Stopped.*sleep 30"), "Ctrl-Z: the job is stopped")
        report(expect(fd, r"OUTER> "), "Ctrl-Z: the prompt is back")
        send(fd, 'echo "st=$?"\n')
        report(expect(fd, r"st=148"), "Ctrl-Z: status 148 (SIGTSTP)")
        send(fd, "fg\n")
        report(expect(fd, r"sleep 30"), "fg: the job resumes")
        drain(fd, 1.0)
        send(fd, "\x03")
        report(expect(fd, r"OUTER> "), "Ctrl-C: the prompt is back")
        send(fd, 'echo "rc=$?"\n')
        report(expect(fd, r"rc=130"), "Ctrl-C: status 130 (SIGINT)")
        send(fd, 'jobs; echo "jobs-done"\n')
        report(expect(fd, r"jobs-done\r?\n"), "jobs ran")
        report(b"Stopped" not in buf.split(b"jobs-done")[0] and
               expect(fd, r"OUTER> "), "no job left stopped")
        # The socksified shell.
        send(fd, "SHELL=/bin/bash %s --shell\n" % SX)
        drain(fd, 1.5)
        send(fd, "PS1='INNER> '\n")
        report(expect(fd, r"INNER> "), "--shell: the inner shell runs")
        send(fd, "grep '^Seccomp:' /proc/self/status\n")
        report(expect(fd, r"Seccomp:\s+2"),
               "--shell: its commands run under the filter")
        send(fd, "sleep 30\n")
        drain(fd, 1.0)
        send(fd, "\x1a")
        report(expect(fd, r"Stopped.*sleep 30"),
               "--shell: Ctrl-Z stops the inner job")
        report(expect(fd, r"INNER> "), "--shell: the inner prompt is back")
        send(fd, "fg\n")
        report(expect(fd, r"sleep 30"), "--shell: fg resumes it")
        drain(fd, 1.0)
        send(fd, "\x03")
        report(expect(fd, r"INNER> "), "--shell: Ctrl-C ends it")
        send(fd, 'echo "in=$?"\n')
        report(expect(fd, r"in=130"), "--shell: inner status 130")
        send(fd, "exit 5\n")
        report(expect(fd, r"OUTER> "), "--shell: exit returns to the outer shell")
        send(fd, 'echo "out=$?"\n')
        report(expect(fd, r"out=5"), "--shell: its exit status is kept (5)")
        send(fd, "exit\n")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    return 1 if failed else 0


sys.exit(main())
