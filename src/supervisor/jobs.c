/* SPDX-License-Identifier: MIT */
/* Signals through a signalfd, the child through waitpid(WUNTRACED). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/log.h"
#include "supervisor/jobs.h"

static struct jobs *jobs_self;	/* for jobs_on_hup() */

int
jobs_prepare(struct jobs *j)
{
	static const int keep[] = { SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE,
	    SIGILL, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU };
	struct sigaction sa;
	size_t i;

	memset(j, 0, sizeof(*j));
	j->child = -1;
	j->relay = true;
	j->src.fd = -1;
	(void)sigfillset(&j->set);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		(void)sigdelset(&j->set, keep[i]);
	if (sigprocmask(SIG_BLOCK, &j->set, &j->orig_mask) != 0)
		return -errno;
	/* Inherited SIG_IGN would reap the child behind our back. */
	if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
		j->chld_ignored = true;
		(void)signal(SIGCHLD, SIG_DFL);
	}
	return 0;
}

/* Stop the way the child stopped, so the shell prints the same; on
 * return we have been continued, and so is the child. */
static void
jobs_stop_self(struct jobs *j, int sig)
{
	struct sigaction dfl, old;
	sigset_t one;

	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		sig = SIGSTOP;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	(void)sigemptyset(&one);
	(void)sigaddset(&one, sig);
	if (sig != SIGSTOP)
		(void)sigaction(sig, &dfl, &old);
	(void)kill(getpid(), sig);
	/* A blocked SIGTSTP is delivered here: we stop until SIGCONT. (The
	 * kernel drops it if our process group is orphaned: then we do
	 * not stop, as no program would.) */
	(void)sigprocmask(SIG_UNBLOCK, &one, NULL);
	if (sigismember(&j->set, sig) == 1)
		(void)sigprocmask(SIG_BLOCK, &one, NULL);
	if (sig != SIGSTOP)
		(void)sigaction(sig, &old, NULL);
	(void)kill(j->child, SIGCONT);
}

/* The command is gone: hand over to a continuation if the tree is not. */
static void
jobs_child_gone(struct jobs *j)
{
	struct loop *l = j->loop;
	struct pollfd p = { l->listener, POLLIN, 0 };
	pid_t pid;
	int null;

	if (!l->hup && poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
		l->hup = true;
	if (l->hup) {
		l->stop = true;
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_error("backstop: cannot keep serving what the command "
		    "left running (fork: %s): their connections will fail",
		    strerror(errno));
		l->stop = true;
		return;
	}
	if (pid > 0)
		jobs_exit(j);
	/* The continuation: out of the terminal's session and job. */
	(void)setsid();
	j->relay = false;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		struct stat st;

		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		/* Keep stderr for our log lines unless it is a pipe someone
		 * may be waiting on to close. */
		if (fstat(STDERR_FILENO, &st) == 0 &&
		    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			(void)dup2(null, STDERR_FILENO);
		(void)close(null);
	}
	log_info("backstop: the command exited; pid %ld serves the "
	    "processes it left running", (long)getpid());
}

static void
jobs_reap(struct jobs *j)
{
	pid_t pid;
	int st;

	while (!j->reaped) {
		pid = waitpid(j->child, &st, WNOHANG | WUNTRACED | WCONTINUED);
		if (pid <= 0)
			return;
		if (WIFSTOPPED(st)) {
			if (j->relay)
				jobs_stop_self(j, WSTOPSIG(st));
			continue;
		}
		if (WIFCONTINUED(st))
			continue;
		j->reaped = true;
		j->status = st;
		jobs_child_gone(j);
	}
}

static bool
jobs_should_relay(const struct jobs *j, const struct signalfd_siginfo *si)
{
	if (!j->relay || j->reaped)
		return false;
	if ((pid_t)si->ssi_pid == getpid() || (pid_t)si->ssi_pid == j->child)
		return false;	/* our own (SIGPIPE), or the child's */
	if (si->ssi_signo == SIGCONT)
		return true;
	/* The terminal's SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP
	 * (SI_KERNEL) went to the whole process group: the child has it. */
	return si->ssi_code == SI_USER || si->ssi_code == SI_QUEUE ||
	    si->ssi_code == SI_TKILL;
}

static void
jobs_signal(struct loop_source *src, uint32_t events)
{
	struct jobs *j = (struct jobs *)((char *)src -
	    offsetof(struct jobs, src));
	struct signalfd_siginfo si;
	int sig;

	(void)events;
	while (read(src->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		sig = (int)si.ssi_signo;
		if (sig == SIGCHLD) {
			if (j->child > 0)
				jobs_reap(j);
			continue;
		}
		if (jobs_should_relay(j, &si)) {
			if (si.ssi_code == SI_QUEUE) {
				union sigval v;

				v.sival_ptr = (void *)(uintptr_t)si.ssi_ptr;
				(void)sigqueue(j->child, sig, v);
			} else {
				(void)kill(j->child, sig);
			}
			continue;
		}
		/* The continuation ends on a termination request: the
		 * tree's trapped calls then fail, they never go direct. */
		if (!j->relay && (sig == SIGTERM || sig == SIGINT ||
		    sig == SIGHUP))
			j->loop->stop = true;
	}
}

int
jobs_start(struct jobs *j, struct loop *l, pid_t child)
{
	int rc;

	j->child = child;
	j->loop = l;
	jobs_self = j;
	l->on_hup = jobs_on_hup;
	(void)signal(SIGTTIN, SIG_IGN);
	(void)signal(SIGTTOU, SIG_IGN);
	j->src.fd = signalfd(-1, &j->set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (j->src.fd < 0)
		return -errno;
	j->src.ready = jobs_signal;
	rc = loop_watch(l, &j->src, EPOLLIN);
	if (rc < 0)
		return rc;
	/* A child that exited before the signalfd existed. */
	jobs_reap(j);
	return 0;
}

void
jobs_on_hup(struct loop *l)
{
	if (jobs_self != NULL && (jobs_self->reaped || !jobs_self->relay))
		l->stop = true;
}

void
jobs_exit(const struct jobs *j)
{
	struct rlimit none = { 0, 0 };
	sigset_t one;
	int sig;

	if (!j->relay || !j->reaped)
		_exit(0);
	if (WIFEXITED(j->status))
		_exit(WEXITSTATUS(j->status));
	sig = WTERMSIG(j->status);
	if (WCOREDUMP(j->status))
		(void)setrlimit(RLIMIT_CORE, &none);
	(void)signal(sig, SIG_DFL);
	(void)sigemptyset(&one);
	(void)sigaddset(&one, sig);
	(void)kill(getpid(), sig);
	(void)sigprocmask(SIG_UNBLOCK, &one, NULL);
	_exit(128 + sig);
}
