/*
 * spawn: start-up time of a command, for the benchmark's startup figure.
 *
 *   spawn [-n RUNS] [-w WARMUP] [-e NAME=VALUE]... COMMAND [ARGS...]
 *
 * posix_spawnp()s COMMAND RUNS times one after the other (after WARMUP
 * untimed runs), waits for each, and prints the median, mean and minimum
 * wall time in ms.  The command's stdout goes to /dev/null; its stderr is
 * left alone.  -e adds NAME=VALUE to the command's environment only (so a
 * preload can be timed without an extra exec of env(1)).  Any non-zero exit status fails the measurement (exit 1 with
 * the reason on stderr).  Standalone on purpose: no project headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char **child_env;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
once(char **argv)
{
	posix_spawn_file_actions_t fa;
	double t0, t1;
	pid_t pid;
	int st, r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, child_env);
	if (r != 0) {
		fprintf(stderr, "spawn: %s: %s\n", argv[0], strerror(r));
		exit(1);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("spawn: waitpid");
			exit(1);
		}
	t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "spawn: %s: %s %d\n", argv[0],
		    WIFEXITED(st) ? "exit status" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		exit(1);
	}
	return t1 - t0;
}

int
main(int argc, char **argv)
{
	long runs = 200, warm = 5, i;
	double *t, sum = 0;
	size_t nenv = 0, nextra = 0, k;
	char **extra;
	int opt;

	extra = calloc((size_t)argc + 1, sizeof(*extra));
	if (extra == NULL)
		return 1;
	while ((opt = getopt(argc, argv, "+n:w:e:")) != -1) {
		switch (opt) {
		case 'n': runs = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 'e':
			if (strchr(optarg, '=') == NULL)
				goto usage;
			extra[nextra++] = optarg;
			break;
		default: goto usage;
		}
	}
	while (environ[nenv] != NULL)
		nenv++;
	child_env = calloc(nenv + nextra + 1, sizeof(*child_env));
	if (child_env == NULL)
		return 1;
	/* extras first: getenv() returns the first match */
	for (k = 0; k < nextra; k++)
		child_env[k] = extra[k];
	for (k = 0; k < nenv; k++)
		child_env[nextra + k] = environ[k];
	if (optind >= argc || runs < 1)
		goto usage;
	t = calloc((size_t)runs, sizeof(*t));
	if (t == NULL)
		return 1;
	for (i = 0; i < warm; i++)
		once(argv + optind);
	for (i = 0; i < runs; i++) {
		t[i] = once(argv + optind);
		sum += t[i];
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("median_ms=%.4f mean_ms=%.4f min_ms=%.4f\n",
	    runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2,
	    sum / runs, t[0]);
	free(t);
	free(child_env);
	free(extra);
	return 0;
usage:
	fprintf(stderr, "usage: spawn [-n RUNS] [-w WARMUP] [-e NAME=VALUE]... "
	    "COMMAND [ARGS...]\n");
	return 2;
}
