/*
 * names: getaddrinfo() cost and memory in remote-DNS mode.
 *
 *   names [-n N] [-w] [-k] [-s SUFFIX] [-p PORT]
 *
 * Resolves N distinct names "n<i>.SUFFIX" (hints: AF_UNSPEC, SOCK_STREAM),
 * freeaddrinfo()ing each result.  With -w, a second pass over the same
 * names measures the warm map.  Under a socksifier in remote-DNS mode the
 * names are never resolved locally; without one they fail (no resolver is
 * reachable in the benchmark's namespace).  -n 1 is the "one getaddrinfo"
 * program of the startup figure; -k keeps going (exit 0) when a lookup
 * fails, for the plain baseline run where no resolver answers.
 *
 * Prints: cold_us_per= [warm_us_per=] maxrss_kb= sample= (the address of
 * the first name).  On the first failure: a reason on stderr, exit 1.
 * On SIGTERM (the harness's timeout): "partial=1 pass= done= us_per=
 * maxrss_kb=" for the pass in progress, exit 3.
 * Standalone on purpose: no project headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int keep_going;
static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
partial(const char *which, long done, double t0)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("partial=1 pass=%s done=%ld us_per=%.3f maxrss_kb=%ld\n", which,
	    done, done > 0 ? (now_us() - t0) / done : 0.0, ru.ru_maxrss);
	fflush(stdout);
	exit(3);
}

static double
pass(long n, const char *suffix, const char *port, char *sample, size_t cap)
{
	struct addrinfo hints, *res;
	char name[300];
	double t0;
	long i;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (stop)
			partial(sample != NULL ? "cold" : "warm", i, t0);
		snprintf(name, sizeof(name), "n%ld.%s", i, suffix);
		r = getaddrinfo(name, port, &hints, &res);
		if (r != 0) {
			if (keep_going)
				continue;
			fprintf(stderr, "names: getaddrinfo #%ld %s: %s\n", i,
			    name, gai_strerror(r));
			exit(1);
		}
		if (i == 0 && sample != NULL) {
			const void *a = res->ai_family == AF_INET6 ?
			    (const void *)&((struct sockaddr_in6 *)
			    res->ai_addr)->sin6_addr :
			    (const void *)&((struct sockaddr_in *)
			    res->ai_addr)->sin_addr;

			if (inet_ntop(res->ai_family, a, sample,
			    (socklen_t)cap) == NULL)
				snprintf(sample, cap, "?");
		}
		freeaddrinfo(res);
	}
	return (now_us() - t0) / (n > 0 ? n : 1);
}

int
main(int argc, char **argv)
{
	const char *suffix = "names.bench.test", *port = "80";
	char sample[INET6_ADDRSTRLEN] = "-";
	long n = 100000;
	int warm = 0, opt;
	double cold, hot = 0;
	struct rusage ru;

	signal(SIGTERM, on_term);
	while ((opt = getopt(argc, argv, "n:wks:p:")) != -1) {
		switch (opt) {
		case 'n': n = atol(optarg); break;
		case 'w': warm = 1; break;
		case 'k': keep_going = 1; break;
		case 's': suffix = optarg; break;
		case 'p': port = optarg; break;
		default:
			fprintf(stderr, "usage: names [-n N] [-w] [-k] [-s SUFFIX] "
			    "[-p PORT]\n");
			return 2;
		}
	}
	cold = pass(n, suffix, port, sample, sizeof(sample));
	if (warm)
		hot = pass(n, suffix, port, NULL, 0);
	getrusage(RUSAGE_SELF, &ru);
	printf("cold_us_per=%.3f", cold);
	if (warm)
		printf(" warm_us_per=%.3f", hot);
	printf(" maxrss_kb=%ld sample=%s\n", ru.ru_maxrss, sample);
	return 0;
}
