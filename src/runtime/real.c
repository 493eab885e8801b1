/* SPDX-License-Identifier: MIT */
/* Finds the next definition of each hooked symbol (normally libc's) once,
 * under pthread_once. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "runtime/real.h"

int (*real_connect)(int, const struct sockaddr *, socklen_t);
int (*real_close)(int);
int (*real_getpeername)(int, struct sockaddr *, socklen_t *);
ssize_t (*real_sendto)(int, const void *, size_t, int,
    const struct sockaddr *, socklen_t);
ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);
ssize_t (*real_send)(int, const void *, size_t, int);
ssize_t (*real_write)(int, const void *, size_t);
ssize_t (*real_writev)(int, const struct iovec *, int);
ssize_t (*real_readv)(int, const struct iovec *, int);
ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *,
    socklen_t *);
ssize_t (*real_recvmsg)(int, struct msghdr *, int);
ssize_t (*real_recv)(int, void *, size_t, int);
ssize_t (*real_read)(int, void *, size_t);
int (*real_recvmmsg)(int, struct mmsghdr *, unsigned int, int,
    struct timespec *);
long (*real_syscall)(long, ...);
int (*real_getaddrinfo)(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);
void (*real_freeaddrinfo)(struct addrinfo *);
int (*real_getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t,
    char *, socklen_t, int);
struct hostent *(*real_gethostbyname)(const char *);
struct hostent *(*real_gethostbyname2)(const char *, int);
int (*real_gethostbyname_r)(const char *, struct hostent *, char *, size_t,
    struct hostent **, int *);
int (*real_gethostbyname2_r)(const char *, int, struct hostent *, char *,
    size_t, struct hostent **, int *);
struct hostent *(*real_gethostbyaddr)(const void *, socklen_t, int);
int (*real_gethostbyaddr_r)(const void *, socklen_t, int, struct hostent *,
    char *, size_t, struct hostent **, int *);
int (*real_dup2)(int, int);
int (*real_dup3)(int, int, int);
int (*real_close_range)(unsigned int, unsigned int, int);
int (*real_bind)(int, const struct sockaddr *, socklen_t);
int (*real_listen)(int, int);
int (*real_accept)(int, struct sockaddr *, socklen_t *);
int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
int (*real_getsockname)(int, struct sockaddr *, socklen_t *);
int (*real_fclose)(FILE *);
int (*real_res_ninit)(struct __res_state *);
void (*real_res_nclose)(struct __res_state *);
int (*real_res_nsend)(struct __res_state *, const unsigned char *, int,
    unsigned char *, int);
int (*real_res_send)(const unsigned char *, int, unsigned char *, int);
int (*real_res_nquery)(struct __res_state *, const char *, int, int,
    unsigned char *, int);
int (*real_res_query)(const char *, int, int, unsigned char *, int);
int (*real_getsockopt)(int, int, int, void *, socklen_t *);
int (*real_poll)(struct pollfd *, nfds_t, int);
int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *,
    const sigset_t *);
int (*real_poll_chk)(struct pollfd *, nfds_t, int, size_t);
int (*real_ppoll_chk)(struct pollfd *, nfds_t, const struct timespec *,
    const sigset_t *, size_t);
int (*real_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
int (*real_pselect)(int, fd_set *, fd_set *, fd_set *,
    const struct timespec *, const sigset_t *);
int (*real_epoll_ctl)(int, int, int, struct epoll_event *);

static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static int real_status;

/* dlsym(RTLD_NEXT) searches the objects loaded after this one, so it
 * cannot return our own hook. (An earlier per-symbol dladdr() check of
 * that cost ~0.3 ms per process: dladdr searches symbol tables.) */
static void *
real_lookup(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define REAL(name) (*(void **)&real_##name = real_lookup(#name))

/*
 * Under the backstop (socksify-supervise's seccomp filter) the calls the
 * filter traps pass when an argument the kernel ignores carries the
 * tree's cookie (SOCKSIFY_BACKSTOP, 16 hex digits): connect, sendmsg and
 * getpeername in argument 3, sendmmsg in argument 4. sendto with an
 * address is always trapped, so ours becomes sendmsg. The library has
 * already applied the same policy the supervisor would, so its own calls
 * keep the in-process fast path. Without the variable nothing changes.
 */
static unsigned long real_cookie;

static int
real_cookie_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return (int)real_syscall(SYS_connect, fd, sa, len, real_cookie);
}

static int
real_cookie_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	return (int)real_syscall(SYS_getpeername, fd, sa, len, real_cookie);
}

static ssize_t
real_cookie_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return real_syscall(SYS_sendmsg, fd, msg, flags, real_cookie);
}

static int
real_cookie_sendmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	return (int)real_syscall(SYS_sendmmsg, fd, vec, n, flags, real_cookie);
}

static ssize_t (*real_libc_sendto)(int, const void *, size_t, int,
    const struct sockaddr *, socklen_t);

static ssize_t
real_cookie_sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = tolen,
	    .msg_iov = &iov, .msg_iovlen = 1 };

	if (to == NULL)		/* not trapped: keep libc's path */
		return real_libc_sendto(fd, buf, len, flags, to, tolen);
	return real_cookie_sendmsg(fd, &m, flags);
}

static void
real_backstop(void)
{
	const char *env = getenv("SOCKSIFY_BACKSTOP");
	unsigned long long c;
	char *end;

	if (env == NULL || strlen(env) != 16 || real_syscall == NULL)
		return;
	errno = 0;
	c = strtoull(env, &end, 16);
	if (*end != '\0' || errno != 0 || c == 0)
		return;
	real_cookie = (unsigned long)c;
	real_connect = real_cookie_connect;
	real_getpeername = real_cookie_getpeername;
	real_sendmsg = real_cookie_sendmsg;
	if (real_sendmmsg != NULL)
		real_sendmmsg = real_cookie_sendmmsg;
	real_libc_sendto = real_sendto;
	real_sendto = real_cookie_sendto;
}

static void
real_resolve(void)
{
	REAL(connect);
	REAL(close);
	REAL(getpeername);
	REAL(sendto);
	REAL(sendmsg);
	REAL(sendmmsg);
	REAL(send);
	REAL(write);
	REAL(writev);
	REAL(readv);
	REAL(recvfrom);
	REAL(recvmsg);
	REAL(recv);
	REAL(read);
	REAL(recvmmsg);
	REAL(syscall);
	REAL(getaddrinfo);
	REAL(freeaddrinfo);
	REAL(getnameinfo);
	REAL(gethostbyname);
	REAL(gethostbyname2);
	REAL(gethostbyname_r);
	REAL(gethostbyname2_r);
	REAL(gethostbyaddr);
	REAL(gethostbyaddr_r);
	REAL(dup2);
	REAL(dup3);
	REAL(close_range);
	REAL(fclose);
	REAL(bind);
	REAL(listen);
	REAL(accept);
	REAL(accept4);
	REAL(getsockname);
	REAL(getsockopt);
	REAL(poll);
	REAL(ppoll);
	REAL(select);
	REAL(pselect);
	REAL(epoll_ctl);
	*(void **)&real_poll_chk = real_lookup("__poll_chk");
	*(void **)&real_ppoll_chk = real_lookup("__ppoll_chk");
	if (real_connect == NULL || real_close == NULL ||
	    real_getpeername == NULL || real_getaddrinfo == NULL ||
	    real_freeaddrinfo == NULL || real_sendto == NULL ||
	    real_sendmsg == NULL || real_send == NULL || real_write == NULL ||
	    real_recvfrom == NULL || real_recvmsg == NULL ||
	    real_recv == NULL || real_read == NULL || real_fclose == NULL ||
	    real_bind == NULL || real_listen == NULL || real_accept == NULL ||
	    real_accept4 == NULL || real_getsockname == NULL ||
	    real_getsockopt == NULL || real_poll == NULL ||
	    real_ppoll == NULL || real_select == NULL ||
	    real_pselect == NULL || real_epoll_ctl == NULL ||
	    real_readv == NULL || real_writev == NULL)
		real_status = -ENOSYS;
	else
		real_backstop();
}

int
real_init(void)
{
	(void)pthread_once(&real_once, real_resolve);
	return real_status;
}

static pthread_once_t real_early_once = PTHREAD_ONCE_INIT;
static int (*real_early_close)(int);

static void
real_early_resolve(void)
{
	*(void **)&real_early_close = real_lookup("close");
}

int
real_close_early(int fd)
{
	(void)pthread_once(&real_early_once, real_early_resolve);
	if (real_early_close == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real_early_close(fd);
}

static pthread_once_t real_resolver_once = PTHREAD_ONCE_INIT;

/* <resolv.h> renames res_ninit/res_nclose to the __res_* symbols glibc
 * exports; res_nsend has its own default version since glibc 2.34
 * (__res_nsend is only a compat symbol there, invisible to dlsym). */
static void
real_resolve_resolver(void)
{
	*(void **)&real_res_ninit = real_lookup("__res_ninit");
	*(void **)&real_res_nclose = real_lookup("__res_nclose");
	*(void **)&real_res_nsend = real_lookup("res_nsend");
	if (real_res_nsend == NULL)
		*(void **)&real_res_nsend = real_lookup("__res_nsend");
	*(void **)&real_res_send = real_lookup("res_send");
	*(void **)&real_res_nquery = real_lookup("res_nquery");
	*(void **)&real_res_query = real_lookup("res_query");
}

int
real_resolver_init(void)
{
	(void)pthread_once(&real_resolver_once, real_resolve_resolver);
	return real_res_ninit != NULL && real_res_nclose != NULL &&
	    real_res_nsend != NULL && real_res_send != NULL &&
	    real_res_nquery != NULL && real_res_query != NULL ? 0 : -ENOSYS;
}
