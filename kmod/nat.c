// SPDX-License-Identifier: GPL-2.0
/*
 * NAT44 per B4. From a B4, the source (inner address, port or ICMP echo id)
 * becomes the binding's external one; toward a B4, the destination goes back.
 * Checksums are updated incrementally; ICMP errors have the packet they quote
 * translated too (NAT-9). Fragments are reassembled first (NAT-12), so every
 * packet the NAT sees carries its L4 header.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "b4.h"
#include "binding.h"
#include "exempt.h"
#include "filter.h"
#include "icmp.h"
#include "nat.h"
#include "pool.h"

/*
 * Reassembly queues are keyed by addresses, IP id, protocol and "user". A
 * user per subscriber keeps two subscribers with the same private addresses
 * from mixing their fragments. We take them from the range the kernel gives
 * bridge conntrack because, for that range, a timed-out queue sends no ICMP
 * through the IPv4 routing table, which could leak an error toward a
 * private address onto the uplink.
 *
 * The range has 16 bits; ip_defrag() has no room for a 128-bit identity. So
 * the user is a keyed hash of the subscriber's prefix, with a key nobody
 * outside knows: a subscriber has one user, cannot vary it by changing its
 * address (the prefix stays), nor compute which address would give a
 * victim's. An unkeyed fold of the B4 address let one pick an address of
 * its own /64 with a victim's fold, and complete the victim's datagrams
 * with its fragments (issue 8, item 6).
 */
#define DEFRAG_USER(hash)	(IP_DEFRAG_CONNTRACK_BRIDGE_IN + ((hash) & 0xffff))

static siphash_key_t defrag_key __read_mostly;

static u32 defrag_user(const struct in6_addr *sub)
{
	net_get_random_once(&defrag_key, sizeof(defrag_key));
	return DEFRAG_USER(siphash(sub, sizeof(*sub), &defrag_key));
}

static int nat_defrag(struct aftr_dev *ad, struct sk_buff *skb, u32 user)
{
	int err;

	if (!ip_is_fragment(ip_hdr(skb)))
		return 0;
	err = ip_defrag(ad->net, skb, user);
	if (err && err != -EINPROGRESS)
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_BAD_INNER);
	return err;
}

/* The part of the L4 header we read and rewrite; 0 if we don't translate it. */
static unsigned int l4_len(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	case IPPROTO_ICMP:
		return sizeof(struct icmphdr);
	}
	return 0;
}

/* Where the port we key on sits: TCP and UDP ports, or the echo id. */
static unsigned int l4_port_offset(u8 proto, bool src)
{
	if (proto == IPPROTO_ICMP)
		return offsetof(struct icmphdr, un.echo.id);
	return src ? offsetof(struct udphdr, source) : offsetof(struct udphdr, dest);
}

static unsigned int l4_check_offset(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return offsetof(struct tcphdr, check);
	case IPPROTO_UDP:
		return offsetof(struct udphdr, check);
	}
	return offsetof(struct icmphdr, checksum);
}

/*
 * An echo request or reply: its id keys a binding as a port does (RFC 5508
 * REQ-1), the same in both messages. A request from a B4 makes the binding;
 * a request toward one goes through a live binding of its destination
 * address and id, as any packet toward a pool port does (NAT-2), and the
 * host's reply goes back through it. That is how a request hairpinned from
 * another B4 reaches a host whose binding holds the id the sender's binding
 * gave it (NAT-8): with NAPT the id is the querier's, so that is the only
 * way such a request names a host (RFC 5508 REQ-7 asks query hairpinning
 * of Basic NAT only).
 */
static bool icmp_echo(u8 type)
{
	return type == ICMP_ECHO || type == ICMP_ECHOREPLY;
}

/* Makes the L4 header linear and the transport header; counts when not. */
static bool l4_pull(struct aftr_dev *ad, struct sk_buff *skb)
{
	unsigned int thoff = skb_network_offset(skb) + ip_hdrlen(skb);
	unsigned int len = l4_len(ip_hdr(skb)->protocol);

	if (!len) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_UNSUPP_PROTO);
		return false;
	}
	if (!pskb_may_pull(skb, thoff + len)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_BAD_INNER);
		return false;
	}
	skb_set_transport_header(skb, thoff);
	return true;
}

static __be16 *l4_port(struct sk_buff *skb, bool src)
{
	return (__be16 *)(skb_transport_header(skb) +
			  l4_port_offset(ip_hdr(skb)->protocol, src));
}

static bool nat_writable(struct aftr_dev *ad, struct sk_buff *skb, unsigned int len)
{
	if (!skb_ensure_writable(skb, len))
		return true;
	aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
	return false;
}

/*
 * Rewrites the source (@src) or destination address and port of @skb, whose
 * headers are writable. Incremental updates stay right for CHECKSUM_PARTIAL,
 * where the L4 field holds the pseudo-header sum; a UDP checksum of 0 means
 * "none" and stays so, and one that comes out 0 is sent as 0xffff.
 */
static void nat_rewrite(struct sk_buff *skb, bool src, __be32 addr, __be16 port)
{
	struct iphdr *iph = ip_hdr(skb);
	u8 proto = iph->protocol;
	__be32 *a = src ? &iph->saddr : &iph->daddr;
	__be16 *p = l4_port(skb, src);
	__sum16 *check = (__sum16 *)(skb_transport_header(skb) + l4_check_offset(proto));

	if (proto == IPPROTO_ICMP) {
		inet_proto_csum_replace2(check, skb, *p, port, false);
	} else if (proto == IPPROTO_TCP || *check || skb->ip_summed == CHECKSUM_PARTIAL) {
		inet_proto_csum_replace4(check, skb, *a, addr, true);
		inet_proto_csum_replace2(check, skb, *p, port, false);
		if (proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	csum_replace4(&iph->check, *a, addr);
	*a = addr;
	*p = port;
}

static u8 tcp_syn_next(u8 s, bool out)
{
	switch (s) {
	case DSLITE_AFTR_STATE_OPEN:
	case DSLITE_AFTR_STATE_TCP_CLOSED:
		return out ? DSLITE_AFTR_STATE_TCP_SYN_OUT : DSLITE_AFTR_STATE_TCP_SYN_IN;
	case DSLITE_AFTR_STATE_TCP_SYN_OUT:
		return out ? s : DSLITE_AFTR_STATE_TCP_EST;
	case DSLITE_AFTR_STATE_TCP_SYN_IN:
		return out ? DSLITE_AFTR_STATE_TCP_EST : s;
	}
	return s;
}

static u8 tcp_fin_next(u8 s, bool out)
{
	switch (s) {
	case DSLITE_AFTR_STATE_TCP_EST:
		return out ? DSLITE_AFTR_STATE_TCP_FIN_OUT : DSLITE_AFTR_STATE_TCP_FIN_IN;
	case DSLITE_AFTR_STATE_TCP_FIN_OUT:
		return out ? s : DSLITE_AFTR_STATE_TCP_CLOSED;
	case DSLITE_AFTR_STATE_TCP_FIN_IN:
		return out ? DSLITE_AFTR_STATE_TCP_CLOSED : s;
	}
	return s;
}

/*
 * Follows a TCP connection by its flags (RFC 5382, 7857): the state of a
 * binding or exempt flow picks its timeout. A binding first met with a plain segment from inside
 * (say, after a restart) is taken as established. The compare-and-swap
 * never revives a binding the expiry worker moved to hold-down meanwhile.
 *
 * Endpoint-independent filtering, the default, lets anyone on the Internet
 * reach a binding, and we keep no sequence numbers to tell a peer's segment from a
 * blind one: so only the B4 side can end a connection early. A RST from
 * outside changes nothing, and a FIN from outside keeps the established
 * timeout until the B4 side closes too (aftr_binding_timeout()).
 */
static void tcp_track(u8 *state, const struct tcphdr *th, bool out)
{
	u8 s = READ_ONCE(*state);
	u8 n;

	if (s == AFTR_STATE_HOLDDOWN)
		return;
	if (th->rst && !out)
		return;
	if (th->rst)
		n = DSLITE_AFTR_STATE_TCP_CLOSED;
	else if (th->syn)
		n = tcp_syn_next(s, out);
	else if (th->fin)
		n = tcp_fin_next(s, out);
	else if (s == DSLITE_AFTR_STATE_OPEN && out)
		n = DSLITE_AFTR_STATE_TCP_EST;
	else
		return;
	if (n != s)
		cmpxchg(state, s, n);
}

/*
 * The IPv4 packet an ICMP error quotes at @eoff, if it is one the NAT can
 * key on (whole header, first fragment, a protocol it translates), made
 * linear up to the first 8 bytes of its L4 header; NULL if not.
 */
static const struct iphdr *icmp_quote(struct sk_buff *skb, unsigned int eoff)
{
	const struct iphdr *emb;

	if (!pskb_may_pull(skb, eoff + sizeof(*emb)))
		return NULL;
	emb = (const struct iphdr *)(skb->data + eoff);
	if (emb->version != 4 || emb->ihl < 5 || (emb->frag_off & htons(IP_OFFSET)) ||
	    !l4_len(emb->protocol) || !pskb_may_pull(skb, eoff + emb->ihl * 4 + 8))
		return NULL;
	return (const struct iphdr *)(skb->data + eoff);
}

/*
 * The binding of the packet an ICMP error quotes at @eoff, checked and made
 * linear. From a B4 (@sub, its subscriber prefix, set) the quoted packet
 * came in, so its destination is the inside endpoint; from outside it went
 * out, so its source is the external one.
 */
static struct aftr_binding *icmp_error_binding(struct aftr_dev *ad, struct sk_buff *skb,
					       const struct in6_addr *sub, unsigned int eoff)
{
	const struct iphdr *emb = icmp_quote(skb, eoff);
	struct aftr_key_out okey = {};
	unsigned int eloff;
	__be16 port;
	u8 proto;

	if (!emb)
		return NULL;
	eloff = eoff + emb->ihl * 4;
	proto = emb->protocol;
	/* Only echo has an id to key on, whichever side asked (icmp_echo()). */
	if (proto == IPPROTO_ICMP && !icmp_echo(skb->data[eloff]))
		return NULL;

	port = *(__be16 *)(skb->data + eloff + l4_port_offset(proto, !sub));
	if (sub) {
		struct aftr_key_in key = {
			.b4 = *sub, .addr = emb->daddr, .port = port, .proto = proto,
		};

		return aftr_binding_lookup_in(ad, &key);
	}
	okey.addr = emb->saddr;
	okey.port = port;
	okey.proto = proto;
	return aftr_binding_lookup_out(ad, &okey);
}

/*
 * Puts @addr and @port in the quoted packet at @eoff (its destination when
 * @from_b4, else its source) and @addr in the outer header on the same side,
 * then sums the ICMP message again. The quoted L4 checksum is updated only
 * where the quote holds it; @skb is writable.
 */
static void icmp_error_rewrite(struct sk_buff *skb, unsigned int eoff, bool from_b4,
			       __be32 addr, __be16 port)
{
	unsigned int thoff = skb_transport_offset(skb);
	struct iphdr *emb = (struct iphdr *)(skb->data + eoff);
	unsigned int eloff = eoff + emb->ihl * 4;
	u8 proto = emb->protocol;
	__be32 *a = from_b4 ? &emb->daddr : &emb->saddr;
	__be16 *p = (__be16 *)(skb->data + eloff + l4_port_offset(proto, !from_b4));
	__sum16 *check = (__sum16 *)(skb->data + eloff + l4_check_offset(proto));
	struct icmphdr *ih;

	if ((proto != IPPROTO_TCP || skb->len >= eloff + sizeof(struct tcphdr)) &&
	    (proto != IPPROTO_UDP || *check)) {
		if (proto != IPPROTO_ICMP)
			csum_replace4(check, *a, addr);
		csum_replace2(check, *p, port);
		if (proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	csum_replace4(&emb->check, *a, addr);
	*a = addr;
	*p = port;

	a = from_b4 ? &ip_hdr(skb)->saddr : &ip_hdr(skb)->daddr;
	csum_replace4(&ip_hdr(skb)->check, *a, addr);
	*a = addr;

	ih = (struct icmphdr *)(skb->data + thoff);
	ih->checksum = 0;
	ih->checksum = csum_fold(skb_checksum(skb, thoff, skb->len - thoff, 0));
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * icmp_error_rewrite() sums the message again from scratch, which would turn
 * a corrupted error into a valid one: check the sum it came with first (RFC
 * 5508 REQ-3). A local sender's CHECKSUM_PARTIAL message is not summed yet.
 */
static bool icmp_sum_valid(struct sk_buff *skb)
{
	unsigned int thoff = skb_transport_offset(skb);

	return skb->ip_summed == CHECKSUM_PARTIAL ||
	       !csum_fold(skb_checksum(skb, thoff, skb->len - thoff, 0));
}

/*
 * An ICMP error (NAT-9): translated with the binding of the packet it quotes.
 * Errors never refresh a binding (NAT-6). NULL when dropped and counted.
 */
static struct aftr_binding *nat_icmp_error(struct aftr_dev *ad, struct sk_buff *skb,
					   const struct in6_addr *sub)
{
	unsigned int eoff = skb_transport_offset(skb) + sizeof(struct icmphdr);
	struct aftr_binding *b;

	if (!icmp_sum_valid(skb)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_BAD_INNER);
		goto drop;
	}
	b = icmp_error_binding(ad, skb, sub, eoff);
	if (!b) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_ICMP_ERROR);
		goto drop;
	}
	/* The whole message is summed again: make all of it writable. */
	if (!nat_writable(ad, skb, skb->len))
		goto drop;
	if (sub)
		icmp_error_rewrite(skb, eoff, true, b->out.addr, b->out.port);
	else
		icmp_error_rewrite(skb, eoff, false, b->in.addr, b->in.port);
	return b;

drop:
	kfree_skb(skb);
	return NULL;
}

/*
 * Which ICMP messages we translate, with their binding or as errors. Not
 * redirects: one names a better first hop on the link it came by, and no
 * host behind a B4 shares a link with anything past the softwire. The IPv4
 * stack sends one to the sender of every hairpinned flow (NAT-8), which
 * leaves aftr0 by the device it came in by; it must not reach the B4.
 */
static bool icmp_supported(struct aftr_dev *ad, struct sk_buff *skb)
{
	u8 type = icmp_hdr(skb)->type;

	if (icmp_echo(type) || (icmp_is_err(type) && type != ICMP_REDIRECT))
		return true;
	aftr_count(ad, DSLITE_AFTR_STAT_DROP_UNSUPP_PROTO);
	return false;
}

/*
 * Counts a refusal of @skb from @b4, of subscriber prefix @sub, and, but for
 * memory, answers it (NAT-10).
 */
static void nat_refused(struct aftr_dev *ad, struct sk_buff *skb, const struct in6_addr *b4,
			const struct in6_addr *sub, const struct in6_addr *endpoint,
			enum aftr_refusal why)
{
	aftr_count(ad, (enum dslite_aftr_stat)why);
	if (why != AFTR_REFUSED_NOMEM)
		aftr_icmp_to_b4(ad, skb, b4, sub, endpoint, ICMP_DEST_UNREACH,
				ICMP_PKT_FILTERED, 0);
}

/*
 * Finds or, if @create, makes the binding of a packet from B4 address @b4,
 * of subscriber prefix @sub; NULL when refused or, not to be made, missing.
 */
static struct aftr_binding *nat_binding_get(struct aftr_dev *ad, struct sk_buff *skb,
					    const struct in6_addr *b4,
					    const struct in6_addr *sub,
					    const struct in6_addr *endpoint, bool create)
{
	struct aftr_key_in key = {
		.b4 = *sub,
		.addr = ip_hdr(skb)->saddr,
		.port = *l4_port(skb, true),
		.proto = ip_hdr(skb)->protocol,
	};
	struct aftr_binding *b;
	enum aftr_refusal why;

	b = aftr_binding_lookup_in(ad, &key);
	if (b) {
		aftr_b4_seen(b->b4, b4, endpoint);
		return b;
	}
	if (!create) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NO_BINDING);
		return NULL;
	}
	b = aftr_binding_create(ad, &key, b4, endpoint, &why);
	if (!b)
		nat_refused(ad, skb, b4, sub, endpoint, why);
	return b;
}

/*
 * The exempt flow key of @skb, the B4 side local (CGN-8): from a B4 when
 * @from_b4, else toward one. An ICMP error is keyed by the packet it
 * quotes, which went the other way, and must be addressed to (or come
 * from) the quote's inner end. False when there is no key to be had.
 */
static bool exempt_key(struct sk_buff *skb, bool from_b4, struct aftr_exempt_key *key)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int off = skb_transport_offset(skb);
	__be32 inner = from_b4 ? iph->saddr : iph->daddr;
	bool err = false;
	__be16 *ports;

	memset(key, 0, sizeof(*key));
	if (iph->protocol == IPPROTO_ICMP && icmp_is_err(icmp_hdr(skb)->type)) {
		off += sizeof(struct icmphdr);
		iph = icmp_quote(skb, off);
		if (!iph)
			return false;
		off += iph->ihl * 4;
		from_b4 = !from_b4;
		err = true;
	}
	key->proto = iph->protocol;
	key->laddr = from_b4 ? iph->saddr : iph->daddr;
	key->raddr = from_b4 ? iph->daddr : iph->saddr;
	if (err && key->laddr != inner)
		return false;
	if (key->proto == IPPROTO_ICMP) {
		/* Echo only: its id is the port, whichever side asked. */
		if (!icmp_echo(skb->data[off]))
			return false;
		key->lport = *(__be16 *)(skb->data + off + l4_port_offset(IPPROTO_ICMP, true));
		return true;
	}
	ports = (__be16 *)(skb->data + off);
	key->lport = from_b4 ? ports[0] : ports[1];
	key->rport = from_b4 ? ports[1] : ports[0];
	return true;
}

/*
 * From B4 address @b4 to an exempt destination (CGN-8): nothing is
 * rewritten; the packet's flow remembers its subscriber, within the
 * subscriber's limits, so that replies find the softwire. Only an echo
 * request makes a flow of ICMP: an error or an echo reply only follows a
 * flow of its own subscriber (@sub). False when dropped (counted, and
 * answered as a refused binding is, NAT-10).
 */
static bool nat_exempt_from_b4(struct aftr_dev *ad, struct sk_buff *skb,
			       const struct in6_addr *b4, const struct in6_addr *sub,
			       const struct in6_addr *endpoint)
{
	struct aftr_exempt_flow *f;
	struct aftr_exempt_key key;
	enum aftr_refusal why;

	if (!exempt_key(skb, true, &key)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_ICMP_ERROR);
		return false;
	}
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP && icmp_hdr(skb)->type != ICMP_ECHO) {
		f = aftr_exempt_flow_lookup(ad, &key);
		if (f && f->b4 == aftr_b4_find(ad, b4))
			return true;
		aftr_count(ad, icmp_is_err(icmp_hdr(skb)->type) ?
			   DSLITE_AFTR_STAT_DROP_ICMP_ERROR : DSLITE_AFTR_STAT_DROP_NO_BINDING);
		return false;
	}
	/* A pending-bit test: cheap enough not to look the flow up first. */
	aftr_bindings_kick(ad);
	f = aftr_exempt_flow_get(ad, &key, b4, endpoint, &why);
	if (!f) {
		nat_refused(ad, skb, b4, sub, endpoint, why);
		return false;
	}
	if (key.proto == IPPROTO_TCP)
		tcp_track(&f->state, tcp_hdr(skb), true);
	aftr_exempt_flow_refresh(f);
	return true;
}

int aftr_nat_from_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint)
{
	struct aftr_binding *b;
	struct in6_addr sub;
	bool create = true;
	int err;
	u8 proto;

	aftr_b4_prefix(ad, b4, &sub);
	err = nat_defrag(ad, skb, defrag_user(&sub));
	if (err)
		return err;
	if (!l4_pull(ad, skb))
		goto drop;
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP) {
		if (!icmp_supported(ad, skb))
			goto drop;
		/* A reply answers a request that came in through a binding. */
		create = icmp_hdr(skb)->type == ICMP_ECHO;
	}
	if (aftr_exempt_dest(ad, ip_hdr(skb)->daddr)) {
		if (!nat_exempt_from_b4(ad, skb, b4, &sub, endpoint))
			goto drop;
		return AFTR_NAT_EXEMPT;
	}
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP && icmp_is_err(icmp_hdr(skb)->type))
		return nat_icmp_error(ad, skb, &sub) ? 0 : -EINVAL;

	b = nat_binding_get(ad, skb, b4, &sub, endpoint, create);
	if (!b)
		goto drop;
	proto = ip_hdr(skb)->protocol;
	/* The destination may answer, in the strict filtering modes (NAT-2). */
	if (proto != IPPROTO_ICMP) {
		err = aftr_filter_out(ad, b, skb);
		if (err) {
			nat_refused(ad, skb, b4, &sub, endpoint, err);
			goto drop;
		}
	}
	if (!nat_writable(ad, skb, skb_transport_offset(skb) + l4_len(proto)))
		goto drop;
	if (proto == IPPROTO_TCP)
		tcp_track(&b->state, tcp_hdr(skb), true);
	nat_rewrite(skb, true, b->out.addr, b->out.port);
	aftr_binding_refresh(b);
	return 0;

drop:
	kfree_skb(skb);
	return -EINVAL;
}

/*
 * From an exempt source toward a B4 (CGN-8): the flow the B4 side opened
 * names the subscriber; nothing is rewritten. Only the B4 side refreshes a
 * flow (NAT-6), and only it ends a TCP one early (tcp_track()).
 */
static struct aftr_b4 *nat_exempt_to_b4(struct aftr_dev *ad, struct sk_buff *skb)
{
	struct aftr_exempt_flow *f;
	struct aftr_exempt_key key;

	if (!exempt_key(skb, false, &key)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_ICMP_ERROR);
		return NULL;
	}
	f = aftr_exempt_flow_lookup(ad, &key);
	if (!f) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NO_BINDING);
		return NULL;
	}
	if (key.proto == IPPROTO_TCP && ip_hdr(skb)->protocol == IPPROTO_TCP)
		tcp_track(&f->state, tcp_hdr(skb), false);
	return f->b4;
}

struct aftr_b4 *aftr_nat_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
			       struct aftr_binding **bp)
{
	struct aftr_key_out key = {};
	struct aftr_binding *b;
	struct aftr_b4 *b4;

	/* One queue for all: outside sources are public, so they don't clash. */
	if (nat_defrag(ad, skb, DEFRAG_USER(0)))
		return NULL;
	if (!l4_pull(ad, skb))
		goto drop;
	*bp = NULL;
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP && !icmp_supported(ad, skb))
		goto drop;
	/* To a pool address, it is a binding's, even from an exempt host. */
	if (aftr_exempt_dest(ad, ip_hdr(skb)->saddr) &&
	    !aftr_pool_contains(ad, ip_hdr(skb)->daddr)) {
		b4 = nat_exempt_to_b4(ad, skb);
		if (!b4)
			goto drop;
		return b4;
	}
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP && icmp_is_err(icmp_hdr(skb)->type)) {
		b = nat_icmp_error(ad, skb, NULL);
		*bp = b;
		return b ? b->b4 : NULL;
	}

	key.addr = ip_hdr(skb)->daddr;
	key.port = *l4_port(skb, false);
	key.proto = ip_hdr(skb)->protocol;
	b = aftr_binding_lookup_out(ad, &key);
	/* One in hold-down is not found (6333-7). */
	if (!b) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NO_BINDING);
		goto drop;
	}
	/* Which sources may use it is the filtering mode's call (NAT-2, NAT-7). */
	if (key.proto != IPPROTO_ICMP && !aftr_filter_in(ad, b, skb))
		return NULL;
	if (!nat_writable(ad, skb, skb_transport_offset(skb) + l4_len(key.proto)))
		goto drop;
	if (key.proto == IPPROTO_TCP)
		tcp_track(&b->state, tcp_hdr(skb), false);
	nat_rewrite(skb, false, b->in.addr, b->in.port);
	*bp = b;
	return b->b4;

drop:
	kfree_skb(skb);
	return NULL;
}

void aftr_nat_restore(struct sk_buff *skb, const struct aftr_binding *b)
{
	nat_rewrite(skb, false, b->out.addr, b->out.port);
}

struct sk_buff *aftr_nat_softwire_quote(struct aftr_dev *ad, const struct sk_buff *skb,
					unsigned int off, const struct in6_addr *b4)
{
	struct aftr_key_in key = {};
	const struct iphdr *iph;
	struct aftr_binding *b;
	struct sk_buff *quote;
	struct iphdr buf;
	unsigned int len;

	iph = skb_header_pointer(skb, off, sizeof(buf), &buf);
	if (!iph || iph->version != 4 || iph->ihl < 5 || (iph->frag_off & htons(IP_OFFSET)) ||
	    !l4_len(iph->protocol))
		goto bad;
	/* The quote may be cut short; what the NAT rewrites must be in it. */
	len = min3(skb->len - off, (unsigned int)ntohs(iph->tot_len),
		   (unsigned int)AFTR_ICMP_QUOTE_MAX);
	if (len < iph->ihl * 4 + l4_len(iph->protocol))
		goto bad;
	quote = alloc_skb(len, GFP_ATOMIC);
	if (!quote) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
		return NULL;
	}
	skb_reset_network_header(quote);
	if (skb_copy_bits(skb, off, skb_put(quote, len), len))
		goto bad_free;
	skb_set_transport_header(quote, ip_hdrlen(quote));
	key.proto = ip_hdr(quote)->protocol;
	/* Of ICMP messages toward a B4, only echo has an id that keys a binding. */
	if (key.proto == IPPROTO_ICMP && !icmp_echo(icmp_hdr(quote)->type))
		goto bad_free;
	aftr_b4_prefix(ad, b4, &key.b4);
	key.addr = ip_hdr(quote)->daddr;
	key.port = *l4_port(quote, false);
	b = aftr_binding_lookup_in(ad, &key);
	if (!b)
		goto bad_free;
	nat_rewrite(quote, false, b->out.addr, b->out.port);
	return quote;

bad_free:
	kfree_skb(quote);
bad:
	aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RELAY_DROPPED);
	return NULL;
}
