/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels we build against (Debian's 6.1 and 6.12),
 * kept here so that no logic file tests LINUX_VERSION_CODE.
 */
#ifndef _DSLITE_AFTR_COMPAT_H
#define _DSLITE_AFTR_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>

/*
 * 6.12 moved "lockless xmit" and "stays in its namespace" from feature bits
 * to fields of the device (Debian's 6.12 names the second netns_immutable).
 */
static inline void aftr_compat_dev_setup(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
	dev->netns_immutable = true;
#else
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
#endif
}

/* The parsed attributes of a dump request moved into a genl_info in 6.3. */
static inline struct nlattr **aftr_compat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* Since 6.2, pre_doit and post_doit see the split form of an operation. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define aftr_compat_genl_ops genl_split_ops
#else
#define aftr_compat_genl_ops genl_ops
#endif

/*
 * Formatted extack messages arrived in 6.2; before, a fixed message that
 * says the same without the value.
 */
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define AFTR_SET_ERR_MSG_FMT(extack, plain, fmt, args...) \
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##args)
#else
#define AFTR_SET_ERR_MSG_FMT(extack, plain, fmt, args...) \
	NL_SET_ERR_MSG_MOD(extack, plain)
#endif

/*
 * Our caches must not be merged with others of the same size, so that their
 * object counts (/proc/slabinfo) show leaks. Before 6.5, a flag that keeps a
 * cache apart as a side effect (it only hides it from kmemleak).
 */
#ifdef SLAB_NO_MERGE
#define AFTR_SLAB_NO_MERGE	SLAB_NO_MERGE
#else
#define AFTR_SLAB_NO_MERGE	SLAB_NOLEAKTRACE
#endif

#endif /* _DSLITE_AFTR_COMPAT_H */
