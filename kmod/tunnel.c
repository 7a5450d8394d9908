// SPDX-License-Identifier: GPL-2.0
/*
 * The softwire. Ingress is a tunnel6 handler for IPv4-in-IPv6 that claims
 * only packets addressed to an instance's endpoint and delivers them, once
 * translated, as if received on the instance's device. Egress is that
 * device's ndo_start_xmit: IPv4 routed to the pool is translated back and
 * encapsulated toward its B4.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/l3mdev.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xfrm.h>

#include "b4.h"
#include "binding.h"
#include "device.h"
#include "icmp.h"
#include "nat.h"
#include "pool.h"
#include "tunnel.h"

/* The AFTR's own hop limit on the outer header (TUN-1). */
#define SOFTWIRE_HOP_LIMIT	64

/*
 * Pulls and checks the IPv4 header at skb->data, makes it the network header
 * and trims the packet to the length the header gives (link padding, or a
 * tunnel that padded the payload, must not reach the NAT).
 */
static bool ipv4_header_valid(struct sk_buff *skb)
{
	const struct iphdr *iph;
	unsigned int hlen, len;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return false;
	iph = (const struct iphdr *)skb->data;
	hlen = iph->ihl * 4;
	if (iph->version != 4 || hlen < sizeof(*iph) || !pskb_may_pull(skb, hlen))
		return false;
	iph = (const struct iphdr *)skb->data;
	len = ntohs(iph->tot_len);
	if (len < hlen || len > skb->len || ip_fast_csum(iph, iph->ihl))
		return false;
	skb_reset_network_header(skb);
	return !pskb_trim_rcsum(skb, len);
}

/*
 * Sources no subscriber can have (6333-6). ipv4_is_zeronet() matches only
 * 0.0.0.0 nowadays; "this network" is all of 0.0.0.0/8 (RFC 1122).
 */
static bool ipv4_source_valid(struct aftr_dev *ad, __be32 saddr)
{
	return !((saddr & htonl(0xff000000)) == 0 || ipv4_is_loopback(saddr) ||
		 ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) ||
		 saddr == htonl(DSLITE_AFTR_ADDR4) || aftr_pool_contains(ad, saddr));
}

/*
 * Destinations no subscriber may reach (6333-6): this network, loopback,
 * multicast and broadcast, limited or of a subnet the AFTR is on. Once
 * translated, the IPv4 stack would hand them to the AFTR's own sockets.
 * Only the directed broadcasts need the namespace's local routes; the
 * lookup answers the limited broadcast and multicast by arithmetic.
 */
static bool ipv4_dest_valid(struct aftr_dev *ad, __be32 daddr)
{
	u32 table = l3mdev_fib_table(ad->dev) ? : RT_TABLE_LOCAL;

	if ((daddr & htonl(0xff000000)) == 0 || ipv4_is_loopback(daddr))
		return false;
	switch (inet_addr_type_table(ad->net, daddr, table)) {
	case RTN_BROADCAST:
	case RTN_MULTICAST:
		return false;
	}
	return true;
}

/*
 * RFC 6040 decapsulation (TUN-2), as INET_ECN_decapsulate() does it for
 * the in-tree tunnels (it reads skb->protocol, still IPv6 here). On an
 * ECN-capable inner packet an outer CE survives, and so does an outer
 * ECT(1) over ECT(0), as RFC 6040's table says (ECT(1) can carry a signal
 * of its own, as L4S does). On a Not-ECT one, CE cannot be expressed, so
 * the packet is dropped as the mark asks; outer ECT is ignored.
 */
static int ecn_decapsulate(struct sk_buff *skb, u8 outer)
{
	u8 inner = ip_hdr(skb)->tos & INET_ECN_MASK;

	if (inner == INET_ECN_NOT_ECT)
		return outer == INET_ECN_CE ? -EINVAL : 0;
	if (!(outer == INET_ECN_CE && inner != INET_ECN_CE) &&
	    !(outer == INET_ECN_ECT_1 && inner == INET_ECN_ECT_0))
		return 0;
	if (skb_ensure_writable(skb, ip_hdrlen(skb)))
		return -ENOMEM;
	if (outer == INET_ECN_CE)
		IP_ECN_set_ce(ip_hdr(skb));
	else
		IP_ECN_set_ect1(ip_hdr(skb));
	return 0;
}

/*
 * Under the uniform model (TUN-3, RFC 2983) the outer DSCP is the one that
 * counts when a packet leaves the tunnel: the access network may have
 * marked it again on the way. The pipe model leaves the inner one alone.
 */
static int dsfield_decapsulate(struct aftr_dev *ad, struct sk_buff *skb, u8 outer)
{
	int err = ecn_decapsulate(skb, outer & INET_ECN_MASK);

	if (err || READ_ONCE(ad->params.dscp) != DSLITE_AFTR_DSCP_MODEL_UNIFORM ||
	    !((ipv4_get_dsfield(ip_hdr(skb)) ^ outer) & ~INET_ECN_MASK))
		return err;
	if (skb_ensure_writable(skb, ip_hdrlen(skb)))
		return -ENOMEM;
	ipv4_copy_dscp(outer, ip_hdr(skb));
	return 0;
}

/* What the outer header carries of the inner @tos: ECN always (TUN-2). */
static u8 dsfield_encapsulate(struct aftr_dev *ad, u8 tos)
{
	if (READ_ONCE(ad->params.dscp) == DSLITE_AFTR_DSCP_MODEL_PIPE)
		return tos & INET_ECN_MASK;
	return tos;
}

/*
 * The TCP SYN at the network header of @skb, writable up to the end of its
 * options, when MSS clamping is on (TUN-5); NULL for any other packet.
 */
static struct tcphdr *syn_writable(struct aftr_dev *ad, struct sk_buff *skb)
{
	unsigned int thoff = skb_network_offset(skb) + ip_hdrlen(skb);
	const struct tcphdr *th;
	unsigned int end;

	if (READ_ONCE(ad->params.mss_clamp) == DSLITE_AFTR_MSS_CLAMP_OFF ||
	    ip_hdr(skb)->protocol != IPPROTO_TCP || ip_is_fragment(ip_hdr(skb)) ||
	    !pskb_may_pull(skb, thoff + sizeof(*th)))
		return NULL;
	th = (const struct tcphdr *)(skb->data + thoff);
	end = thoff + th->doff * 4;
	if (!th->syn || th->doff * 4 < sizeof(*th) || skb_ensure_writable(skb, end))
		return NULL;
	return (struct tcphdr *)(skb->data + thoff);
}

/* The value of the MSS option of @th, NULL if it has none (or bad options). */
static u8 *mss_option(struct tcphdr *th)
{
	unsigned int len = th->doff * 4 - sizeof(*th), i = 0;
	u8 *opt = (u8 *)(th + 1);

	while (i < len && opt[i] != TCPOPT_EOL) {
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return NULL;
		if (opt[i] == TCPOPT_MSS)
			return opt[i + 1] == TCPOLEN_MSS ? opt + i + 2 : NULL;
		i += opt[i + 1];
	}
	return NULL;
}

/**
 * syn_clamp() - makes a SYN announce no more than its softwire carries (TUN-5)
 * @ad: the instance
 * @skb: the SYN, from syn_writable()
 * @th: its TCP header
 * @mtu: the IPv6 path MTU toward the B4, which follows its packets too big
 *
 * Without clamping, a LAN host behind a 1500-byte link announces 1460 and
 * gets segments the softwire can only carry in IPv6 fragments, or not at
 * all where a B4's LAN hides ICMP. A SYN with no MSS option means 536 (RFC
 * 9293), which fits every softwire: nothing to add then.
 */
static void syn_clamp(struct aftr_dev *ad, struct sk_buff *skb, struct tcphdr *th,
		      unsigned int mtu)
{
	unsigned int clamp = READ_ONCE(ad->params.mss_clamp);
	unsigned int mss = max_t(unsigned int, mtu, IPV6_MIN_MTU) - sizeof(struct ipv6hdr) -
			   sizeof(struct iphdr) - sizeof(struct tcphdr);
	u8 *opt = mss_option(th);
	__be16 old, new;

	if (clamp > DSLITE_AFTR_MSS_CLAMP_PMTU)
		mss = min(mss, clamp);
	if (!opt || clamp == DSLITE_AFTR_MSS_CLAMP_OFF)
		return;
	/* Options have no alignment: byte copies. */
	memcpy(&old, opt, sizeof(old));
	if (ntohs(old) <= mss)
		return;
	new = htons(mss);
	memcpy(opt, &new, sizeof(new));
	inet_proto_csum_replace2(&th->check, skb, old, new, false);
}

/* The IPv6 path MTU from @endpoint to @b4: the route's, or a packet too big's. */
static unsigned int path_mtu(struct aftr_dev *ad, const struct in6_addr *endpoint,
			     const struct in6_addr *b4)
{
	struct flowi6 fl6 = {
		.flowi6_proto = IPPROTO_IPIP,
		.saddr = *endpoint,
		.daddr = *b4,
	};
	struct dst_entry *dst = ip6_route_output(ad->net, NULL, &fl6);
	unsigned int mtu = dst->error ? IPV6_MIN_MTU : dst_mtu(dst);

	dst_release(dst);
	return mtu;
}

/* Makes @skb look received on the instance's device, before the NAT. */
static void softwire_decapsulate(struct aftr_dev *ad, struct sk_buff *skb)
{
	skb_scrub_packet(skb, false);
	/* The hardware sum covered the outer header too; let IPv4 verify. */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->dev = ad->dev;
	skb->protocol = htons(ETH_P_IP);
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
}

/* Checks a claimed softwire packet; the stat to count when it fails, or -1. */
static int softwire_check(struct aftr_dev *ad, struct sk_buff *skb,
			  const struct in6_addr *b4, u8 outer_ds)
{
	int err;

	/*
	 * The namespace's IPsec policy binds a softwire as any tunnel; it
	 * reads the outer header, still the network header here.
	 */
	if (!xfrm6_policy_check(NULL, XFRM_POLICY_IN, skb))
		return DSLITE_AFTR_STAT_DROP_POLICY;
	if (!aftr_b4_allowed(ad, b4))
		return DSLITE_AFTR_STAT_DROP_B4_DENIED;
	if (!ipv4_header_valid(skb))
		return DSLITE_AFTR_STAT_DROP_BAD_INNER;
	if (!ipv4_source_valid(ad, ip_hdr(skb)->saddr))
		return DSLITE_AFTR_STAT_DROP_BAD_SRC;
	if (!ipv4_dest_valid(ad, ip_hdr(skb)->daddr))
		return DSLITE_AFTR_STAT_DROP_BAD_DST;
	err = dsfield_decapsulate(ad, skb, outer_ds);
	if (err)
		return err == -ENOMEM ? DSLITE_AFTR_STAT_DROP_NOMEM : DSLITE_AFTR_STAT_DROP_ECN;
	/* GRO may have merged a softwire train: it is plain IPv4 GSO from here. */
	if (iptunnel_pull_offloads(skb))
		return DSLITE_AFTR_STAT_DROP_NOMEM;
	return -1;
}

/*
 * tunnel6 handler, under RCU with skb->data at the inner header. Returns
 * non-zero for packets that are not ours, which tunnel6 then offers to the
 * next handler (ip6_tunnel) untouched.
 */
static int softwire_rcv(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct in6_addr b4, endpoint;
	struct aftr_dev *ad;
	struct tcphdr *syn;
	u8 outer_ds;
	int stat, nat;

	ad = aftr_dev_by_endpoint(dev_net(skb->dev), &ip6h->daddr);
	if (!ad)
		return -ENOENT;
	aftr_count(ad, DSLITE_AFTR_STAT_FROM_B4_PACKETS);

	/* Pulling below may move the outer header: keep what we need of it. */
	b4 = ip6h->saddr;
	endpoint = ip6h->daddr;
	outer_ds = ipv6_get_dsfield(ip6h);

	stat = softwire_check(ad, skb, &b4, outer_ds);
	if (stat >= 0) {
		aftr_count(ad, stat);
		kfree_skb(skb);
		return 0;
	}
	softwire_decapsulate(ad, skb);
	nat = aftr_nat_from_b4(ad, skb, &b4, &endpoint);
	if (nat < 0)
		return 0;
	/* Reassembled by the NAT: a SYN has its whole header now. */
	syn = syn_writable(ad, skb);
	if (syn)
		syn_clamp(ad, skb, syn, path_mtu(ad, &endpoint, &b4));

	aftr_count(ad, nat == AFTR_NAT_EXEMPT ? DSLITE_AFTR_STAT_FROM_B4_EXEMPT :
		   DSLITE_AFTR_STAT_FROM_B4_TRANSLATED);
	dev_sw_netstats_rx_add(ad->dev, skb->len);
	/*
	 * Straight into the IPv4 stack, as the bridge passes frames up: we are
	 * in the receive softirq already, and queueing to a GRO cell for a
	 * second receive pass cost 1.6k of the 11.8k instructions a packet
	 * took in bench/ (gro_cell_poll was the largest single cost), with no
	 * gain for TCP throughput there.
	 */
	netif_receive_skb(skb);
	return 0;
}

static int softwire_send(struct aftr_dev *ad, struct sk_buff *skb,
			 const struct in6_addr *saddr, const struct in6_addr *daddr,
			 bool fit, const struct aftr_binding *b);

/*
 * NAT-11, under the inner policy: the IPv4 packet @skb cut into fragments
 * of at most @mtu bytes, each sent in a whole IPv6 packet, so that the B4
 * needs no IPv6 reassembly and the LAN host reassembles. Consumes @skb.
 */
static int softwire_fragment(struct aftr_dev *ad, struct sk_buff *skb,
			     const struct in6_addr *saddr, const struct in6_addr *daddr,
			     unsigned int mtu)
{
	struct ip_frag_state state;
	struct sk_buff *frag;
	int err = 0;

	/*
	 * ip_frag_init() takes the room for data after the header, not the
	 * fragment's length. IP options are copied whole to every fragment:
	 * none is parsed here.
	 */
	ip_frag_init(skb, ip_hdrlen(skb), LL_MAX_HEADER + sizeof(struct ipv6hdr),
		     mtu - ip_hdrlen(skb), false, &state);
	while (state.left > 0) {
		frag = ip_frag_next(skb, &state);
		if (IS_ERR(frag)) {
			aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
			err = PTR_ERR(frag);
			break;
		}
		/* Without a binding: a fragment that fits is never cut again. */
		err = softwire_send(ad, frag, saddr, daddr, false, NULL);
		if (err)
			break;
	}
	if (err)
		kfree_skb(skb);
	else
		consume_skb(skb);
	return err;
}

/**
 * softwire_too_big() - an IPv4 packet the softwire cannot carry whole (NAT-11)
 * @ad: the instance
 * @skb: the packet, translated toward its B4 with binding @b
 * @saddr: the endpoint
 * @daddr: the B4
 * @b: its binding; NULL for an exempt packet (CGN-8), sent as it came
 * @mtu: what the softwire carries of IPv4: the path MTU less the IPv6 header
 *
 * With DF set its source learns the MTU from "fragmentation needed", which
 * quotes the packet as the source sent it. With DF clear, under the inner
 * policy the IPv4 packet is fragmented here; under the outer policy (the
 * default) the caller sends it on and IPv6 fragments it (6333-3).
 *
 * Return: 1 when the caller is to send it on; otherwise @skb is consumed
 * and the result is that of sending it (0) or a negative error.
 */
static int softwire_too_big(struct aftr_dev *ad, struct sk_buff *skb,
			    const struct in6_addr *saddr, const struct in6_addr *daddr,
			    const struct aftr_binding *b, unsigned int mtu)
{
	if (ip_hdr(skb)->frag_off & htons(IP_DF)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_TOO_BIG);
		if (b)
			aftr_nat_restore(skb, b);
		aftr_icmp_frag_needed(ad, skb, mtu);
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	if (READ_ONCE(ad->params.frag) == DSLITE_AFTR_FRAG_POLICY_INNER)
		return softwire_fragment(ad, skb, saddr, daddr, mtu);
	return 1;
}

/*
 * Encapsulates and sends. @fit: a packet the AFTR forwards, which must fit
 * the softwire (NAT-11), not one of its own messages nor a fragment already
 * cut to fit; @b, the binding it was translated with, NULL when exempt.
 */
static int softwire_send(struct aftr_dev *ad, struct sk_buff *skb,
			 const struct in6_addr *saddr, const struct in6_addr *daddr,
			 bool fit, const struct aftr_binding *b)
{
	struct flowi6 fl6 = {
		.flowi6_proto = IPPROTO_IPIP,
		.saddr = *saddr,
		.daddr = *daddr,
	};
	u8 tos = dsfield_encapsulate(ad, ip_hdr(skb)->tos);
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct tcphdr *syn;

	/*
	 * Hash the inner packet before ip6_make_flowlabel() would fall back to
	 * the outer addresses: one label per inner flow, not per B4 (TUN-4).
	 */
	skb_get_hash(skb);
	fl6.flowlabel = ip6_make_flowlabel(ad->net, skb, 0, true, &fl6);

	dst = ip6_route_output(ad->net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NO_ROUTE);
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	syn = syn_writable(ad, skb);
	if (syn)
		syn_clamp(ad, skb, syn, dst_mtu(dst));
	if (fit && skb->len + sizeof(*ip6h) > dst_mtu(dst)) {
		int err = softwire_too_big(ad, skb, saddr, daddr, b,
					   dst_mtu(dst) - sizeof(*ip6h));

		if (err <= 0) {
			dst_release(dst);
			return err;
		}
	}
	/*
	 * An offloaded inner checksum would be lost under our header, but none
	 * reaches us: the device offers no NETIF_F_*CSUM nor TSO, so the core's
	 * validate_xmit_skb() finished every such sum (segmenting GSO packets)
	 * before ndo_start_xmit, and icmp.c sums its own messages.
	 */
	DEBUG_NET_WARN_ON_ONCE(skb->ip_summed == CHECKSUM_PARTIAL);
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + sizeof(*ip6h))) {
		dst_release(dst);
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
		kfree_skb(skb);
		return -ENOMEM;
	}

	skb_scrub_packet(skb, false);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb_dst_set(skb, dst);
	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, tos, fl6.flowlabel);
	ip6h->nexthdr = IPPROTO_IPIP;
	ip6h->hop_limit = SOFTWIRE_HOP_LIMIT;
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	skb->protocol = htons(ETH_P_IPV6);
	/* RFC 2473: fragment the IPv6 packet rather than refuse it (6333-3). */
	skb->ignore_df = 1;
	ip6_local_out(ad->net, NULL, skb);
	return 0;
}

int aftr_tunnel_send(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *saddr, const struct in6_addr *daddr)
{
	return softwire_send(ad, skb, saddr, daddr, false, NULL);
}

netdev_tx_t aftr_tunnel_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct aftr_dev *ad = netdev_priv(dev);
	struct in6_addr endpoint, addr;
	struct aftr_binding *b;
	struct aftr_b4 *b4;
	unsigned int len;
	bool hairpin;

	/*
	 * aftr0 carries IPv4 only, but the stack's own IPv6 (router
	 * solicitations to the random link-local ARPHRD_NONE gets) can be
	 * routed here: that is no softwire traffic, so no NAT counter.
	 */
	if (skb->protocol != htons(ETH_P_IP)) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	aftr_count(ad, DSLITE_AFTR_STAT_TO_B4_PACKETS);
	if (!ipv4_header_valid(skb)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_BAD_INNER);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	rcu_read_lock();
	b4 = aftr_nat_to_b4(ad, skb, &b);
	if (b4) {
		/* A B4's packet that the IPv4 stack routed back to us (NAT-8). */
		hairpin = aftr_pool_contains(ad, ip_hdr(skb)->saddr);
		len = skb->len;
		aftr_b4_route(b4, &endpoint, &addr);
		if (!softwire_send(ad, skb, &endpoint, &addr, true, b)) {
			aftr_count(ad, b ? DSLITE_AFTR_STAT_TO_B4_TRANSLATED :
				   DSLITE_AFTR_STAT_TO_B4_EXEMPT);
			if (hairpin)
				aftr_count(ad, DSLITE_AFTR_STAT_HAIRPIN);
			dev_sw_netstats_tx_add(dev, 1, len);
		}
	}
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

/*
 * tunnel6 err_handler, in softirq under RCU: errors about softwire packets
 * are ours when the quoted packet (at @skb->data, the IPv4 packet it carried
 * at @offset, past any fragment header: tunnel6 sees first fragments only)
 * left from one of our endpoints; claiming them keeps ip6_tunnel from acting
 * on them. The IPv4 source of the packet hears of it (6333-5).
 */
static int softwire_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	struct aftr_dev *ad;
	struct sk_buff *quote;

	ad = aftr_dev_by_endpoint(dev_net(skb->dev), &ip6h->saddr);
	if (!ad)
		return -ENOENT;
	aftr_icmp_softwire_err(skb, type, info);
	quote = aftr_nat_softwire_quote(ad, skb, offset, &ip6h->daddr);
	if (quote)
		aftr_icmp_relay(ad, quote, type, code, info);
	return 0;
}

/*
 * tunnel6 refuses a second handler at a priority already taken, and the
 * in-tree IPv4-in-IPv6 handlers hold 0 (ip6_vti), 1 (ip6_tunnel), 2
 * (xfrm_interface) and 3 (xfrm6_tunnel) in 6.1 and 6.12 alike. Below them
 * all we collide with none and still come before ip6_tunnel, which gets
 * whatever we pass on. We only claim packets to our own endpoints, so
 * coming first takes nothing from the others.
 */
#define SOFTWIRE_PRIORITY	(-1)

static struct xfrm6_tunnel softwire_handler __read_mostly = {
	.handler	= softwire_rcv,
	.err_handler	= softwire_err,
	.priority	= SOFTWIRE_PRIORITY,
};

int aftr_tunnel_init(void)
{
	aftr_icmp_set_sender(aftr_tunnel_send);
	return xfrm6_tunnel_register(&softwire_handler, AF_INET);
}

void aftr_tunnel_exit(void)
{
	xfrm6_tunnel_deregister(&softwire_handler, AF_INET);
}
