// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak object index: address-sorted shards of range trees, the walks
 * that keep freed metadata readable for the scanner, and the listings of
 * reported objects.  See mm/kmemleak.c for the locking and lifetime rules.
 */

#include "kmemleak_core.h"

/* Objects freed during a walk that make the walker reclaim them early. */
#define KML_REAP_MIN		256

/* One lockdep class for all shard locks: they are never nested. */
static struct lock_class_key kml_shard_key;

/*
 * Set up statically: memblock registers objects from the first steps of
 * setup_arch(), before any init function of ours could run.
 */
struct kml_shard kml_shards[KML_NR_SHARDS] = {
	[0 ... KML_NR_SHARDS - 1] = {
		.lock = __RAW_SPIN_LOCK_UNLOCKED(kml_shards.lock),
		.seq = SEQCNT_ZERO(kml_shards.seq),
		.root = RB_ROOT,
	},
};

/*
 * The bounds point into the lowest and highest tracked blocks: they are
 * cut out of the static roots (kml_add_root()), or those two blocks could
 * never be reported.
 */
struct kml_span kml_spans[KML_NR_SPACES] = {
	[0 ... KML_NR_SPACES - 1] = { .lo = ULONG_MAX },
};

unsigned long kml_region_filter[BITS_TO_LONGS(BIT(KML_FILTER_BITS))];
/* the same for the regions wide objects ever covered */
unsigned long kml_wide_filter[BITS_TO_LONGS(BIT(KML_FILTER_BITS))];
bool kml_walking;
static atomic_long_t kml_nr_dead;
/* see kml_walk_overrun(); walker only */
static unsigned long kml_dead_limit = ULONG_MAX;
static bool kml_overrun;

/* The shard a new object belongs to. */
static unsigned int kml_shard_index(const struct kmemleak_object *obj)
{
	if (obj->space == KML_PHYS)
		return KML_SHARD_PHYS;
	if (obj->space == KML_PERCPU)
		return KML_SHARD_PERCPU;
	if ((obj->pointer ^ kml_last(obj)) >> KML_REGION_SHIFT)
		return KML_SHARD_WIDE;
	return kml_region_index(obj->pointer);
}

static void kml_span_extend(struct kml_span *span, unsigned long lo,
			    unsigned long hi)
{
	unsigned long old = READ_ONCE(span->lo);

	while (lo < old) {
		unsigned long seen = cmpxchg(&span->lo, old, lo);

		if (seen == old)
			break;
		old = seen;
	}
	old = READ_ONCE(span->hi);
	while (hi > old) {
		unsigned long seen = cmpxchg(&span->hi, old, hi);

		if (seen == old)
			break;
		old = seen;
	}
}

static void kml_filter_add(unsigned long *filter, unsigned long addr)
{
	unsigned long bit = kml_filter_bit(addr);

	/* test first: the bits of busy regions are set once and then shared */
	if (!test_bit(bit, filter))
		set_bit(bit, filter);
}

/* Mark every region [@first, @last] touches. */
static void kml_filter_add_range(unsigned long *filter, unsigned long first,
				 unsigned long last)
{
	unsigned long r = first >> KML_REGION_SHIFT;
	unsigned long n = (last >> KML_REGION_SHIFT) - r;

	/* hashing that many regions need not hit every bit: set them all */
	if (n >= BIT(KML_FILTER_BITS)) {
		bitmap_fill(filter, BIT(KML_FILTER_BITS));
		return;
	}
	do {
		kml_filter_add(filter, r << KML_REGION_SHIFT);
		r++;
	} while (n--);
}

/* Any object of @sh overlapping [@first, @last]; shard lock held. */
static struct kmemleak_object *kml_find_range(struct kml_shard *sh,
					      unsigned long first,
					      unsigned long last)
{
	struct rb_node *node = sh->root.rb_node;

	while (node) {
		struct kmemleak_object *obj =
			rb_entry(node, struct kmemleak_object, node);

		if (last < obj->pointer)
			node = node->rb_left;
		else if (first > kml_last(obj))
			node = node->rb_right;
		else
			return obj;
	}
	return NULL;
}

void kml_snapshot(const struct kmemleak_object *obj, struct kml_snapshot *s,
		  bool contents)
{
	unsigned long delta, src;
	size_t i;

	s->pointer = obj->pointer;
	s->size = obj->size;
	s->jiffies = obj->jiffies;
	s->trace = obj->trace;
	s->checksum = obj->checksum;
	s->min_count = obj->min_count;
	s->count = obj->count;
	s->pid = obj->pid;
	s->flags = obj->flags;
	s->space = obj->space;
	memcpy(s->comm, obj->comm, sizeof(s->comm));
	s->hex_len = 0;
	s->hex_cpu = raw_smp_processor_id();
	if (!contents || obj->space == KML_PHYS ||
	    !kml_delta(obj, s->hex_cpu, &delta))
		return;
	/* byte loads: memcpy() is instrumented, and so are its callers */
	src = obj->pointer + delta;
	s->hex_len = min_t(size_t, obj->size, KML_HEX_MAX);
	for (i = 0; i < s->hex_len; i++)	/* racy: the owner may write */
		s->hex[i] = data_race(READ_ONCE(((const u8 *)src)[i]));
}

/*
 * Take @obj out of the tree.  During a walk its metadata stays listed for
 * the walker, on the shard's dead chain; otherwise it is returned, to be
 * released once the lock is dropped.  Shard lock held.
 */
static struct kmemleak_object *kml_unindex(struct kml_shard *sh,
					   struct kmemleak_object *obj)
{
	raw_write_seqcount_begin(&sh->seq);
	rb_erase(&obj->node, &sh->root);
	raw_write_seqcount_end(&sh->seq);
	sh->nr--;

	if (READ_ONCE(kml_walking)) {
		obj->flags |= KML_FREED;
		obj->next_dead = sh->dead;
		sh->dead = obj;
		atomic_long_inc(&kml_nr_dead);
		return NULL;
	}
	hlist_del(&obj->link);
	return obj;
}

/*
 * @obj overlaps @old: the kernel handed out memory again without reporting
 * its free, so @old describes a block that is gone.  It is dropped, and the
 * overlap reported.  Called with @sh locked; unlocks it.
 */
static noinline void kml_replace(struct kml_shard *sh,
				 struct kmemleak_object *obj,
				 struct kmemleak_object *old,
				 unsigned long flags)
	__releases(&sh->lock)
{
	struct kml_snapshot a, b;

	kml_snapshot(obj, &a, false);
	kml_snapshot(old, &b, false);
	old = kml_unindex(sh, old);
	raw_spin_unlock_irqrestore(&sh->lock, flags);
	kml_warn_overlap(&a, &b);
	if (old)
		kml_free_meta(old);
}

/* Drop what @obj overlaps in [@first, @last] of @sh; how many. */
static int kml_evict_in(struct kml_shard *sh, struct kmemleak_object *obj,
			unsigned long first, unsigned long last)
{
	struct kmemleak_object *old;
	unsigned long flags;
	int n = 0;

	for (;;) {
		raw_spin_lock_irqsave(&sh->lock, flags);
		old = kml_find_range(sh, first, last);
		if (!old)
			break;
		kml_replace(sh, obj, old, flags);
		n++;
	}
	raw_spin_unlock_irqrestore(&sh->lock, flags);
	return n;
}

/*
 * A virtual object can overlap objects of other shards: a region object
 * the wide ones, a wide object those of every region it covers.  Checked
 * before insertion and without nesting shard locks, so two overlapping
 * objects registered at the same moment may both get in: overlaps are
 * kernel bugs, and this only keeps the index close to the truth.
 */
static int kml_evict_elsewhere(struct kmemleak_object *obj)
{
	unsigned long first = obj->pointer, last = kml_last(obj), r, lo, hi;
	struct kml_shard *wide = &kml_shards[KML_SHARD_WIDE];
	int n = 0;

	/* a region object lies in one region, which @first names */
	if (obj->shard != KML_SHARD_WIDE) {
		if (!test_bit(kml_filter_bit(first), kml_wide_filter))
			return 0;
		return kml_evict_in(wide, obj, first, last);
	}

	for (r = first >> KML_REGION_SHIFT;; r++) {
		lo = max(first, r << KML_REGION_SHIFT);
		hi = min(last, ((r + 1) << KML_REGION_SHIFT) - 1);
		if (test_bit(kml_filter_bit(lo), kml_region_filter))
			n += kml_evict_in(&kml_shards[kml_region_index(lo)],
					  obj, lo, hi);
		if (r == last >> KML_REGION_SHIFT)
			return n;
	}
}

/*
 * Link @obj into @sh's tree, where nothing overlaps it, or return the
 * object it overlaps.  Shard lock held.  The node is published with
 * release semantics: the scanner descends the tree without the lock.
 */
static struct kmemleak_object *kml_link(struct kml_shard *sh,
					struct kmemleak_object *obj)
{
	struct rb_node **link = &sh->root.rb_node, *parent = NULL;
	struct kmemleak_object *o;

	while (*link) {
		parent = *link;
		o = rb_entry(parent, struct kmemleak_object, node);
		if (kml_last(obj) < o->pointer)
			link = &parent->rb_left;
		else if (obj->pointer > kml_last(o))
			link = &parent->rb_right;
		else
			return o;
	}
	raw_write_seqcount_begin(&sh->seq);
	/* rb_link_node(), with the final store a release */
	obj->node.__rb_parent_color = (unsigned long)parent;
	obj->node.rb_left = NULL;
	obj->node.rb_right = NULL;
	/* pairs with the lockless walkers' READ_ONCE() of the links */
	smp_store_release(link, &obj->node);
	rb_insert_color(&obj->node, &sh->root);
	raw_write_seqcount_end(&sh->seq);
	hlist_add_head(&obj->link, &sh->objects);
	sh->nr++;
	return NULL;
}

/**
 * kml_index_init - put the shard locks in one lockdep class
 *
 * The index works from the first memblock allocation on (it is set up
 * statically); this only tells lockdep that the shard locks are alike,
 * while boot runs on one CPU and none of them is held.
 */
void kml_index_init(void)
{
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++)
		lockdep_set_class(&kml_shards[i].lock, &kml_shard_key);
}

/**
 * kml_insert - index a new object
 * @obj: fully initialised object, but for its shard
 *
 * The index takes @obj over.  Objects it overlaps are stale (their block
 * was freed without a word, and its memory handed out again): each is
 * reported through kml_warn_overlap() and dropped.
 *
 * Return: the number of objects dropped.
 */
int kml_insert(struct kmemleak_object *obj)
{
	struct kmemleak_object *old;
	struct kml_shard *sh;
	unsigned long flags;
	int n = 0;

	obj->shard = kml_shard_index(obj);
	/* not scanned yet: it may be reported by its first scan */
	obj->flags |= KML_UNREF;
	sh = kml_shard(obj);
	if (obj->space == KML_VIRT)
		n = kml_evict_elsewhere(obj);

	kml_span_extend(&kml_spans[obj->space], obj->pointer, kml_last(obj));
	if (obj->shard == KML_SHARD_WIDE)
		kml_filter_add_range(kml_wide_filter, obj->pointer,
				     kml_last(obj));
	else if (obj->space == KML_VIRT)
		kml_filter_add(kml_region_filter, obj->pointer);

	for (;;) {
		raw_spin_lock_irqsave(&sh->lock, flags);
		old = kml_link(sh, obj);
		if (!old)
			break;
		kml_replace(sh, obj, old, flags);
		n++;
	}
	raw_spin_unlock_irqrestore(&sh->lock, flags);
	return n;
}

static struct kmemleak_object *kml_find_locked(struct kml_shard *sh,
					       unsigned long addr,
					       bool interior)
{
	struct kmemleak_object *obj = kml_find_range(sh, addr, addr);

	if (obj && !interior && obj->pointer != addr)
		return NULL;
	return obj;
}

/**
 * __kml_lookup - find an object and lock it
 * @space: address space of @ptr
 * @ptr: start of the object, or any address inside it if @interior
 * @interior: whether @ptr may point inside the object
 * @flags: receives the interrupt state for kml_unlock()
 *
 * Return: the object with its shard lock held, or NULL.
 */
struct kmemleak_object *__kml_lookup(enum kml_space space, unsigned long ptr,
				     bool interior, unsigned long *flags)
{
	unsigned int cand[2];
	int i, n = 0;

	if (space == KML_VIRT) {
		cand[n++] = kml_region_index(ptr);
		cand[n++] = KML_SHARD_WIDE;
	} else {
		cand[n++] = space == KML_PHYS ? KML_SHARD_PHYS :
						KML_SHARD_PERCPU;
	}

	for (i = 0; i < n; i++) {
		struct kml_shard *sh = &kml_shards[cand[i]];
		struct kmemleak_object *obj;

		raw_spin_lock_irqsave(&sh->lock, *flags);
		obj = kml_find_locked(sh, ptr, interior);
		if (obj) {
			/* held for the caller: kml_lookup() tells sparse */
			__release(&sh->lock);
			return obj;
		}
		raw_spin_unlock_irqrestore(&sh->lock, *flags);
	}
	return NULL;
}

/**
 * kml_unlock - release the lock kml_lookup() took
 * @obj: the object it returned
 * @flags: the interrupt state it saved
 */
void kml_unlock(struct kmemleak_object *obj, unsigned long flags)
	__releases(kml_object)
{
	raw_spin_unlock_irqrestore(&kml_shard(obj)->lock, flags);
}

/**
 * kml_remove - unindex the object at @ptr and release its metadata
 * @space: address space of @ptr
 * @ptr: start of the object
 *
 * Return: whether an object was found.
 */
bool kml_remove(enum kml_space space, unsigned long ptr)
{
	struct kmemleak_object *obj, *victim;
	unsigned long flags;

	if (!kml_lookup(space, ptr, false, &obj, &flags))
		return false;
	victim = kml_unindex(kml_shard(obj), obj);
	kml_unlock(obj, flags);
	if (victim)
		kml_free_meta(victim);
	return true;
}

static void kml_free_areas(struct hlist_head *areas)
{
	struct kml_area *area;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(area, tmp, areas, node)
		kml_free_area(area);
}

/**
 * kml_remove_part - unindex part of an object
 * @space: address space of @ptr
 * @ptr: start of the part, anywhere in the object
 * @size: size of the part
 * @spare: metadata for the part after a hole in the middle, or NULL
 *
 * What remains of the object stays indexed, in one step: the object is
 * shrunk in place, and @spare takes the part after the hole if there is
 * one.  The rest is a new object as far as reporting goes: it gets the
 * current time as its age (a scan that is under way has not seen it, so
 * must not report it), keeps the allocation stack, and loses its scan
 * areas.  @spare is consumed.
 *
 * Return: whether an object was found at @ptr.
 */
bool kml_remove_part(enum kml_space space, unsigned long ptr, size_t size,
		     struct kmemleak_object *spare)
{
	struct kmemleak_object *obj, *victim = NULL;
	unsigned long flags, end, cut_end;
	HLIST_HEAD(areas);
	struct kml_shard *sh;
	bool hole;

	if (!kml_lookup(space, ptr, true, &obj, &flags)) {
		if (spare)
			kml_free_meta(spare);
		return false;
	}
	sh = kml_shard(obj);
	end = obj->pointer + obj->size;
	cut_end = size < end - ptr ? ptr + size : end;
	hole = ptr > obj->pointer && cut_end < end;
	hlist_move_list(&obj->areas, &areas);

	if (ptr == obj->pointer && cut_end == end) {
		victim = kml_unindex(sh, obj);
		kml_unlock(obj, flags);
		goto out;
	}

	raw_write_seqcount_begin(&sh->seq);
	if (ptr > obj->pointer) {
		WRITE_ONCE(obj->size, ptr - obj->pointer);
	} else {
		WRITE_ONCE(obj->pointer, cut_end);
		WRITE_ONCE(obj->size, end - cut_end);
	}
	raw_write_seqcount_end(&sh->seq);
	obj->jiffies = jiffies;
	obj->flags &= ~(KML_REPORTED | KML_NEW);
	obj->flags |= KML_UNREF;
	obj->unref_scans = 0;

	if (hole && spare) {
		spare->pointer = cut_end;
		spare->size = end - cut_end;
		spare->min_count = obj->min_count;
		spare->space = obj->space;
		spare->tag = obj->tag;
		spare->flags |= obj->flags & (KML_NO_SCAN | KML_UNREF);
		spare->jiffies = obj->jiffies;
		spare->serial = obj->serial;
		spare->pid = obj->pid;
		spare->trace = obj->trace;
		memcpy(spare->comm, obj->comm, sizeof(spare->comm));
		spare->shard = obj->shard;
		/* carved out of @obj: nothing can overlap it */
		kml_link(sh, spare);
		spare = NULL;
	}
	kml_unlock(obj, flags);
out:
	kml_free_areas(&areas);
	if (spare)
		kml_free_meta(spare);
	if (victim)
		kml_free_meta(victim);
	return true;
}

/**
 * kml_count_objects - number of indexed objects
 *
 * Return: the sum of the shard counters, read without locking.
 */
unsigned long kml_count_objects(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++)
		n += READ_ONCE(kml_shards[i].nr);
	return n;
}

/**
 * kml_reset_index - drop every object, for teardown
 *
 * Metadata is released through kml_free_meta(), outside the shard locks.
 * Call outside walks.
 */
void kml_reset_index(void)
{
	struct kmemleak_object *obj;
	struct hlist_node *tmp;
	unsigned long flags;
	unsigned int n = 0;
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct kml_shard *sh = &kml_shards[i];
		HLIST_HEAD(all);

		raw_spin_lock_irqsave(&sh->lock, flags);
		raw_write_seqcount_begin(&sh->seq);
		sh->root = RB_ROOT;
		raw_write_seqcount_end(&sh->seq);
		hlist_move_list(&sh->objects, &all);
		sh->nr = 0;
		sh->dead = NULL;
		raw_spin_unlock_irqrestore(&sh->lock, flags);

		hlist_for_each_entry_safe(obj, tmp, &all, link) {
			kml_free_meta(obj);
			if (!(++n % KML_BATCH))
				kml_yield();
		}
	}
	atomic_long_set(&kml_nr_dead, 0);
}

/* Walks */

/**
 * kml_walk_begin - start a walk over the objects
 *
 * Until kml_walk_end(), removed objects keep their metadata, so a walker
 * may hold pointers to them across lock drops and look objects up without
 * locks.  Callers serialise walks (the scan mutex).
 */
void kml_walk_begin(void)
{
	unsigned long flags;
	int i;

	WRITE_ONCE(kml_walking, true);
	/* Removers that come after this see kml_walking under their lock. */
	for (i = 0; i < KML_NR_SHARDS; i++) {
		raw_spin_lock_irqsave(&kml_shards[i].lock, flags);
		raw_spin_unlock_irqrestore(&kml_shards[i].lock, flags);
	}
}

/* Take @sh's dead chain; objects freed from now on start a new one. */
static struct kmemleak_object *kml_take_dead(struct kml_shard *sh)
{
	struct kmemleak_object *todo;
	unsigned long flags;

	raw_spin_lock_irqsave(&sh->lock, flags);
	todo = sh->dead;
	sh->dead = NULL;
	raw_spin_unlock_irqrestore(&sh->lock, flags);
	return todo;
}

/*
 * Release the dead objects of chain @todo, taken from @sh, but for those
 * @keep_queued still on the work stack, which go back to @sh's chain; at
 * most KML_BATCH per lock hold.
 */
static void kml_reclaim(struct kml_shard *sh, struct kmemleak_object *todo,
			bool keep_queued)
{
	struct kmemleak_object *kept = NULL, **kept_tail = &kept;
	struct kmemleak_object *obj, *freed;
	unsigned long flags;
	unsigned int n;

	while (todo) {
		freed = NULL;
		raw_spin_lock_irqsave(&sh->lock, flags);
		for (n = 0; todo && n < KML_BATCH; n++) {
			obj = todo;
			todo = obj->next_dead;
			if (keep_queued && kml_queued(obj)) {
				*kept_tail = obj;
				kept_tail = &obj->next_dead;
				continue;
			}
			hlist_del(&obj->link);
			obj->next_dead = freed;
			freed = obj;
		}
		raw_spin_unlock_irqrestore(&sh->lock, flags);

		while (freed) {
			obj = freed;
			freed = obj->next_dead;
			atomic_long_dec(&kml_nr_dead);
			kml_free_meta(obj);
		}
		if (todo)
			kml_yield();
	}
	if (!kept)
		return;
	raw_spin_lock_irqsave(&sh->lock, flags);
	*kept_tail = sh->dead;
	sh->dead = kept;
	raw_spin_unlock_irqrestore(&sh->lock, flags);
}

/**
 * kml_walk_overrun - whether the walk's metadata outgrew its bound
 *
 * Set past the limit kml_set_dead_limit() gave, and until the walk ends.
 *
 * Return: true if the walk is to be given up.
 */
bool kml_walk_overrun(void)
{
	if (!kml_overrun &&
	    atomic_long_read(&kml_nr_dead) > READ_ONCE(kml_dead_limit))
		kml_overrun = true;
	return kml_overrun;
}

/**
 * kml_set_dead_limit - bound what the walk may keep of freed objects
 * @limit: objects freed and not yet released past which it overruns
 */
void kml_set_dead_limit(unsigned long limit)
{
	WRITE_ONCE(kml_dead_limit, limit);
}

/*
 * The walker reclaims what was freed under it, where it holds no pointer
 * to an object but through its work stack: between the objects it drains,
 * between the shards it visits.  All chains are taken first: a reclaim
 * does what was there when it began, however fast other CPUs free, and
 * memory kept for a walk is so bounded by the free rate over a short
 * stretch of work, not over a whole scan.  Unless the walker cannot keep up
 * at all: see kml_walk_overrun().
 *
 * Return: kml_walk_overrun().
 */
bool kml_reap(void)
{
	/* the walker's own, too big for its stack */
	static struct kmemleak_object *todo[KML_NR_SHARDS];
	int i;

	if (atomic_long_read(&kml_nr_dead) < KML_REAP_MIN)
		return kml_overrun;
	kml_walk_overrun();
	for (i = 0; i < KML_NR_SHARDS; i++)
		todo[i] = READ_ONCE(kml_shards[i].dead) ?
			  kml_take_dead(&kml_shards[i]) : NULL;
	for (i = 0; i < KML_NR_SHARDS; i++) {
		if (todo[i])
			kml_reclaim(&kml_shards[i], todo[i], true);
		todo[i] = NULL;
	}
	return kml_overrun;
}

/* Objects freed during the walk whose metadata is not released yet. */
unsigned long kml_count_unreclaimed(void)
{
	return atomic_long_read(&kml_nr_dead);
}

/**
 * kml_walk_end - end a walk and reclaim the objects removed during it
 */
void kml_walk_end(void)
{
	int i;

	WRITE_ONCE(kml_walking, false);
	/*
	 * Each shard's chain is looked at under its lock: a remover that
	 * still saw the walk has added its object by then.
	 */
	for (i = 0; i < KML_NR_SHARDS; i++)
		kml_reclaim(&kml_shards[i], kml_take_dead(&kml_shards[i]),
			    false);
	kml_dead_limit = ULONG_MAX;
	kml_overrun = false;
}

/* Listings */

static bool kml_listed(const struct kmemleak_object *obj, int which)
{
	if (which == KML_LIST_NEW)
		return obj->flags & KML_NEW;
	return kml_reported_leak(obj);
}

struct kml_list_arg {
	struct kml_listing *l;
	int which;
};

/*
 * A listing's key: jiffies, serial (per CPU), address space and the
 * complemented address.  It orders the listing and, compared whole, tells
 * the listed allocation from a later one at the same address.
 */
static void kml_key(const struct kmemleak_object *obj, unsigned long *key)
{
	key[0] = obj->jiffies;
	key[1] = obj->serial;
	key[2] = obj->space;
	key[3] = ~obj->pointer;
}

static int kml_list_one(struct kml_hold *h, struct kmemleak_object *obj,
			void *arg)
{
	struct kml_list_arg *a = arg;
	struct kml_listing *l = a->l;
	unsigned long *key;

	if (!kml_listed(obj, a->which))
		return 0;
	l->found++;
	if (l->nr == l->max)
		return 0;
	key = l->keys + l->nr++ * KML_KEY_WORDS;
	kml_key(obj, key);
	return 0;
}

static int kml_cmp_keys(const void *a, const void *b)
{
	const unsigned long *x = a, *y = b;
	int i;

	for (i = 0; i < KML_KEY_WORDS; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

/**
 * kml_list - list objects in allocation order
 * @l: @keys and @max set by the caller; @nr and @found are filled in
 * @which: KML_LIST_REPORTED or KML_LIST_NEW
 *
 * Lists up to @max objects; @found tells how many there were, so that a
 * caller can retry with more room.  Call inside a walk.
 */
void kml_list(struct kml_listing *l, int which)
{
	struct kml_list_arg a = { .l = l, .which = which };

	l->nr = 0;
	l->found = 0;
	__kml_visit(kml_list_one, &a);
	sort(l->keys, l->nr, KML_KEY_WORDS * sizeof(*l->keys), kml_cmp_keys,
	     NULL);
}

/* The object at position @i of @l, locked, or NULL if it is gone. */
static struct kmemleak_object *kml_listing_get(struct kml_listing *l, size_t i,
					       int which, unsigned long *flags)
{
	const unsigned long *key = l->keys + i * KML_KEY_WORDS;
	unsigned long now[KML_KEY_WORDS];
	struct kmemleak_object *obj;

	if (!kml_lookup((enum kml_space)key[2], ~key[3], false, &obj, flags))
		return NULL;
	kml_key(obj, now);
	/* the same allocation, not a new one at the same address */
	if (!kml_cmp_keys(now, key) && kml_listed(obj, which)) {
		__release(kml_object);	/* held for the caller */
		return obj;
	}
	kml_unlock(obj, *flags);
	return NULL;
}

/**
 * kml_listing_snapshot - copy what a report prints of a listed object
 * @l: listing made by kml_list()
 * @i: position, below @l->nr
 * @which: the @which passed to kml_list()
 * @s: receives the copy
 * @contents: whether to copy the first bytes of the block too
 *
 * Return: 0, or -ENOENT if the object was freed or is no longer to be
 * listed since the listing was made.
 */
int kml_listing_snapshot(struct kml_listing *l, size_t i, int which,
			 struct kml_snapshot *s, bool contents)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	obj = kml_listing_get(l, i, which, &flags);
	if (!obj)
		return -ENOENT;
	__acquire(kml_object);	/* held by kml_listing_get() */
	kml_snapshot(obj, s, contents);
	kml_unlock(obj, flags);
	return 0;
}
