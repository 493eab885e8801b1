/* SPDX-License-Identifier: MIT */
/*
 * DNS messages over caller buffers: parse the queries stub resolvers send
 * (RFC 1035 §4, EDNS per RFC 6891), build the responses strict clients
 * accept, names in wire and text form, reverse-lookup names (RFC 1035
 * §3.5, RFC 3596 §2.5) and the TCP length prefix (RFC 1035 §4.2.2, RFC
 * 7766 §8).  Pure functions: no syscalls, no allocation, no shared state.
 *
 * Nothing read from a message is trusted: every length is checked against
 * the buffer, compression pointers must point strictly backwards (see
 * dns_name_decode()), labels are at most 63 bytes and names at most 255
 * wire bytes.
 */
#ifndef SOCKSIFY_CORE_DNS_H
#define SOCKSIFY_CORE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DNS_HEADER_LEN		12
#define DNS_LABEL_MAX		63	/* RFC 1035 §2.3.4 */
#define DNS_NAME_MAX		255	/* wire bytes, root label included */
#define DNS_TEXT_MAX		254	/* dotted text, no final dot, + NUL */
#define DNS_UDP_MIN		512	/* RFC 1035 §4.2.1; EDNS floor */
#define DNS_MSG_MAX		65535	/* TCP length field (RFC 7766 §8) */
#define DNS_EDNS_SIZE		1232	/* the UDP payload size we announce */
#define DNS_OPT_LEN		11	/* an OPT RR without options */

/* Header flag bits: the second 16-bit word (RFC 1035 §4.1.1, RFC 4035). */
#define DNS_FLAG_QR		0x8000
#define DNS_FLAG_AA		0x0400
#define DNS_FLAG_TC		0x0200
#define DNS_FLAG_RD		0x0100
#define DNS_FLAG_RA		0x0080
#define DNS_FLAG_AD		0x0020
#define DNS_FLAG_CD		0x0010
#define DNS_OPCODE(flags)	(((flags) >> 11) & 0xf)
#define DNS_RCODE(flags)	((flags) & 0xf)

#define DNS_OPCODE_QUERY	0
#define DNS_CLASS_IN		1

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_MAILB = 253,
	DNS_TYPE_MAILA = 254,
	DNS_TYPE_ANY = 255
};

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16	/* extended: needs an OPT RR (RFC 6891 §9) */
};

enum dns_section {
	DNS_SECTION_ANSWER = 0,
	DNS_SECTION_AUTHORITY,
	DNS_SECTION_ADDITIONAL
};

/* A name in wire form: uncompressed labels ending with the root label. */
struct dns_name {
	uint8_t len;			/* 1..DNS_NAME_MAX */
	uint8_t wire[DNS_NAME_MAX];
};

struct dns_question {
	struct dns_name name;		/* case as sent (0x20 bits kept) */
	uint16_t type, class;
};

/* What dns_parse_query() found. */
struct dns_query {
	uint16_t id;
	uint16_t flags;			/* the header's flags word as sent */
	struct dns_question q;
	bool edns;			/* an OPT RR was present */
	uint16_t edns_size;		/* its UDP payload size, as sent */
	uint8_t edns_version;
	bool edns_do;			/* DNSSEC OK (RFC 3225) */
};

/* One resource record of a parsed message (dns_parse_rr()). */
struct dns_rr {
	struct dns_name name;		/* owner, decompressed */
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata;			/* offset of RDATA in the message */
};

/* What dns_parse_response() found: the header and the question. */
struct dns_response {
	uint16_t id, flags;
	uint16_t count[3];		/* AN, NS, AR (enum dns_section) */
	struct dns_question q;
	size_t rr;			/* offset of the first RR */
};

/* ---- names ------------------------------------------------------------ */

/*
 * Decode the possibly compressed name at msg[off] (msg is the whole
 * message, len bytes) into *n, uncompressed.  Each compression pointer must
 * point at or after the header and strictly before the start of the labels
 * it continues (the name's own start for the first one), so every chain
 * ends and no loop is possible.  Labels of type 0x40 (RFC 6891 §5) and
 * 0x80 are refused.  Returns the bytes the name occupies at off (> 0) or
 * -EBADMSG (truncated, pointer out of range or not backwards, label > 63,
 * name > 255 bytes); *n is written only on success.
 */
ssize_t dns_name_decode(const uint8_t *msg, size_t len, size_t off,
    struct dns_name *n);

/* ASCII case-insensitive equality of two names (RFC 4343). */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b);

/*
 * Wire name -> dotted text without the final dot ("www.example.com"; the
 * root is "").  Only bytes 0x21..0x7e other than '.' may appear in labels
 * (host names, service labels like "_http._tcp"); anything else gives
 * -EINVAL, as does a malformed name.  -ENOSPC when cap is too small
 * (DNS_TEXT_MAX always suffices).  Returns the text length.  out is
 * written only on success.
 */
ssize_t dns_name_to_text(const struct dns_name *n, char *out, size_t cap);

/*
 * Dotted text (one optional final dot; "" and "." are the root) -> *n.
 * Labels 1..63 bytes of 0x21..0x7e; at most 255 wire bytes.  0 or -EINVAL;
 * *n is written only on success.
 */
int dns_name_from_text(struct dns_name *n, const char *text);

/*
 * Reverse-lookup names.  dns_reverse_to_addr(): a complete
 * "d.c.b.a.in-addr.arpa" (decimal 0..255, no leading zeros) or the 32
 * nibbles of an "ip6.arpa" name (case-insensitive) -> *family (AF_INET or
 * AF_INET6) and addr (4 or 16 bytes, network order).  0, or -ENOENT when
 * the name is anything else (a partial reverse name included); outputs
 * written only on success.  dns_reverse_from_addr(): the inverse; 0 or
 * -EAFNOSUPPORT.
 */
int dns_reverse_to_addr(const struct dns_name *n, int *family,
    uint8_t addr[static 16]);
int dns_reverse_from_addr(struct dns_name *n, int family,
    const uint8_t *addr);

/* ---- parsing ------------------------------------------------------------ */

/*
 * Parse a query message of exactly len bytes (a datagram, or a TCP
 * message without its length prefix).  Accepted: QR = 0, opcode QUERY,
 * QDCOUNT = 1 (the one question every stub resolver sends; more than one
 * is FORMERR, as BIND and Unbound answer) of a type other than OPT (RFC
 * 6891 §6.1.1: OPT lives in the additional section), any answer/authority
 * RRs (skipped after checking their framing), additional RRs of which at
 * most one OPT (RFC 6891 §6.1.1: owner the root, options well framed; its
 * version is returned, not judged: the caller answers BADVERS when it is
 * > 0), nothing after the last counted RR.
 *
 * Returns 0 and fills *q, or:
 *   -EINVAL      not a query to answer at all: shorter than the header, or
 *                QR = 1 (answering responses invites loops); send nothing;
 *   -EOPNOTSUPP  opcode other than QUERY: answer NOTIMP (dns_build_error);
 *   -EBADMSG     malformed: answer FORMERR (dns_build_error).
 * *q is written only on success.
 */
int dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q);

/*
 * The size a response to q may have: 65535 over TCP; over UDP the OPT
 * payload size, never below 512 (RFC 6891 §6.2.5), or 512 without EDNS.
 */
size_t dns_query_limit(const struct dns_query *q, bool tcp);

/*
 * Parse a response (QR = 1, QDCOUNT = 1) of exactly len bytes, e.g. from
 * a forwarder, and check the framing of every RR up to the end: 0 and *r
 * (RRs start at r->rr; read them with dns_parse_rr()), or -EBADMSG.  *r is
 * written only on success.
 */
int dns_parse_response(const uint8_t *msg, size_t len,
    struct dns_response *r);

/*
 * Read the RR at msg[off]: returns the offset just past it, or -EBADMSG
 * (truncated, bad owner name, RDLENGTH past the end).  *rr is written only
 * on success; RDATA stays in msg at rr->rdata.
 */
ssize_t dns_parse_rr(const uint8_t *msg, size_t len, size_t off,
    struct dns_rr *rr);

/* ---- building ----------------------------------------------------------- */

/*
 * A response under construction.  The fields are the builder's; read them
 * only through the functions below.
 */
struct dns_reply {
	uint8_t *out;
	size_t limit;		/* message size limit (transport and cap) */
	size_t len;		/* bytes written so far */
	size_t reserve;		/* kept free for the OPT RR */
	uint16_t flags;
	uint16_t count[3];
	int section;		/* last section added to */
	bool truncated;		/* an answer/authority RR was dropped */
	bool full;		/* nothing more is added */
	bool opt;		/* end with an OPT RR */
	uint8_t ext_rcode;
	bool opt_do;
	struct dns_name qname;	/* the question's name, at offset 12 */
};

/* dns_reply_start() flags. */
#define DNS_REPLY_AA	0x1	/* set AA (we are the authority) */

/*
 * Start a response to q in out[0..cap): ID, opcode, RD and CD echoed, QR
 * and RA set (Go's resolver takes a reply without RA and without answers
 * for a lame referral), AA as flags say, rcode (an extended one such as
 * BADVERS needs an OPT RR, so q->edns), the question copied as sent, and
 * an OPT RR at the end when the query had one (RFC 6891 §7; version 0,
 * DO copied per RFC 3225, our payload size DNS_EDNS_SIZE).  limit is the
 * size the message may reach (dns_query_limit()); RRs that would pass
 * min(limit, cap) are dropped whole.  Returns 0, -EINVAL (rcode > 15
 * without EDNS, rcode > 4095) or -ENOSPC (the header, question and OPT do
 * not fit); out is not written on failure.
 */
int dns_reply_start(struct dns_reply *r, uint8_t *out, size_t cap,
    size_t limit, const struct dns_query *q, unsigned rcode, unsigned flags);

/*
 * Add one RR to section s (sections in order: answer, authority,
 * additional; going back is -EINVAL).  owner NULL means the question's
 * name.  Owner names are compressed against the question (a pointer to
 * its longest matching suffix); rdata is copied as given.  When the RR
 * does not fit it is dropped whole and nothing more is added: in the
 * answer or authority section TC is set (RFC 2181 §9), in the additional
 * section it is not.  Returns 0 when added, -EMSGSIZE when dropped,
 * -EINVAL on bad arguments (rdlen > 65535, a bad name).
 */
int dns_reply_add(struct dns_reply *r, enum dns_section s,
    const struct dns_name *owner, uint16_t type, uint16_t class,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen);

/* An A (family AF_INET, 4 bytes) or AAAA (AF_INET6, 16) for the question's
 * name in the answer section; as dns_reply_add(). */
int dns_reply_add_addr(struct dns_reply *r, uint32_t ttl, int family,
    const uint8_t *addr);

/* A PTR for the question's name pointing at target (RFC 1035 §3.3.12). */
int dns_reply_add_ptr(struct dns_reply *r, uint32_t ttl,
    const struct dns_name *target);

/*
 * The SOA that makes a NODATA or NXDOMAIN answer cacheable (RFC 2308 §3,
 * §5): owner the question's name, MNAME "socksify.invalid.", RNAME
 * "hostmaster.socksify.invalid.", serial 1, and ttl as both the RR's TTL
 * and MINIMUM, in the authority section.
 */
int dns_reply_add_soa(struct dns_reply *r, uint32_t ttl);

/*
 * Copy RR rr of message msg (len bytes; from dns_parse_rr()) into section
 * s.  Names inside the RDATA of the types that may carry compressed names
 * (NS, CNAME, SOA, PTR, MX, MB, MD, MF, MG, MR, MINFO, and SRV, AFSDB, RT,
 * KX, RP, which some servers compress anyway) are decompressed, so nothing
 * points into msg; other RDATA is copied as is (RFC 3597 §4).  Returns as
 * dns_reply_add(), or -EBADMSG when such RDATA is malformed.
 */
int dns_reply_copy_rr(struct dns_reply *r, enum dns_section s,
    const uint8_t *msg, size_t len, const struct dns_rr *rr);

/* Write the counts, TC and the OPT RR: the message length (> 0). */
size_t dns_reply_finish(struct dns_reply *r);

/*
 * A header-only response (QDCOUNT 0) with rcode (FORMERR, NOTIMP, ...)
 * built from the first 12 bytes of query: ID, opcode and RD echoed, QR and
 * RA set.  For a query that could not be parsed, so the question is not
 * echoed.  Returns 12, -EINVAL (query shorter than 12 bytes or QR set:
 * send nothing; rcode > 15) or -ENOSPC (cap < 12).
 */
ssize_t dns_build_error(uint8_t *out, size_t cap, const uint8_t *query,
    size_t qlen, unsigned rcode);

/*
 * A query for q (e.g. to forward a question): ID id, RD set, CD as cd,
 * the name as given, and an OPT RR (payload DNS_EDNS_SIZE, DO as
 * edns_do) when edns.  Returns the length, or -ENOSPC.
 */
ssize_t dns_build_query(uint8_t *out, size_t cap, uint16_t id,
    const struct dns_question *q, bool cd, bool edns, bool edns_do);

/* ---- TCP framing (RFC 1035 §4.2.2, RFC 7766 §8) --------------------------- */

/*
 * Write the 2-byte length prefix of a msglen-byte message: 2, -EINVAL
 * (msglen 0 or > 65535) or -ENOSPC (cap < 2).
 */
ssize_t dns_tcp_put_length(uint8_t *out, size_t cap, size_t msglen);

/*
 * One framed message at the start of in (len bytes): returns the frame's
 * total length (2 + message; the message starts at in + 2) when it is all
 * there, 0 when more is needed (*need, if not NULL, is then the frame's
 * total length, or 2 while the prefix is incomplete), -EBADMSG when the
 * prefix announces fewer than 12 bytes (no DNS message is that short).
 */
ssize_t dns_tcp_frame(const uint8_t *in, size_t len, size_t *need);

#endif /* SOCKSIFY_CORE_DNS_H */
