/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pools of external IPv4 addresses and the ports on them, handed out to B4s
 * in blocks (bulk port allocation, RFC 6888 / CGN-4): a B4 is paired with one
 * pool address and takes random free blocks on it; within its blocks, ports
 * are chosen at random with their parity kept where possible.
 *
 * Locking: pools are added and deleted under RTNL and read under RCU. Each
 * pool address has a lock for its block map; a B4's blocks are guarded by
 * b4->lock, taken before the pool address lock.
 */
#ifndef _DSLITE_AFTR_POOL_H
#define _DSLITE_AFTR_POOL_H

#include "aftr.h"

struct aftr_b4;

int aftr_pools_init(struct aftr_dev *ad);
void aftr_pools_destroy(struct aftr_dev *ad);

/* Control plane, under RTNL. */
int aftr_pool_add(struct aftr_dev *ad, __be32 prefix, u8 len, u16 port_min,
		  u16 port_max, struct netlink_ext_ack *extack);
/*
 * A pool's end, in three steps the control plane orders: out of the list
 * (no new B4 pairs with it once readers are gone), then its B4s ended with
 * aftr_bindings_end_b4s(ad, aftr_pool_holds, pool), then freed.
 */
struct aftr_pool *aftr_pool_unlist(struct aftr_dev *ad, __be32 prefix, u8 len,
				   struct netlink_ext_ack *extack);
bool aftr_pool_holds(const struct aftr_b4 *b4, const void *pool);
void aftr_pool_free(struct aftr_pool *pool);
unsigned int aftr_pools_count(struct aftr_dev *ad);
bool aftr_pools_blocks_in_use(struct aftr_dev *ad);

/**
 * struct aftr_pool_info - what a pool dump shows of one pool
 */
struct aftr_pool_info {
	__be32 prefix;
	u8 len;
	u16 port_min;
	u16 port_max;
	u32 b4s;
	u32 blocks_used;
	u32 blocks_total;
};

/* Fills @info for the @idx-th pool; false past the last. Under RTNL or RCU. */
bool aftr_pool_info(struct aftr_dev *ad, unsigned int idx,
		    struct aftr_pool_info *info);

/*
 * Does @addr fall in a pool or a deterministic rule's pool (a B4 may not use
 * it as a source, 6333-6)?
 */
bool aftr_pool_contains(struct aftr_dev *ad, __be32 addr);

/* Does the prefix overlap a dynamic pool? Under RTNL. */
bool aftr_pools_overlap(struct aftr_dev *ad, __be32 prefix, u8 len);

/*
 * The addresses of a deterministic rule (det.c), under RTNL: made; taken
 * out of the pools, to be ended like a pool and freed with
 * aftr_pool_free(); or freed at the instance's end.
 */
struct aftr_pool *aftr_pool_det_new(struct aftr_dev *ad, __be32 prefix, u8 len,
				    u16 port_min, u16 port_max);
void aftr_pool_det_unlist(struct aftr_pool *pool);
void aftr_pool_det_free(struct aftr_pool *pool);
u32 aftr_pool_b4s(const struct aftr_pool *pool);

/*
 * Pairs an unpublished B4 with address @ai of a rule's @pool and gives it
 * its range, @size ports from @first, as its one block (slot @slot), under
 * RCU; -ENOSPC when that range is still held.
 */
int aftr_pool_pair_det(struct aftr_dev *ad, struct aftr_b4 *b4, struct aftr_pool *pool,
		       u32 ai, u32 slot, u16 first, u32 size);

/*
 * State layer only (b4.c, binding.c). aftr_pool_pair() runs under RCU on a
 * B4 not yet published; the others with b4->lock held.
 */
int aftr_pool_pair(struct aftr_dev *ad, struct aftr_b4 *b4);
int aftr_port_alloc(struct aftr_dev *ad, struct aftr_b4 *b4, u8 proto,
		    __be16 inner_port, __be16 *port);
void aftr_port_free(struct aftr_b4 *b4, u8 proto, __be16 port);
/*
 * Static mappings: pairs a B4 with @ext, a dynamic pool's address, under
 * RCU before it is published; reserves @port for it, with the port's block
 * if the B4 does not hold it yet (b4->lock held).
 */
int aftr_pool_pair_at(struct aftr_dev *ad, struct aftr_b4 *b4, __be32 ext);
int aftr_port_reserve(struct aftr_dev *ad, struct aftr_b4 *b4, u8 proto, __be16 port);
/**
 * struct aftr_port - a port a B4 holds, as aftr_b4_ports() lists them
 * @pos: where a listing resumes to give this port again
 * @port: the port (or ICMP id)
 * @proto: its protocol
 */
struct aftr_port {
	u64 pos;
	__be16 port;
	u8 proto;
};

/*
 * The ports @b4 holds in its blocks (bound or held down), from *@pos (0:
 * the first) into @out, at most @max; returns how many, 0 at the end, and
 * sets *@pos where to resume. Each call takes b4->lock: a B4's bindings are
 * found in the time its ports take, not the whole table's. A dead B4's
 * blocks go when it is freed: only the one ending it (@dead_too) may list
 * them; for anyone else a dead B4 has none.
 */
unsigned int aftr_b4_ports(struct aftr_b4 *b4, bool dead_too, u64 *pos,
			   struct aftr_port *out, unsigned int max);

/*
 * Calls @fn for each range of ports @b4 holds on its address, under
 * b4->lock: its blocks in the order it got them, a block that goes on where
 * the one before ended merged into it (a deterministic B4's one range, a
 * pool B4's blocks). Stops at the first non-zero return, which it returns.
 * A dead B4 holds none.
 */
int aftr_b4_ranges(struct aftr_b4 *b4, int (*fn)(void *arg, u16 first, u16 last),
		   void *arg);

/* Gives back all of a B4's blocks and its pairing, when it dies. */
void aftr_pool_unpair(struct aftr_b4 *b4);

#ifdef DEBUG
bool aftr_pool_selftest(void);
#endif

#endif /* _DSLITE_AFTR_POOL_H */
