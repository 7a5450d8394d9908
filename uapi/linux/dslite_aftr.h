/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dslite_aftr: a DS-Lite Address Family Transition Router (RFC 6333).
 *
 * This header is the whole contract between the kernel module and userspace.
 * Every constant of the API lives here; nothing else defines one.
 *
 * Instances
 * ---------
 * An AFTR instance is a network device of kind "dslite":
 *
 *	ip link add aftr0 type dslite
 *
 * It lives in one network namespace and dies with it. IPv4 packets the NAT
 * has translated are received on it; IPv4 packets routed to it (a route for
 * the pool: "ip route add 198.51.100.0/28 dev aftr0") are translated back and
 * sent into the softwire of their B4.
 *
 * Generic netlink
 * ---------------
 * Family DSLITE_AFTR_GENL_NAME, version DSLITE_AFTR_GENL_VERSION. Every
 * command needs CAP_NET_ADMIN in the initial user namespace (as does
 * creating an instance: an AFTR is the host's, not a container's), acts on
 * the instances of the request's network namespace, and names its
 * instance by DSLITE_AFTR_A_IFINDEX or DSLITE_AFTR_A_IFNAME (ifindex wins
 * when both are given), except dumps of DEV_GET, which list every instance.
 * Refusals carry an extack message that says what is wrong; a refused request
 * changes nothing.
 *
 * Addresses are in network byte order (IPv6 as 16 bytes, IPv4 as 4 bytes);
 * ports, lengths, counts and times are in host byte order. Times are seconds
 * unless the attribute name says otherwise.
 *
 * Subscribers (RFC 7785)
 * ----------------------
 * A subscriber is an IPv6 prefix, not a B4 address: the B4 address with
 * all but its first SUBSCRIBER_LEN bits cleared (default /64), or, inside a
 * det rule, its first B4_LEN bits. Its B4s share one external address, its
 * port blocks, its limits (MAX_BLOCKS, MAX_BINDINGS, MAX_NEW_RATE) and its
 * bindings; replies go to the address it last sent from, so a B4 that
 * changes its address inside the prefix keeps every binding, and a B4 that
 * rotates its source address gains nothing. B4_ADDR in B4_GET, BINDING_GET,
 * STATIC_GET and events is that last address, B4_PREFIX the subscriber's
 * prefix; the B4_ADDR filters of BINDING_GET and BINDING_FLUSH select the
 * subscriber the address belongs to. A subscriber takes a port block only
 * when its first binding is admitted. New subscribers are refused (counted
 * as DROP_SUBSCRIBERS, answered with ICMP 3/13) beyond MAX_SUBSCRIBERS per
 * instance or MAX_NEW_SUBSCRIBERS a second.
 *
 * DSLITE_AFTR_CMD_DEV_GET (do, dump)
 *	Reply: IFINDEX, IFNAME, ENDPOINTS, ALLOWED (only when there are at most
 *	DSLITE_AFTR_MAX_ALLOWED_INLINE allowed prefixes, so that the reply
 *	always fits one message), ALLOWED_COUNT, the TIMEOUT_* attributes,
 *	HOLDDOWN, BLOCK_SIZE, MAX_BLOCKS, MAX_BINDINGS, MAX_NEW_RATE,
 *	SUBSCRIBER_LEN, MAX_SUBSCRIBERS, MAX_NEW_SUBSCRIBERS, and the counts
 *	B4_COUNT (subscribers), BINDING_COUNT, POOL_COUNT.
 *
 * DSLITE_AFTR_CMD_DEV_SET (do)
 *	Any of: ENDPOINTS (replaces the whole set; an empty nest clears it),
 *	TIMEOUT_*, HOLDDOWN, BLOCK_SIZE, MAX_BLOCKS, MAX_BINDINGS, MAX_NEW_RATE,
 *	SUBSCRIBER_LEN (DSLITE_AFTR_MIN_SUBSCRIBER_LEN to 128), MAX_SUBSCRIBERS,
 *	MAX_NEW_SUBSCRIBERS. BLOCK_SIZE can change only while no B4 holds a
 *	port block, SUBSCRIBER_LEN only while there is no subscriber.
 *
 * DSLITE_AFTR_CMD_B4_ALLOW, DSLITE_AFTR_CMD_B4_DENY (do)
 *	PREFIX with PREFIX_A_ADDR6 and PREFIX_A_LEN: add or remove a prefix from
 *	which softwires are accepted. With none, no softwire is accepted. Deny
 *	ends the bindings of the B4s the prefix covered.
 *
 * DSLITE_AFTR_CMD_ALLOWED_GET (dump)
 *	One message per allowed prefix, in the order they were allowed: PREFIX.
 *
 * DSLITE_AFTR_CMD_B4_GET (dump)
 *	One message per active subscriber: B4_PREFIX, B4_ADDR, ENDPOINT,
 *	OUTER_ADDR, BLOCK_COUNT, BINDING_COUNT.
 *
 * DSLITE_AFTR_CMD_POOL_ADD, DSLITE_AFTR_CMD_POOL_DEL (do)
 *	PREFIX with PREFIX_A_ADDR4 and PREFIX_A_LEN; on add, PORT_MIN and
 *	PORT_MAX (default 1024-65535). Pools of one instance never overlap.
 *	Deleting a pool ends the bindings that use its addresses.
 *
 * DSLITE_AFTR_CMD_POOL_GET (dump)
 *	One message per pool: PREFIX, PORT_MIN, PORT_MAX, B4_COUNT, BLOCK_COUNT
 *	(blocks in use), BLOCK_TOTAL.
 *
 * DSLITE_AFTR_CMD_BINDING_GET (dump)
 *	Optional filters in the request: B4_ADDR, PROTO. One message per binding:
 *	B4_ADDR, PROTO, INNER_ADDR, INNER_PORT, OUTER_ADDR, OUTER_PORT, STATE,
 *	EXPIRES_MS. Dumps resume from where the previous message left off and
 *	are flagged NLM_F_DUMP_INTR when the table changed under them.
 *
 * DSLITE_AFTR_CMD_BINDING_FLUSH (do)
 *	Optional filters B4_ADDR, PROTO. Ends the matching bindings.
 *
 * DSLITE_AFTR_CMD_STATS_GET (do)
 *	Reply: IFINDEX, IFNAME, STATS (a nest of u64 counters, one attribute per
 *	enum dslite_aftr_stat, attribute type = counter + 1; padding inside the
 *	nest, where the kernel adds it, has type 0).
 *
 * DEV_SET also takes EVENTS_BINDINGS (u8, 0 or 1; default 0), and DEV_GET
 * reports it: whether binding created/expired events are sent.
 *
 * Deterministic mode (RFC 7422, CGN-5)
 * ------------------------------------
 * A det rule maps every B4 prefix of length B4_LEN inside B4_PREFIX (ADDR6,
 * LEN = plen) to one address of PREFIX (ADDR4, LEN) and one contiguous port
 * range inside PORT_MIN..PORT_MAX, by arithmetic alone:
 *
 *	nb4   = 2^(B4_LEN - plen)		B4 prefixes in the rule
 *	naddr = 2^(32 - PREFIX.LEN)		pool addresses
 *	share = ceil(nb4 / naddr)		B4s per address (B4_PER_ADDR)
 *	ppb   = floor((PORT_MAX - PORT_MIN + 1) / share)	(PORTS_PER_B4)
 *	i     = bits plen .. B4_LEN-1 of the B4's address, as an integer
 *	address = PREFIX + i / share
 *	ports   = PORT_MIN + (i % share) * ppb .. that + ppb - 1
 *
 * A rule is refused when ppb < DSLITE_AFTR_DET_MIN_PORTS (the message says
 * how many ports are missing), when B4_LEN - plen > DSLITE_AFTR_DET_MAX_BITS,
 * when B4_LEN < plen or B4_LEN is 0, when its B4 prefix overlaps another
 * rule's, or when its pool overlaps another rule's pool or a dynamic pool
 * (POOL_ADD likewise refuses a pool overlapping a det pool). A B4 inside a
 * rule takes its bindings only from its range, on its address; DET_ADD ends
 * the B4s of its prefix that were paired dynamically before. The B4 prefix
 * is the subscriber: every B4 address inside it shares the range and its
 * bindings. Its B4s must also be allowed (B4_ALLOW). Route the det pool to
 * the device like a dynamic one.
 *
 * DSLITE_AFTR_CMD_DET_ADD (do)
 *	B4_PREFIX, B4_LEN, PREFIX (ADDR4, LEN); PORT_MIN and PORT_MAX (default
 *	1024-65535).
 * DSLITE_AFTR_CMD_DET_DEL (do)
 *	B4_PREFIX (as added). Ends the bindings of the rule's B4s.
 * DSLITE_AFTR_CMD_DET_GET (dump)
 *	One message per rule: B4_PREFIX, B4_LEN, PREFIX, PORT_MIN, PORT_MAX,
 *	B4_PER_ADDR, PORTS_PER_B4, B4_COUNT (B4s active now).
 * DSLITE_AFTR_CMD_DET_LOOKUP (do)
 *	Either B4_ADDR, or OUTER_ADDR and OUTER_PORT. Reply: B4_PREFIX (the
 *	B4's own prefix, LEN = B4_LEN), OUTER_ADDR, PORT_MIN, PORT_MAX (its
 *	range). -ENOENT when no rule covers the request.
 *
 * Static mappings (CGN-7)
 * -----------------------
 * DSLITE_AFTR_CMD_STATIC_ADD (do)
 *	B4_ADDR, PROTO (TCP or UDP), INNER_ADDR, INNER_PORT, OUTER_ADDR,
 *	OUTER_PORT. OUTER_ADDR must be in a dynamic pool and OUTER_PORT within
 *	its port blocks; the port must be free, and its block free or the B4's
 *	own (the B4 takes it, within MAX_BLOCKS). B4_ADDR must be allowed and
 *	outside every det rule, and the instance needs an endpoint (the first
 *	one reaches a B4 that has not sent yet). A static mapping pins its B4
 *	to OUTER_ADDR: a B4 already paired with another address is refused.
 *	The binding never expires, BINDING_FLUSH leaves it, BINDING_GET lists
 *	it; it accepts inbound traffic with no outbound packet first, and its
 *	port is never handed out dynamically. It ends with STATIC_DEL, or with
 *	its B4 (B4_DENY, POOL_DEL).
 * DSLITE_AFTR_CMD_STATIC_DEL (do)
 *	PROTO, OUTER_ADDR, OUTER_PORT.
 * DSLITE_AFTR_CMD_STATIC_GET (dump)
 *	One message per mapping, with the six attributes of STATIC_ADD.
 *
 * Events (CGN-6)
 * --------------
 * Multicast group DSLITE_AFTR_MCGRP_EVENTS; join it with CAP_NET_ADMIN. Each
 * message is a DSLITE_AFTR_CMD_EVENT with IFINDEX, EVENT (enum
 * dslite_aftr_event), TIMESTAMP_NS (u64, CLOCK_REALTIME) and B4_ADDR, and:
 *	BLOCK_ALLOC, BLOCK_FREE: OUTER_ADDR, PORT_MIN, PORT_MAX (none for
 *		the ranges of det rules, which follow from the rule)
 *	BINDING_CREATE, BINDING_EXPIRE: PROTO, INNER_ADDR, INNER_PORT,
 *		OUTER_ADDR, OUTER_PORT (only when EVENTS_BINDINGS is on)
 *	QUOTA, POOL_EXHAUSTED: PROTO, INNER_ADDR, INNER_PORT, and OUTER_ADDR
 *		when the B4 has one; QUOTA at most once a second per B4
 * The destination of a connection is never sent. Events are sent with
 * GFP_ATOMIC and dropped, not queued, when the listener's socket is full: a
 * listener learns of the loss from ENOBUFS on its socket.
 *
 * Arrays (ENDPOINTS, ALLOWED) are nests whose members are numbered from 1;
 * the kernel ignores the numbers on input. Nests carry NLA_F_NESTED.
 */
#ifndef _UAPI_LINUX_DSLITE_AFTR_H
#define _UAPI_LINUX_DSLITE_AFTR_H

#define DSLITE_AFTR_GENL_NAME		"dslite_aftr"
#define DSLITE_AFTR_GENL_VERSION	1
#define DSLITE_AFTR_MCGRP_EVENTS	"events"
#define DSLITE_AFTR_LINK_KIND		"dslite"

/* The AFTR's own IPv4 address toward the B4s (RFC 6333 section 5.7). */
#define DSLITE_AFTR_ADDR4		0xc0000001	/* 192.0.0.1 */

/* Defaults: RFC 4787 (UDP), 5382 (TCP), 5508 (ICMP), 6888 (hold-down). */
#define DSLITE_AFTR_DEF_TIMEOUT_UDP		300
#define DSLITE_AFTR_DEF_TIMEOUT_TCP_EST		7440
#define DSLITE_AFTR_DEF_TIMEOUT_TCP_TRANS	240
#define DSLITE_AFTR_DEF_TIMEOUT_ICMP		60
#define DSLITE_AFTR_DEF_HOLDDOWN		120
#define DSLITE_AFTR_DEF_BLOCK_SIZE		64
#define DSLITE_AFTR_DEF_MAX_BLOCKS		16
#define DSLITE_AFTR_DEF_MAX_BINDINGS		1024
#define DSLITE_AFTR_DEF_MAX_NEW_RATE		200
#define DSLITE_AFTR_DEF_PORT_MIN		1024
#define DSLITE_AFTR_DEF_PORT_MAX		65535
#define DSLITE_AFTR_DEF_SUBSCRIBER_LEN		64
#define DSLITE_AFTR_DEF_MAX_SUBSCRIBERS		0	/* no limit */
#define DSLITE_AFTR_DEF_MAX_NEW_SUBSCRIBERS	1000

/* Bounds the kernel enforces on DEV_SET. */
#define DSLITE_AFTR_MIN_BLOCK_SIZE		8
#define DSLITE_AFTR_MAX_BLOCK_SIZE		4096
#define DSLITE_AFTR_MAX_ENDPOINTS		8
#define DSLITE_AFTR_MAX_TIMEOUT			(7 * 24 * 3600)
/* Allowed prefixes DEV_GET lists itself; ALLOWED_GET lists any number. */
#define DSLITE_AFTR_MAX_ALLOWED_INLINE		64
/* Shortest subscriber prefix (RFC 7785): an ISP delegates no less. */
#define DSLITE_AFTR_MIN_SUBSCRIBER_LEN		32
/* Shortest pool prefix: 4096 addresses per pool. */
#define DSLITE_AFTR_MIN_POOL_PREFIX_LEN		20
/* Deterministic rules: fewest ports per B4, most B4 prefixes (2^bits). */
#define DSLITE_AFTR_DET_MIN_PORTS		8
#define DSLITE_AFTR_DET_MAX_BITS		24

enum dslite_aftr_cmd {
	DSLITE_AFTR_CMD_UNSPEC,
	DSLITE_AFTR_CMD_DEV_GET,
	DSLITE_AFTR_CMD_DEV_SET,
	DSLITE_AFTR_CMD_B4_ALLOW,
	DSLITE_AFTR_CMD_B4_DENY,
	DSLITE_AFTR_CMD_B4_GET,
	DSLITE_AFTR_CMD_POOL_ADD,
	DSLITE_AFTR_CMD_POOL_DEL,
	DSLITE_AFTR_CMD_POOL_GET,
	DSLITE_AFTR_CMD_BINDING_GET,
	DSLITE_AFTR_CMD_BINDING_FLUSH,
	DSLITE_AFTR_CMD_STATS_GET,
	DSLITE_AFTR_CMD_DET_ADD,
	DSLITE_AFTR_CMD_DET_DEL,
	DSLITE_AFTR_CMD_DET_GET,
	DSLITE_AFTR_CMD_DET_LOOKUP,
	DSLITE_AFTR_CMD_STATIC_ADD,
	DSLITE_AFTR_CMD_STATIC_DEL,
	DSLITE_AFTR_CMD_STATIC_GET,
	DSLITE_AFTR_CMD_EVENT,		/* notifications only */
	DSLITE_AFTR_CMD_ALLOWED_GET,

	__DSLITE_AFTR_CMD_MAX
};
#define DSLITE_AFTR_CMD_MAX (__DSLITE_AFTR_CMD_MAX - 1)

enum dslite_aftr_attr {
	DSLITE_AFTR_A_UNSPEC,
	DSLITE_AFTR_A_PAD,
	DSLITE_AFTR_A_IFINDEX,		/* u32 */
	DSLITE_AFTR_A_IFNAME,		/* string, < IFNAMSIZ */
	DSLITE_AFTR_A_ENDPOINTS,	/* nest: array of binary in6_addr */
	DSLITE_AFTR_A_ALLOWED,		/* nest: array of nests, enum dslite_aftr_prefix_attr */
	DSLITE_AFTR_A_PREFIX,		/* nest, enum dslite_aftr_prefix_attr */
	DSLITE_AFTR_A_TIMEOUT_UDP,	/* u32 */
	DSLITE_AFTR_A_TIMEOUT_TCP_EST,	/* u32 */
	DSLITE_AFTR_A_TIMEOUT_TCP_TRANS, /* u32 */
	DSLITE_AFTR_A_TIMEOUT_ICMP,	/* u32 */
	DSLITE_AFTR_A_HOLDDOWN,		/* u32: seconds a freed port waits */
	DSLITE_AFTR_A_BLOCK_SIZE,	/* u32: ports per block */
	DSLITE_AFTR_A_MAX_BLOCKS,	/* u32: port blocks per B4 */
	DSLITE_AFTR_A_MAX_BINDINGS,	/* u32: bindings per B4 */
	DSLITE_AFTR_A_MAX_NEW_RATE,	/* u32: new bindings per second per B4 */
	DSLITE_AFTR_A_PORT_MIN,		/* u16 */
	DSLITE_AFTR_A_PORT_MAX,		/* u16 */
	DSLITE_AFTR_A_B4_ADDR,		/* binary in6_addr */
	DSLITE_AFTR_A_ENDPOINT,		/* binary in6_addr: endpoint a B4 uses */
	DSLITE_AFTR_A_PROTO,		/* u8: IPPROTO_TCP, _UDP or _ICMP */
	DSLITE_AFTR_A_INNER_ADDR,	/* be32 */
	DSLITE_AFTR_A_INNER_PORT,	/* u16: port, or ICMP query identifier */
	DSLITE_AFTR_A_OUTER_ADDR,	/* be32 */
	DSLITE_AFTR_A_OUTER_PORT,	/* u16 */
	DSLITE_AFTR_A_STATE,		/* u8: enum dslite_aftr_state */
	DSLITE_AFTR_A_EXPIRES_MS,	/* u32 */
	DSLITE_AFTR_A_B4_COUNT,		/* u32 */
	DSLITE_AFTR_A_BINDING_COUNT,	/* u32 */
	DSLITE_AFTR_A_POOL_COUNT,	/* u32 */
	DSLITE_AFTR_A_BLOCK_COUNT,	/* u32 */
	DSLITE_AFTR_A_BLOCK_TOTAL,	/* u32 */
	DSLITE_AFTR_A_STATS,		/* nest: u64 per enum dslite_aftr_stat */
	DSLITE_AFTR_A_EVENTS_BINDINGS,	/* u8: 1 = send binding events */
	DSLITE_AFTR_A_B4_PREFIX,	/* nest, enum dslite_aftr_prefix_attr (ADDR6) */
	DSLITE_AFTR_A_B4_LEN,		/* u8: length of each B4's prefix, 1-128 */
	DSLITE_AFTR_A_B4_PER_ADDR,	/* u32: B4s sharing one address */
	DSLITE_AFTR_A_PORTS_PER_B4,	/* u32 */
	DSLITE_AFTR_A_EVENT,		/* u8: enum dslite_aftr_event */
	DSLITE_AFTR_A_TIMESTAMP_NS,	/* u64: CLOCK_REALTIME */
	DSLITE_AFTR_A_SUBSCRIBER_LEN,	/* u8: length of a subscriber's prefix */
	DSLITE_AFTR_A_MAX_SUBSCRIBERS,	/* u32: subscribers per instance, 0: any */
	DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS, /* u32: new subscribers a second, 0: any */
	DSLITE_AFTR_A_ALLOWED_COUNT,	/* u32 */

	__DSLITE_AFTR_A_MAX
};
#define DSLITE_AFTR_A_MAX (__DSLITE_AFTR_A_MAX - 1)

enum dslite_aftr_prefix_attr {
	DSLITE_AFTR_PREFIX_A_UNSPEC,
	DSLITE_AFTR_PREFIX_A_ADDR6,	/* binary in6_addr */
	DSLITE_AFTR_PREFIX_A_ADDR4,	/* be32 */
	DSLITE_AFTR_PREFIX_A_LEN,	/* u8 */

	__DSLITE_AFTR_PREFIX_A_MAX
};
#define DSLITE_AFTR_PREFIX_A_MAX (__DSLITE_AFTR_PREFIX_A_MAX - 1)

/* Where a binding is in its life; the timeout that applies follows from it. */
enum dslite_aftr_state {
	DSLITE_AFTR_STATE_OPEN,		/* UDP, ICMP query */
	DSLITE_AFTR_STATE_TCP_SYN_OUT,	/* SYN from the B4 side seen */
	DSLITE_AFTR_STATE_TCP_SYN_IN,	/* SYN from outside seen (simultaneous open) */
	DSLITE_AFTR_STATE_TCP_EST,	/* SYN seen both ways */
	DSLITE_AFTR_STATE_TCP_FIN_OUT,	/* FIN from the B4 side seen */
	DSLITE_AFTR_STATE_TCP_FIN_IN,	/* FIN from outside seen */
	DSLITE_AFTR_STATE_TCP_CLOSED,	/* FIN both ways, or RST: transitory */

	__DSLITE_AFTR_STATE_MAX
};
#define DSLITE_AFTR_STATE_MAX (__DSLITE_AFTR_STATE_MAX - 1)

/* Counters of an instance, by direction: from the B4s, or toward them. */
enum dslite_aftr_stat {
	DSLITE_AFTR_STAT_FROM_B4_PACKETS,	/* softwire packets claimed */
	DSLITE_AFTR_STAT_FROM_B4_TRANSLATED,	/* delivered to IPv4 after NAT */
	DSLITE_AFTR_STAT_TO_B4_PACKETS,		/* IPv4 packets routed to the device */
	DSLITE_AFTR_STAT_TO_B4_TRANSLATED,	/* sent into a softwire */
	DSLITE_AFTR_STAT_HAIRPIN,		/* B4 to B4 through the pool */
	DSLITE_AFTR_STAT_BINDINGS_CREATED,
	DSLITE_AFTR_STAT_BINDINGS_EXPIRED,
	DSLITE_AFTR_STAT_B4S_CREATED,
	DSLITE_AFTR_STAT_BLOCKS_ALLOCATED,
	DSLITE_AFTR_STAT_ICMP_SENT,		/* ICMP errors the AFTR originated */
	DSLITE_AFTR_STAT_ICMP_RATELIMITED,	/* ... and suppressed by the limit */
	DSLITE_AFTR_STAT_DROP_B4_DENIED,	/* B4 outside the allowed prefixes */
	DSLITE_AFTR_STAT_DROP_BAD_INNER,	/* malformed inner IPv4/L4, bad ICMP sum */
	DSLITE_AFTR_STAT_DROP_BAD_SRC,		/* inner source can't be a subscriber's */
	DSLITE_AFTR_STAT_DROP_UNSUPP_PROTO,	/* not TCP, UDP or ICMP */
	DSLITE_AFTR_STAT_DROP_NO_BINDING,	/* inbound with no mapping */
	DSLITE_AFTR_STAT_DROP_QUOTA,		/* per-B4 binding or port-block limit */
	DSLITE_AFTR_STAT_DROP_RATE,		/* per-B4 new-binding rate limit */
	DSLITE_AFTR_STAT_DROP_POOL_EXHAUSTED,	/* no free port block, or no pool */
	DSLITE_AFTR_STAT_DROP_ECN,		/* CE outer over a Not-ECT inner */
	DSLITE_AFTR_STAT_DROP_NO_ROUTE,		/* no IPv6 route to the B4 */
	DSLITE_AFTR_STAT_DROP_NOMEM,
	DSLITE_AFTR_STAT_DROP_ICMP_ERROR,	/* ICMP error with no mapping inside */
	DSLITE_AFTR_STAT_DROP_SUBSCRIBERS,	/* subscriber limit or creation rate */
	DSLITE_AFTR_STAT_DROP_POLICY,		/* refused by the IPsec (xfrm) policy */
	DSLITE_AFTR_STAT_DROP_BAD_DST,		/* inner destination no subscriber may reach */

	__DSLITE_AFTR_STAT_MAX
};
#define DSLITE_AFTR_STAT_MAX (__DSLITE_AFTR_STAT_MAX - 1)

/* What a DSLITE_AFTR_CMD_EVENT reports. */
enum dslite_aftr_event {
	DSLITE_AFTR_EVENT_BLOCK_ALLOC,		/* a B4 took a port block */
	DSLITE_AFTR_EVENT_BLOCK_FREE,		/* ... and gave it back */
	DSLITE_AFTR_EVENT_BINDING_CREATE,
	DSLITE_AFTR_EVENT_BINDING_EXPIRE,	/* ended, for any reason */
	DSLITE_AFTR_EVENT_QUOTA,		/* per-B4 binding or block limit hit */
	DSLITE_AFTR_EVENT_POOL_EXHAUSTED,	/* no free block for the B4 */

	__DSLITE_AFTR_EVENT_MAX
};
#define DSLITE_AFTR_EVENT_MAX (__DSLITE_AFTR_EVENT_MAX - 1)

#endif /* _UAPI_LINUX_DSLITE_AFTR_H */
