// SPDX-License-Identifier: GPL-2.0
/*
 * The binding tables, their expiry, and the ends of bindings and B4s.
 *
 * The packet path only adds: it looks bindings up without a lock and creates
 * them under the lock of their B4 alone. Everything that ends bindings or B4s
 * (the expiry worker, flushes, B4_DENY, POOL_DEL) runs in process context
 * under one mutex per instance, so those never race each other; against the
 * packet path, whoever takes a binding out of the outside index owns it: it
 * releases the port and frees the binding, exactly once.
 */
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/ipv6.h>

#include "b4.h"
#include "binding.h"
#include "event.h"
#include "exempt.h"
#include "pool.h"

/* Entries the expiry worker looks at between two rests of the walk. */
#define GC_SLICE	1024
/* How long one run of the worker may hold the instance's mutex. */
#define GC_RUN		max(HZ / 50, 1)
/* Rest between two complete sweeps; expiry is this precise. */
#define GC_PERIOD	HZ

enum gc_phase { GC_BINDINGS, GC_EXEMPT, GC_B4S };

/**
 * struct aftr_bindings - the binding tables of an instance
 * @in: inside index, live bindings
 * @out: outside index, live bindings and those in hold-down
 * @ad: the instance
 * @lock: serializes the ends of bindings and B4s
 * @gc: the expiry worker
 * @gc_iter: where the worker's sweep resumes, while @gc_walking
 * @gc_walking: a sweep of the table of @gc_phase is under way
 * @gc_phase: which table the worker sweeps
 * @statics: the static mappings by outside key (static_index()), so that
 *	their dump resumes where it stopped instead of walking every binding
 */
struct aftr_bindings {
	struct rhashtable in;
	struct rhashtable out;
	struct xarray statics;
	struct aftr_dev *ad;
	struct mutex lock;		/* one end of a binding or B4 at a time */
	struct delayed_work gc;
	struct rhashtable_iter gc_iter;
	bool gc_walking;
	enum gc_phase gc_phase;
};

static struct kmem_cache *binding_cache;

static const struct rhashtable_params in_params = {
	.head_offset = offsetof(struct aftr_binding, in_node),
	.key_offset = offsetof(struct aftr_binding, in),
	.key_len = sizeof(struct aftr_key_in),
	.automatic_shrinking = true,
};

static const struct rhashtable_params out_params = {
	.head_offset = offsetof(struct aftr_binding, out_node),
	.key_offset = offsetof(struct aftr_binding, out),
	.key_len = sizeof(struct aftr_key_out),
	.automatic_shrinking = true,
};

int __init aftr_state_module_init(void)
{
	int err;

	/* Keys hash as whole words; the binding fits its memory budget. */
	BUILD_BUG_ON(sizeof(struct aftr_key_in) != 24);
	BUILD_BUG_ON(sizeof(struct aftr_key_out) != 8);
	BUILD_BUG_ON(sizeof(struct aftr_binding) > 80);
	/* static_index() packs an outside key in an xarray index. */
	BUILD_BUG_ON(BITS_PER_LONG < 64);

#ifdef DEBUG
	if (!aftr_pool_selftest())
		return -ENOTRECOVERABLE;
#endif
	binding_cache = kmem_cache_create("dslite_aftr_binding",
					  sizeof(struct aftr_binding), 0,
					  AFTR_SLAB_NO_MERGE, NULL);
	if (!binding_cache)
		return -ENOMEM;
	err = aftr_b4s_module_init();
	if (err)
		goto err_binding;
	err = aftr_exempt_module_init();
	if (err)
		goto err_b4;
	return 0;

err_b4:
	aftr_b4s_module_exit();
err_binding:
	kmem_cache_destroy(binding_cache);
	return err;
}

/*
 * Bindings and B4s still on their way out through call_rcu(). They are not
 * freed with kfree_rcu(): before 6.12, rcu_barrier() does not wait for its
 * batches (kvfree_rcu_barrier() came in 6.12), and the objects of bindings
 * that expired just before unload were left in the caches destroyed here.
 */
void aftr_state_module_exit(void)
{
	/*
	 * Bindings and B4s still on their way out through call_rcu(). Not
	 * kfree_rcu(): before 6.12, rcu_barrier() does not wait for its
	 * batches, and the caches would be destroyed with objects in them.
	 */
	rcu_barrier();
	aftr_exempt_module_exit();
	aftr_b4s_module_exit();
	kmem_cache_destroy(binding_cache);
}

static void gc_run(struct work_struct *work);

int aftr_bindings_init(struct aftr_dev *ad)
{
	struct aftr_bindings *bs = kzalloc(sizeof(*bs), GFP_KERNEL_ACCOUNT);
	int err;

	if (!bs)
		return -ENOMEM;
	err = rhashtable_init(&bs->in, &in_params);
	if (err)
		goto err_free;
	err = rhashtable_init(&bs->out, &out_params);
	if (err)
		goto err_in;
	bs->ad = ad;
	xa_init(&bs->statics);
	mutex_init(&bs->lock);
	INIT_DELAYED_WORK(&bs->gc, gc_run);
	ad->bindings = bs;
	return 0;

err_in:
	rhashtable_destroy(&bs->in);
err_free:
	kfree(bs);
	return err;
}

/* Nothing reaches the instance any more: no RCU grace period to wait for. */
static void binding_destroy(void *ptr, void *arg)
{
	kmem_cache_free(binding_cache, ptr);
}

void aftr_bindings_destroy(struct aftr_dev *ad)
{
	struct aftr_bindings *bs = ad->bindings;

	cancel_delayed_work_sync(&bs->gc);
	/* Bindings freed earlier still give their ports back to our B4s. */
	rcu_barrier();
	if (bs->gc_walking)
		rhashtable_walk_exit(&bs->gc_iter);
	rhashtable_destroy(&bs->in);
	rhashtable_free_and_destroy(&bs->out, binding_destroy, NULL);
	xa_destroy(&bs->statics);
	kfree(bs);
	ad->bindings = NULL;
}

/*
 * The expiry worker runs only while there is state to expire: an idle
 * instance costs no wakeups. Whatever adds state kicks it; gc_run() stops
 * when both tables are empty, and a kick that comes meanwhile queues it
 * again, as the work is no longer pending while it runs.
 */
static void gc_kick(struct aftr_bindings *bs)
{
	if (!delayed_work_pending(&bs->gc))
		queue_delayed_work(system_power_efficient_wq, &bs->gc, GC_PERIOD);
}

void aftr_bindings_kick(struct aftr_dev *ad)
{
	gc_kick(ad->bindings);
}

struct aftr_binding *aftr_binding_lookup_in(struct aftr_dev *ad,
					    const struct aftr_key_in *key)
{
	return rhashtable_lookup(&ad->bindings->in, key, in_params);
}

struct aftr_binding *aftr_binding_lookup_out(struct aftr_dev *ad,
					     const struct aftr_key_out *key)
{
	struct aftr_binding *b = rhashtable_lookup(&ad->bindings->out, key,
						   out_params);

	return b && !READ_ONCE(b->held) ? b : NULL;
}

/* Checks @b4's limits and gives @b its port; b4->lock held, B4 alive. */
static int b4_take_port(struct aftr_dev *ad, struct aftr_b4 *b4,
			struct aftr_binding *b)
{
	int err = aftr_b4_admit(ad, b4);

	if (err)
		return err;
	err = aftr_port_alloc(ad, b4, b->in.proto, b->in.port, &b->out.port);
	switch (err) {
	case 0:
		break;
	case -EDQUOT:
		return AFTR_REFUSED_QUOTA;
	case -ENOSPC:
		return AFTR_REFUSED_POOL;
	default:
		return AFTR_REFUSED_NOMEM;
	}
	b4->nbindings++;
	b4->nports++;
	return 0;
}

/*
 * Reports a refusal of @b (CGN-6) from B4 address @addr; @b4 is NULL when
 * no subscriber could be made.
 */
static void refusal_event(struct aftr_dev *ad, const struct aftr_binding *b,
			  const struct in6_addr *addr, struct aftr_b4 *b4, int why)
{
	struct aftr_key_in key = b->in;
	enum dslite_aftr_event ev;

	if (why == AFTR_REFUSED_QUOTA)
		ev = DSLITE_AFTR_EVENT_QUOTA;
	else if (why == AFTR_REFUSED_POOL)
		ev = DSLITE_AFTR_EVENT_POOL_EXHAUSTED;
	else
		return;
	key.b4 = *addr;
	if (b4)
		aftr_event_refusal(ad, ev, &key, b4->ext, &b4->event_stamp);
	else
		aftr_event_refusal(ad, ev, &key, 0, &ad->event_stamp);
}

/*
 * Finds or makes the B4 of @b and reserves a port on it. A B4 found dead was
 * taken out of the table already, so looking again finds or makes a live
 * one; a second death in a row is not worth more than a dropped packet.
 */
static struct aftr_b4 *b4_reserve(struct aftr_dev *ad, struct aftr_binding *b,
				  const struct in6_addr *addr,
				  const struct in6_addr *endpoint, int *why)
{
	struct aftr_b4 *b4;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		b4 = aftr_b4_get(ad, addr, endpoint, why);
		if (!b4) {
			refusal_event(ad, b, addr, NULL, *why);
			return NULL;
		}
		spin_lock_bh(&b4->lock);
		if (!b4->dead) {
			*why = b4_take_port(ad, b4, b);
			spin_unlock_bh(&b4->lock);
			if (!*why)
				return b4;
			refusal_event(ad, b, addr, b4, *why);
			return NULL;
		}
		spin_unlock_bh(&b4->lock);
	}
	*why = AFTR_REFUSED_NOMEM;
	return NULL;
}

/* Gives the port of @b back to its B4. */
static void binding_put_port(struct aftr_binding *b)
{
	struct aftr_b4 *b4 = b->b4;

	spin_lock_bh(&b4->lock);
	aftr_port_free(b4, b->out.proto, b->out.port);
	if (!--b4->nports)
		b4->idle_since = jiffies;
	spin_unlock_bh(&b4->lock);
}

static void binding_release_rcu(struct rcu_head *head)
{
	struct aftr_binding *b = container_of(head, struct aftr_binding, rcu);

	binding_put_port(b);
	kmem_cache_free(binding_cache, b);
}

/*
 * Frees @b, just taken out of the outside index, and its port. A CPU may
 * still be translating a packet with @b, so its port goes back only after a
 * grace period, or another binding could send from it meanwhile (NAT-5).
 * The B4 outlives the callback: it is ended only once it holds no port, or
 * by aftr_bindings_end_b4s() and the instance's end, which wait for it.
 */
static void binding_free(struct aftr_binding *b)
{
	call_rcu(&b->rcu, binding_release_rcu);
}

/* One live binding less on @b4: it left the inside index, or never got in. */
static void b4_unbind(struct aftr_b4 *b4)
{
	spin_lock_bh(&b4->lock);
	b4->nbindings--;
	spin_unlock_bh(&b4->lock);
}

struct aftr_binding *aftr_binding_create(struct aftr_dev *ad,
					 const struct aftr_key_in *key,
					 const struct in6_addr *b4,
					 const struct in6_addr *endpoint,
					 enum aftr_refusal *why)
{
	struct aftr_bindings *bs = ad->bindings;
	struct aftr_binding *b, *old;
	int err;

	gc_kick(bs);
	b = kmem_cache_zalloc(binding_cache, GFP_ATOMIC);
	if (!b) {
		*why = AFTR_REFUSED_NOMEM;
		return NULL;
	}
	b->in = *key;
	b->in.pad = 0;
	b->b4 = b4_reserve(ad, b, b4, endpoint, &err);
	if (!b->b4) {
		*why = err;
		kmem_cache_free(binding_cache, b);
		return NULL;
	}
	/* A subscriber found, not made, may have last sent from elsewhere. */
	aftr_b4_seen(b->b4, b4, endpoint);
	b->out.addr = b->b4->ext;
	b->out.proto = key->proto;
	b->state = DSLITE_AFTR_STATE_OPEN;
	b->last = jiffies;

	/* The port is ours alone (pool.c), so only memory can fail this. */
	err = rhashtable_lookup_insert_fast(&bs->out, &b->out_node, out_params);
	if (err) {
		b4_unbind(b->b4);
		binding_put_port(b);
		kmem_cache_free(binding_cache, b);
		*why = AFTR_REFUSED_NOMEM;
		return NULL;
	}
	old = rhashtable_lookup_get_insert_fast(&bs->in, &b->in_node, in_params);
	if (!old) {
		smp_store_release(&b->published, true);
		aftr_count(ad, DSLITE_AFTR_STAT_BINDINGS_CREATED);
		aftr_event_binding(ad, DSLITE_AFTR_EVENT_BINDING_CREATE, b);
		return b;
	}
	/*
	 * Another CPU made the same binding first (or the table is full). Ours
	 * never was in the inside index, so it was never live: it goes like a
	 * hold-down that ended. Unpublished, nobody else removes it.
	 */
	WRITE_ONCE(b->held, true);
	b4_unbind(b->b4);
	rhashtable_remove_fast(&bs->out, &b->out_node, out_params);
	binding_free(b);
	if (IS_ERR(old)) {
		*why = AFTR_REFUSED_NOMEM;
		return NULL;
	}
	return old;
}

void aftr_binding_refresh(struct aftr_binding *b)
{
	u32 now = jiffies;

	/* Spare the cache line when many packets refresh within a tick. */
	if (READ_ONCE(b->last) != now)
		WRITE_ONCE(b->last, now);
}

unsigned long aftr_binding_timeout(const struct aftr_dev *ad,
				   const struct aftr_binding *b)
{
	if (READ_ONCE(b->held))
		return READ_ONCE(ad->params.holddown);
	return aftr_flow_timeout(ad, b->in.proto, READ_ONCE(b->state));
}

static bool binding_expired(const struct aftr_dev *ad,
			    const struct aftr_binding *b)
{
	return (u32)jiffies - READ_ONCE(b->last) >=
	       (u32)aftr_binding_timeout(ad, b);
}

/*
 * Takes @b out of the inside index: from then on it only holds its port.
 * Returns whether it was live (a creation that lost a race never was).
 */
static bool binding_unlink_in(struct aftr_bindings *bs, struct aftr_binding *b)
{
	if (rhashtable_remove_fast(&bs->in, &b->in_node, in_params))
		return false;
	WRITE_ONCE(b->last, (u32)jiffies);
	WRITE_ONCE(b->state, AFTR_STATE_HOLDDOWN);
	WRITE_ONCE(b->held, true);
	b4_unbind(b->b4);
	aftr_event_binding(bs->ad, DSLITE_AFTR_EVENT_BINDING_EXPIRE, b);
	return true;
}

/* Outside keys fit an xarray index: 8 + 32 + 16 bits. */
static unsigned long static_index(const struct aftr_key_out *k)
{
	return (unsigned long)k->proto << 48 | (unsigned long)ntohl(k->addr) << 16 |
	       ntohs(k->port);
}

/* Ends @b at once, hold-down skipped; returns whether it was live. */
static bool binding_end(struct aftr_bindings *bs, struct aftr_binding *b)
{
	bool live;

	lockdep_assert_held(&bs->lock);
	if (b->fixed)
		xa_erase(&bs->statics, static_index(&b->out));
	live = binding_unlink_in(bs, b);

	if (!rhashtable_remove_fast(&bs->out, &b->out_node, out_params))
		binding_free(b);
	return live;
}

/*
 * A walk that rested after @fn took an object out may have skipped objects
 * (rhashtable_walk_start() resumes by position in the bucket), so it goes
 * round again. Without rests, removals and resizes make a walk see objects
 * twice, never miss one.
 */
void aftr_table_sweep(struct rhashtable *ht, bool (*fn)(void *obj, void *arg),
		      void *arg)
{
	struct rhashtable_iter it;
	bool removed, again;
	unsigned int n;
	void *obj;

	do {
		removed = false;
		again = false;
		n = 0;
		rhashtable_walk_enter(ht, &it);
		rhashtable_walk_start(&it);
		while ((obj = rhashtable_walk_next(&it))) {
			if (IS_ERR(obj))
				continue;
			removed |= fn(obj, arg);
			if (++n % GC_SLICE)
				continue;
			rhashtable_walk_stop(&it);
			cond_resched();
			rhashtable_walk_start(&it);
			again |= removed;
		}
		rhashtable_walk_stop(&it);
		rhashtable_walk_exit(&it);
	} while (again);
}

/*
 * Calls @fn on each binding of @b4 (hold-downs included), found through the
 * ports it holds: the cost is the subscriber's, not the table's. Starts at
 * *@pos (0: the first); when @fn returns true, stops with *@pos at that
 * binding. Returns whether it stopped. Under RCU; a B4 being ended lists
 * its ports only to its ender (@dead_too, under bs->lock).
 */
static bool b4_walk(struct aftr_bindings *bs, struct aftr_b4 *b4, bool dead_too, u64 *pos,
		    bool (*fn)(struct aftr_binding *b, void *arg), void *arg)
{
	struct aftr_key_out key = { .addr = b4->ext };
	struct aftr_port ports[16];
	struct aftr_binding *b;
	unsigned int i, n;
	u64 next = *pos;

	while ((n = aftr_b4_ports(b4, dead_too, &next, ports, ARRAY_SIZE(ports)))) {
		for (i = 0; i < n; i++) {
			key.proto = ports[i].proto;
			key.port = ports[i].port;
			b = rhashtable_lookup(&bs->out, &key, out_params);
			if (!b || b->b4 != b4 || !smp_load_acquire(&b->published))
				continue;
			if (fn(b, arg)) {
				*pos = ports[i].pos;
				return true;
			}
		}
	}
	*pos = next;
	return false;
}

struct flush_arg {
	struct aftr_bindings *bs;
	u8 proto;
	bool fixed_too;
	unsigned int ended;
};

/* Ends @b if the flush selects it; returns whether it did. */
static bool flush_selects(struct flush_arg *fa, struct aftr_binding *b)
{
	/* Configuration, not state: STATIC_DEL ends it, or the B4's end. */
	if ((b->fixed && !fa->fixed_too) || (fa->proto && fa->proto != b->in.proto))
		return false;
	fa->ended += binding_end(fa->bs, b);
	return true;
}

/* For b4_walk(), which goes on. */
static bool binding_flush_one(struct aftr_binding *b, void *arg)
{
	flush_selects(arg, b);
	return false;
}

/* For aftr_table_sweep(): every binding, nothing to gain from the subscribers. */
static bool binding_flush_any(void *obj, void *arg)
{
	struct aftr_binding *b = obj;

	/* One still being created is its creator's until published. */
	return smp_load_acquire(&b->published) && flush_selects(arg, b);
}

unsigned int aftr_binding_flush(struct aftr_dev *ad, const struct in6_addr *b4,
				u8 proto)
{
	struct flush_arg fa = { .bs = ad->bindings, .proto = proto };
	struct aftr_b4 *sub;
	u64 pos = 0;

	mutex_lock(&fa.bs->lock);
	if (!b4) {
		aftr_table_sweep(&fa.bs->out, binding_flush_any, &fa);
	} else {
		/* The subscriber of the address the flush names (CGN-9). */
		rcu_read_lock();
		sub = aftr_b4_find(ad, b4);
		if (sub)
			b4_walk(fa.bs, sub, false, &pos, binding_flush_one, &fa);
		rcu_read_unlock();
	}
	mutex_unlock(&fa.bs->lock);
	return fa.ended;
}

/* All of a dead B4's bindings, static mappings too. */
static void b4_end_bindings(struct aftr_bindings *bs, struct aftr_b4 *b4)
{
	struct flush_arg fa = { .bs = bs, .fixed_too = true };
	u64 pos = 0;

	rcu_read_lock();
	b4_walk(bs, b4, true, &pos, binding_flush_one, &fa);
	rcu_read_unlock();
	cond_resched();
}

/* For aftr_table_sweep() over the exempt flows. */
static bool exempt_end_stale(void *obj, void *arg)
{
	return aftr_exempt_end_stale(arg, obj);
}

void aftr_bindings_end_exempt(struct aftr_dev *ad)
{
	struct aftr_bindings *bs = ad->bindings;

	mutex_lock(&bs->lock);
	/* Creators that saw the exempt set before our caller changed it are done. */
	synchronize_rcu();
	aftr_table_sweep(aftr_exempt_table(ad), exempt_end_stale, ad);
	mutex_unlock(&bs->lock);
}

struct end_b4s_arg {
	struct aftr_dev *ad;
	bool (*match)(const struct aftr_b4 *b4, const void *arg);
	const void *arg;
	struct aftr_b4 *dead;
};

static bool b4_end_if_match(void *obj, void *arg)
{
	struct end_b4s_arg *ea = arg;
	struct aftr_b4 *b4 = obj;

	if (!ea->match(b4, ea->arg) || !aftr_b4_retire(ea->ad, b4, false))
		return false;
	b4->next_dead = ea->dead;
	ea->dead = b4;
	return true;
}

/*
 * The packet path adds to a B4 under its lock while it is not dead, within
 * one RCU read-side section that also covers the allowed-prefix check and
 * the choice of a pool address. Hence the two grace periods: the first lets
 * creators that saw the configuration before our caller changed it finish
 * (their B4s are then in the table for us to find); the second, after the
 * B4s are marked dead, lets those that reserved a port on them put their
 * binding in the indexes, where the sweep finds it. After that no binding
 * refers to the B4s (nor does any exempt flow: those of dead B4s are ended
 * too); once the ports of the bindings ended have come back
 * (binding_free() returns them after a grace period: rcu_barrier() waits
 * for that), the B4s and their blocks can go.
 */
void aftr_bindings_end_b4s(struct aftr_dev *ad,
			   bool (*match)(const struct aftr_b4 *b4, const void *arg),
			   const void *arg)
{
	struct end_b4s_arg ea = { .ad = ad, .match = match, .arg = arg };
	struct aftr_bindings *bs = ad->bindings;
	struct aftr_b4 *b4;

	mutex_lock(&bs->lock);
	synchronize_rcu();
	aftr_table_sweep(aftr_b4s_table(ad), b4_end_if_match, &ea);
	if (ea.dead) {
		synchronize_rcu();
		for (b4 = ea.dead; b4; b4 = b4->next_dead)
			b4_end_bindings(bs, b4);
		if (aftr_exempt_count(ad))
			aftr_table_sweep(aftr_exempt_table(ad), exempt_end_stale, ad);
		rcu_barrier();
	}
	while (ea.dead) {
		b4 = ea.dead;
		ea.dead = b4->next_dead;
		aftr_b4_free(b4);
	}
	mutex_unlock(&bs->lock);
}

/* Expiry of one binding: live to hold-down, then gone (CGN-2). */
static void gc_binding(struct aftr_bindings *bs, struct aftr_binding *b)
{
	if (b->fixed || !smp_load_acquire(&b->published) || !binding_expired(bs->ad, b))
		return;
	if (!READ_ONCE(b->held)) {
		if (binding_unlink_in(bs, b))
			aftr_count(bs->ad, DSLITE_AFTR_STAT_BINDINGS_EXPIRED);
		return;
	}
	if (!rhashtable_remove_fast(&bs->out, &b->out_node, out_params))
		binding_free(b);
}

/* Goes on with the sweep of @ht; true when it reached the end. */
static bool gc_sweep(struct aftr_bindings *bs, struct rhashtable *ht,
		     unsigned int *budget)
{
	struct rhashtable_iter *it = &bs->gc_iter;
	void *obj = NULL;

	if (!bs->gc_walking) {
		rhashtable_walk_enter(ht, it);
		bs->gc_walking = true;
	}
	rhashtable_walk_start(it);
	while (*budget && (obj = rhashtable_walk_next(it))) {
		if (IS_ERR(obj))
			continue;
		(*budget)--;
		if (bs->gc_phase == GC_BINDINGS)
			gc_binding(bs, obj);
		else if (bs->gc_phase == GC_EXEMPT)
			aftr_exempt_end_stale(bs->ad, obj);
		else if (aftr_b4_retire(bs->ad, obj, true))
			aftr_b4_free(obj);
	}
	rhashtable_walk_stop(it);
	if (obj)
		return false;
	rhashtable_walk_exit(it);
	bs->gc_walking = false;
	return true;
}

/*
 * One slice of the sweep: the outside index (every binding, hold-downs
 * included), the exempt flows, then the B4 table (last: a B4 goes idle
 * when its last binding or flow ends). True when a whole sweep ended.
 */
static bool gc_slice(struct aftr_bindings *bs)
{
	unsigned int budget = GC_SLICE;

	if (bs->gc_phase == GC_BINDINGS) {
		if (!gc_sweep(bs, &bs->out, &budget))
			return false;
		bs->gc_phase = GC_EXEMPT;
	}
	if (bs->gc_phase == GC_EXEMPT) {
		if (!gc_sweep(bs, aftr_exempt_table(bs->ad), &budget))
			return false;
		bs->gc_phase = GC_B4S;
	}
	if (!gc_sweep(bs, aftr_b4s_table(bs->ad), &budget))
		return false;
	bs->gc_phase = GC_BINDINGS;
	return true;
}

/*
 * The expiry worker. A sweep runs slice after slice, for up to GC_RUN at a
 * time and at once again after, so that its length grows with the table
 * only as fast as the CPU walks it (expiry stays within about a sweep of
 * its deadline, seconds at ten million bindings), while the mutex that
 * flushes and deletions wait for is never held long; between sweeps the
 * worker rests GC_PERIOD.
 */
static void gc_run(struct work_struct *work)
{
	struct aftr_bindings *bs = container_of(to_delayed_work(work),
						struct aftr_bindings, gc);
	unsigned long end = jiffies + GC_RUN;
	bool swept;

	mutex_lock(&bs->lock);
	while (!(swept = gc_slice(bs)) && time_before(jiffies, end))
		cond_resched();
	mutex_unlock(&bs->lock);
	if (bs->gc_walking || atomic_read(&bs->out.nelems) || aftr_b4s_count(bs->ad) ||
	    aftr_exempt_count(bs->ad))
		queue_delayed_work(system_power_efficient_wq, &bs->gc,
				   swept ? GC_PERIOD : 0);
}

/* Reserves @out's port on the B4 of @in, pinned to @out's address. */
static struct aftr_b4 *static_reserve(struct aftr_dev *ad, const struct aftr_key_in *in,
				      const struct aftr_key_out *out,
				      const struct in6_addr *endpoint,
				      struct netlink_ext_ack *extack)
{
	struct aftr_b4 *b4;
	int err, why;

	b4 = aftr_b4_get_at(ad, &in->b4, endpoint, out->addr, &why);
	switch (b4 ? 0 : why) {
	case 0:
		break;
	case AFTR_REFUSED_NOMEM:
		return ERR_PTR(-ENOMEM);
	case AFTR_REFUSED_SUBSCRIBERS:
		NL_SET_ERR_MSG_MOD(extack, "no new subscriber now: max-subscribers or max-new-subscribers");
		return ERR_PTR(-EBUSY);
	default:
		NL_SET_ERR_MSG_MOD(extack, "OUTER_ADDR is not an address of a dynamic pool");
		return ERR_PTR(-EINVAL);
	}
	spin_lock_bh(&b4->lock);
	if (b4->dead)
		err = -EAGAIN;
	else if (b4->ext != out->addr)
		err = -EBUSY;
	else
		err = aftr_port_reserve(ad, b4, out->proto, out->port);
	if (!err) {
		b4->nbindings++;
		b4->nports++;
	}
	spin_unlock_bh(&b4->lock);
	switch (err) {
	case 0:
		return b4;
	case -EBUSY:
		AFTR_SET_ERR_MSG_FMT(extack, "the B4 is on another address; static mappings pin it",
				     "the B4 is on %pI4; static mappings pin it", &b4->ext);
		break;
	case -EADDRINUSE:
		NL_SET_ERR_MSG_MOD(extack, "OUTER_PORT is in use, or in a block of another B4");
		break;
	case -ERANGE:
		NL_SET_ERR_MSG_MOD(extack, "OUTER_PORT is outside the pool's port blocks");
		break;
	case -EDQUOT:
		NL_SET_ERR_MSG_MOD(extack, "the B4 holds its maximum of port blocks");
		break;
	case -EAGAIN:
		NL_SET_ERR_MSG_MOD(extack, "the B4 is being ended; try again");
		break;
	}
	return ERR_PTR(err);
}

/* Publishes @b, a static mapping reserved on its B4; under bs->lock and RCU. */
static int static_publish(struct aftr_bindings *bs, struct aftr_binding *b)
{
	int err;

	err = rhashtable_lookup_insert_fast(&bs->out, &b->out_node, out_params);
	if (err)
		return err;
	err = rhashtable_lookup_insert_fast(&bs->in, &b->in_node, in_params);
	if (err) {
		rhashtable_remove_fast(&bs->out, &b->out_node, out_params);
		return err;
	}
	/* Reserved: the store cannot fail. */
	xa_store(&bs->statics, static_index(&b->out), b, GFP_ATOMIC);
	smp_store_release(&b->published, true);
	return 0;
}

int aftr_binding_add_static(struct aftr_dev *ad, const struct aftr_key_in *in,
			    const struct aftr_key_out *out,
			    const struct in6_addr *endpoint,
			    struct netlink_ext_ack *extack)
{
	struct aftr_bindings *bs = ad->bindings;
	struct aftr_binding *b;
	int err;

	b = kmem_cache_zalloc(binding_cache, GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->in = *in;
	aftr_b4_prefix(ad, &in->b4, &b->in.b4);
	b->out = *out;
	b->fixed = true;
	b->state = DSLITE_AFTR_STATE_OPEN;
	b->last = jiffies;
	mutex_lock(&bs->lock);
	err = xa_reserve(&bs->statics, static_index(out), GFP_KERNEL);
	if (err)
		goto unlock;
	gc_kick(bs);
	/* The B4 lives while a binding refers to it: see aftr_bindings_end_b4s(). */
	rcu_read_lock();
	b->b4 = static_reserve(ad, in, out, endpoint, extack);
	if (IS_ERR(b->b4)) {
		rcu_read_unlock();
		err = PTR_ERR(b->b4);
		xa_release(&bs->statics, static_index(out));
		goto unlock;
	}
	err = static_publish(bs, b);
	rcu_read_unlock();
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG_MOD(extack, "the inner endpoint already has a binding");
		xa_release(&bs->statics, static_index(out));
		b4_unbind(b->b4);
		binding_free(b);
		mutex_unlock(&bs->lock);
		return err;
	}
	mutex_unlock(&bs->lock);
	aftr_count(ad, DSLITE_AFTR_STAT_BINDINGS_CREATED);
	aftr_event_binding(ad, DSLITE_AFTR_EVENT_BINDING_CREATE, b);
	return 0;

unlock:
	mutex_unlock(&bs->lock);
	kmem_cache_free(binding_cache, b);
	return err;
}

int aftr_binding_del_static(struct aftr_dev *ad, const struct aftr_key_out *out)
{
	struct aftr_bindings *bs = ad->bindings;
	struct aftr_binding *b;
	int err = -ENOENT;

	mutex_lock(&bs->lock);
	b = rhashtable_lookup_fast(&bs->out, out, out_params);
	if (b && b->fixed && !READ_ONCE(b->held)) {
		binding_end(bs, b);
		err = 0;
	}
	mutex_unlock(&bs->lock);
	return err;
}

struct aftr_binding *aftr_binding_static_next(struct aftr_dev *ad, unsigned long *idx)
{
	return xa_find(&ad->bindings->statics, idx, ULONG_MAX, XA_PRESENT);
}

bool aftr_binding_walk_b4(struct aftr_dev *ad, const struct in6_addr *addr, u64 *pos,
			  bool (*fn)(struct aftr_binding *b, void *arg), void *arg)
{
	struct aftr_b4 *b4 = aftr_b4_find(ad, addr);

	return b4 && b4_walk(ad->bindings, b4, false, pos, fn, arg);
}

struct rhashtable *aftr_bindings_table(struct aftr_dev *ad)
{
	return &ad->bindings->in;
}

unsigned int aftr_bindings_count(struct aftr_dev *ad)
{
	return atomic_read(&ad->bindings->in.nelems);
}
