// SPDX-License-Identifier: GPL-2.0
/*
 * Pools and port allocation.
 *
 * Every address of a pool has a map of port blocks; a B4 is paired with one
 * address for its life and owns the blocks it took there, each with one
 * port bitmap per protocol (TCP, UDP and ICMP ids are independent spaces).
 * An external (address, port, protocol) is therefore owned by one B4 and,
 * through its bitmap, by at most one binding (NAT-5).
 *
 * The pool address of a new B4 comes from a hash of its IPv6 prefix, probing
 * on to the next address with a free block. Hashing is O(1) on the packet
 * path where "most free blocks" would scan every address, spreads B4s evenly
 * all the same, and gives a B4 that comes back after being idle its old
 * external address again, which its users notice least.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/rtnetlink.h>
#include <linux/vmalloc.h>

#include "b4.h"
#include "det.h"
#include "event.h"
#include "pool.h"

enum { PORTS_TCP, PORTS_UDP, PORTS_ICMP, PORTS_COUNT };

/**
 * struct aftr_block - a run of ports on a pool address, owned by one B4
 * @first: first port
 * @size: how many ports
 * @idx: its index in the address's block map
 * @map: PORTS_COUNT bitmaps of @size bits, ports in use per protocol
 */
struct aftr_block {
	u16 first;
	u16 size;
	u32 idx;
	unsigned long map[];
};

/**
 * struct aftr_pool_addr - one external address
 * @lock: protects the fields below it
 * @bsize: block size the map is laid out with; changes only while unused
 * @nblocks: blocks on the address at @bsize
 * @used: blocks handed out
 * @b4s: B4s paired with the address
 * @map: one bit per block, set when handed out
 * @addr: the address
 * @pool: its pool
 */
struct aftr_pool_addr {
	spinlock_t lock;	/* guards the fields below */
	u32 bsize;
	u32 nblocks;
	u32 used;
	u32 b4s;
	unsigned long *map;
	__be32 addr;
	struct aftr_pool *pool;
};

/**
 * struct aftr_pool - a prefix of external addresses and the ports to use
 * @list: entry in the instance's pool list (RCU, written under RTNL)
 * @pools: the instance's pools
 * @prefix: first address
 * @len: prefix length
 * @port_min: lowest port handed out
 * @port_max: highest port handed out
 * @naddr: addresses in the pool
 * @det: the addresses of a deterministic rule (det.c), not in the pool list
 * @b4s: B4s paired with its addresses
 * @blocks_used: blocks handed out on its addresses
 * @maps: the block maps of all its addresses, sized for the smallest blocks
 * @addr: its addresses
 */
struct aftr_pool {
	struct list_head list;
	struct aftr_pools *pools;
	__be32 prefix;
	u8 len;
	u16 port_min;
	u16 port_max;
	u32 naddr;
	bool det;
	atomic_t b4s;
	atomic_t blocks_used;
	unsigned long *maps;
	struct aftr_pool_addr addr[];
};

/**
 * struct aftr_pools - the pools of an instance
 * @list: the pools, in the order they were added
 * @count: how many
 * @det: the addresses of deterministic rules, under RTNL
 * @ndet: how many
 * @ranges: every pool's and rule's addresses, for aftr_pool_contains()
 * @blocks_used: blocks handed out over all pools, for DEV_SET's check
 * @seed: hash seed for pairing, so that pairing is not predictable
 * @ad: the instance, for the events of B4s that give their blocks back
 */
struct aftr_pools {
	struct list_head list;
	unsigned int count;
	struct list_head det;
	unsigned int ndet;
	struct aftr_pool_ranges __rcu *ranges;
	atomic_t blocks_used;
	u32 seed;
	struct aftr_dev *ad;
};

/**
 * struct aftr_pool_ranges - the addresses of all pools, sorted
 * @rcu: frees through RCU
 * @n: ranges in @r
 * @r: first and last address of each pool, host order; pools never
 *	overlap, so the ranges are disjoint and a binary search finds one
 */
struct aftr_pool_ranges {
	struct rcu_head rcu;
	unsigned int n;
	struct {
		u32 lo;
		u32 hi;
	} r[];
};

static unsigned int pool_span(const struct aftr_pool *pool)
{
	return pool->port_max - pool->port_min + 1;
}

static __be32 pool_mask(u8 len)
{
	return len ? htonl(~0U << (32 - len)) : 0;
}

int aftr_pools_init(struct aftr_dev *ad)
{
	struct aftr_pools *pools = kzalloc(sizeof(*pools), GFP_KERNEL_ACCOUNT);

	if (!pools)
		return -ENOMEM;
	INIT_LIST_HEAD(&pools->list);
	INIT_LIST_HEAD(&pools->det);
	pools->seed = get_random_u32();
	pools->ad = ad;
	ad->pools = pools;
	return 0;
}

static void pool_free(struct aftr_pool *pool)
{
	kvfree(pool->maps);
	kvfree(pool);
}

/* After aftr_b4s_destroy(): no B4 holds a block any more. */
void aftr_pools_destroy(struct aftr_dev *ad)
{
	struct aftr_pool *pool, *tmp;

	list_for_each_entry_safe(pool, tmp, &ad->pools->list, list)
		pool_free(pool);
	kfree(rcu_dereference_protected(ad->pools->ranges, true));
	kfree(ad->pools);
	ad->pools = NULL;
}

/* Room for the ranges of every pool and rule, and @extra more; RTNL. */
static struct aftr_pool_ranges *ranges_alloc(struct aftr_pools *pools, unsigned int extra)
{
	unsigned int n = pools->count + pools->ndet + extra;
	struct aftr_pool_ranges *rs;

	rs = kmalloc(struct_size(rs, r, n), GFP_KERNEL_ACCOUNT);
	if (rs)
		rs->n = n;
	return rs;
}

static int range_cmp(const void *a, const void *b)
{
	u32 la = *(const u32 *)a, lb = *(const u32 *)b;

	return la < lb ? -1 : la > lb;
}

/* Fills @rs, sized by ranges_alloc() for the lists as they are now, and publishes it. */
static void ranges_publish(struct aftr_pools *pools, struct aftr_pool_ranges *rs)
{
	struct aftr_pool_ranges *old = rtnl_dereference(pools->ranges);
	struct list_head *lists[] = { &pools->list, &pools->det };
	struct aftr_pool *pool;
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(pool, lists[i], list) {
			rs->r[n].lo = ntohl(pool->prefix);
			rs->r[n++].hi = ntohl(pool->prefix) + pool->naddr - 1;
		}
	WARN_ON_ONCE(n != rs->n);
	sort(rs->r, n, sizeof(rs->r[0]), range_cmp, NULL);
	rcu_assign_pointer(pools->ranges, rs);
	kfree_rcu(old, rcu);
}

/*
 * After a pool went: without memory for a new index, the old one stays, and
 * only says a few addresses are ours that no longer are.
 */
static void ranges_shrink(struct aftr_pools *pools)
{
	struct aftr_pool_ranges *rs = ranges_alloc(pools, 0);

	if (rs)
		ranges_publish(pools, rs);
}

static struct aftr_pool *pool_new(__be32 prefix, u8 len, u16 port_min,
				  u16 port_max)
{
	u32 i, naddr = 1U << (32 - len);
	unsigned int longs;
	struct aftr_pool *pool;

	pool = kvzalloc(struct_size(pool, addr, naddr), GFP_KERNEL_ACCOUNT);
	if (!pool)
		return NULL;
	pool->prefix = prefix;
	pool->len = len;
	pool->port_min = port_min;
	pool->port_max = port_max;
	pool->naddr = naddr;
	/* Room for the smallest block size, so DEV_SET never reallocates. */
	longs = BITS_TO_LONGS(pool_span(pool) / DSLITE_AFTR_MIN_BLOCK_SIZE);
	pool->maps = kvcalloc(array_size(naddr, longs), sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!pool->maps) {
		kvfree(pool);
		return NULL;
	}
	for (i = 0; i < naddr; i++) {
		struct aftr_pool_addr *pa = &pool->addr[i];

		spin_lock_init(&pa->lock);
		pa->map = pool->maps + i * longs;
		pa->addr = htonl(ntohl(prefix) + i);
		pa->pool = pool;
	}
	return pool;
}

int aftr_pool_add(struct aftr_dev *ad, __be32 prefix, u8 len, u16 port_min,
		  u16 port_max, struct netlink_ext_ack *extack)
{
	struct aftr_pools *pools = ad->pools;
	struct aftr_pool_ranges *rs;
	struct aftr_pool *pool;

	ASSERT_RTNL();
	if (len < DSLITE_AFTR_MIN_POOL_PREFIX_LEN || len > 32) {
		AFTR_SET_ERR_MSG_FMT(extack, "pool prefix length out of range",
				     "pool prefix length must be %u to 32",
				     DSLITE_AFTR_MIN_POOL_PREFIX_LEN);
		return -EINVAL;
	}
	if (prefix & ~pool_mask(len)) {
		NL_SET_ERR_MSG_MOD(extack, "pool prefix has host bits set");
		return -EINVAL;
	}
	if (!port_min || port_min > port_max) {
		NL_SET_ERR_MSG_MOD(extack, "pool port range must be within 1-65535, min <= max");
		return -EINVAL;
	}
	if (port_max - port_min + 1U < READ_ONCE(ad->params.block_size)) {
		NL_SET_ERR_MSG_MOD(extack, "pool port range is smaller than one port block");
		return -EINVAL;
	}
	list_for_each_entry(pool, &pools->list, list) {
		__be32 mask = pool_mask(min(len, pool->len));

		if ((prefix ^ pool->prefix) & mask)
			continue;
		AFTR_SET_ERR_MSG_FMT(extack, "pool overlaps an existing pool",
				     "pool %pI4/%u overlaps %pI4/%u", &prefix, len,
				     &pool->prefix, pool->len);
		return -EEXIST;
	}
	if (aftr_det_overlaps(ad, prefix, len)) {
		NL_SET_ERR_MSG_MOD(extack, "pool overlaps the pool of a deterministic rule");
		return -EEXIST;
	}
	rs = ranges_alloc(pools, 1);
	pool = pool_new(prefix, len, port_min, port_max);
	if (!pool || !rs) {
		kfree(rs);
		if (pool)
			pool_free(pool);
		return -ENOMEM;
	}
	pool->pools = pools;
	list_add_tail_rcu(&pool->list, &pools->list);
	pools->count++;
	ranges_publish(pools, rs);
	return 0;
}

bool aftr_pool_holds(const struct aftr_b4 *b4, const void *pool)
{
	return b4->paddr && b4->paddr->pool == pool;
}

struct aftr_pool *aftr_pool_unlist(struct aftr_dev *ad, __be32 prefix, u8 len,
				   struct netlink_ext_ack *extack)
{
	struct aftr_pool *pool;

	ASSERT_RTNL();
	list_for_each_entry(pool, &ad->pools->list, list) {
		if (pool->prefix != prefix || pool->len != len)
			continue;
		list_del_rcu(&pool->list);
		ad->pools->count--;
		ranges_shrink(ad->pools);
		return pool;
	}
	NL_SET_ERR_MSG_MOD(extack, "no such pool");
	return ERR_PTR(-ENOENT);
}

void aftr_pool_free(struct aftr_pool *pool)
{
	WARN_ON_ONCE(atomic_read(&pool->blocks_used));
	pool_free(pool);
}

unsigned int aftr_pools_count(struct aftr_dev *ad)
{
	return READ_ONCE(ad->pools->count);
}

bool aftr_pools_blocks_in_use(struct aftr_dev *ad)
{
	return atomic_read(&ad->pools->blocks_used) > 0;
}

bool aftr_pool_info(struct aftr_dev *ad, unsigned int idx,
		    struct aftr_pool_info *info)
{
	u32 bsize = READ_ONCE(ad->params.block_size);
	struct aftr_pool *pool;
	bool found = false;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &ad->pools->list, list) {
		if (idx--)
			continue;
		info->prefix = pool->prefix;
		info->len = pool->len;
		info->port_min = pool->port_min;
		info->port_max = pool->port_max;
		info->b4s = atomic_read(&pool->b4s);
		info->blocks_used = atomic_read(&pool->blocks_used);
		info->blocks_total = pool->naddr * (pool_span(pool) / bsize);
		found = true;
		break;
	}
	rcu_read_unlock();
	return found;
}

/* O(log n) per packet, however many pools and rules there are. */
bool aftr_pool_contains(struct aftr_dev *ad, __be32 addr)
{
	const struct aftr_pool_ranges *rs = rcu_dereference_rtnl(ad->pools->ranges);
	unsigned int lo = 0, hi, mid;
	u32 a = ntohl(addr);

	if (!rs)
		return false;
	hi = rs->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rs->r[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a <= rs->r[lo - 1].hi;
}

bool aftr_pools_overlap(struct aftr_dev *ad, __be32 prefix, u8 len)
{
	struct aftr_pool *pool;

	ASSERT_RTNL();
	list_for_each_entry(pool, &ad->pools->list, list)
		if (!((prefix ^ pool->prefix) & pool_mask(min(len, pool->len))))
			return true;
	return false;
}

/*
 * Takes a free block on @pa for a B4, or an ERR_PTR: the one holding port
 * @port, or a random one when @port is 0. The block size is the instance's
 * at the time the address last had no block in use, so that all blocks of
 * an address always have one size.
 */
static struct aftr_block *block_take(struct aftr_dev *ad,
				     struct aftr_pool_addr *pa, u16 port)
{
	struct aftr_pool *pool = pa->pool;
	struct aftr_block *blk;
	u32 idx;

	spin_lock_bh(&pa->lock);
	if (!pa->used) {
		pa->bsize = READ_ONCE(ad->params.block_size);
		WRITE_ONCE(pa->nblocks, pool_span(pool) / pa->bsize);
	}
	if (pa->used >= pa->nblocks) {
		spin_unlock_bh(&pa->lock);
		return ERR_PTR(port ? -EADDRINUSE : -ENOSPC);
	}
	if (port) {
		idx = (port - pool->port_min) / pa->bsize;
		if (idx >= pa->nblocks || test_bit(idx, pa->map)) {
			spin_unlock_bh(&pa->lock);
			return ERR_PTR(idx >= pa->nblocks ? -ERANGE : -EADDRINUSE);
		}
	}
	blk = kzalloc(struct_size(blk, map, PORTS_COUNT * BITS_TO_LONGS(pa->bsize)),
		      GFP_ATOMIC);
	if (!blk) {
		spin_unlock_bh(&pa->lock);
		return ERR_PTR(-ENOMEM);
	}
	if (!port) {
		idx = find_next_zero_bit(pa->map, pa->nblocks,
					 get_random_u32_below(pa->nblocks));
		if (idx >= pa->nblocks)
			idx = find_first_zero_bit(pa->map, pa->nblocks);
	}
	__set_bit(idx, pa->map);
	WRITE_ONCE(pa->used, pa->used + 1);
	blk->idx = idx;
	blk->size = pa->bsize;
	blk->first = pool->port_min + idx * pa->bsize;
	spin_unlock_bh(&pa->lock);

	atomic_inc(&pool->blocks_used);
	atomic_inc(&pool->pools->blocks_used);
	aftr_count(ad, DSLITE_AFTR_STAT_BLOCKS_ALLOCATED);
	return blk;
}

/*
 * Adds a block of @b4's pool address to it; b4->lock held or unpublished.
 * A deterministic B4 has its range and no more: its quota is reached.
 */
static struct aftr_block *b4_grow(struct aftr_dev *ad, struct aftr_b4 *b4, u16 port)
{
	struct aftr_block **blocks, *blk;

	if (b4->paddr->pool->det)
		return ERR_PTR(-EDQUOT);
	blocks = krealloc_array(b4->blocks, b4->nblocks + 1, sizeof(*blocks),
				GFP_ATOMIC);
	if (!blocks)
		return ERR_PTR(-ENOMEM);
	b4->blocks = blocks;
	blk = block_take(ad, b4->paddr, port);
	if (!IS_ERR(blk)) {
		blocks[b4->nblocks++] = blk;
		aftr_event_block(ad, DSLITE_AFTR_EVENT_BLOCK_ALLOC, b4, blk->first, blk->size);
	}
	return blk;
}

int aftr_pool_pair(struct aftr_dev *ad, struct aftr_b4 *b4)
{
	struct aftr_pools *pools = ad->pools;
	struct aftr_pool *pool;
	u32 total = 0, pos, n;
	int err;

	err = aftr_det_pair(ad, b4);
	if (err != -ENOENT)
		return err;
	list_for_each_entry_rcu(pool, &pools->list, list)
		total += pool->naddr;
	if (!total)
		return -ENOSPC;
	pos = reciprocal_scale(jhash(&b4->prefix, sizeof(b4->prefix), pools->seed), total);
	list_for_each_entry_rcu(pool, &pools->list, list) {
		if (pos < pool->naddr)
			break;
		pos -= pool->naddr;
	}
	/*
	 * The list may have changed since we counted: then we just stop. The
	 * first block comes with the first binding admitted (aftr_port_alloc()),
	 * so a subscriber refused by its limits holds none.
	 */
	for (n = 0; n < total && !list_entry_is_head(pool, &pools->list, list); n++) {
		struct aftr_pool_addr *pa = &pool->addr[pos];

		spin_lock_bh(&pa->lock);
		if (!pa->used || pa->used < pa->nblocks) {
			pa->b4s++;
			spin_unlock_bh(&pa->lock);
			atomic_inc(&pool->b4s);
			b4->paddr = pa;
			b4->ext = pa->addr;
			return 0;
		}
		spin_unlock_bh(&pa->lock);
		if (++pos < pool->naddr)
			continue;
		pos = 0;
		pool = list_next_or_null_rcu(&pools->list, &pool->list,
					     struct aftr_pool, list) ?:
		       list_first_or_null_rcu(&pools->list, struct aftr_pool, list);
		if (!pool)
			break;
	}
	return -ENOSPC;
}

static unsigned int ports_index(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return PORTS_TCP;
	case IPPROTO_UDP:
		return PORTS_UDP;
	default:
		return PORTS_ICMP;
	}
}

static unsigned long *block_map(struct aftr_block *blk, unsigned int pi)
{
	return blk->map + pi * BITS_TO_LONGS(blk->size);
}

/* Free ports of the wrong parity looked past before taking one anyway. */
#define PARITY_PROBES	8

/*
 * A free port offset in @blk, searched from a random point (CGN-3): the
 * first with the parity @want (NAT-4), or -1 and in *@any the first of any
 * parity (-1 when the block is full). Parity is looked for among the next
 * PARITY_PROBES free ports only: in softirq, a block whose free ports all
 * have the other parity must not cost a walk over every one of them.
 */
static int block_find(struct aftr_block *blk, unsigned int pi,
		      unsigned int want, int *any)
{
	const unsigned long *map = block_map(blk, pi);
	unsigned int start = get_random_u32_below(blk->size);
	unsigned int bit = start, end = blk->size, probes = 0;
	bool wrapped = false;

	*any = -1;
	while (probes <= PARITY_PROBES) {
		bit = find_next_zero_bit(map, end, bit);
		if (bit >= end) {
			if (wrapped)
				return -1;
			wrapped = true;
			end = start;
			bit = 0;
			continue;
		}
		if (((blk->first + bit) & 1) == want)
			return bit;
		if (*any < 0)
			*any = bit;
		probes++;
		bit++;
	}
	return -1;
}

static void block_use(struct aftr_block *blk, unsigned int pi, int off,
		      __be16 *port)
{
	__set_bit(off, block_map(blk, pi));
	*port = htons(blk->first + off);
}

int aftr_port_alloc(struct aftr_dev *ad, struct aftr_b4 *b4, u8 proto,
		    __be16 inner_port, __be16 *port)
{
	unsigned int pi = ports_index(proto), want = ntohs(inner_port) & 1;
	struct aftr_block *blk, *other = NULL;
	int off, any, other_off = -1;
	u32 i, start;

	lockdep_assert_held(&b4->lock);
	start = b4->nblocks ? get_random_u32_below(b4->nblocks) : 0;
	for (i = 0; i < b4->nblocks; i++) {
		blk = b4->blocks[(start + i) % b4->nblocks];
		off = block_find(blk, pi, want, &any);
		if (off >= 0) {
			block_use(blk, pi, off, port);
			return 0;
		}
		if (any >= 0 && !other) {
			other = blk;
			other_off = any;
		}
	}
	/* Parity is not worth a block of the B4's quota. */
	if (other) {
		block_use(other, pi, other_off, port);
		return 0;
	}
	if (b4->nblocks >= READ_ONCE(ad->params.max_blocks))
		return -EDQUOT;
	blk = b4_grow(ad, b4, 0);
	if (IS_ERR(blk))
		return PTR_ERR(blk);
	off = block_find(blk, pi, want, &any);
	block_use(blk, pi, off >= 0 ? off : any, port);
	return 0;
}

int aftr_pool_pair_at(struct aftr_dev *ad, struct aftr_b4 *b4, __be32 ext)
{
	struct aftr_pool_addr *pa;
	struct aftr_pool *pool;

	list_for_each_entry_rcu(pool, &ad->pools->list, list) {
		if ((ext ^ pool->prefix) & pool_mask(pool->len))
			continue;
		pa = &pool->addr[ntohl(ext) - ntohl(pool->prefix)];
		spin_lock_bh(&pa->lock);
		pa->b4s++;
		spin_unlock_bh(&pa->lock);
		atomic_inc(&pool->b4s);
		b4->paddr = pa;
		b4->ext = ext;
		return 0;
	}
	return -ENOSPC;
}

int aftr_port_reserve(struct aftr_dev *ad, struct aftr_b4 *b4, u8 proto, __be16 port)
{
	unsigned int pi = ports_index(proto);
	struct aftr_block *blk;
	u16 p = ntohs(port);
	u32 i;

	lockdep_assert_held(&b4->lock);
	if (p < b4->paddr->pool->port_min || p > b4->paddr->pool->port_max)
		return -ERANGE;
	for (i = 0; i < b4->nblocks; i++) {
		blk = b4->blocks[i];
		if (p >= blk->first && p - blk->first < blk->size)
			return __test_and_set_bit(p - blk->first, block_map(blk, pi)) ?
			       -EADDRINUSE : 0;
	}
	if (b4->nblocks >= READ_ONCE(ad->params.max_blocks))
		return -EDQUOT;
	blk = b4_grow(ad, b4, p);
	if (IS_ERR(blk))
		return PTR_ERR(blk);
	__set_bit(p - blk->first, block_map(blk, pi));
	return 0;
}

void aftr_port_free(struct aftr_b4 *b4, u8 proto, __be16 port)
{
	unsigned int pi = ports_index(proto);
	u16 p = ntohs(port);
	u32 i;

	lockdep_assert_held(&b4->lock);
	for (i = 0; i < b4->nblocks; i++) {
		struct aftr_block *blk = b4->blocks[i];

		if (p >= blk->first && p - blk->first < blk->size) {
			__clear_bit(p - blk->first, block_map(blk, pi));
			return;
		}
	}
	WARN_ONCE(1, "port %u is not in its B4's blocks\n", p);
}

static const u8 port_protos[PORTS_COUNT] = {
	[PORTS_TCP] = IPPROTO_TCP, [PORTS_UDP] = IPPROTO_UDP, [PORTS_ICMP] = IPPROTO_ICMP,
};

/* A position in a B4's ports: (block, protocol) slot, then the bit. */
#define PORT_POS(slot, bit)	((u64)(slot) << 16 | (bit))

unsigned int aftr_b4_ports(struct aftr_b4 *b4, bool dead_too, u64 *pos,
			   struct aftr_port *out, unsigned int max)
{
	u64 slot = *pos >> 16;
	unsigned int bit = *pos & 0xffff, n = 0;
	const unsigned long *map;
	struct aftr_block *blk;

	spin_lock_bh(&b4->lock);
	if (b4->dead && !dead_too)
		goto out;
	for (; n < max; slot++, bit = 0) {
		if (slot >= (u64)b4->nblocks * PORTS_COUNT)
			break;
		blk = b4->blocks[slot / PORTS_COUNT];
		map = block_map(blk, slot % PORTS_COUNT);
		for (bit = find_next_bit(map, blk->size, bit); bit < blk->size && n < max;
		     bit = find_next_bit(map, blk->size, bit + 1)) {
			out[n].pos = PORT_POS(slot, bit);
			out[n].proto = port_protos[slot % PORTS_COUNT];
			out[n++].port = htons(blk->first + bit);
		}
		/* Full with ports left in this map: resume at the next one. */
		if (bit < blk->size)
			break;
	}
out:
	spin_unlock_bh(&b4->lock);
	*pos = PORT_POS(slot, bit);
	return n;
}

int aftr_b4_ranges(struct aftr_b4 *b4, int (*fn)(void *arg, u16 first, u16 last),
		   void *arg)
{
	u32 i, first = 0, next = 0;
	int err = 0;

	spin_lock_bh(&b4->lock);
	for (i = 0; !b4->dead && i < b4->nblocks && !err; i++) {
		const struct aftr_block *blk = b4->blocks[i];

		if (next && blk->first == next) {
			next += blk->size;
			continue;
		}
		if (next)
			err = fn(arg, first, next - 1);
		first = blk->first;
		next = first + blk->size;
	}
	if (next && !err)
		err = fn(arg, first, next - 1);
	spin_unlock_bh(&b4->lock);
	return err;
}

void aftr_pool_unpair(struct aftr_b4 *b4)
{
	struct aftr_pool_addr *pa = b4->paddr;
	u32 i;

	if (!pa)
		return;
	spin_lock_bh(&pa->lock);
	for (i = 0; i < b4->nblocks; i++) {
		struct aftr_block *blk = b4->blocks[i];

		/* A det B4's range follows from its address: nothing to log. */
		if (!pa->pool->det)
			aftr_event_block(pa->pool->pools->ad, DSLITE_AFTR_EVENT_BLOCK_FREE, b4,
					 blk->first, blk->size);
		__clear_bit(blk->idx, pa->map);
		kfree(blk);
	}
	WRITE_ONCE(pa->used, pa->used - b4->nblocks);
	pa->b4s--;
	spin_unlock_bh(&pa->lock);

	atomic_sub(b4->nblocks, &pa->pool->blocks_used);
	atomic_sub(b4->nblocks, &pa->pool->pools->blocks_used);
	atomic_dec(&pa->pool->b4s);
	kfree(b4->blocks);
	b4->blocks = NULL;
	b4->nblocks = 0;
	b4->paddr = NULL;
}

struct aftr_pool *aftr_pool_det_new(struct aftr_dev *ad, __be32 prefix, u8 len,
				    u16 port_min, u16 port_max)
{
	struct aftr_pools *pools = ad->pools;
	struct aftr_pool_ranges *rs = ranges_alloc(pools, 1);
	struct aftr_pool *pool = pool_new(prefix, len, port_min, port_max);

	if (!pool || !rs) {
		kfree(rs);
		if (pool)
			pool_free(pool);
		return NULL;
	}
	pool->pools = pools;
	pool->det = true;
	list_add_tail(&pool->list, &pools->det);
	pools->ndet++;
	ranges_publish(pools, rs);
	return pool;
}

/* Takes a rule's addresses out of the index; under RTNL. */
static void det_unlist(struct aftr_pool *pool)
{
	list_del(&pool->list);
	pool->pools->ndet--;
}

void aftr_pool_det_unlist(struct aftr_pool *pool)
{
	det_unlist(pool);
	ranges_shrink(pool->pools);
}

void aftr_pool_det_free(struct aftr_pool *pool)
{
	det_unlist(pool);
	pool_free(pool);
}

int aftr_pool_pair_det(struct aftr_dev *ad, struct aftr_b4 *b4, struct aftr_pool *pool,
		       u32 ai, u32 slot, u16 first, u32 size)
{
	struct aftr_pool_addr *pa = &pool->addr[ai];
	struct aftr_block *blk;

	b4->blocks = kmalloc(sizeof(*b4->blocks), GFP_ATOMIC);
	blk = kzalloc(struct_size(blk, map, PORTS_COUNT * BITS_TO_LONGS(size)), GFP_ATOMIC);
	if (!b4->blocks || !blk) {
		kfree(b4->blocks);
		b4->blocks = NULL;
		kfree(blk);
		return -ENOMEM;
	}
	blk->first = first;
	blk->size = size;
	blk->idx = slot;
	/* A B4 that died and comes back may meet its old self still here. */
	spin_lock_bh(&pa->lock);
	if (test_bit(slot, pa->map)) {
		spin_unlock_bh(&pa->lock);
		kfree(b4->blocks);
		b4->blocks = NULL;
		kfree(blk);
		return -ENOSPC;
	}
	__set_bit(slot, pa->map);
	pa->used++;
	pa->b4s++;
	spin_unlock_bh(&pa->lock);

	b4->blocks[0] = blk;
	b4->nblocks = 1;
	b4->paddr = pa;
	b4->ext = pa->addr;
	atomic_inc(&pool->b4s);
	atomic_inc(&pool->blocks_used);
	atomic_inc(&pool->pools->blocks_used);
	aftr_count(ad, DSLITE_AFTR_STAT_BLOCKS_ALLOCATED);
	return 0;
}

u32 aftr_pool_b4s(const struct aftr_pool *pool)
{
	return atomic_read(&pool->b4s);
}

#ifdef DEBUG
/*
 * Self-test of the port allocator at module load (DEBUG builds): a B4 takes
 * every port its quota allows on a one-address pool; each must be unique,
 * inside its blocks, with its parity kept, and all must come back.
 */
static bool selftest_ports(struct aftr_dev *ad, struct aftr_b4 *b4,
			   unsigned long *seen)
{
	u32 n = ad->params.max_blocks * ad->params.block_size, i;
	__be16 port = 0;
	bool ok = true;

	spin_lock_bh(&b4->lock);
	for (i = 0; i < n && ok; i++) {
		__be16 inner = htons(1000 + i);

		ok = !aftr_port_alloc(ad, b4, IPPROTO_UDP, inner, &port) &&
		     !__test_and_set_bit(ntohs(port), seen) &&
		     ntohs(port) > 1024 && (ntohs(port) & 1) == (i & 1);
	}
	/* Quota reached; the other protocols have ports of their own. */
	ok = ok && aftr_port_alloc(ad, b4, IPPROTO_UDP, port, &port) == -EDQUOT &&
	     !aftr_port_alloc(ad, b4, IPPROTO_TCP, port, &port);
	for (i = 1024; i < 65536 && ok; i++)
		if (test_bit(i, seen))
			aftr_port_free(b4, IPPROTO_UDP, htons(i));
	spin_unlock_bh(&b4->lock);
	return ok && b4->nblocks == ad->params.max_blocks;
}

bool __init aftr_pool_selftest(void)
{
	struct aftr_dev *ad = kzalloc(sizeof(*ad), GFP_KERNEL);
	unsigned long *seen = bitmap_zalloc(65536, GFP_KERNEL);
	struct aftr_b4 *b4 = kzalloc(sizeof(*b4), GFP_KERNEL);
	bool ok = false;

	if (!ad || !seen || !b4)
		goto out;
	ad->stats = alloc_percpu(struct aftr_stats);
	if (!ad->stats || aftr_pools_init(ad))
		goto out;
	ad->params.block_size = DSLITE_AFTR_MIN_BLOCK_SIZE;
	ad->params.max_blocks = 5;
	spin_lock_init(&b4->lock);
	rtnl_lock();
	/* Seven blocks, each starting on an odd port. */
	ok = !aftr_pool_add(ad, htonl(0xc0000200), 32, 1025,
			    1024 + DSLITE_AFTR_MIN_BLOCK_SIZE * 7, NULL);
	rtnl_unlock();
	rcu_read_lock();
	ok = ok && !aftr_pool_pair(ad, b4);
	rcu_read_unlock();
	ok = ok && selftest_ports(ad, b4, seen);
	aftr_pool_unpair(b4);
	ok = ok && !aftr_pools_blocks_in_use(ad);
	aftr_pools_destroy(ad);
out:
	if (ad)
		free_percpu(ad->stats);
	kfree(b4);
	bitmap_free(seen);
	kfree(ad);
	if (ok)
		pr_info("port allocator self-test: pass\n");
	else
		pr_err("port allocator self-test: FAIL\n");
	return ok;
}
#endif
