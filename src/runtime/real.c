/* SPDX-License-Identifier: MIT */
/* Finds the next definition of each hooked symbol (normally libc's) once,
 * under pthread_once. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

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
int (*real_fclose)(FILE *);
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
ssize_t (*real_readv)(int, const struct iovec *, int);
ssize_t (*real_writev)(int, const struct iovec *, int);

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
	REAL(getsockopt);
	REAL(poll);
	REAL(ppoll);
	REAL(select);
	REAL(pselect);
	REAL(epoll_ctl);
	REAL(readv);
	REAL(writev);
	*(void **)&real_poll_chk = real_lookup("__poll_chk");
	*(void **)&real_ppoll_chk = real_lookup("__ppoll_chk");
	if (real_connect == NULL || real_close == NULL ||
	    real_getpeername == NULL || real_getaddrinfo == NULL ||
	    real_freeaddrinfo == NULL || real_sendto == NULL ||
	    real_sendmsg == NULL || real_send == NULL || real_write == NULL ||
	    real_recvfrom == NULL || real_recvmsg == NULL ||
	    real_recv == NULL || real_read == NULL || real_fclose == NULL ||
	    real_getsockopt == NULL || real_poll == NULL ||
	    real_ppoll == NULL || real_select == NULL ||
	    real_pselect == NULL || real_epoll_ctl == NULL ||
	    real_readv == NULL || real_writev == NULL)
		real_status = -ENOSYS;
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
