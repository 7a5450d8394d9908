// SPDX-License-Identifier: GPL-2.0
/*
 * The "dslite" device kind. Each device is one AFTR instance; the instances
 * of a namespace are kept in a per-namespace list, written under RTNL and
 * read under RCU by the tunnel handler.
 */
#include <linux/if_arp.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "b4.h"
#include "binding.h"
#include "det.h"
#include "exempt.h"
#include "filter.h"
#include "icmp.h"
#include "netlink.h"
#include "pool.h"
#include "tunnel.h"

struct aftr_net {
	struct list_head devs;
};

static unsigned int aftr_net_id __read_mostly;
static struct rtnl_link_ops aftr_link_ops;

static struct list_head *net_devs(struct net *net)
{
	struct aftr_net *an = net_generic(net, aftr_net_id);

	return &an->devs;
}

static void params_init(struct aftr_params *p)
{
	p->timeout[AFTR_TIMEOUT_UDP] = DSLITE_AFTR_DEF_TIMEOUT_UDP * HZ;
	p->timeout[AFTR_TIMEOUT_TCP_EST] = DSLITE_AFTR_DEF_TIMEOUT_TCP_EST * HZ;
	p->timeout[AFTR_TIMEOUT_TCP_TRANS] = DSLITE_AFTR_DEF_TIMEOUT_TCP_TRANS * HZ;
	p->timeout[AFTR_TIMEOUT_ICMP] = DSLITE_AFTR_DEF_TIMEOUT_ICMP * HZ;
	p->holddown = DSLITE_AFTR_DEF_HOLDDOWN * HZ;
	p->block_size = DSLITE_AFTR_DEF_BLOCK_SIZE;
	p->max_blocks = DSLITE_AFTR_DEF_MAX_BLOCKS;
	p->max_bindings = DSLITE_AFTR_DEF_MAX_BINDINGS;
	p->max_new_rate = DSLITE_AFTR_DEF_MAX_NEW_RATE;
	p->subscriber_len = DSLITE_AFTR_DEF_SUBSCRIBER_LEN;
	p->max_subscribers = DSLITE_AFTR_DEF_MAX_SUBSCRIBERS;
	p->max_new_subscribers = DSLITE_AFTR_DEF_MAX_NEW_SUBSCRIBERS;
	p->icmp_rate = DSLITE_AFTR_DEF_ICMP_RATE;
	p->icmp_burst = DSLITE_AFTR_DEF_ICMP_BURST;
	p->mss_clamp = DSLITE_AFTR_MSS_CLAMP_PMTU;
	p->dscp = DSLITE_AFTR_DSCP_MODEL_UNIFORM;
	p->frag = DSLITE_AFTR_FRAG_POLICY_OUTER;
	p->filtering = DSLITE_AFTR_FILTERING_ENDPOINT_INDEPENDENT;
}

/*
 * The state tables are made in dependency order (bindings hold ports of B4s,
 * B4s hold blocks of pools) so that tearing down in reverse empties each
 * table while what its entries point to still exists.
 */
static int state_init(struct aftr_dev *ad)
{
	int err;

	err = aftr_pools_init(ad);
	if (err)
		return err;
	err = aftr_b4s_init(ad);
	if (err)
		goto err_pools;
	err = aftr_exempt_init(ad);
	if (err)
		goto err_b4s;
	err = aftr_bindings_init(ad);
	if (err)
		goto err_exempt;
	err = aftr_icmp_init(ad);
	if (err)
		goto err_bindings;
	err = aftr_filter_init(ad);
	if (err)
		goto err_icmp;
	return 0;

err_icmp:
	aftr_icmp_destroy(ad);
err_bindings:
	aftr_bindings_destroy(ad);
err_exempt:
	aftr_exempt_destroy(ad);
err_b4s:
	aftr_b4s_destroy(ad);
err_pools:
	aftr_pools_destroy(ad);
	return err;
}

static void state_destroy(struct aftr_dev *ad)
{
	/* Held SYNs are answered through ICMP's rate limit: they go first. */
	aftr_filter_destroy(ad);
	aftr_icmp_destroy(ad);
	aftr_bindings_destroy(ad);
	aftr_exempt_destroy(ad);
	aftr_b4s_destroy(ad);
	aftr_det_destroy(ad);
	aftr_pools_destroy(ad);
}

/* ndo_init: on failure here the core calls neither uninit nor destructor. */
static int instance_init(struct net_device *dev)
{
	struct aftr_dev *ad = netdev_priv(dev);
	int err = -ENOMEM;

	ad->dev = dev;
	ad->net = dev_net(dev);
	INIT_LIST_HEAD(&ad->list);
	INIT_LIST_HEAD(&ad->dumps);
	spin_lock_init(&ad->event_lock);
	params_init(&ad->params);

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return err;
	ad->stats = alloc_percpu(struct aftr_stats);
	if (!ad->stats)
		goto err_tstats;
	err = state_init(ad);
	if (err)
		goto err_stats;
	return 0;

err_stats:
	free_percpu(ad->stats);
err_tstats:
	free_percpu(dev->tstats);
	return err;
}

/*
 * ndo_uninit, under RTNL. The instance left the namespace list in dellink and
 * unregister_netdevice_many() waited for RCU readers (synchronize_net())
 * before calling us, so neither the tunnel handler nor xmit can see it now.
 */
static void instance_uninit(struct net_device *dev)
{
	struct aftr_dev *ad = netdev_priv(dev);

	/* A sweep started before the instance left the list still runs. */
	wait_var_event(&ad->sweeps, !atomic_read(&ad->sweeps));
	aftr_genl_dev_gone(ad);
	state_destroy(ad);
	kvfree(rtnl_dereference(ad->allowed));
	kvfree(rtnl_dereference(ad->exempt));
	kfree(rtnl_dereference(ad->endpoints));
}

/* Counters outlive uninit: the core may still read them until the last put. */
static void instance_free(struct net_device *dev)
{
	struct aftr_dev *ad = netdev_priv(dev);

	free_percpu(ad->stats);
	free_percpu(dev->tstats);
}

static const struct net_device_ops aftr_netdev_ops = {
	.ndo_init = instance_init,
	.ndo_uninit = instance_uninit,
	.ndo_start_xmit = aftr_tunnel_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void instance_setup(struct net_device *dev)
{
	dev->netdev_ops = &aftr_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + sizeof(struct ipv6hdr);
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - sizeof(struct ipv6hdr);
	dev->needs_free_netdev = true;
	dev->priv_destructor = instance_free;
	aftr_compat_dev_setup(dev);
}

static int instance_validate(struct nlattr *tb[], struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "a dslite device has no link-layer address");
		return -EINVAL;
	}
	return 0;
}

static int instance_newlink(struct net *src_net, struct net_device *dev,
			    struct nlattr *tb[], struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	struct aftr_dev *ad = netdev_priv(dev);
	int err;

	/*
	 * An AFTR is the ISP's, not a container's: CAP_NET_ADMIN over the
	 * namespace alone would let any user with a user namespace of its own
	 * make instances without limit; configuring one (GENL_ADMIN_PERM)
	 * needs the initial user namespace anyway.
	 */
	if (!capable(CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(extack, "creating a dslite device needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	err = register_netdevice(dev);
	if (err)
		return err;
	list_add_tail_rcu(&ad->list, net_devs(dev_net(dev)));
	return 0;
}

static void instance_dellink(struct net_device *dev, struct list_head *head)
{
	struct aftr_dev *ad = netdev_priv(dev);

	list_del_rcu(&ad->list);
	unregister_netdevice_queue(dev, head);
}

static struct rtnl_link_ops aftr_link_ops __read_mostly = {
	.kind = DSLITE_AFTR_LINK_KIND,
	.priv_size = sizeof(struct aftr_dev),
	.setup = instance_setup,
	.validate = instance_validate,
	.newlink = instance_newlink,
	.dellink = instance_dellink,
};

struct aftr_dev *aftr_dev_by_endpoint(struct net *net,
				      const struct in6_addr *daddr)
{
	struct aftr_dev *ad;

	list_for_each_entry_rcu(ad, net_devs(net), list) {
		const struct aftr_addr6_set *eps = rcu_dereference(ad->endpoints);
		unsigned int i;

		for (i = 0; eps && i < eps->n; i++)
			if (ipv6_addr_equal(&eps->addr[i], daddr))
				return ad;
	}
	return NULL;
}

struct aftr_dev *aftr_dev_find(struct net *net, u32 ifindex,
			       const char *ifname)
{
	struct net_device *dev;

	ASSERT_RTNL();
	if (ifindex)
		dev = __dev_get_by_index(net, ifindex);
	else
		dev = ifname ? __dev_get_by_name(net, ifname) : NULL;
	if (!dev || dev->rtnl_link_ops != &aftr_link_ops)
		return NULL;
	return netdev_priv(dev);
}

struct aftr_dev *aftr_dev_nth(struct net *net, unsigned int n)
{
	struct aftr_dev *ad;

	ASSERT_RTNL();
	list_for_each_entry(ad, net_devs(net), list)
		if (!n--)
			return ad;
	return NULL;
}

static int __net_init aftr_net_init(struct net *net)
{
	INIT_LIST_HEAD(net_devs(net));
	return 0;
}

/* Instances die with their namespace; the core unregisters the batch. */
static void __net_exit aftr_net_exit_batch_rtnl(struct list_head *net_list,
						struct list_head *dev_kill_list)
{
	struct aftr_dev *ad, *next;
	struct net *net;

	list_for_each_entry(net, net_list, exit_list)
		list_for_each_entry_safe(ad, next, net_devs(net), list)
			instance_dellink(ad->dev, dev_kill_list);
}

static struct pernet_operations aftr_net_ops = {
	.init = aftr_net_init,
	.exit_batch_rtnl = aftr_net_exit_batch_rtnl,
	.id = &aftr_net_id,
	.size = sizeof(struct aftr_net),
};

int __init aftr_device_nets_init(void)
{
	return register_pernet_device(&aftr_net_ops);
}

void aftr_device_nets_exit(void)
{
	unregister_pernet_device(&aftr_net_ops);
}

int __init aftr_device_kind_init(void)
{
	return rtnl_link_register(&aftr_link_ops);
}

/* Deletes every instance, in every namespace. */
void aftr_device_kind_exit(void)
{
	rtnl_link_unregister(&aftr_link_ops);
}
