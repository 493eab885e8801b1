/* SPDX-License-Identifier: MIT */
/*
 * sigclient: a TCP client that is pelted with SIGALRM while it connects, for
 * the signals scenario (a handshake inside connect() must survive EINTR).
 * Standalone: no project headers.
 *
 *   sigclient [-r] [-N] [-i INTERVAL_MS] [-s BYTES] HOST PORT
 *
 *   -r  install the SIGALRM handler with SA_RESTART (default: without)
 *   -N  non-blocking socket: connect, then poll for completion (as a
 *       blocking socket's connect() interrupted with EINTR is, too: the
 *       kernel's connect goes on after EINTR)
 *   -i  itimer interval, milliseconds (default 20)
 *   -s  bytes to send and expect back after connecting (default 65536)
 *
 * Output, one result line and then "ALIVE":
 *   OK during=N signals=N eintr=0|1 echo=exact|wrong(GOT/WANT)|error(ENAME)
 *       elapsed=S
 *   ERR ENAME during=N eintr=0|1 elapsed=S
 * "during" counts the signals delivered while connect() (and the poll for
 * its completion) ran; eintr=1 when a blocking connect() returned EINTR. Exit 0 when the program ran to its end, 2
 * for a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t sc_signals;

static void
sc_on_alarm(int sig)
{
	(void)sig;
	sc_signals++;
}

static double
sc_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
sc_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "E?";
}

static void
sc_usage(void)
{
	(void)fprintf(stderr, "usage: sigclient [-r] [-N] [-i INTERVAL_MS] "
	    "[-s BYTES] HOST PORT\n");
	exit(2);
}

/* Complete a non-blocking connect: poll (EINTR is ours to retry), SO_ERROR. */
static int
sc_finish_connect(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int rc, err = 0;

	do
		rc = poll(&pfd, 1, 15000);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return ETIMEDOUT;
	if (rc < 0)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* Send BUF and read it back; the program's own I/O retries EINTR. */
static int
sc_echo(int fd, const unsigned char *buf, unsigned char *back, size_t len)
{
	size_t sent = 0, got = 0;
	struct pollfd pfd = { .fd = fd };
	ssize_t n;
	int rc;

	while (got < len) {
		pfd.events = (short)(POLLIN | (sent < len ? POLLOUT : 0));
		rc = poll(&pfd, 1, 10000);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return rc == 0 ? ETIMEDOUT : errno;
		if (sent < len && (pfd.revents & POLLOUT)) {
			n = send(fd, buf + sent, len - sent,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EINTR && errno != EAGAIN)
				return errno;
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(fd, back + got, len - got, MSG_DONTWAIT);
			if (n > 0)
				got += (size_t)n;
			else if (n == 0)
				break;
			else if (errno != EINTR && errno != EAGAIN)
				return errno;
		}
	}
	return got == len ? 0 : -(int)got - 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct itimerval it;
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t slen;
	unsigned char *buf, *back;
	size_t i, size = 65536;
	long interval = 20, port;
	int c, fd, rc, err, restart = 0, nonblock = 0, eintr = 0;
	sig_atomic_t before, during;
	double t0;

	while ((c = getopt(argc, argv, "rNi:s:")) != -1) {
		switch (c) {
		case 'r':
			restart = 1;
			break;
		case 'N':
			nonblock = 1;
			break;
		case 'i':
			interval = strtol(optarg, NULL, 10);
			break;
		case 's':
			size = (size_t)strtoul(optarg, NULL, 10);
			break;
		default:
			sc_usage();
		}
	}
	if (argc - optind != 2 || interval <= 0 || size == 0)
		sc_usage();
	port = strtol(argv[optind + 1], NULL, 10);
	if (port <= 0 || port > 65535)
		sc_usage();
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		slen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[optind], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		slen = sizeof(*s6);
	} else {
		sc_usage();
	}
	buf = malloc(size);
	back = malloc(size);
	if (buf == NULL || back == NULL)
		return 2;
	for (i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 7 + i / 251);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sc_on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0) {
		perror("sigclient: sigaction");
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
	    0);
	if (fd < 0) {
		perror("sigclient: socket");
		return 2;
	}
	memset(&it, 0, sizeof(it));
	it.it_interval.tv_usec = interval * 1000;
	it.it_value = it.it_interval;
	if (setitimer(ITIMER_REAL, &it, NULL) < 0) {
		perror("sigclient: setitimer");
		return 2;
	}

	t0 = sc_now();
	before = sc_signals;
	rc = connect(fd, (struct sockaddr *)&ss, slen);
	err = rc == 0 ? 0 : errno;
	if (!nonblock && err == EINTR)
		eintr = 1;
	if ((nonblock && err == EINPROGRESS) || eintr)
		err = sc_finish_connect(fd);
	during = sc_signals - before;
	if (err != 0) {
		(void)printf("ERR %s during=%d eintr=%d elapsed=%.2f\n",
		    sc_errname(err), (int)during, eintr, sc_now() - t0);
	} else {
		rc = sc_echo(fd, buf, back, size);
		(void)printf("OK during=%d signals=%d eintr=%d echo=",
		    (int)during, (int)sc_signals, eintr);
		if (rc > 0)
			(void)printf("error(%s)", sc_errname(rc));
		else if (rc < 0)
			(void)printf("wrong(%d/%zu)", -rc - 1, size);
		else if (memcmp(buf, back, size) != 0)
			(void)printf("wrong(content)");
		else
			(void)printf("exact");
		(void)printf(" elapsed=%.2f\n", sc_now() - t0);
	}
	memset(&it, 0, sizeof(it));
	(void)setitimer(ITIMER_REAL, &it, NULL);
	(void)close(fd);
	free(buf);
	free(back);
	(void)printf("ALIVE\n");
	return 0;
}
