/* SPDX-License-Identifier: MIT */
/* `socksify --check [HOST:PORT]`: print the effective configuration and
 * where it came from, then try the proxy step by step; the last line says
 * what is wrong, if anything. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/proxy_url.h"
#include "core/socks5.h"
#include "ctl/ctl.h"
#include "runtime/init.h"
#include "runtime/io.h"
#include "runtime/log.h"
#include "runtime/proxy_connect.h"
#include "runtime/real.h"
#include "runtime/settings.h"

static const char *const check_actions[] = {
	[RULE_DIRECT] = "direct", [RULE_BLOCK] = "block",
	[RULE_PROXY] = "proxy", [RULE_VIA] = "via",
};

static void
check_print_rule(const struct config *c, const struct rule *r)
{
	char a[INET6_ADDRSTRLEN], what[300];

	switch (r->match) {
	case RULE_MATCH_NET:
		inet_ntop(r->net.family, r->net.addr, a, sizeof(a));
		snprintf(what, sizeof(what), "%s/%u", a, r->net.prefix);
		break;
	case RULE_MATCH_DOMAIN:
		snprintf(what, sizeof(what), "%s", r->domain);
		break;
	case RULE_MATCH_PORT:
		snprintf(what, sizeof(what), "port %u-%u", r->port_lo,
		    r->port_hi);
		break;
	case RULE_MATCH_ANY:
		snprintf(what, sizeof(what), "*");
		break;
	}
	printf("rule:          %s %s%s%s  (line %u)\n", what,
	    check_actions[r->action], r->action == RULE_VIA ? " " : "",
	    r->action == RULE_VIA ? c->upstream[r->upstream].name : "",
	    r->line);
}

static void
check_print_config(const struct config *c, const char *source)
{
	char buf[600];
	size_t i;

	printf("config file:   %s\n", source);
	printf("proxy:         %s  (from %s)\n",
	    proxy_url_format(&c->proxy, buf, sizeof(buf)),
	    settings_proxy_source());
	for (i = 0; i < c->n_chain; i++)
		printf("chain hop %zu:   %s\n", i + 1,
		    proxy_url_format(&c->chain[i], buf, sizeof(buf)));
	for (i = 0; i < c->n_fallback; i++)
		printf("fallback:      %s\n",
		    proxy_url_format(&c->fallback[i], buf, sizeof(buf)));
	for (i = 0; i < c->n_upstream; i++)
		printf("upstream:      %s = %s\n", c->upstream[i].name,
		    proxy_url_format(&c->upstream[i].url, buf, sizeof(buf)));
	for (i = 0; i < c->n_rules; i++)
		check_print_rule(c, &c->rules[i]);
	for (i = 0; i < c->n_local; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(c->local[i].family, c->local[i].addr, a, sizeof(a));
		printf("direct:        %s/%u\n", a, c->local[i].prefix);
	}
	for (i = 0; i < c->n_local_domains; i++)
		printf("local domain:  %s\n", c->local_domains[i]);
	printf("timeout:       %u ms\n", c->timeout_ms);
	printf("dns:           %s\n", c->dns == DNS_REMOTE ? "remote" : "local");
	if (c->has_dns_server)
		printf("dns server:    %s  (through the proxy)\n",
		    socks5_addr_format(&c->dns_server, buf, sizeof(buf)));
	printf("udp:           %s\n", c->udp == UDP_PROXY ? "proxy" :
	    c->udp == UDP_BLOCK ? "block" : "direct");
	printf("listen:        %s\n", c->listen == LISTEN_AUTO ?
	    "auto" : "local");
	printf("hosts file:    %s\n", c->hosts_file[0] ? c->hosts_file :
	    "none");
	if (c->log_file[0] != '\0')
		printf("log file:      %s\n", c->log_file);
}

/* "host:port" or "[v6]:port" into a socks5_addr. */
static int
check_parse_target(const char *text, struct socks5_addr *t)
{
	char host[256];
	const char *colon;
	char *end;
	unsigned long port;
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	size_t n;

	if (*text == '[') {
		colon = strstr(text, "]:");
		if (colon == NULL)
			return -EINVAL;
		n = (size_t)(colon - text - 1);
		text++;
		colon++;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return -EINVAL;
		n = (size_t)(colon - text);
	}
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535)
		return -EINVAL;
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, host, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		s4.sin_port = htons((uint16_t)port);
		return socks5_addr_from_sockaddr(t, (struct sockaddr *)&s4,
		    sizeof(s4));
	}
	if (inet_pton(AF_INET6, host, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)port);
		return socks5_addr_from_sockaddr(t, (struct sockaddr *)&s6,
		    sizeof(s6));
	}
	return socks5_addr_from_name(t, host, (uint16_t)port);
}

/* The backstop's line; 0, or -1 when it is on and cannot be set up
 * (why in out). */
static int
check_backstop(enum ctl_backstop b, char *out, size_t cap)
{
	switch (b) {
	case CTL_BACKSTOP_FLAG_OFF:
		printf("backstop:      off (--no-backstop): static and Go "
		    "programs are not covered\n");
		return 0;
	case CTL_BACKSTOP_CONF_OFF:
		printf("backstop:      off (backstop = off): static and Go "
		    "programs are not covered\n");
		return 0;
	case CTL_BACKSTOP_NOT_BUILT:
		printf("backstop:      not built (no libseccomp at configure "
		    "time): static and Go programs are not covered\n");
		return 0;
	case CTL_BACKSTOP_ON:
		break;
	}
	if (ctl_backstop_probe(out, cap) == 0) {
		printf("backstop:      %s\n", out);
		return 0;
	}
	printf("backstop:      %s\n", out);
	return -1;
}

int
ctl_check(const char *target_text, enum ctl_backstop b)
{
	char backstop[512];
	int bs;
	const struct runtime *rt;
	struct socks5_addr target;
	char source[4096], err[1024];
	struct config cfg;
	struct path path;
	uint64_t t0;
	int fd, rc;

	if (settings_load(&cfg, source, sizeof(source), err,
	    sizeof(err)) < 0) {
		printf("FAIL: %s\n", err);
		return 1;
	}
	check_print_config(&cfg, source);
	if (settings_warning(source, err, sizeof(err)))
		printf("warning:       %s\n", err);
	fflush(stdout);
	bs = check_backstop(ctl_backstop_effective(b, &cfg), backstop,
	    sizeof(backstop));
	if (target_text != NULL && check_parse_target(target_text,
	    &target) < 0) {
		printf("FAIL: bad target '%s' (want HOST:PORT)\n", target_text);
		return 2;
	}
	rt = runtime_get();
	if (rt == NULL || rt->status < 0) {
		printf("FAIL: %s\n", rt != NULL ? rt->error : "no libc");
		return 1;
	}
	/* The reason comes back through log_last_error() for the last line. */
	log_set_level(LOG_LEVEL_QUIET);
	proxy_default_path(rt, &path);
	fd = socket(path.hop[0]->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		printf("FAIL: socket: %s\n", strerror(errno));
		return 1;
	}
	t0 = io_now_ms();
	rc = proxy_handshake(rt, &path, fd, path.hop[0]->addr.ss_family,
	    SOCKS5_CMD_CONNECT, NULL, NULL);
	if (rc == 0)
		printf("proxy:         reachable, %s, %s (%llu ms)\n",
		    proxy_kind_name(cfg.proxy.kind),
		    cfg.proxy.kind == PROXY_SOCKS4 ||
		    cfg.proxy.kind == PROXY_SOCKS4A ?
		    "no handshake to test without HOST:PORT" :
		    cfg.proxy.has_auth ? "username/password accepted" :
		    "no authentication needed",
		    (unsigned long long)(io_now_ms() - t0));
	(void)real_close(fd);
	if (rc == 0 && target_text != NULL) {
		fd = socket(path.hop[0]->addr.ss_family,
		    SOCK_STREAM | SOCK_CLOEXEC, 0);
		t0 = io_now_ms();
		rc = fd < 0 ? -errno : proxy_connect(rt, &path, fd,
		    path.hop[0]->addr.ss_family, &target);
		if (rc == 0)
			printf("connect:       %s ok (%llu ms)\n", target_text,
			    (unsigned long long)(io_now_ms() - t0));
		if (fd >= 0)
			(void)real_close(fd);
	}
	fflush(stdout);
	if (rc < 0) {
		printf("FAIL: %s\n", *log_last_error() ? log_last_error() :
		    strerror(-rc));
		return 1;
	}
	if (bs < 0) {
		printf("FAIL: the backstop cannot be set up here (%s): socksify "
		    "would refuse to run commands; use --no-backstop or "
		    "'backstop = off' to go without it\n", backstop);
		return 1;
	}
	printf("OK\n");
	return 0;
}
