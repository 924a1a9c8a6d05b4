// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak core: the sharded object index, the reference scan and the
 * command parser.  The locking and lifetime rules are described at the top
 * of mm/kmemleak.c.
 */

#include "kmemleak_core.h"

/*
 * Virtual objects are sharded by the 64 KiB region they start in, hashed
 * into KML_NR_REGIONS trees.  Slabs are naturally aligned blocks of at
 * most 32 KiB, so slab objects never cross a region boundary; the objects
 * that do (vmalloc areas, large kmalloc blocks) go to the single "wide"
 * shard, which lookups consult only in regions a wide object ever
 * covered.  Small regions spread objects evenly over the
 * shards, which keeps the trees shallow and the locks apart.
 */
#define KML_REGION_SHIFT	16
#define KML_REGION_BITS		8
#define KML_NR_REGIONS		BIT(KML_REGION_BITS)

/*
 * One bit per hashed region that ever held an object: most words that
 * fall between the lowest and highest object (struct page pointers,
 * vmemmap, text) land in regions without objects and skip the lookup.
 * Bits are never cleared; a stale one only costs a lookup.
 */
#define KML_FILTER_BITS		14

enum {
	KML_SHARD_WIDE = KML_NR_REGIONS,
	KML_SHARD_PHYS,
	KML_SHARD_PERCPU,
	KML_NR_SHARDS,
};

/* Objects visited per lock hold in walks, bytes scanned per lock hold. */
#define KML_BATCH		64
#define KML_CHUNK		4096

/* Terminates the scanner's gray stack; any non-NULL link means "queued". */
#define KML_GRAY_END		((struct kmemleak_object *)1UL)
/* Never queued in this scan: its contents are scanned some other way. */
#define KML_GRAY_SKIP		((struct kmemleak_object *)2UL)

struct kml_shard {
	raw_spinlock_t lock;
	seqcount_raw_spinlock_t seq;	/* lockless lookups by the scanner */
	struct rb_root root;
	struct list_head objects;	/* including KML_FREED ones in a walk */
	struct kmemleak_object *dead;	/* the KML_FREED ones */
	unsigned long nr;
} ____cacheline_aligned_in_smp;

/* Inclusive address bounds of the indexed objects; they only grow. */
struct kml_span {
	unsigned long lo;
	unsigned long hi;
};

static struct kml_shard kml_shards[KML_NR_SHARDS];
static struct kml_span kml_spans[KML_NR_SPACES];
static unsigned long kml_region_filter[BITS_TO_LONGS(BIT(KML_FILTER_BITS))];
/* the same for the regions wide objects ever covered */
static unsigned long kml_wide_filter[BITS_TO_LONGS(BIT(KML_FILTER_BITS))];
static bool kml_walking;

/* Start and minimum age of the last scan; they define "unreferenced". */
static unsigned long kml_last_scan;
static unsigned long kml_min_age;

static __always_inline unsigned long kml_last(const struct kmemleak_object *obj)
{
	return obj->pointer + (obj->size ? obj->size - 1 : 0);
}

static __always_inline struct kml_shard *kml_region_shard(unsigned long addr)
{
	return &kml_shards[hash_long(addr >> KML_REGION_SHIFT,
				     KML_REGION_BITS)];
}

static __always_inline struct kml_shard *
kml_shard_of(const struct kmemleak_object *obj)
{
	if (obj->space == KML_PHYS)
		return &kml_shards[KML_SHARD_PHYS];
	if (obj->space == KML_PERCPU)
		return &kml_shards[KML_SHARD_PERCPU];
	if ((obj->pointer ^ kml_last(obj)) >> KML_REGION_SHIFT)
		return &kml_shards[KML_SHARD_WIDE];
	return kml_region_shard(obj->pointer);
}

void kml_index_init(void)
{
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct kml_shard *sh = &kml_shards[i];

		raw_spin_lock_init(&sh->lock);
		seqcount_raw_spinlock_init(&sh->seq, &sh->lock);
		sh->root = RB_ROOT;
		INIT_LIST_HEAD(&sh->objects);
	}
	for (i = 0; i < KML_NR_SPACES; i++)
		kml_spans[i].lo = ULONG_MAX;
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

static __always_inline unsigned long kml_filter_bit(unsigned long addr)
{
	return hash_long(addr >> KML_REGION_SHIFT, KML_FILTER_BITS);
}

static void kml_filter_add(unsigned long *filter, unsigned long addr)
{
	unsigned long bit = kml_filter_bit(addr);

	/* test first: the bits of busy regions are set once and then shared */
	if (!test_bit(bit, filter))
		set_bit(bit, filter);
}

/* Mark every region [@first, @last] touches, as long as that means news. */
static void kml_filter_add_range(unsigned long *filter, unsigned long first,
				 unsigned long last)
{
	unsigned long r = first >> KML_REGION_SHIFT;
	unsigned long n = (last >> KML_REGION_SHIFT) - r;

	n = min(n, BIT(KML_FILTER_BITS) - 1);
	do {
		kml_filter_add(filter, r << KML_REGION_SHIFT);
		r++;
	} while (n--);
}

static __always_inline int kml_cmp_addr(const void *key,
					const struct rb_node *node)
{
	unsigned long addr = *(const unsigned long *)key;
	const struct kmemleak_object *obj =
		rb_entry(node, struct kmemleak_object, node);

	if (addr < obj->pointer)
		return -1;
	if (addr > kml_last(obj))
		return 1;
	return 0;
}

/* Overlapping objects compare equal, so insertion finds them. */
static __always_inline int kml_cmp_obj(struct rb_node *a,
				       const struct rb_node *b)
{
	const struct kmemleak_object *x =
		rb_entry(a, struct kmemleak_object, node);
	const struct kmemleak_object *y =
		rb_entry(b, struct kmemleak_object, node);

	if (kml_last(x) < y->pointer)
		return -1;
	if (x->pointer > kml_last(y))
		return 1;
	return 0;
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

static bool kml_clashes_in(struct kml_shard *sh, struct kmemleak_object *obj,
			   unsigned long first, unsigned long last)
{
	struct kmemleak_object *old;
	unsigned long flags;

	raw_spin_lock_irqsave(&sh->lock, flags);
	old = kml_find_range(sh, first, last);
	if (old)
		kml_warn_overlap(obj, old);
	raw_spin_unlock_irqrestore(&sh->lock, flags);
	return old;
}

/*
 * A virtual object can overlap objects of other shards: a region object
 * the wide ones, a wide object those of every region it covers.  Checked
 * before insertion and without nesting shard locks, so two overlapping
 * objects registered at the same moment may both get in: overlaps are
 * kernel bugs, and this is only the diagnostic for them.
 */
static bool kml_clashes_elsewhere(struct kmemleak_object *obj)
{
	unsigned long first = obj->pointer, last = kml_last(obj), r, lo, hi;
	struct kml_shard *wide = &kml_shards[KML_SHARD_WIDE];

	/* a region object lies in one region, which @first names */
	if (kml_shard_of(obj) != wide)
		return test_bit(kml_filter_bit(first), kml_wide_filter) &&
		       kml_clashes_in(wide, obj, first, last);

	for (r = first >> KML_REGION_SHIFT;; r++) {
		lo = max(first, r << KML_REGION_SHIFT);
		hi = min(last, ((r + 1) << KML_REGION_SHIFT) - 1);
		if (test_bit(kml_filter_bit(lo), kml_region_filter) &&
		    kml_clashes_in(kml_region_shard(lo), obj, lo, hi))
			return true;
		if (r == last >> KML_REGION_SHIFT)
			return false;
	}
}

/**
 * kml_insert - index a new object
 * @obj: fully initialised object
 *
 * Return: 0, or -EEXIST if @obj overlaps an indexed object; @obj is then
 * left alone for the caller to release.
 */
int kml_insert(struct kmemleak_object *obj)
{
	struct kml_shard *sh = kml_shard_of(obj);
	struct rb_node *old;
	unsigned long flags;

	if (obj->space == KML_VIRT && kml_clashes_elsewhere(obj))
		return -EEXIST;

	kml_span_extend(&kml_spans[obj->space], obj->pointer, kml_last(obj));
	if (sh == &kml_shards[KML_SHARD_WIDE])
		kml_filter_add_range(kml_wide_filter, obj->pointer,
				     kml_last(obj));
	else if (obj->space == KML_VIRT)
		kml_filter_add(kml_region_filter, obj->pointer);

	raw_spin_lock_irqsave(&sh->lock, flags);
	/*
	 * The barrier in write_seqcount_begin() orders the initialisation of
	 * @obj before the store that links it, for lockless readers.
	 */
	write_seqcount_begin(&sh->seq);
	old = rb_find_add(&obj->node, &sh->root, kml_cmp_obj);
	if (!old) {
		list_add_tail(&obj->list, &sh->objects);
		sh->nr++;
	}
	write_seqcount_end(&sh->seq);
	if (old)
		kml_warn_overlap(obj, rb_entry(old, struct kmemleak_object,
					       node));
	raw_spin_unlock_irqrestore(&sh->lock, flags);

	return old ? -EEXIST : 0;
}

static struct kmemleak_object *kml_find_locked(struct kml_shard *sh,
					       unsigned long addr,
					       bool interior)
{
	struct rb_node *node = rb_find(&addr, &sh->root, kml_cmp_addr);
	struct kmemleak_object *obj;

	if (!node)
		return NULL;
	obj = rb_entry(node, struct kmemleak_object, node);
	if (!interior && obj->pointer != addr)
		return NULL;
	return obj;
}

typedef void (*kml_locked_fn)(struct kml_shard *sh,
			      struct kmemleak_object *obj, void *arg);

/*
 * Find the object at (or, if @interior, containing) @addr and call @fn on
 * it with its shard lock held.
 */
static bool kml_apply(enum kml_space space, unsigned long addr,
		      bool interior, kml_locked_fn fn, void *arg)
{
	struct kml_shard *cand[2];
	int i, n = 0;

	if (space == KML_VIRT) {
		cand[n++] = kml_region_shard(addr);
		cand[n++] = &kml_shards[KML_SHARD_WIDE];
	} else {
		cand[n++] = &kml_shards[space == KML_PHYS ? KML_SHARD_PHYS :
						      KML_SHARD_PERCPU];
	}

	for (i = 0; i < n; i++) {
		struct kml_shard *sh = cand[i];
		struct kmemleak_object *obj;
		unsigned long flags;

		raw_spin_lock_irqsave(&sh->lock, flags);
		obj = kml_find_locked(sh, addr, interior);
		if (obj)
			fn(sh, obj, arg);
		raw_spin_unlock_irqrestore(&sh->lock, flags);
		if (obj)
			return true;
	}
	return false;
}

struct kml_update_arg {
	void (*fn)(struct kmemleak_object *obj, void *arg);
	void *arg;
};

static void kml_update_fn(struct kml_shard *sh, struct kmemleak_object *obj,
			  void *arg)
{
	struct kml_update_arg *u = arg;

	u->fn(obj, u->arg);
}

/**
 * kml_update - run @fn on an object under its shard lock
 * @space: address space of @ptr
 * @ptr: start of the object, or any address inside it if @interior
 * @interior: whether @ptr may point inside the object
 * @fn: called with the shard lock held; must not sleep
 * @arg: passed to @fn
 *
 * Return: whether an object was found.
 */
bool kml_update(enum kml_space space, unsigned long ptr, bool interior,
		void (*fn)(struct kmemleak_object *obj, void *arg), void *arg)
{
	struct kml_update_arg u = { .fn = fn, .arg = arg };

	return kml_apply(space, ptr, interior, kml_update_fn, &u);
}

struct kml_remove_arg {
	struct kmemleak_object *copy;
	struct kmemleak_object *victim;
};

static void kml_remove_fn(struct kml_shard *sh, struct kmemleak_object *obj,
			  void *arg)
{
	struct kml_remove_arg *r = arg;

	write_seqcount_begin(&sh->seq);
	rb_erase(&obj->node, &sh->root);
	write_seqcount_end(&sh->seq);
	sh->nr--;

	if (r->copy)
		*r->copy = *obj;

	/*
	 * A walk may hold this object on its gray stack or use it as its
	 * list cursor: leave it listed and let kml_walk_end() reclaim it.
	 */
	if (kml_walking) {
		obj->flags |= KML_FREED;
		obj->next_dead = sh->dead;
		sh->dead = obj;
		r->victim = NULL;
	} else {
		list_del(&obj->list);
		r->victim = obj;
	}
}

/**
 * kml_remove - unindex an object and release its metadata
 * @space: address space of @ptr
 * @ptr: start of the object, or any address inside it if @interior
 * @interior: whether @ptr may point inside the object
 * @copy: if not NULL, receives a copy of the object (areas excluded)
 *
 * Return: whether an object was found.
 */
bool kml_remove(enum kml_space space, unsigned long ptr, bool interior,
		struct kmemleak_object *copy)
{
	struct kml_remove_arg r = { .copy = copy };

	if (!kml_apply(space, ptr, interior, kml_remove_fn, &r))
		return false;
	if (copy)
		INIT_HLIST_HEAD(&copy->areas);
	if (r.victim)
		kml_free_meta(r.victim);
	return true;
}

/* Index what is left of @old at [@start, @start + @size). */
static void kml_keep_rest(const struct kmemleak_object *old,
			  unsigned long start, size_t size)
{
	struct kmemleak_object *obj = kml_new_meta();

	if (!obj)
		return;
	obj->pointer = start;
	obj->size = size;
	obj->min_count = old->min_count;
	obj->space = old->space;
	obj->flags |= old->flags & KML_NO_SCAN;
	obj->jiffies = old->jiffies;
	obj->pid = old->pid;
	obj->trace = old->trace;
	memcpy(obj->comm, old->comm, sizeof(obj->comm));
	if (kml_insert(obj))
		kml_free_meta(obj);
}

/**
 * kml_remove_part - unindex part of an object
 * @space: address space of @ptr
 * @ptr: start of the part, anywhere in the object
 * @size: size of the part
 *
 * What remains of the object before and after the part is indexed again
 * as one or two objects, with the original allocation details; scan
 * areas are dropped.
 *
 * Return: whether an object was found at @ptr.
 */
bool kml_remove_part(enum kml_space space, unsigned long ptr, size_t size)
{
	struct kmemleak_object old;
	unsigned long end;

	if (!kml_remove(space, ptr, true, &old))
		return false;
	end = old.pointer + old.size;
	if (ptr > old.pointer)
		kml_keep_rest(&old, old.pointer, ptr - old.pointer);
	if (size < end - ptr)
		kml_keep_rest(&old, ptr + size, end - ptr - size);
	return true;
}

/*
 * Callbacks for kml_update() behind the annotation API; the object's shard
 * lock is held.
 */

/* kmemleak_not_leak(): never reported, still scanned. */
void kml_set_gray(struct kmemleak_object *obj, void *arg)
{
	WRITE_ONCE(obj->min_count, KML_GRAY);
}

/* kmemleak_ignore(): neither reported nor scanned. */
void kml_set_black(struct kmemleak_object *obj, void *arg)
{
	WRITE_ONCE(obj->min_count, KML_BLACK);
	obj->flags |= KML_NO_SCAN;
}

/* kmemleak_no_scan() */
void kml_set_no_scan(struct kmemleak_object *obj, void *arg)
{
	obj->flags |= KML_NO_SCAN;
}

/* kmemleak_transient_leak(): the next scan sees the contents as changed. */
void kml_reset_checksum(struct kmemleak_object *obj, void *arg)
{
	obj->checksum = 0;
}

/*
 * kmemleak_scan_area(): @arg points to the new area, which is linked and
 * the pointer cleared, unless it does not fit in the object.  A size of
 * SIZE_MAX means "to the end of the object".
 */
void kml_add_area(struct kmemleak_object *obj, void *arg)
{
	struct kml_area **areap = arg;
	struct kml_area *area = *areap;
	size_t room = obj->pointer + obj->size - area->start;

	if (area->size == SIZE_MAX)
		area->size = room;
	if (area->size > room)
		return;
	hlist_add_head(&area->node, &obj->areas);
	*areap = NULL;
}

/* Lockless lookup for the scanner; only valid inside a walk. */
static __always_inline struct kmemleak_object *
kml_shard_find(struct kml_shard *sh, unsigned long addr)
{
	struct kmemleak_object *obj;
	struct rb_node *node;
	unsigned int seq;

	/* the descent by hand: with -Os, rb_find() calls the comparison */
	do {
		seq = read_seqcount_begin(&sh->seq);
		node = READ_ONCE(sh->root.rb_node);
		while (node) {
			obj = rb_entry(node, struct kmemleak_object, node);
			if (addr < obj->pointer)
				node = READ_ONCE(node->rb_left);
			else if (addr > kml_last(obj))
				node = READ_ONCE(node->rb_right);
			else
				return obj;
		}
	} while (read_seqcount_retry(&sh->seq, seq));
	return NULL;
}

static __always_inline struct kmemleak_object *
kml_find(enum kml_space space, unsigned long addr)
{
	struct kmemleak_object *obj;

	if (space == KML_PHYS)
		return kml_shard_find(&kml_shards[KML_SHARD_PHYS], addr);
	if (space == KML_PERCPU)
		return kml_shard_find(&kml_shards[KML_SHARD_PERCPU], addr);

	obj = NULL;
	if (test_bit(kml_filter_bit(addr), kml_region_filter))
		obj = kml_shard_find(kml_region_shard(addr), addr);
	if (!obj && test_bit(kml_filter_bit(addr), kml_wide_filter))
		obj = kml_shard_find(&kml_shards[KML_SHARD_WIDE], addr);
	return obj;
}

/**
 * kml_private_data - static data of the core that roots must exclude
 * @size: set to the size of the data
 *
 * The address bounds kept for the scanner's filter point into the lowest
 * and highest tracked blocks: scanned as a root, they would keep those
 * blocks from ever being reported.
 *
 * Return: the start of the data.
 */
const void *kml_private_data(size_t *size)
{
	*size = sizeof(kml_spans);
	return kml_spans;
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

/**
 * kml_walk_end - end a walk and reclaim the objects removed during it
 */
void kml_walk_end(void)
{
	struct kmemleak_object *obj, *tmp;
	unsigned long flags;
	unsigned int n;
	int i;

	WRITE_ONCE(kml_walking, false);
	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct kml_shard *sh = &kml_shards[i];

		do {
			LIST_HEAD(dead);

			raw_spin_lock_irqsave(&sh->lock, flags);
			for (n = 0; sh->dead && n < KML_BATCH; n++) {
				obj = sh->dead;
				sh->dead = obj->next_dead;
				list_move(&obj->list, &dead);
			}
			raw_spin_unlock_irqrestore(&sh->lock, flags);

			list_for_each_entry_safe(obj, tmp, &dead, list)
				kml_free_meta(obj);
		} while (n == KML_BATCH);
	}
}

/*
 * The body of kml_visit_objects(); the scan's passes inline it with their
 * own @fn, so that visiting an object costs no indirect call.
 */
static __always_inline void __kml_visit(kml_visit_t fn, void *arg)
{
	unsigned long flags;
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct kml_shard *sh = &kml_shards[i];
		struct kmemleak_object *obj, *last;
		unsigned int batch = 0;

		raw_spin_lock_irqsave(&sh->lock, flags);
		if (list_empty(&sh->objects)) {
			raw_spin_unlock_irqrestore(&sh->lock, flags);
			continue;
		}
		/* objects added meanwhile are new: stop at today's tail */
		last = list_last_entry(&sh->objects, struct kmemleak_object,
				       list);
		list_for_each_entry(obj, &sh->objects, list) {
			if (!(obj->flags & KML_FREED) && !fn(obj, arg)) {
				raw_spin_unlock_irqrestore(&sh->lock, flags);
				return;
			}
			if (obj == last)
				break;
			if (++batch < KML_BATCH)
				continue;
			/* @obj stays listed during the walk: resume from it */
			batch = 0;
			raw_spin_unlock_irqrestore(&sh->lock, flags);
			kml_yield();
			raw_spin_lock_irqsave(&sh->lock, flags);
		}
		raw_spin_unlock_irqrestore(&sh->lock, flags);
	}
}

/**
 * kml_visit_objects - call @fn on every live object, inside a walk
 * @fn: called with the object's shard lock held; returns false to stop
 * @arg: passed to @fn
 *
 * The shard lock is dropped every KML_BATCH objects to bound the time
 * interrupts stay disabled.
 */
void kml_visit_objects(kml_visit_t fn, void *arg)
{
	__kml_visit(fn, arg);
}

/* First node of @sh starting at or above @addr. */
static struct rb_node *kml_first_from(struct kml_shard *sh, unsigned long addr)
{
	struct rb_node *n = sh->root.rb_node, *best = NULL;

	while (n) {
		if (rb_entry(n, struct kmemleak_object, node)->pointer >= addr) {
			best = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

/**
 * kml_cursor_seek - first object at or after @cur that satisfies @pred
 * @cur: position, moved to the object found
 * @pred: called with the shard lock held
 *
 * The cursor is an address rather than an object pointer, so it survives
 * the objects around it being freed between calls.  Call inside a walk;
 * the returned object stays readable until kml_walk_end().
 *
 * Return: the object, or NULL at the end.
 */
struct kmemleak_object *
kml_cursor_seek(struct kml_cursor *cur,
		bool (*pred)(const struct kmemleak_object *obj))
{
	unsigned long flags;

	while (cur->shard < KML_NR_SHARDS) {
		struct kml_shard *sh = &kml_shards[cur->shard];
		struct kmemleak_object *obj = NULL;
		struct rb_node *node;
		unsigned int batch = 0;

		raw_spin_lock_irqsave(&sh->lock, flags);
		for (node = kml_first_from(sh, cur->addr); node;
		     node = rb_next(node)) {
			obj = rb_entry(node, struct kmemleak_object, node);
			cur->addr = obj->pointer;
			if (pred(obj) || ++batch >= KML_BATCH)
				break;
		}
		raw_spin_unlock_irqrestore(&sh->lock, flags);

		if (node && batch < KML_BATCH)
			return obj;
		if (!node) {
			cur->shard++;
			cur->addr = 0;
		}
		kml_yield();
	}
	return NULL;
}

/**
 * kml_cursor_advance - move @cur past the object it is on
 * @cur: cursor returned on an object by kml_cursor_seek()
 */
void kml_cursor_advance(struct kml_cursor *cur)
{
	if (cur->addr == ULONG_MAX) {
		cur->shard++;
		cur->addr = 0;
	} else {
		cur->addr++;
	}
}

/**
 * kml_call_locked - call @fn on @obj under its shard lock, unless freed
 * @obj: object obtained inside the current walk
 * @fn: must not sleep
 * @arg: passed to @fn
 */
void kml_call_locked(struct kmemleak_object *obj,
		     void (*fn)(struct kmemleak_object *obj, void *arg),
		     void *arg)
{
	struct kml_shard *sh = kml_shard_of(obj);
	unsigned long flags;

	raw_spin_lock_irqsave(&sh->lock, flags);
	if (!(obj->flags & KML_FREED))
		fn(obj, arg);
	raw_spin_unlock_irqrestore(&sh->lock, flags);
}

/**
 * kml_reset_index - drop every object, for teardown
 * @release: called on each object after it left the index
 */
void kml_reset_index(void (*release)(struct kmemleak_object *obj))
{
	struct kmemleak_object *obj, *tmp;
	unsigned long flags;
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct kml_shard *sh = &kml_shards[i];
		LIST_HEAD(dead);

		raw_spin_lock_irqsave(&sh->lock, flags);
		write_seqcount_begin(&sh->seq);
		sh->root = RB_ROOT;
		write_seqcount_end(&sh->seq);
		list_splice_init(&sh->objects, &dead);
		sh->nr = 0;
		sh->dead = NULL;
		raw_spin_unlock_irqrestore(&sh->lock, flags);

		list_for_each_entry_safe(obj, tmp, &dead, list) {
			release(obj);
			kml_yield();
		}
	}
}

/*
 * Colours: an object is white while it has fewer references than its
 * min_count, gray once it has enough (or min_count is 0) and black when
 * min_count is KML_BLACK.  Gray objects are scanned; white ones that are
 * old enough and did not change are reported.
 */
bool kml_unreferenced(const struct kmemleak_object *obj)
{
	return kml_white(obj) &&
	       time_before_eq(obj->jiffies + kml_min_age, kml_last_scan);
}

static __always_inline void kml_push(struct kml_scan *sc,
				     struct kmemleak_object *obj)
{
	if (obj->gray_next)
		return;
	obj->gray_next = sc->gray;
	sc->gray = obj;
}

static __always_inline void kml_add_ref(struct kml_scan *sc,
					struct kmemleak_object *obj)
{
	int min = READ_ONCE(obj->min_count);

	if (min == KML_BLACK)
		return;
	if (++obj->count >= min)
		kml_push(sc, obj);
}

/* A reference to @obj, which already has its min_count: the surplus. */
static noinline void kml_excess_ref(struct kml_scan *sc,
				    struct kmemleak_object *obj,
				    struct kmemleak_object *scanned)
{
	unsigned long excess = READ_ONCE(obj->excess_ref);
	struct kmemleak_object *to;

	/* passed on to another object, if asked to */
	if (!excess)
		return;
	to = kml_find(KML_VIRT, excess);
	if (to && to != scanned && to != obj)
		kml_add_ref(sc, to);
}

/* Account one reference to @obj found while scanning @scanned. */
static __always_inline void kml_ref(struct kml_scan *sc,
				    struct kmemleak_object *obj,
				    struct kmemleak_object *scanned)
{
	int min;

	if (!obj || obj == scanned)
		return;
	min = READ_ONCE(obj->min_count);
	if (min == KML_BLACK)
		return;
	if (obj->count < min)
		kml_add_ref(sc, obj);
	else
		kml_excess_ref(sc, obj, scanned);
}

/*
 * The word loop of kml_scan_block(), inlined into the scan of objects:
 * under emulation and -Os every call and return on this path counts.
 */
static __always_inline void kml_scan_words(struct kml_scan *sc,
					   unsigned long start,
					   unsigned long end,
					   struct kmemleak_object *scanned)
{
	const unsigned long *p = (const unsigned long *)ALIGN(start,
							      sizeof(long));
	const unsigned long *e;
	unsigned long vlo, vhi, plo, phi;

	if (end < sizeof(long) || end - sizeof(long) < (unsigned long)p)
		return;
	e = (const unsigned long *)(end - sizeof(long) + 1);

	vlo = READ_ONCE(kml_spans[KML_VIRT].lo);
	vhi = READ_ONCE(kml_spans[KML_VIRT].hi);
	plo = READ_ONCE(kml_spans[KML_PERCPU].lo);
	phi = READ_ONCE(kml_spans[KML_PERCPU].hi);

	for (; p < e; p++) {
		unsigned long v = kml_read_word(p);

		if (v >= vlo && v <= vhi)
			kml_ref(sc, kml_find(KML_VIRT, v), scanned);
		if (v >= plo && v <= phi)
			kml_ref(sc, kml_find(KML_PERCPU, v), scanned);
	}
}

/**
 * kml_scan_block - look for references in [@start, @end)
 * @sc: scan state
 * @start: first byte
 * @end: end of the block, exclusive
 * @scanned: object the block belongs to, whose self-references don't count
 *
 * Must be called inside a walk, with the memory kept alive by the caller.
 */
void kml_scan_block(struct kml_scan *sc, unsigned long start,
		    unsigned long end, struct kmemleak_object *scanned)
{
	kml_scan_words(sc, start, end, scanned);
}

/*
 * Scan [start, start + size) of @obj in chunks, holding the shard lock so
 * the memory cannot be freed under us; returns false once @obj is freed.
 */
static __always_inline bool kml_scan_range(struct kml_scan *sc,
					   struct kml_shard *sh,
					   struct kmemleak_object *obj,
					   unsigned long start, size_t size,
					   unsigned long *flags)
{
	unsigned long end = start + size;

	while (start < end) {
		unsigned long next = min(end, start + KML_CHUNK);

		kml_scan_words(sc, start, next, obj);
		start = next;
		if (start >= end)
			break;
		raw_spin_unlock_irqrestore(&sh->lock, *flags);
		kml_yield();
		raw_spin_lock_irqsave(&sh->lock, *flags);
		if (obj->flags & KML_FREED)
			return false;
	}
	return true;
}

static void kml_scan_object(struct kml_scan *sc, struct kmemleak_object *obj)
{
	struct kml_shard *sh = kml_shard_of(obj);
	unsigned long flags;
	struct kml_area *area;
	int cpu;

	raw_spin_lock_irqsave(&sh->lock, flags);
	if (obj->flags & (KML_FREED | KML_NO_SCAN) ||
	    READ_ONCE(obj->min_count) == KML_BLACK)
		goto out;

	if (!hlist_empty(&obj->areas)) {
		/* areas are only added while the object lives: safe to resume */
		hlist_for_each_entry(area, &obj->areas, node)
			if (!kml_scan_range(sc, sh, obj, area->start,
					    area->size, &flags))
				break;
		goto out;
	}

	switch (obj->space) {
	case KML_VIRT:
		kml_scan_range(sc, sh, obj, obj->pointer, obj->size, &flags);
		break;
	case KML_PHYS:
		if (kml_phys_scannable(obj->pointer, obj->size))
			kml_scan_range(sc, sh, obj,
				       kml_phys_to_virt(obj->pointer),
				       obj->size, &flags);
		break;
	case KML_PERCPU:
		kml_each_cpu(cpu) {
			if (!kml_scan_range(sc, sh, obj,
					    kml_percpu_addr(obj->pointer, cpu),
					    obj->size, &flags))
				break;
		}
		break;
	}
out:
	raw_spin_unlock_irqrestore(&sh->lock, flags);
}

static void kml_drain(struct kml_scan *sc)
{
	unsigned int n = 0;

	while (sc->gray != KML_GRAY_END && !sc->stopped) {
		struct kmemleak_object *obj = sc->gray;

		/* leave gray_next set: the object stays "queued" */
		sc->gray = obj->gray_next;
		kml_scan_object(sc, obj);
		if (++n % KML_BATCH)
			continue;
		if (kml_scan_should_stop())
			sc->stopped = true;
		kml_yield();
	}
}

/**
 * kml_scan_skip - do not scan the object starting at @addr in this scan
 * @sc: scan state
 * @addr: start of the object
 *
 * For blocks the roots phase handles itself, such as task stacks: the
 * object still counts references, but its contents are not searched.
 * Call from kml_scan_roots() before anything could queue it.
 */
void kml_scan_skip(struct kml_scan *sc, unsigned long addr)
{
	struct kmemleak_object *obj = kml_find(KML_VIRT, addr);

	if (obj && obj->pointer == addr && !obj->gray_next)
		obj->gray_next = KML_GRAY_SKIP;
}

static __always_inline bool kml_whiten(struct kmemleak_object *obj,
				       void *arg)
{
	struct kml_scan *sc = arg;

	obj->count = 0;
	obj->gray_next = NULL;
	if (READ_ONCE(obj->min_count) == KML_GRAY)
		kml_push(sc, obj);
	return true;
}

static u32 kml_checksum(const struct kmemleak_object *obj)
{
	u32 crc = 0;
	int cpu;

	if (obj->space == KML_VIRT)
		return kml_crc((const void *)obj->pointer, obj->size, 0);
	if (obj->space == KML_PERCPU) {
		kml_each_cpu(cpu)
			crc = kml_crc((const void *)kml_percpu_addr(obj->pointer,
								    cpu),
				      obj->size, crc);
	}
	return crc;
}

/*
 * A white object whose contents changed since the last scan may be in the
 * middle of being linked somewhere: give it the benefit of the doubt and
 * scan it as if referenced.
 */
static __always_inline bool kml_recheck(struct kmemleak_object *obj,
					void *arg)
{
	struct kml_scan *sc = arg;
	u32 crc;

	if (!kml_white(obj))
		return true;
	crc = kml_checksum(obj);
	if (crc == obj->checksum)
		return true;
	obj->checksum = crc;
	obj->count = READ_ONCE(obj->min_count);
	kml_push(sc, obj);
	return true;
}

static __always_inline bool kml_mark_leak(struct kmemleak_object *obj,
					  void *arg)
{
	struct kml_scan *sc = arg;

	if (obj->flags & KML_REPORTED || !kml_unreferenced(obj))
		return true;
	obj->flags |= KML_REPORTED;
	sc->new_leaks++;
	kml_report_new(obj);
	return true;
}

/**
 * kml_scan - one full scan; the caller has begun a walk
 * @sc: scan state with @start and @min_age set, the rest zeroed
 *
 * Return: 0, or -EINTR if the scan was stopped (nothing new is reported).
 */
int kml_scan(struct kml_scan *sc)
{
	sc->gray = KML_GRAY_END;
	kml_last_scan = sc->start;
	kml_min_age = sc->min_age;

	__kml_visit(kml_whiten, sc);
	kml_scan_roots(sc);
	kml_drain(sc);
	if (!sc->stopped)
		__kml_visit(kml_recheck, sc);
	kml_drain(sc);
	if (sc->stopped || kml_scan_should_stop()) {
		sc->stopped = true;
		return -EINTR;
	}
	__kml_visit(kml_mark_leak, sc);
	return 0;
}

static bool kml_clear_one(struct kmemleak_object *obj, void *arg)
{
	if (obj->flags & KML_REPORTED && kml_unreferenced(obj)) {
		WRITE_ONCE(obj->min_count, KML_GRAY);
		obj->flags &= ~KML_REPORTED;
	}
	return true;
}

/**
 * kml_clear - stop listing the objects reported so far
 *
 * They are painted gray: never reported again, still scanned, so whatever
 * they point to is not reported either.  Call inside a walk.
 */
void kml_clear(void)
{
	kml_visit_objects(kml_clear_one, NULL);
}

static const struct {
	const char *name;
	enum kml_cmd_op op;
} kml_plain_cmds[] = {
	{ "scan",	KML_CMD_SCAN },
	{ "clear",	KML_CMD_CLEAR },
	{ "off",	KML_CMD_OFF },
	{ "stack=on",	KML_CMD_STACK_ON },
	{ "stack=off",	KML_CMD_STACK_OFF },
	{ "scan=on",	KML_CMD_SCAN_ON },
	{ "scan=off",	KML_CMD_SCAN_OFF },
};

/**
 * kml_parse_cmd - parse one command written to the debugfs file
 * @buf: command bytes, not NUL terminated
 * @len: number of bytes
 * @cmd: result
 *
 * Trailing whitespace and NULs are ignored; anything else must match a
 * command exactly.
 *
 * Return: 0 or -EINVAL.
 */
int kml_parse_cmd(const char *buf, size_t len, struct kml_cmd *cmd)
{
	char s[KML_CMD_MAX + 1];
	unsigned int secs;
	size_t i;

	while (len && (!buf[len - 1] || isspace(buf[len - 1])))
		len--;
	if (!len || len > KML_CMD_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(s, buf, len);
	s[len] = '\0';

	for (i = 0; i < ARRAY_SIZE(kml_plain_cmds); i++) {
		if (!strcmp(s, kml_plain_cmds[i].name)) {
			cmd->op = kml_plain_cmds[i].op;
			cmd->arg = 0;
			return 0;
		}
	}
	if (str_has_prefix(s, "scan=")) {
		if (kstrtouint(s + 5, 0, &secs))
			return -EINVAL;
		cmd->op = KML_CMD_SCAN_SECS;
		cmd->arg = secs;
		return 0;
	}
	if (str_has_prefix(s, "dump=")) {
		if (kstrtoul(s + 5, 0, &cmd->arg))
			return -EINVAL;
		cmd->op = KML_CMD_DUMP;
		return 0;
	}
	return -EINVAL;
}
