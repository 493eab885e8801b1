/*
 * delayrelay: a TCP relay that puts a proxy "far away" for the benchmark.
 *
 *   delayrelay -l ADDR:PORT -u ADDR:PORT [-d MS] [-q BYTES]
 *   delayrelay -l ADDR:PORT -S
 *
 * Each accepted connection gets its own connection to the upstream (the
 * real proxy); every chunk read from either side is written to the other
 * side MS milliseconds later (default 10 each way: a 20 ms round trip),
 * in order, EOF included (it becomes a shutdown(SHUT_WR) on the other side,
 * delayed like the data).  An error on either side closes both at once.
 * -q bounds what one direction may hold (default 256 KiB): when it is full
 * the relay stops reading that side until the queue drains.  One thread,
 * epoll, a timerfd armed for the oldest chunk still waiting (the delay is
 * the same for all, so arrival order is release order), a signalfd for
 * SIGTERM/SIGINT.  -S is a silent peer instead: accept, read and drop,
 * never answer (a proxy that hangs).  Raises RLIMIT_NOFILE to its hard
 * limit, so thousands of connections fit.  Prints "ready" on stdout once
 * listening and one line of totals on stderr at exit.
 * Standalone on purpose: no project headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX	65536

enum tag { T_LISTEN, T_TIMER, T_SIGNAL, T_END };

struct chunk {
	struct chunk	*next;		/* this direction's queue */
	struct chunk	*gprev, *gnext;	/* the not-yet-due list */
	struct dir	*dir;
	uint64_t	 due;		/* ns, CLOCK_MONOTONIC */
	size_t		 len, off;
	int		 eof;		/* shutdown marker, no data */
	int		 waiting;	/* on the not-yet-due list */
	unsigned char	 data[];
};

struct pair;

struct end {
	enum tag	 tag;		/* first: epoll data points here */
	struct pair	*pair;
	int		 fd;
	uint32_t	 mask;		/* registered events */
};

struct dir {				/* bytes from end src to end dst */
	struct end	*src, *dst;
	struct chunk	*head, *tail;
	size_t		 queued;
	int		 eof_read, eof_sent;
	int		 blocked;	/* dst refused a write: wait EPOLLOUT */
};

struct pair {
	struct end	 end[2];	/* 0: client, 1: upstream */
	struct dir	 dir[2];	/* 0: client → upstream, 1: back */
	int		 connecting;	/* upstream connect() pending */
	int		 dead;		/* closed; freed after this batch */
	struct pair	*next_dead;
};

static int epfd, tfd;
static uint64_t delay_ns = 10 * 1000000ULL;
static size_t queue_cap = 256 * 1024;
static int silent;
static struct sockaddr_in up_addr;
static struct chunk *ghead, *gtail;
static uint64_t armed;			/* due time the timer is set to, 0 none */
static struct end listen_end = { T_LISTEN, NULL, -1, 0 };
static int accept_paused;
static struct pair *dead_pairs;
static unsigned long n_conn, n_open, n_max, n_fail;
static unsigned long long n_bytes[2];
static unsigned char rbuf[READ_MAX];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "delayrelay: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: delayrelay -l ADDR:PORT (-u ADDR:PORT [-d MS] "
	    "[-q BYTES] | -S)\n");
	exit(2);
}

static void
parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *endp;
	long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host)) {
		fprintf(stderr, "delayrelay: %s: want ADDR:PORT\n", s);
		exit(2);
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &endp, 10);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (*endp != '\0' || port < 1 || port > 65535 ||
	    inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		fprintf(stderr, "delayrelay: %s: want IPV4:PORT\n", s);
		exit(2);
	}
}

/*
 * Set the events END is registered for (one epoll_ctl, only on change).
 * An end that needs nothing is taken out of the set: EPOLLHUP cannot be
 * masked, and a half-closed socket waiting for its delayed EOF would
 * report it on every wait.
 */
static void
want(struct end *e, uint32_t mask)
{
	struct epoll_event ev;
	int op;

	if (e->mask == mask)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = mask;
	ev.data.ptr = e;
	op = mask == 0 ? EPOLL_CTL_DEL : e->mask == 0 ? EPOLL_CTL_ADD :
	    EPOLL_CTL_MOD;
	if (epoll_ctl(epfd, op, e->fd, &ev) < 0)
		die("epoll_ctl");
	e->mask = mask;
}

/* the events end SIDE needs: read unless its outgoing queue is full or it
 * said EOF; write while the queue towards it holds due bytes it refused,
 * or (upstream) while its connect() is pending */
static void
update(struct pair *p, int side)
{
	uint32_t mask = 0;

	if (p->end[side].fd < 0)
		return;
	if (!p->dir[side].eof_read && p->dir[side].queued < queue_cap)
		mask |= EPOLLIN;
	if (p->dir[!side].blocked || (side == 1 && p->connecting))
		mask |= EPOLLOUT;
	want(&p->end[side], mask);
}

static void
arm_timer(void)
{
	struct itimerspec its;

	if (ghead == NULL || ghead->due == armed)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(ghead->due / 1000000000ULL);
	its.it_value.tv_nsec = (long)(ghead->due % 1000000000ULL);
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		die("timerfd_settime");
	armed = ghead->due;
}

static void
gunlink(struct chunk *c)
{
	if (!c->waiting)
		return;
	if (c->gprev != NULL)
		c->gprev->gnext = c->gnext;
	else
		ghead = c->gnext;
	if (c->gnext != NULL)
		c->gnext->gprev = c->gprev;
	else
		gtail = c->gprev;
	c->waiting = 0;
}

/* close both ends and drop the queues; the pair itself is freed after
 * the current batch of events, which may still point at it */
static void
pair_close(struct pair *p)
{
	struct chunk *c, *n;
	int i;

	if (p->dead)
		return;
	for (i = 0; i < 2; i++) {
		for (c = p->dir[i].head; c != NULL; c = n) {
			n = c->next;
			gunlink(c);
			free(c);
		}
		p->dir[i].head = p->dir[i].tail = NULL;
		if (p->end[i].fd >= 0)
			(void)close(p->end[i].fd);	/* drops it from epoll */
		p->end[i].fd = -1;
	}
	p->dead = 1;
	p->next_dead = dead_pairs;
	dead_pairs = p;
	n_open--;
	if (accept_paused) {
		accept_paused = 0;
		want(&listen_end, EPOLLIN);
	}
}

/*
 * Write the due prefix of D's queue.  Returns -1 when the pair was closed
 * (write error, or both directions finished), 0 otherwise.
 */
static int
flush(struct dir *d)
{
	struct pair *p = d->src->pair;
	int side = (int)(d - p->dir);	/* the source side */
	struct chunk *c;
	ssize_t w;

	if (p->dead || (side == 0 && p->connecting))
		return 0;
	d->blocked = 0;
	while ((c = d->head) != NULL && !c->waiting) {
		if (c->eof) {
			if (shutdown(d->dst->fd, SHUT_WR) < 0 && errno != ENOTCONN) {
				pair_close(p);
				return -1;
			}
			d->eof_sent = 1;
		} else {
			w = send(d->dst->fd, c->data + c->off, c->len - c->off,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				d->blocked = 1;
				break;
			}
			if (w < 0) {
				pair_close(p);
				return -1;
			}
			n_bytes[side] += (unsigned long long)w;
			c->off += (size_t)w;
			if (c->off < c->len) {
				d->blocked = 1;
				break;
			}
			d->queued -= c->len;
		}
		d->head = c->next;
		if (d->head == NULL)
			d->tail = NULL;
		free(c);
	}
	if (d->eof_sent && p->dir[!side].eof_sent) {
		pair_close(p);
		return -1;
	}
	update(p, !side);
	update(p, side);
	return 0;
}

static void
enqueue(struct dir *d, const void *buf, size_t len, int eof)
{
	struct chunk *c = malloc(sizeof(*c) + len);

	if (c == NULL)
		die("malloc");
	memset(c, 0, sizeof(*c));
	memcpy(c->data, buf, len);
	c->len = len;
	c->eof = eof;
	c->dir = d;
	c->due = now_ns() + delay_ns;
	c->waiting = 1;
	c->gprev = gtail;
	if (gtail != NULL)
		gtail->gnext = c;
	else
		ghead = c;
	gtail = c;
	if (d->tail != NULL)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += len;
	arm_timer();
}

/* read what END has (up to its queue's room); -1 when the pair closed */
static int
on_readable(struct end *e)
{
	struct pair *p = e->pair;
	int side = (int)(e - p->end);
	struct dir *d = &p->dir[side];
	size_t room;
	ssize_t r;

	if (p->dead)
		return -1;
	while (!d->eof_read && d->queued < queue_cap) {
		room = queue_cap - d->queued;
		r = recv(e->fd, rbuf, room < READ_MAX ? room : READ_MAX,
		    MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r < 0 || (r == 0 && silent)) {
			pair_close(p);
			return -1;
		}
		if (silent)
			continue;		/* read and drop, never answer */
		if (r == 0) {
			d->eof_read = 1;
			enqueue(d, rbuf, 0, 1);
			break;
		}
		enqueue(d, rbuf, (size_t)r, 0);
	}
	update(p, side);
	return 0;
}

static void
on_writable(struct end *e)
{
	struct pair *p = e->pair;
	int side = (int)(e - p->end);
	int err = 0;
	socklen_t len = sizeof(err);

	if (p->dead)
		return;
	if (side == 1 && p->connecting) {
		if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
		    err != 0) {
			n_fail++;
			pair_close(p);
			return;
		}
		p->connecting = 0;
		update(p, 1);
	}
	/* the direction that writes to this end */
	(void)flush(&p->dir[!side]);
}

static int
add_end(struct end *e, uint32_t mask)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = mask;
	ev.data.ptr = e;
	e->mask = mask;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, e->fd, &ev);
}

static void
on_accept(void)
{
	struct pair *p;
	int cfd, ufd, i, one = 1;

	for (;;) {
		cfd = accept4(listen_end.fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* resumed when a pair closes */
				fprintf(stderr, "delayrelay: accept: %s (%lu open)\n",
				    strerror(errno), n_open);
				accept_paused = 1;
				want(&listen_end, 0);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				die("accept");
			return;
		}
		ufd = -1;
		if (!silent) {
			ufd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
			    SOCK_CLOEXEC, 0);
			if (ufd < 0) {
				fprintf(stderr, "delayrelay: socket: %s\n",
				    strerror(errno));
				(void)close(cfd);
				n_fail++;
				continue;
			}
			(void)setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		}
		(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			die("calloc");
		for (i = 0; i < 2; i++) {
			p->end[i].tag = T_END;
			p->end[i].pair = p;
			p->dir[i].src = &p->end[i];
			p->dir[i].dst = &p->end[!i];
		}
		p->end[0].fd = cfd;
		p->end[1].fd = ufd;
		n_conn++;
		if (++n_open > n_max)
			n_max = n_open;
		if (add_end(&p->end[0], EPOLLIN) < 0)
			die("epoll_ctl ADD");
		if (silent)
			continue;
		if (connect(ufd, (struct sockaddr *)&up_addr,
		    sizeof(up_addr)) < 0 && errno != EINPROGRESS) {
			n_fail++;
			pair_close(p);
			continue;
		}
		p->connecting = 1;
		if (add_end(&p->end[1], EPOLLIN | EPOLLOUT) < 0)
			die("epoll_ctl ADD");
	}
}

/* the timer fired: release every chunk that is due, oldest first */
static void
on_timer(void)
{
	uint64_t ticks, now;
	struct chunk *c;

	if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		die("read timerfd");
	armed = 0;
	now = now_ns();
	while ((c = ghead) != NULL && c->due <= now) {
		gunlink(c);
		/* a flush may close the pair and free later chunks: they are
		 * unlinked from the list first, so ghead stays valid */
		(void)flush(c->dir);
	}
	arm_timer();
}

static void
listen_on(const struct sockaddr_in *sin)
{
	char a[INET_ADDRSTRLEN];
	int on = 1;

	listen_end.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (listen_end.fd < 0 ||
	    setsockopt(listen_end.fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) < 0 ||
	    bind(listen_end.fd, (const struct sockaddr *)sin,
	    sizeof(*sin)) < 0 ||
	    listen(listen_end.fd, 4096) < 0) {
		fprintf(stderr, "delayrelay: listen %s:%u: %s\n",
		    inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)),
		    ntohs(sin->sin_port), strerror(errno));
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in lis;
	struct epoll_event evs[256], ev;
	struct signalfd_siginfo si;
	struct end sig_end = { T_SIGNAL, NULL, -1, 0 };
	struct end tim_end = { T_TIMER, NULL, -1, 0 };
	struct rlimit rl;
	sigset_t set;
	char *endp;
	double ms;
	int opt, n, i, have_l = 0, have_u = 0, stop = 0;

	while ((opt = getopt(argc, argv, "l:u:d:q:S")) != -1) {
		switch (opt) {
		case 'l': parse_addr(optarg, &lis); have_l = 1; break;
		case 'u': parse_addr(optarg, &up_addr); have_u = 1; break;
		case 'd':
			ms = strtod(optarg, &endp);
			if (*endp != '\0' || !(ms >= 0 && ms <= 60000)) {
				fprintf(stderr, "delayrelay: -d %s: want 0..60000 ms\n",
				    optarg);
				exit(2);
			}
			delay_ns = (uint64_t)(ms * 1e6);
			break;
		case 'q':
			queue_cap = (size_t)strtoul(optarg, &endp, 10);
			if (*endp != '\0' || queue_cap < 1) {
				fprintf(stderr, "delayrelay: -q %s: want a byte count\n",
				    optarg);
				exit(2);
			}
			break;
		case 'S': silent = 1; break;
		default: usage();
		}
	}
	if (optind != argc || !have_l || have_u == silent)
		usage();

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	(void)signal(SIGPIPE, SIG_IGN);
	sig_end.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	tim_end.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sig_end.fd < 0 || tim_end.fd < 0 || epfd < 0)
		die("signalfd/timerfd/epoll");
	tfd = tim_end.fd;
	listen_on(&lis);
	if (add_end(&sig_end, EPOLLIN) < 0 || add_end(&tim_end, EPOLLIN) < 0 ||
	    add_end(&listen_end, EPOLLIN) < 0)
		die("epoll_ctl ADD");
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		n = epoll_wait(epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		/* the timer first: a chunk that is due goes out before data
		 * read in this same wake-up is queued behind it (the order
		 * is kept either way; this only keeps the delay exact) */
		for (i = 0; i < n; i++)
			if (((struct end *)evs[i].data.ptr)->tag == T_TIMER)
				on_timer();
		for (i = 0; i < n; i++) {
			struct end *e = evs[i].data.ptr;

			switch (e->tag) {
			case T_TIMER:
				break;
			case T_SIGNAL:
				if (read(e->fd, &si, sizeof(si)) > 0)
					stop = 1;
				break;
			case T_LISTEN:
				on_accept();
				break;
			case T_END:
				/* an earlier event of this batch may have
				 * closed the pair (freed only below) */
				ev = evs[i];
				if (!e->pair->dead && (e->mask & EPOLLOUT) &&
				    (ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
					on_writable(e);
				if (!e->pair->dead && (e->mask & EPOLLIN) &&
				    (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
					(void)on_readable(e);
				break;
			}
		}
		while (dead_pairs != NULL) {
			struct pair *p = dead_pairs;

			dead_pairs = p->next_dead;
			free(p);
		}
	}
	fprintf(stderr, "delayrelay: %lu connections (%lu at most at once, "
	    "%lu upstream failures), %llu bytes up, %llu down\n", n_conn,
	    n_max, n_fail, n_bytes[0], n_bytes[1]);
	return 0;
}
