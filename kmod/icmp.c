// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP the AFTR itself originates toward a B4's LAN, from 192.0.0.1
 * (6333-4), rate limited per instance; and the tunnel6 error handler for
 * ICMPv6 errors about the softwire packets we send (6333-5).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "device.h"
#include "icmp.h"
#include "tunnel.h"

/* RFC 1812 4.3.2.3: quote as much of the offending packet as fits in 576. */
#define ICMP_QUOTE_MAX	(576 - sizeof(struct iphdr) - sizeof(struct icmphdr))
#define ICMP_TTL	64
/* Token bucket per instance: errors per second, and the burst allowed. */
#define ICMP_RATE	100
#define ICMP_BURST	100

struct aftr_icmp_limit {
	spinlock_t lock;	/* protects the bucket */
	unsigned long last;	/* jiffies of the last refill */
	u32 tokens;
};

int aftr_icmp_init(struct aftr_dev *ad)
{
	struct aftr_icmp_limit *limit = kzalloc(sizeof(*limit), GFP_KERNEL);

	if (!limit)
		return -ENOMEM;
	spin_lock_init(&limit->lock);
	limit->last = jiffies;
	limit->tokens = ICMP_BURST;
	ad->icmp_limit = limit;
	return 0;
}

/* Once no packet can reach the instance any more. */
void aftr_icmp_destroy(struct aftr_dev *ad)
{
	kfree(ad->icmp_limit);
	ad->icmp_limit = NULL;
}

/*
 * Takes a token. The refill time only moves when a whole token was earned,
 * so the fractions of frequent calls add up instead of being lost.
 */
static bool icmp_limit_take(struct aftr_icmp_limit *limit)
{
	unsigned long now = jiffies;
	unsigned long earned;
	bool ok;

	spin_lock_bh(&limit->lock);
	earned = (now - limit->last) * ICMP_RATE / HZ;
	if (earned) {
		limit->tokens = min_t(unsigned long, limit->tokens + earned, ICMP_BURST);
		limit->last = now;
	}
	ok = limit->tokens > 0;
	if (ok)
		limit->tokens--;
	spin_unlock_bh(&limit->lock);
	return ok;
}

/* RFC 1122 3.2.2: no error about an error, nor about a later fragment. */
static bool icmp_may_answer(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const u8 *type;
	u8 buf;

	if (iph->frag_off & htons(IP_OFFSET))
		return false;
	if (iph->protocol != IPPROTO_ICMP)
		return true;
	type = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				  sizeof(buf), &buf);
	return type && !icmp_is_err(*type);
}

/* Builds the error: IPv4 from 192.0.0.1 to the offender's source. */
static struct sk_buff *icmp_build(const struct sk_buff *skb, u8 type, u8 code,
				  u32 info)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int qlen = min_t(unsigned int, skb->len - skb_network_offset(skb),
				  ICMP_QUOTE_MAX);
	unsigned int hroom = LL_MAX_HEADER + sizeof(struct ipv6hdr);
	struct sk_buff *nskb;
	struct icmphdr *ih;
	struct iphdr *niph;

	nskb = alloc_skb(hroom + sizeof(*niph) + sizeof(*ih) + qlen, GFP_ATOMIC);
	if (!nskb)
		return NULL;
	skb_reserve(nskb, hroom);
	skb_reset_network_header(nskb);
	niph = skb_put(nskb, sizeof(*niph));
	ih = skb_put(nskb, sizeof(*ih));
	if (skb_copy_bits(skb, skb_network_offset(skb), skb_put(nskb, qlen), qlen)) {
		kfree_skb(nskb);
		return NULL;
	}

	*ih = (struct icmphdr) {
		.type = type,
		.code = code,
		.un.gateway = htonl(info),
	};
	ih->checksum = csum_fold(csum_partial(ih, sizeof(*ih) + qlen, 0));

	*niph = (struct iphdr) {
		.version = 4,
		.ihl = sizeof(*niph) / 4,
		.tos = (iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL,
		.tot_len = htons(nskb->len),
		/* Small and atomic: never fragmented, so the id can stay 0. */
		.frag_off = htons(IP_DF),
		.ttl = ICMP_TTL,
		.protocol = IPPROTO_ICMP,
		.saddr = htonl(DSLITE_AFTR_ADDR4),
		.daddr = iph->saddr,
	};
	ip_send_check(niph);
	nskb->protocol = htons(ETH_P_IP);
	return nskb;
}

void aftr_icmp_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint,
		     u8 type, u8 code, u32 info)
{
	struct sk_buff *nskb;

	if (!icmp_may_answer(skb))
		return;
	if (!icmp_limit_take(ad->icmp_limit)) {
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RATELIMITED);
		return;
	}
	nskb = icmp_build(skb, type, code, info);
	if (!nskb) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
		return;
	}
	if (!aftr_tunnel_send(ad, nskb, endpoint, b4))
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_SENT);
}

/*
 * Errors about softwire packets are ours when the quoted packet left from one
 * of our endpoints; claiming them keeps ip6_tunnel from acting on them. A
 * packet too big lowers the path MTU toward that B4 (the route code never
 * takes it below 1280), so later packets are fragmented to fit (6333-5).
 */
int aftr_icmp_softwire_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);

	if (!aftr_dev_by_endpoint(net, &ip6h->saddr))
		return -ENOENT;
	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	return 0;
}
