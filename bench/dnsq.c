/*
 * dnsq: DNS answers per second from one server over UDP.
 *
 *   dnsq -s ADDR [-p PORT] [-n N] [-w WINDOW] [-k NAMES] [-d SUFFIX]
 *        [-t TYPE]
 *
 * Sends N queries (default 100000) for "q<i % NAMES>.SUFFIX" (NAMES
 * default 1000, SUFFIX "bench.test", TYPE 1 = A) to ADDR:PORT (port 53),
 * keeping up to WINDOW (default 16) unanswered at a time on one connected
 * UDP socket; a query unanswered for 1 s counts as lost and is replaced;
 * 3 s without any answer ends the run.
 * Answers are matched by ID and checked for QR, the question's name and
 * RCODE NOERROR.
 *
 * Prints: answers= lost= bad= seconds= qps= us_per= (answers per wall
 * second; us_per = microseconds per answer). Exit 0, or 1 when nothing
 * was answered or on a socket error.
 * Standalone on purpose: no project headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXWIN 256

struct slot {
	int busy;
	uint16_t id;
	double sent;
	unsigned name;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Query for q<k>.suffix: header, labels, type, class IN. */
static size_t
build(uint8_t *b, uint16_t id, unsigned k, const char *suffix, unsigned type)
{
	char name[300];
	size_t n = 12, l;
	const char *p = name, *dot;

	snprintf(name, sizeof(name), "q%u.%s", k, suffix);
	memset(b, 0, 12);
	b[0] = (uint8_t)(id >> 8);
	b[1] = (uint8_t)id;
	b[2] = 0x01;		/* RD */
	b[5] = 1;
	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		b[n++] = (uint8_t)l;
		memcpy(b + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	b[n++] = 0;
	b[n++] = (uint8_t)(type >> 8);
	b[n++] = (uint8_t)type;
	b[n++] = 0;
	b[n++] = 1;
	return n;
}

int
main(int argc, char **argv)
{
	const char *addr = NULL, *suffix = "bench.test";
	unsigned long n = 100000, sent = 0, answers = 0, lost = 0, bad = 0;
	unsigned port = 53, win = 16, names = 1000, type = 1, i;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct slot slots[MAXWIN];
	uint8_t q[512], r[4096];
	double t0, t1, t, last;
	uint16_t nextid = 1;
	struct pollfd pfd;
	ssize_t len;
	size_t ql;
	int opt, fd, busy = 0;

	while ((opt = getopt(argc, argv, "s:p:n:w:k:d:t:")) != -1) {
		switch (opt) {
		case 's': addr = optarg; break;
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'w': win = (unsigned)atoi(optarg); break;
		case 'k': names = (unsigned)atoi(optarg); break;
		case 'd': suffix = optarg; break;
		case 't': type = (unsigned)atoi(optarg); break;
		default: return 1;
		}
	}
	if (addr == NULL || inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    win < 1 || win > MAXWIN || names < 1 || n < 1) {
		fprintf(stderr, "usage: dnsq -s IPV4 [-p PORT] [-n N] "
		    "[-w 1..%d] [-k NAMES] [-d SUFFIX] [-t TYPE]\n", MAXWIN);
		return 1;
	}
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("dnsq: socket");
		return 1;
	}
	memset(slots, 0, sizeof(slots));
	t0 = last = now();
	while (answers + lost < n) {
		/* Fill the window. */
		for (i = 0; i < win && sent < n; i++) {
			if (slots[i].busy)
				continue;
			slots[i].busy = 1;
			slots[i].id = (uint16_t)(nextid++ * MAXWIN + i);
			slots[i].name = (unsigned)(sent % names);
			slots[i].sent = now();
			ql = build(q, slots[i].id, slots[i].name, suffix, type);
			if (send(fd, q, ql, 0) < 0 && errno != ECONNREFUSED) {
				perror("dnsq: send");
				return 1;
			}
			sent++;
			busy++;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0) {
			len = recv(fd, r, sizeof(r), 0);
			if (len >= 12) {
				uint16_t id = (uint16_t)(r[0] << 8 | r[1]);

				i = id % MAXWIN;
				if (i < win && slots[i].busy &&
				    slots[i].id == id) {
					ql = build(q, id, slots[i].name, suffix,
					    type);
					if (!(r[2] & 0x80) || (r[3] & 0x0f) != 0 ||
					    (size_t)len < ql ||
					    memcmp(r + 12, q + 12, ql - 12) != 0)
						bad++;
					answers++;
					last = now();
					slots[i].busy = 0;
					busy--;
				}
			}
		}
		t = now();
		for (i = 0; i < win; i++) {
			if (slots[i].busy && t - slots[i].sent > 1.0) {
				slots[i].busy = 0;
				busy--;
				lost++;
			}
		}
		if (busy == 0 && sent >= n)
			break;
		if (t - last > 3.0) {
			fprintf(stderr, "dnsq: no answer for 3 s, giving up\n");
			break;
		}
	}
	t1 = now();
	printf("answers=%lu lost=%lu bad=%lu seconds=%.3f qps=%.0f "
	    "us_per=%.2f\n", answers - bad, lost, bad, t1 - t0,
	    (double)(answers - bad) / (t1 - t0),
	    answers > bad ? (t1 - t0) * 1e6 / (double)(answers - bad) : 0.0);
	close(fd);
	return answers > bad ? 0 : 1;
}
