// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_fuzz: malformed and random traffic into an AFTR, from both sides.
 *
 * Softwire side: IPv6 frames from many B4 addresses to the AFTR's endpoint,
 * sent on a link of the B4 namespace with a packet socket, so no header is
 * checked or fixed on the way out. IPv4 side: frames to the pool, sent on a
 * link of the server namespace, whose packet socket also watches what the
 * AFTR sends there: the pool addresses and ports it sees are live mappings,
 * which the IPv4 side then aims at (replies, fragments, ICMP errors, junk),
 * so the return path is fuzzed past the binding lookup.
 *
 * Each packet is drawn from a kind (truncated headers, lying lengths, IPv4
 * options, IPv6 extension headers, outer and inner fragments that overlap,
 * repeat or never complete, ICMP errors quoting ICMP errors, bad checksums,
 * every protocol number, zero-length payloads, ...), and the kinds' counts
 * are printed at the end. The softwire side is drawn from its own stream of
 * the seed, so it is the same for a seed on any run; the IPv4 side is too,
 * except for the mappings it aims at, which are the AFTR's choice.
 *
 * Usage: see usage() below; selftests/fuzz_packets.sh builds the namespaces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "fuzz.h"

#define MAX_FRAME	1500	/* the links' MTU: IPv6 or IPv4 header included */
#define MAX_SERVERS	8
#define MAX_MAPPINGS	1024
#define MAX_RECENT	256

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_IPIP	4

#define IP_MF		0x2000
#define IP_DF		0x4000

/* TCP flags */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

enum side { SOFTWIRE, IPV4 };

/* A transport flow: ports, or the echo identifier in sport for ICMP. */
struct flow {
	uint8_t proto;
	uint32_t src, dst;		/* host order */
	uint16_t sport, dport;
	struct in6_addr b4;		/* softwire side: the B4 that sent it */
};

/* A pool address and port the AFTR was seen to use, with the peer. */
struct mapping {
	uint8_t proto;
	uint32_t outer, peer;
	uint16_t oport, pport;
};

struct fuzz;
typedef void (*gen_fn)(struct fuzz *f, struct rng *r);

struct kind {
	const char *name;
	enum side side;
	unsigned int weight;
	bool fragments;		/* sends fragments: left out by --no-fragments */
	gen_fn gen;
};

struct fuzz {
	struct rng pick, sw, v4;	/* which kind next; one stream per side */
	int swfd, v4fd;
	struct sockaddr_ll swto, v4to;
	struct in6_addr aftr, b4base, denied;
	unsigned int b4count;
	uint32_t pool, poolsize;
	uint32_t servers[MAX_SERVERS];
	unsigned int nservers;
	struct mapping map[MAX_MAPPINGS];
	unsigned int nmap;
	struct flow recent[MAX_RECENT];	/* valid softwire flows sent */
	unsigned int nrecent;
	uint16_t ipid;
	unsigned int kind;		/* the kind being generated */
	unsigned long sent, limit;
	unsigned long side_sent[2], send_errors, inner_frags, outer_frags;
	bool verbose;
	bool no_fragments;
};

static const struct kind kinds[];
static unsigned long kind_frames[64];

/* --- bytes and checksums --- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum_bytes(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

static uint16_t sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* --- emitting --- */

static void emit(struct fuzz *f, enum side side, const uint8_t *buf, size_t len)
{
	int fd = side == SOFTWIRE ? f->swfd : f->v4fd;
	const struct sockaddr_ll *to = side == SOFTWIRE ? &f->swto : &f->v4to;

	if (f->sent >= f->limit)
		return;
	if (len > MAX_FRAME)
		len = MAX_FRAME;
	if (f->verbose)
		printf("#%lu %s %zu bytes\n", f->sent, kinds[f->kind].name, len);
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		f->send_errors++;
	f->sent++;
	f->side_sent[side]++;
	kind_frames[f->kind]++;
}

/* --- addresses --- */

/*
 * B4 number i is BASE:i::1, a /64 of its own (a subscriber is a prefix,
 * RFC 7785); one packet in ten comes from another address of that /64, as
 * from a CPE rotating its source.
 */
static void b4_addr(struct fuzz *f, struct rng *r, struct in6_addr *a)
{
	uint32_t i = rng_below(r, f->b4count);
	bool rotated = rng_percent(r, 10);
	uint64_t iid = rng_next(r);

	*a = f->b4base;
	a->s6_addr[6] = i >> 8;
	a->s6_addr[7] = i;
	memset(a->s6_addr + 8, 0, 8);
	a->s6_addr[15] = 1;
	if (rotated)
		memcpy(a->s6_addr + 8, &iid, 8);
}

/* A subscriber's private address: a home LAN, or the whole of 10/8. */
static uint32_t lan_addr(struct rng *r)
{
	if (rng_percent(r, 70))
		return 0xc0a80100 | (2 + rng_below(r, 8));	/* 192.168.1.2-9 */
	return 0x0a000000 | rng_below(r, 1 << 24);
}

/* Inner sources the AFTR must refuse (6333-6). */
static uint32_t bad_src(struct fuzz *f, struct rng *r)
{
	static const uint32_t bad[] = {
		0x00000000, 0x00abcdef, 0x7f000001, 0xe0000001, 0xefffffff,
		0xffffffff, 0xc0000001,
	};

	if (rng_percent(r, 20))
		return f->pool + rng_below(r, f->poolsize);
	return bad[rng_below(r, sizeof(bad) / sizeof(bad[0]))];
}

static uint32_t server(struct fuzz *f, struct rng *r)
{
	return f->servers[rng_below(r, f->nservers)];
}

/* An outside host: a server, or anyone in TEST-NET-1. */
static uint32_t outside_addr(struct fuzz *f, struct rng *r)
{
	return rng_percent(r, 50) ? server(f, r) : 0xc0000200 | rng_below(r, 256);
}

static uint8_t l4_proto(struct rng *r)
{
	static const uint8_t p[] = { PROTO_UDP, PROTO_UDP, PROTO_TCP, PROTO_TCP, PROTO_ICMP };

	return p[rng_below(r, sizeof(p))];
}

static uint16_t port(struct rng *r)
{
	return rng_percent(r, 5) ? rng_below(r, 1024) : 1024 + rng_below(r, 64512);
}

/* --- IPv4 and its transports --- */

static const uint8_t tcp_flag_sets[] = {
	TH_SYN, TH_SYN, TH_ACK, TH_ACK | TH_PSH, TH_FIN | TH_ACK, TH_RST, TH_RST | TH_ACK,
	TH_SYN | TH_ACK, TH_SYN | TH_FIN, TH_SYN | TH_RST, 0, 0xff,
};

/*
 * The transport header and @paylen bytes of payload of @fl at @p, summed
 * with the pseudo-header; @what is the TCP flags or the ICMP type.
 */
static size_t l4_put(uint8_t *p, const struct flow *fl, uint8_t what, size_t paylen,
		     struct rng *r)
{
	size_t hlen = fl->proto == PROTO_TCP ? 20 : 8;
	size_t len = hlen + paylen;
	uint32_t s;

	memset(p, 0, hlen);
	rng_bytes(r, p + hlen, paylen);
	if (fl->proto == PROTO_ICMP) {
		p[0] = what;
		put16(p + 4, fl->sport);
		put16(p + 6, rng_below(r, 65536));
		put16(p + 2, sum_fold(sum_bytes(p, len, 0)));
		return len;
	}
	put16(p, fl->sport);
	put16(p + 2, fl->dport);
	if (fl->proto == PROTO_TCP) {
		put32(p + 4, rng_next(r));
		put32(p + 8, rng_next(r));
		p[12] = 5 << 4;
		p[13] = what;
		put16(p + 14, 65535);
	} else {
		put16(p + 4, len);
	}
	s = sum_bytes(p, len, 0) + (fl->src >> 16) + (fl->src & 0xffff) +
	    (fl->dst >> 16) + (fl->dst & 0xffff) + fl->proto + len;
	put16(p + (fl->proto == PROTO_TCP ? 16 : 6), sum_fold(s) ?: 0xffff);
	return len;
}

struct ip4 {
	uint32_t src, dst;
	uint8_t proto, ttl, tos, optlen;
	uint16_t id, frag;
	int tot_len;			/* -1: the true length */
	const uint8_t *opts;		/* optlen bytes, a multiple of 4 */
};

/* The IPv4 header of @h at @p, before @l4len bytes already there; the total. */
static size_t ip4_put(uint8_t *p, const struct ip4 *h, size_t l4len)
{
	size_t hlen = 20 + h->optlen;

	memmove(p + hlen, p, l4len);
	p[0] = 0x40 | hlen / 4;
	p[1] = h->tos;
	put16(p + 2, h->tot_len >= 0 ? h->tot_len : (int)(hlen + l4len));
	put16(p + 4, h->id);
	put16(p + 6, h->frag);
	p[8] = h->ttl ?: 64;
	p[9] = h->proto;
	put16(p + 10, 0);
	put32(p + 12, h->src);
	put32(p + 16, h->dst);
	if (h->optlen)
		memcpy(p + 20, h->opts, h->optlen);
	put16(p + 10, sum_fold(sum_bytes(p, hlen, 0)));
	return hlen + l4len;
}

/* Sums the IPv4 header at @p again, after a change. */
static void ip4_resum(uint8_t *p)
{
	put16(p + 10, 0);
	put16(p + 10, sum_fold(sum_bytes(p, (p[0] & 0xf) * 4, 0)));
}

/* A whole valid IPv4 packet of @fl at @p; its length. */
static size_t ip4_flow(struct fuzz *f, struct rng *r, uint8_t *p, const struct flow *fl,
		       size_t paylen)
{
	struct ip4 h = { .src = fl->src, .dst = fl->dst, .proto = fl->proto, .tot_len = -1,
			 .id = f->ipid++ };
	uint8_t what;

	if (fl->proto == PROTO_TCP)
		what = tcp_flag_sets[rng_below(r, sizeof(tcp_flag_sets))];
	else
		what = 8;	/* echo request; callers change it */
	return ip4_put(p, &h, l4_put(p, fl, what, paylen, r));
}

static size_t icmp_error_put(uint8_t *p, struct rng *r, const uint8_t *quote, size_t qlen)
{
	static const uint8_t types[][2] = {
		{ 3, 0 }, { 3, 1 }, { 3, 3 }, { 3, 4 }, { 3, 13 }, { 11, 0 }, { 11, 1 },
		{ 12, 0 }, { 4, 0 }, { 5, 1 },
	};
	unsigned int t = rng_below(r, sizeof(types) / sizeof(types[0]));

	memset(p, 0, 8);
	p[0] = types[t][0];
	p[1] = types[t][1];
	if (p[0] == 3 && p[1] == 4)
		put16(p + 6, 576 + rng_below(r, 1000));
	memcpy(p + 8, quote, qlen);
	put16(p + 2, sum_fold(sum_bytes(p, 8 + qlen, 0)));
	return 8 + qlen;
}

/* IPv4 options: valid ones, and some with lengths that lie. */
static uint8_t ip4_options(struct rng *r, uint8_t *o)
{
	uint8_t len = 4 * (1 + rng_below(r, 10)), i = 0;

	while (i < len) {
		uint8_t room = len - i;

		switch (rng_below(r, 7)) {
		case 0:
			o[i++] = 1;	/* NOP */
			break;
		case 1:
			o[i++] = 0;	/* end of list, then anything */
			break;
		case 2:			/* record route */
		case 3:			/* loose / strict source route */
			if (room < 7)
				goto junk;
			o[i] = (uint8_t[]){ 7, 131, 137 }[rng_below(r, 3)];
			o[i + 1] = 3 + 4 * rng_below(r, (room - 3) / 4 + 1);
			o[i + 2] = 4 + 4 * rng_below(r, 3);
			rng_bytes(r, o + i + 3, o[i + 1] - 3);
			i += o[i + 1];
			break;
		case 4:			/* timestamp */
			if (room < 8)
				goto junk;
			o[i] = 68;
			o[i + 1] = 8;
			o[i + 2] = 5 + 4 * rng_below(r, 2);
			o[i + 3] = rng_below(r, 4);
			rng_bytes(r, o + i + 4, 4);
			i += 8;
			break;
		case 5:			/* router alert */
			if (room < 4)
				goto junk;
			o[i] = 148;
			o[i + 1] = 4;
			o[i + 2] = o[i + 3] = 0;
			i += 4;
			break;
		default:
junk:
			o[i] = rng_below(r, 256);
			if (room > 1)
				o[i + 1] = rng_below(r, 2 * room);
			i++;
		}
	}
	return len;
}

/* --- the softwire: IPv6 around an inner packet --- */

/* An extension header chain of 1 to 4 headers ending in @last; its length. */
static size_t ext_chain(struct rng *r, uint8_t *p, uint8_t *first, uint8_t last)
{
	static const uint8_t types[] = { 0, 60, 43, 44, 60, 0 };
	unsigned int n = 1 + rng_below(r, 4), i;
	uint8_t t[4];
	size_t off = 0, len;

	for (i = 0; i < n; i++)
		t[i] = types[rng_below(r, sizeof(types))];
	*first = t[0];
	for (i = 0; i < n; i++) {
		uint8_t *h = p + off;

		h[0] = i + 1 < n ? t[i + 1] : last;
		switch (t[i]) {
		case 44:		/* fragment: atomic, or a lying offset */
			h[1] = 0;
			put16(h + 2, rng_percent(r, 80) ? 0 : rng_below(r, 65536));
			put32(h + 4, rng_next(r));
			len = 8;
			break;
		case 43:		/* routing: type 0, 2 or 4, segments left 0 or not */
			len = 8 * (1 + rng_below(r, 3));
			h[1] = len / 8 - 1;
			h[2] = (uint8_t[]){ 0, 2, 4, 253 }[rng_below(r, 4)];
			h[3] = rng_percent(r, 70) ? 0 : rng_below(r, 4);
			rng_bytes(r, h + 4, len - 4);
			break;
		default:		/* hop-by-hop, destination options */
			len = 8 * (1 + rng_below(r, 3));
			h[1] = len / 8 - 1;
			if (rng_percent(r, 60)) {	/* PadN over the rest */
				h[2] = 1;
				h[3] = len - 4;
				memset(h + 4, 0, len - 4);
			} else {			/* unknown options: skip, drop, ICMP */
				h[2] = rng_below(r, 256);
				h[3] = rng_below(r, len - 3);
				rng_bytes(r, h + 4, len - 4);
			}
		}
		off += len;
	}
	return off;
}

struct sw_hdr {
	const struct in6_addr *src;
	uint8_t tclass;
	bool exts;		/* extension headers before the inner packet */
	int payload_len;	/* -1: the true length */
	uint8_t nexthdr;	/* 0: IPv4-in-IPv6 */
};

/* A softwire frame around @inner of @ilen bytes, into @out; its length. */
static size_t sw_wrap(struct fuzz *f, struct rng *r, uint8_t *out, const struct sw_hdr *h,
		      const uint8_t *inner, size_t ilen)
{
	uint8_t nh = h->nexthdr ?: PROTO_IPIP;
	size_t off = 40;

	if (h->exts)
		off += ext_chain(r, out + 40, &nh, nh);
	if (off + ilen > MAX_FRAME)
		ilen = MAX_FRAME - off;
	memcpy(out + off, inner, ilen);
	out[0] = 0x60 | h->tclass >> 4;
	out[1] = h->tclass << 4 | (rng_below(r, 16));
	put16(out + 2, rng_below(r, 65536));
	put16(out + 4, h->payload_len >= 0 ? h->payload_len : (int)(off - 40 + ilen));
	out[6] = nh;
	out[7] = 64;
	memcpy(out + 8, h->src, 16);
	memcpy(out + 24, &f->aftr, 16);
	return off + ilen;
}

static void sw_send(struct fuzz *f, struct rng *r, const struct in6_addr *b4,
		    const uint8_t *inner, size_t ilen)
{
	struct sw_hdr h = { .src = b4, .payload_len = -1 };
	uint8_t frame[MAX_FRAME];

	emit(f, SOFTWIRE, frame, sw_wrap(f, r, frame, &h, inner, ilen));
}

/* A valid flow of a fuzz B4 to a server, remembered for ICMP errors. */
static void sw_flow(struct fuzz *f, struct rng *r, struct flow *fl)
{
	b4_addr(f, r, &fl->b4);
	fl->proto = l4_proto(r);
	fl->src = lan_addr(r);
	fl->dst = rng_percent(r, 90) ? server(f, r) : outside_addr(f, r);
	fl->sport = port(r);
	fl->dport = rng_percent(r, 50) ? 9000 + rng_below(r, 4) : port(r);
	if (fl->proto == PROTO_ICMP)
		fl->dport = 0;
}

/*
 * A live mapping, @percent of the time when one is known. It draws the same
 * numbers either way, so what follows draws the same whatever was learned.
 */
static const struct mapping *pick_mapping(struct fuzz *f, struct rng *r, unsigned int percent)
{
	bool want = rng_percent(r, percent);
	uint32_t i = rng_next(r) >> 32;

	return want && f->nmap ? &f->map[i % f->nmap] : NULL;
}

static void remember(struct fuzz *f, const struct flow *fl)
{
	f->recent[f->nrecent++ % MAX_RECENT] = *fl;
}

/* A flow sent before (so with a binding, unless it was refused), or a new one. */
static void sw_known_flow(struct fuzz *f, struct rng *r, struct flow *fl)
{
	if (f->nrecent && rng_percent(r, 80))
		*fl = f->recent[rng_below(r, f->nrecent < MAX_RECENT ? f->nrecent : MAX_RECENT)];
	else
		sw_flow(f, r, fl);
}

static size_t small_payload(struct rng *r)
{
	return rng_percent(r, 10) ? 0 : rng_below(r, rng_percent(r, 90) ? 64 : 1300);
}

/* A valid packet of a known flow (sw_known_flow()) into @p; its length. */
static size_t sw_known_packet(struct fuzz *f, struct rng *r, struct flow *fl, uint8_t *p)
{
	sw_known_flow(f, r, fl);
	return ip4_flow(f, r, p, fl, small_payload(r));
}

/* --- damage both sides use --- */

/*
 * An ICMP error from @src to @dst quoting the @qlen-byte packet at @quote
 * (which it overwrites): whole, cut short or damaged at times, or nested
 * as an error about an error about it, up to four deep. Into @p; its
 * length.
 */
static size_t icmp_error_packet(struct fuzz *f, struct rng *r, uint8_t *p, uint8_t *quote,
				size_t qlen, uint32_t src, uint32_t dst)
{
	struct ip4 nested = { .src = get32(quote + 12), .dst = get32(quote + 16),
			      .proto = PROTO_ICMP, .tot_len = -1 };
	struct ip4 h = { .src = src, .dst = dst, .proto = PROTO_ICMP, .tot_len = -1 };
	unsigned int depth = rng_percent(r, 70) ? 0 : 1 + rng_below(r, 3), i;
	uint8_t msg[MAX_FRAME];

	for (i = 0; i < depth; i++) {
		/* An error about the quote, between the quote's own addresses. */
		nested.id = f->ipid++;
		qlen = ip4_put(msg, &nested, icmp_error_put(msg, r, quote, qlen > 548 ? 548 : qlen));
		memcpy(quote, msg, qlen);
	}
	if (rng_percent(r, 25))
		qlen = rng_below(r, qlen + 1);
	if (rng_percent(r, 10))
		quote[rng_below(r, qlen ?: 1)] ^= 1 << rng_below(r, 8);
	h.id = f->ipid++;
	return ip4_put(p, &h, icmp_error_put(p, r, quote, qlen));
}

/* A wrong IPv4 header checksum (@ip_percent of the time) or transport one. */
static void checksum_damage(struct rng *r, uint8_t *p, unsigned int ip_percent)
{
	uint8_t proto = p[9];

	if (rng_percent(r, ip_percent))
		p[10] ^= 1 + rng_below(r, 255);
	else
		p[20 + (proto == PROTO_TCP ? 16 : proto == PROTO_UDP ? 6 : 2)] ^= 0x5a;
}

/*
 * Protocol number *@next (then the next one) between @fl's addresses, with
 * a payload of any size, which starts with @fl's ports half the time.
 */
static size_t any_protocol(struct fuzz *f, struct rng *r, uint8_t *p, const struct flow *fl,
			   uint8_t *next)
{
	struct ip4 h = { .src = fl->src, .dst = fl->dst, .proto = (*next)++, .tot_len = -1,
			 .id = f->ipid++ };
	size_t len = small_payload(r);

	rng_bytes(r, p, len);
	if (len >= 4 && rng_percent(r, 50)) {
		put16(p, fl->sport);
		put16(p + 2, fl->dport);
	}
	return ip4_put(p, &h, len);
}

/* A packet of @fl with IPv4 options (ip4_options()). */
static size_t options_packet(struct fuzz *f, struct rng *r, uint8_t *p, const struct flow *fl)
{
	struct ip4 h = { .src = fl->src, .dst = fl->dst, .proto = fl->proto, .tot_len = -1,
			 .id = f->ipid++ };
	uint8_t opts[40];

	h.opts = opts;
	h.optlen = ip4_options(r, opts);
	return ip4_put(p, &h, l4_put(p, fl, fl->proto == PROTO_ICMP ? 8 : TH_ACK,
				     small_payload(r), r));
}

/* An IPv4 header with nothing after it, mostly of @fl's protocol. */
static size_t header_only(struct fuzz *f, struct rng *r, uint8_t *p, const struct flow *fl)
{
	struct ip4 h = { .src = fl->src, .dst = fl->dst, .tot_len = -1, .id = f->ipid++ };

	h.proto = rng_percent(r, 80) ? fl->proto : rng_below(r, 256);
	return ip4_put(p, &h, 0);
}

/* --- softwire kinds --- */

static void sw_valid(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	sw_flow(f, r, &fl);
	remember(f, &fl);
	sw_send(f, r, &fl.b4, p, ip4_flow(f, r, p, &fl, small_payload(r)));
}

/* A valid packet cut short, the outer length telling the truth or not. */
static void sw_truncated(struct fuzz *f, struct rng *r)
{
	struct sw_hdr h = { .payload_len = -1 };
	uint8_t p[MAX_FRAME], frame[MAX_FRAME];
	size_t len, cut;
	struct flow fl;

	len = sw_known_packet(f, r, &fl, p);
	cut = rng_below(r, len);
	h.src = &fl.b4;
	if (rng_percent(r, 30))
		h.payload_len = cut + rng_below(r, 64);
	len = sw_wrap(f, r, frame, &h, p, cut);
	/* Sometimes the outer header itself is cut. */
	if (rng_percent(r, 10))
		len = rng_below(r, 41);
	emit(f, SOFTWIRE, frame, len);
}

/* Inner total length or outer payload length lying, checksums right. */
static void sw_lying_length(struct fuzz *f, struct rng *r)
{
	struct sw_hdr h = { .payload_len = -1 };
	uint8_t p[MAX_FRAME], frame[MAX_FRAME];
	struct flow fl;
	size_t len;

	len = sw_known_packet(f, r, &fl, p);
	h.src = &fl.b4;
	if (rng_percent(r, 60)) {
		put16(p + 2, rng_percent(r, 50) ? rng_below(r, 65536) : rng_below(r, 28));
		ip4_resum(p);
	} else {
		h.payload_len = rng_below(r, 65536);
	}
	emit(f, SOFTWIRE, frame, sw_wrap(f, r, frame, &h, p, len));
}

static void sw_options(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	sw_known_flow(f, r, &fl);
	sw_send(f, r, &fl.b4, p, options_packet(f, r, p, &fl));
}

/* Extension headers between the outer header and the inner packet. */
static void sw_ext_headers(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME], frame[MAX_FRAME];
	struct sw_hdr h = { .exts = true, .payload_len = -1 };
	struct flow fl;

	sw_known_flow(f, r, &fl);
	h.src = &fl.b4;
	emit(f, SOFTWIRE, frame, sw_wrap(f, r, frame, &h, p, ip4_flow(f, r, p, &fl, small_payload(r))));
}

/* How a train of fragments is sent. */
enum frag_mode {
	FRAG_IN_ORDER, FRAG_REVERSED, FRAG_OVERLAP, FRAG_REPEAT, FRAG_INCOMPLETE,
	FRAG_TINY, FRAG_SHUFFLED, FRAG_LAST_MF, FRAG_TOO_FAR, FRAG_ZERO,
	FRAG_MODES
};

struct frag {
	size_t off, len;
	bool more;
};

/* Cuts @len bytes into fragments for @mode; how many. */
static unsigned int frag_plan(struct rng *r, enum frag_mode mode, size_t len, struct frag *fr)
{
	size_t step = mode == FRAG_TINY ? 8 : 8 * (1 + rng_below(r, len / 8 > 1 ? len / 16 + 1 : 1));
	unsigned int n = 0, i, j;
	struct frag t;

	if (step > 400)
		step = 400;
	for (size_t at = 0; at < len && n < 24; at += step) {
		fr[n].off = at;
		fr[n].len = at + step < len ? step : len - at;
		fr[n].more = at + step < len;
		n++;
	}
	if (n)
		fr[n - 1].more = false;
	switch (mode) {
	case FRAG_REVERSED:
		for (i = 0; i < n / 2; i++) {
			t = fr[i];
			fr[i] = fr[n - 1 - i];
			fr[n - 1 - i] = t;
		}
		break;
	case FRAG_OVERLAP:		/* one fragment moved back onto its neighbour */
		i = rng_below(r, n);
		if (fr[i].off >= 8)
			fr[i].off -= 8 * (1 + rng_below(r, fr[i].off / 8));
		else
			fr[i].len += 8;
		break;
	case FRAG_REPEAT:		/* one fragment sent twice or three times */
		i = rng_below(r, n);
		for (j = 1 + rng_below(r, 2); j > 0 && n < 26; j--)
			fr[n++] = fr[i];
		break;
	case FRAG_INCOMPLETE:		/* one never sent */
		if (n > 1) {
			i = rng_below(r, n);
			fr[i] = fr[--n];
		} else {
			fr[0].more = true;
		}
		break;
	case FRAG_SHUFFLED:
		for (i = n; i > 1; i--) {
			j = rng_below(r, i);
			t = fr[i - 1];
			fr[i - 1] = fr[j];
			fr[j] = t;
		}
		break;
	case FRAG_LAST_MF:
		fr[n - 1].more = true;
		break;
	case FRAG_TOO_FAR:		/* past 64 KiB */
		fr[n - 1].off = 65528 - 8 * rng_below(r, 4);
		break;
	case FRAG_ZERO:			/* a zero-length fragment among them */
		if (n < 24) {
			fr[n] = fr[rng_below(r, n)];
			fr[n].len = 0;
			n++;
		}
		break;
	default:
		break;
	}
	return n;
}

/* The datagram an inner or outer fragment train carries. */
static size_t frag_datagram(struct fuzz *f, struct rng *r, struct flow *fl, uint8_t *p)
{
	sw_known_flow(f, r, fl);
	if (rng_percent(r, 10))
		fl->proto = rng_below(r, 256);
	return ip4_flow(f, r, p, fl, 16 + rng_below(r, 2400));
}

/*
 * The @len-byte IPv4 datagram at @p in fragments, sent from @side (the
 * softwire side: each in its own softwire packet from @b4). A fragment placed
 * past the datagram's end carries its first bytes.
 */
static void ip4_fragments(struct fuzz *f, struct rng *r, enum side side,
			  const struct in6_addr *b4, const uint8_t *p, size_t len)
{
	struct ip4 h = { .src = get32(p + 12), .dst = get32(p + 16), .proto = p[9],
			 .tos = p[1], .tot_len = -1, .id = f->ipid++ };
	enum frag_mode mode = rng_below(r, FRAG_MODES);
	size_t dlen = len - 20, max = MAX_FRAME - 100;
	uint8_t q[MAX_FRAME];
	struct frag fr[32];
	unsigned int n, i;

	n = frag_plan(r, mode, dlen, fr);
	for (i = 0; i < n; i++) {
		size_t from = fr[i].off < dlen ? fr[i].off : 0;
		size_t l = fr[i].len < dlen - from ? fr[i].len : dlen - from;

		if (l > max)
			l = max;
		memcpy(q, p + 20 + from, l);
		if (mode == FRAG_OVERLAP && rng_percent(r, 50))
			rng_bytes(r, q, l);	/* overlapping with other bytes */
		h.frag = (fr[i].off / 8 & 0x1fff) | (fr[i].more ? IP_MF : 0);
		f->inner_frags++;
		l = ip4_put(q, &h, l);
		if (side == SOFTWIRE)
			sw_send(f, r, b4, q, l);
		else
			emit(f, IPV4, q, l);
	}
}

/* IPv4 fragments of one datagram, each in its own softwire packet (NAT-12). */
static void sw_inner_fragments(struct fuzz *f, struct rng *r)
{
	uint8_t p[4096];
	struct flow fl;
	size_t len = frag_datagram(f, r, &fl, p);

	ip4_fragments(f, r, SOFTWIRE, &fl.b4, p, len);
}

/* IPv6 fragments of one softwire packet: the IPv6 stack reassembles first. */
static void sw_outer_fragments(struct fuzz *f, struct rng *r)
{
	uint8_t p[4096], q[MAX_FRAME];
	struct frag fr[32];
	struct flow fl;
	size_t len = frag_datagram(f, r, &fl, p);
	enum frag_mode mode = rng_below(r, FRAG_MODES);
	uint32_t id = rng_next(r);
	unsigned int n, i;

	n = frag_plan(r, mode, len, fr);
	for (i = 0; i < n; i++) {
		struct sw_hdr h = { .src = &fl.b4, .payload_len = -1, .nexthdr = 44 };
		size_t l = fr[i].len, off = fr[i].off < len ? fr[i].off : 0;
		uint8_t frame[MAX_FRAME];

		if (off + l > len)
			l = len - off;
		if (l > MAX_FRAME - 48)
			l = MAX_FRAME - 48;
		q[0] = PROTO_IPIP;
		q[1] = 0;
		put16(q + 2, (fr[i].off & 0xfff8) | fr[i].more);
		put32(q + 4, id);
		memcpy(q + 8, p + off, l);
		f->outer_frags++;
		emit(f, SOFTWIRE, frame, sw_wrap(f, r, frame, &h, q, 8 + l));
	}
}

/* The packet a server would have sent back on @fl: what errors quote from B4s. */
static size_t reply_of(struct fuzz *f, struct rng *r, const struct flow *fl, uint8_t *p,
		       size_t paylen)
{
	struct flow back = {
		.proto = fl->proto, .src = fl->dst, .dst = fl->src,
		.sport = fl->dport, .dport = fl->sport,
	};
	size_t len;

	if (fl->proto == PROTO_ICMP)
		back.sport = fl->sport;	/* the echo id */
	len = ip4_flow(f, r, p, &back, paylen);
	if (fl->proto == PROTO_ICMP) {
		p[20] = 0;		/* an echo reply */
		put16(p + 22, 0);
		put16(p + 22, sum_fold(sum_bytes(p + 20, len - 20, 0)));
	}
	return len;
}

/*
 * An ICMP error from a B4's LAN about a packet it got: quoting it whole, cut
 * short, or quoting an ICMP error that quotes another, up to four deep.
 */
static void sw_icmp_error(struct fuzz *f, struct rng *r)
{
	uint8_t quote[MAX_FRAME], p[MAX_FRAME];
	struct flow fl;
	size_t qlen;

	sw_known_flow(f, r, &fl);
	qlen = reply_of(f, r, &fl, quote, rng_below(r, 64));
	sw_send(f, r, &fl.b4, p, icmp_error_packet(f, r, p, quote, qlen, fl.src, fl.dst));
}

/* A wrong IPv4 header checksum, or a wrong transport one. */
static void sw_bad_checksum(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;
	size_t len;

	len = sw_known_packet(f, r, &fl, p);
	checksum_damage(r, p, 50);
	sw_send(f, r, &fl.b4, p, len);
}

/* Every protocol number in turn. */
static void sw_protocol(struct fuzz *f, struct rng *r)
{
	static uint8_t next;
	uint8_t p[MAX_FRAME];
	struct flow fl;

	sw_flow(f, r, &fl);
	sw_send(f, r, &fl.b4, p, any_protocol(f, r, p, &fl, &next));
}

/* Nothing after the header: IPv4 alone, or an empty softwire. */
static void sw_zero_length(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	sw_known_flow(f, r, &fl);
	if (rng_percent(r, 20))
		sw_send(f, r, &fl.b4, (const uint8_t[1]){ 0 }, 0);
	else
		sw_send(f, r, &fl.b4, p, header_only(f, r, p, &fl));
}

/* Random bytes where the inner packet should be. */
static void sw_random(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct in6_addr b4;
	size_t len = rng_below(r, 200);

	b4_addr(f, r, &b4);
	rng_bytes(r, p, len);
	if (len && rng_percent(r, 50))
		p[0] = 0x45;
	sw_send(f, r, &b4, p, len);
}

/* A valid packet with a few bits or bytes flipped anywhere inside. */
static void sw_mutated(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	unsigned int n = 1 + rng_below(r, 8), i;
	struct flow fl;
	size_t len;

	len = sw_known_packet(f, r, &fl, p);
	for (i = 0; i < n; i++) {
		size_t at = rng_below(r, len < 60 ? len : 60);

		if (rng_percent(r, 50))
			p[at] ^= 1 << rng_below(r, 8);
		else
			p[at] = rng_below(r, 256);
	}
	if (f->no_fragments) {		/* no MF, no offset */
		p[6] &= 0xc0;
		p[7] = 0;
	}
	/* Keep the header checksum right half the time, to get past it. */
	if (rng_percent(r, 50) && (p[0] & 0xf) >= 5 && (size_t)(p[0] & 0xf) * 4 <= len) {
		ip4_resum(p);
	}
	sw_send(f, r, &fl.b4, p, len);
}

/* From a B4 outside the allowed prefixes. */
static void sw_denied(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct in6_addr b4 = f->denied;
	struct flow fl;

	sw_flow(f, r, &fl);
	b4.s6_addr[15] = rng_below(r, 256);
	sw_send(f, r, &b4, p, ip4_flow(f, r, p, &fl, small_payload(r)));
}

/* Inner sources no subscriber can have (6333-6). */
static void sw_bad_source(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	sw_flow(f, r, &fl);
	fl.src = bad_src(f, r);
	sw_send(f, r, &fl.b4, p, ip4_flow(f, r, p, &fl, small_payload(r)));
}

/* Congestion marked outside, any ECN codepoint inside (TUN-2). */
static void sw_ecn(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME], frame[MAX_FRAME];
	struct sw_hdr h = { .tclass = 3, .payload_len = -1 };
	struct flow fl;
	size_t len;

	len = sw_known_packet(f, r, &fl, p);
	p[1] = rng_below(r, 4);
	ip4_resum(p);
	h.src = &fl.b4;
	h.tclass = rng_below(r, 256) | 3;
	emit(f, SOFTWIRE, frame, sw_wrap(f, r, frame, &h, p, len));
}

/* To a pool address: hairpinning, to a live mapping or none (NAT-8). */
static void sw_hairpin(struct fuzz *f, struct rng *r)
{
	const struct mapping *m;
	uint8_t p[MAX_FRAME];
	struct flow fl;

	sw_flow(f, r, &fl);
	m = pick_mapping(f, r, 70);
	if (m) {
		fl.proto = m->proto;
		fl.dst = m->outer;
		fl.dport = m->oport;
	} else {
		fl.dst = f->pool + rng_below(r, f->poolsize);
	}
	remember(f, &fl);
	sw_send(f, r, &fl.b4, p, ip4_flow(f, r, p, &fl, small_payload(r)));
}

/* TTL 0 or 1 inside: the AFTR's IPv4 forwarding answers, toward the pool. */
static void sw_ttl(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;
	size_t len;

	len = sw_known_packet(f, r, &fl, p);
	p[8] = rng_below(r, 2);
	ip4_resum(p);
	sw_send(f, r, &fl.b4, p, len);
}

/* --- IPv4 side kinds --- */

static void v4_send(struct fuzz *f, const uint8_t *p, size_t len)
{
	emit(f, IPV4, p, len);
}

/* A flow from outside to a live mapping, or to any pool address and port. */
static void v4_flow(struct fuzz *f, struct rng *r, struct flow *fl, bool mapped)
{
	const struct mapping *m;

	fl->proto = l4_proto(r);
	fl->src = outside_addr(f, r);
	fl->sport = port(r);
	fl->dst = f->pool + rng_below(r, f->poolsize);
	fl->dport = port(r);
	m = pick_mapping(f, r, mapped ? 90 : 0);
	if (m) {
		fl->proto = m->proto;
		fl->dst = m->outer;
		fl->dport = m->oport;
		if (rng_percent(r, 70)) {
			fl->src = m->peer;
			fl->sport = m->pport;
		}
	}
	if (fl->proto == PROTO_ICMP)
		fl->sport = fl->dport;	/* the echo id is the destination's */
}

/* A reply or new packet toward a mapping (or a miss), echo replies for ICMP. */
static size_t v4_packet(struct fuzz *f, struct rng *r, struct flow *fl, uint8_t *p,
			bool mapped)
{
	size_t len;

	v4_flow(f, r, fl, mapped);
	len = ip4_flow(f, r, p, fl, small_payload(r));
	if (fl->proto == PROTO_ICMP && rng_percent(r, 90)) {
		p[20] = 0;
		put16(p + 22, 0);
		put16(p + 22, sum_fold(sum_bytes(p + 20, len - 20, 0)));
	}
	return len;
}

static void v4_mapped(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	v4_send(f, p, v4_packet(f, r, &fl, p, true));
}

static void v4_unmapped(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	v4_send(f, p, v4_packet(f, r, &fl, p, false));
}

/*
 * Lengths that lie and cut transports: the AFTR's own IPv4 input drops bad
 * IPv4 headers, so these lie where forwarding does not look.
 */
static void v4_truncated(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;
	size_t len = v4_packet(f, r, &fl, p, true), cut;

	cut = rng_percent(r, 70) ? 20 + rng_below(r, len - 19) : rng_below(r, len);
	if (rng_percent(r, 70)) {	/* the IPv4 header agrees with the cut */
		put16(p + 2, cut);
		ip4_resum(p);
	}
	v4_send(f, p, cut);
}

static void v4_options(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	v4_flow(f, r, &fl, true);
	v4_send(f, p, options_packet(f, r, p, &fl));
}

static void v4_fragments(struct fuzz *f, struct rng *r)
{
	uint8_t p[4096];
	struct flow fl;
	size_t len;

	v4_flow(f, r, &fl, true);
	len = ip4_flow(f, r, p, &fl, 16 + rng_below(r, 2400));
	ip4_fragments(f, r, IPV4, NULL, p, len);
}

/*
 * An ICMP error from the Internet about a packet a B4 sent: it quotes the
 * mapping's address and port as source. Nested, cut and damaged at times.
 */
static void v4_icmp_error(struct fuzz *f, struct rng *r)
{
	uint8_t quote[MAX_FRAME], p[MAX_FRAME];
	struct flow fl, out;
	size_t qlen;

	v4_flow(f, r, &fl, true);
	out = (struct flow){ .proto = fl.proto, .src = fl.dst, .dst = fl.src,
			     .sport = fl.dport, .dport = fl.sport };
	qlen = ip4_flow(f, r, quote, &out, rng_below(r, 64));
	if (rng_percent(r, 30))
		fl.src = outside_addr(f, r);	/* from a router on the way */
	v4_send(f, p, icmp_error_packet(f, r, p, quote, qlen, fl.src, fl.dst));
}

static void v4_bad_checksum(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;
	size_t len = v4_packet(f, r, &fl, p, true);

	checksum_damage(r, p, 20);
	v4_send(f, p, len);
}

static void v4_protocol(struct fuzz *f, struct rng *r)
{
	static uint8_t next;
	uint8_t p[MAX_FRAME];
	struct flow fl;

	v4_flow(f, r, &fl, true);
	v4_send(f, p, any_protocol(f, r, p, &fl, &next));
}

static void v4_zero_length(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	struct flow fl;

	v4_flow(f, r, &fl, true);
	v4_send(f, p, header_only(f, r, p, &fl));
}

static void v4_mutated(struct fuzz *f, struct rng *r)
{
	uint8_t p[MAX_FRAME];
	unsigned int n = 1 + rng_below(r, 6), i;
	struct flow fl;
	size_t len = v4_packet(f, r, &fl, p, true);

	/* The transport and payload: IPv4 input would drop a damaged header. */
	for (i = 0; i < n && len > 20; i++)
		p[20 + rng_below(r, len - 20 < 40 ? len - 20 : 40)] ^= 1 << rng_below(r, 8);
	v4_send(f, p, len);
}

static const struct kind kinds[] = {
	{ "softwire-valid",		SOFTWIRE, 16, false, sw_valid },
	{ "softwire-truncated",		SOFTWIRE, 4, false, sw_truncated },
	{ "softwire-lying-length",	SOFTWIRE, 4, false, sw_lying_length },
	{ "softwire-ipv4-options",	SOFTWIRE, 3, false, sw_options },
	{ "softwire-ipv6-ext-headers",	SOFTWIRE, 4, false, sw_ext_headers },
	{ "softwire-inner-fragments",	SOFTWIRE, 2, true, sw_inner_fragments },
	{ "softwire-outer-fragments",	SOFTWIRE, 1, true, sw_outer_fragments },
	{ "softwire-icmp-error",	SOFTWIRE, 5, false, sw_icmp_error },
	{ "softwire-bad-checksum",	SOFTWIRE, 3, false, sw_bad_checksum },
	{ "softwire-protocol-number",	SOFTWIRE, 3, false, sw_protocol },
	{ "softwire-zero-length",	SOFTWIRE, 2, false, sw_zero_length },
	{ "softwire-random-bytes",	SOFTWIRE, 2, false, sw_random },
	{ "softwire-mutated",		SOFTWIRE, 5, false, sw_mutated },
	{ "softwire-b4-denied",		SOFTWIRE, 1, false, sw_denied },
	{ "softwire-bad-source",	SOFTWIRE, 1, false, sw_bad_source },
	{ "softwire-ecn",		SOFTWIRE, 1, false, sw_ecn },
	{ "softwire-hairpin",		SOFTWIRE, 2, false, sw_hairpin },
	{ "softwire-ttl",		SOFTWIRE, 1, false, sw_ttl },
	{ "ipv4-mapped",		IPV4, 10, false, v4_mapped },
	{ "ipv4-unmapped",		IPV4, 4, false, v4_unmapped },
	{ "ipv4-truncated",		IPV4, 3, false, v4_truncated },
	{ "ipv4-options",		IPV4, 2, false, v4_options },
	{ "ipv4-fragments",		IPV4, 2, true, v4_fragments },
	{ "ipv4-icmp-error",		IPV4, 5, false, v4_icmp_error },
	{ "ipv4-bad-checksum",		IPV4, 2, false, v4_bad_checksum },
	{ "ipv4-protocol-number",	IPV4, 2, false, v4_protocol },
	{ "ipv4-zero-length",		IPV4, 1, false, v4_zero_length },
	{ "ipv4-mutated",		IPV4, 4, false, v4_mutated },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* --- learning the mappings from what reaches the server side --- */

static void learn(struct fuzz *f, struct rng *r)
{
	uint8_t buf[256];
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	unsigned int n, i;

	for (n = 0; n < 256; n++) {
		ssize_t len = recvfrom(f->v4fd, buf, sizeof(buf), MSG_DONTWAIT,
				       (struct sockaddr *)&from, &fl);
		struct mapping m;
		size_t hl;

		if (len < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING || len < 28 || buf[0] >> 4 != 4)
			continue;
		hl = (buf[0] & 0xf) * 4;
		m.proto = buf[9];
		m.outer = get32(buf + 12);
		m.peer = get32(buf + 16);
		if (m.outer - f->pool >= f->poolsize || (size_t)len < hl + 8 ||
		    (get16(buf + 6) & 0x1fff))
			continue;
		if (m.proto == PROTO_ICMP) {
			if (buf[hl] != 8)
				continue;
			m.oport = get16(buf + hl + 4);
			m.pport = 0;
		} else if (m.proto == PROTO_TCP || m.proto == PROTO_UDP) {
			m.oport = get16(buf + hl);
			m.pport = get16(buf + hl + 2);
		} else {
			continue;
		}
		for (i = 0; i < f->nmap; i++)
			if (f->map[i].proto == m.proto && f->map[i].outer == m.outer &&
			    f->map[i].oport == m.oport)
				break;
		if (i < f->nmap)
			f->map[i] = m;
		else if (f->nmap < MAX_MAPPINGS)
			f->map[f->nmap++] = m;
		else	/* drawn from the learning stream: no other draw moves */
			f->map[rng_below(r, MAX_MAPPINGS)] = m;
	}
}

/* --- setup --- */

/*
 * A packet socket on @ifname in @ns sending @proto frames to @mac; it
 * receives that link's @proto frames when @receive, else nothing.
 */
static int packet_socket(const char *ns, const char *ifname, const char *mac, uint16_t proto,
			 bool receive, struct sockaddr_ll *to)
{
	unsigned int b[6];
	int fd, i;

	if (netns_enter(ns)) {
		fprintf(stderr, "pkt_fuzz: namespace %s: %m\n", ns);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, receive ? htons(proto) : 0);
	if (fd < 0) {
		perror("pkt_fuzz: packet socket");
		return -1;
	}
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_protocol = htons(proto);
	to->sll_ifindex = if_nametoindex(ifname);
	to->sll_halen = 6;
	if (!to->sll_ifindex ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
		fprintf(stderr, "pkt_fuzz: bad interface %s or MAC %s\n", ifname, mac);
		return -1;
	}
	for (i = 0; i < 6; i++)
		to->sll_addr[i] = b[i];
	to->sll_protocol = receive ? htons(proto) : 0;
	if (bind(fd, (struct sockaddr *)to, sizeof(*to))) {
		perror("pkt_fuzz: bind");
		return -1;
	}
	to->sll_protocol = htons(proto);
	return fd;
}

/* Whether @name is in the comma-separated @list. */
static bool kind_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static void usage(void)
{
	fputs("usage: pkt_fuzz [-s SEED] [-n PACKETS] [-t SECONDS] [--no-fragments]\n"
	      "  [--kinds KIND,...] [-v]\n"
	      "  --aftr ADDR6 --b4-ns NS --b4-if IF --b4-mac MAC --b4-base ADDR6\n"
	      "  [--b4-count N (64, at most 65536)] --denied ADDR6\n"
	      "  --v4-ns NS --v4-if IF --v4-mac MAC --pool ADDR4/LEN --server ADDR4...\n"
	      "Sends PACKETS frames (default 100000) drawn from SEED (default 1), or\n"
	      "as many as fit in SECONDS; prints the frames sent by kind.\n"
	      "--no-fragments leaves out the kinds that send fragments; --kinds\n"
	      "KIND,... sends those only (the names it prints).\n", stderr);
	exit(2);
}

enum { O_AFTR = 256, O_B4NS, O_B4IF, O_B4MAC, O_B4BASE, O_B4COUNT, O_DENIED, O_V4NS, O_V4IF,
       O_V4MAC, O_POOL, O_SERVER, O_NOFRAG, O_KINDS };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "aftr", 1, NULL, O_AFTR }, { "b4-ns", 1, NULL, O_B4NS },
		{ "b4-if", 1, NULL, O_B4IF }, { "b4-mac", 1, NULL, O_B4MAC },
		{ "b4-base", 1, NULL, O_B4BASE }, { "b4-count", 1, NULL, O_B4COUNT },
		{ "denied", 1, NULL, O_DENIED }, { "v4-ns", 1, NULL, O_V4NS },
		{ "v4-if", 1, NULL, O_V4IF }, { "v4-mac", 1, NULL, O_V4MAC },
		{ "pool", 1, NULL, O_POOL }, { "server", 1, NULL, O_SERVER },
		{ "no-fragments", 0, NULL, O_NOFRAG }, { "kinds", 1, NULL, O_KINDS },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *b4ns = NULL, *b4if = NULL, *b4mac = NULL, *v4ns = NULL, *v4if = NULL,
		   *v4mac = NULL;
	static struct fuzz fz = { .limit = 100000, .b4count = 64 };
	struct fuzz *f = &fz;
	unsigned long long seed = 1;
	unsigned int weights[NKINDS], i;
	struct tally t[NKINDS];
	double seconds = 0, start, took;
	struct rng learning;
	struct in_addr a4;
	char *slash;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:t:v", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': f->limit = strtoul(optarg, NULL, 0); break;
		case 't': seconds = atof(optarg); break;
		case 'v': f->verbose = true; break;
		case O_AFTR: if (inet_pton(AF_INET6, optarg, &f->aftr) != 1) usage(); break;
		case O_B4NS: b4ns = optarg; break;
		case O_B4IF: b4if = optarg; break;
		case O_B4MAC: b4mac = optarg; break;
		case O_B4BASE: if (inet_pton(AF_INET6, optarg, &f->b4base) != 1) usage(); break;
		case O_B4COUNT: f->b4count = strtoul(optarg, NULL, 0); break;
		case O_DENIED: if (inet_pton(AF_INET6, optarg, &f->denied) != 1) usage(); break;
		case O_V4NS: v4ns = optarg; break;
		case O_V4IF: v4if = optarg; break;
		case O_V4MAC: v4mac = optarg; break;
		case O_POOL:
			slash = strchr(optarg, '/');
			if (!slash || (*slash = 0, inet_pton(AF_INET, optarg, &a4) != 1))
				usage();
			f->pool = ntohl(a4.s_addr);
			f->poolsize = 1u << (32 - atoi(slash + 1));
			break;
		case O_SERVER:
			if (f->nservers == MAX_SERVERS || inet_pton(AF_INET, optarg, &a4) != 1)
				usage();
			f->servers[f->nservers++] = ntohl(a4.s_addr);
			break;
		case O_NOFRAG: f->no_fragments = true; break;
		case O_KINDS: only = optarg; break;
		default: usage();
		}
	}
	if (!b4ns || !b4if || !b4mac || !v4ns || !v4if || !v4mac || !f->poolsize ||
	    !f->nservers || !f->b4count)
		usage();
	f->swfd = packet_socket(b4ns, b4if, b4mac, ETH_P_IPV6, false, &f->swto);
	f->v4fd = packet_socket(v4ns, v4if, v4mac, ETH_P_IP, true, &f->v4to);
	if (f->swfd < 0 || f->v4fd < 0)
		return 1;

	rng_seed(&f->pick, seed, 0);
	rng_seed(&f->sw, seed, 1);
	rng_seed(&f->v4, seed, 2);
	rng_seed(&learning, seed, 3);
	f->ipid = seed;
	for (i = 0; i < NKINDS; i++) {
		weights[i] = f->no_fragments && kinds[i].fragments ? 0 : kinds[i].weight;
		if (only && !kind_listed(only, kinds[i].name))
			weights[i] = 0;
	}

	for (i = 0, c = 0; i < NKINDS; i++)
		c += weights[i];
	if (!c)
		usage();
	printf("pkt_fuzz: seed %llu, %lu packets%s%s\n", seed, f->limit,
	       seconds ? " at most" : "", f->no_fragments ? ", no fragments" : "");
	fflush(stdout);
	start = now_seconds();
	while (f->sent < f->limit) {
		unsigned long before = f->sent;

		f->kind = rng_weighted(&f->pick, weights, NKINDS);
		kinds[f->kind].gen(f, kinds[f->kind].side == SOFTWIRE ? &f->sw : &f->v4);
		if (before / 256 != f->sent / 256) {
			learn(f, &learning);
			if (seconds && now_seconds() - start > seconds)
				break;
		}
		if (before / 100000 != f->sent / 100000) {
			printf("pkt_fuzz: %lu sent\n", f->sent);
			fflush(stdout);
		}
	}
	took = now_seconds() - start;

	for (i = 0; i < NKINDS; i++)
		t[i] = (struct tally){ kinds[i].name, kind_frames[i] };
	tally_print("packets by kind:", t, NKINDS);
	printf("sent %lu softwire %lu ipv4 %lu send-errors %lu inner-fragments %lu "
	       "outer-fragments %lu mappings %u seconds %.1f rate %.0f\n",
	       f->sent, f->side_sent[SOFTWIRE], f->side_sent[IPV4], f->send_errors,
	       f->inner_frags, f->outer_frags, f->nmap, took, took > 0 ? f->sent / took : 0);
	return 0;
}
