/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kmemleak core: object index (kmemleak_index.c), reference scanning and
 * static roots (kmemleak_scan.c), command parsing (kmemleak_cmd.c), stack
 * trace filtering.
 *
 * Everything here is free of kernel glue (debugfs, kthreads, boot
 * parameters, the stack unwinder), so it can be unit tested in userspace.
 * See mm/kmemleak.c for the design notes.
 */
#ifndef __MM_KMEMLEAK_CORE_H
#define __MM_KMEMLEAK_CORE_H

#include "kmemleak_internal.h"

/* Address spaces an object can live in. */
enum kml_space {
	KML_VIRT,		/* linear map, vmalloc, module memory */
	KML_PHYS,		/* memblock allocations, by physical address */
	KML_PERCPU,		/* per-CPU allocations, by __percpu cookie */
	KML_NR_SPACES,
};

/* Object flags; written under the object's shard lock. */
#define KML_NO_SCAN	BIT(0)	/* contents are never scanned */
#define KML_REPORTED	BIT(1)	/* listed in /sys/kernel/debug/kmemleak */
#define KML_NEW		BIT(2)	/* reported by the latest scan */
#define KML_FREED	BIT(3)	/* unindexed, memory reclaimed after walk */
#define KML_POOL	BIT(4)	/* metadata comes from the static pool */
#define KML_FULL_SCAN	BIT(5)	/* scan areas are ignored */
#define KML_STACK	BIT(6)	/* a task's stack: searched only as a root */
#define KML_UNREF	BIT(7)	/* unreferenced in the last scan, or new */

/* min_count values with a special meaning. */
#define KML_BLACK	(-1)	/* never reported, never scanned */
#define KML_GRAY	0	/* never reported, always scanned */

/* Frames kept per allocation, and detector frames tolerated before them. */
#define KML_TRACE_DEPTH	16
#define KML_TRACE_SKIP	8

/* Where the KASAN tag modes keep an address's tag: its top byte. */
#define KML_TAG_SHIFT	56

/* Bytes of a leak's contents shown in a report. */
#define KML_HEX_MAX	32

struct kml_area {
	struct hlist_node node;
	unsigned long start;
	size_t size;
};

/**
 * struct kmemleak_object - metadata of one tracked memory block
 * @node: link in the shard's range tree
 * @link: link in the shard's object list
 * @pointer: start address (virtual, physical or per-CPU cookie), untagged
 * @size: size in bytes
 * @excess_ref: object that receives the references beyond @min_count
 * @areas: scan areas; the whole block is scanned when empty
 * @gray_next: scanner work stack link, or a KML_GRAY_* marker
 * @jiffies: allocation time
 * @next_dead: once removed during a walk, link in the shard's dead chain
 * @trace: allocation stack in the stack depot
 * @checksum: CRC32 of the contents at the last scan
 * @min_count: references needed not to be a leak, or KML_BLACK/KML_GRAY
 * @count: references found by the current scan (scanner private)
 * @pid: allocating task, 0 in interrupt context
 * @serial: allocation order among the objects of the same jiffy and CPU
 * @shard: index of the shard that holds the object
 * @flags: KML_* flags
 * @space: enum kml_space
 * @tag: KASAN tag of the address the block was handed out at
 * @unref_scans: consecutive scans that found it unreferenced, unchanged
 * @comm: allocating task name
 */
struct kmemleak_object {
	struct rb_node node;
	struct hlist_node link;
	unsigned long pointer;
	size_t size;
	unsigned long excess_ref;
	struct hlist_head areas;
	struct kmemleak_object *gray_next;
	union {
		unsigned long jiffies;
		struct kmemleak_object *next_dead;
	};
	depot_stack_handle_t trace;
	u32 checksum;
	int min_count;
	int count;
	pid_t pid;
	u32 serial;
	u16 shard;
	u8 flags;
	u8 space;
	u8 tag;
	u8 unref_scans;
	char comm[TASK_COMM_LEN];
};

/*
 * What a report prints of an object, copied under its lock so that it can
 * be printed after the lock is dropped.
 */
struct kml_snapshot {
	unsigned long pointer;
	size_t size;
	unsigned long jiffies;
	depot_stack_handle_t trace;
	u32 checksum;
	int min_count;
	int count;
	pid_t pid;
	u8 flags;
	u8 space;
	char comm[TASK_COMM_LEN];
	size_t hex_len;			/* bytes in @hex, 0 for none */
	int hex_cpu;			/* per-CPU objects: the CPU shown */
	u8 hex[KML_HEX_MAX];
};

/* Result of parsing one debugfs command. */
enum kml_cmd_op {
	KML_CMD_SCAN,
	KML_CMD_CLEAR,
	KML_CMD_OFF,
	KML_CMD_STACK_ON,
	KML_CMD_STACK_OFF,
	KML_CMD_SCAN_ON,
	KML_CMD_SCAN_OFF,
	KML_CMD_SCAN_SECS,
	KML_CMD_DUMP,
	KML_CMD_REFS,
	KML_CMD_SUPPRESS,
	KML_CMD_UNSUPPRESS,
};

/* Longest function name "suppress=" takes, with its NUL. */
#define KML_SYM_MAX	64

struct kml_cmd {
	enum kml_cmd_op op;
	unsigned long arg;	/* seconds for SCAN_SECS, address for DUMP, REFS */
	char sym[KML_SYM_MAX];	/* function for SUPPRESS, UNSUPPRESS */
};

/* Longest command accepted, without the trailing newline. */
#define KML_CMD_MAX	127

int kml_parse_cmd(const char *buf, size_t len, struct kml_cmd *cmd);

/* Object index. */
void kml_index_init(void);
int kml_insert(struct kmemleak_object *obj);
struct kmemleak_object *__kml_lookup(enum kml_space space, unsigned long ptr,
				     bool interior, unsigned long *flags);
void kml_unlock(struct kmemleak_object *obj, unsigned long flags)
	__releases(kml_object);
bool kml_remove(enum kml_space space, unsigned long ptr);
bool kml_remove_part(enum kml_space space, unsigned long ptr, size_t size,
		     struct kmemleak_object *spare);
void kml_snapshot(const struct kmemleak_object *obj, struct kml_snapshot *s,
		  bool contents);
unsigned long kml_count_objects(void);
void kml_reset_index(void);

/* Walks over all objects; metadata freed meanwhile stays readable. */
void kml_walk_begin(void);
void kml_walk_end(void);

/*
 * A list of objects in allocation order, oldest first, as the report shows
 * them.  Addresses are kept complemented, so that a scan does not take the
 * list for references to the objects it names.
 */
struct kml_listing {
	unsigned long *keys;	/* per object: jiffies, serial, space, ~address */
	size_t max;		/* room for this many objects */
	size_t nr;		/* objects listed */
	size_t found;		/* objects that matched, listed or not */
};

/* Words per object in kml_listing.keys. */
#define KML_KEY_WORDS		4

#define KML_LIST_REPORTED	0	/* what the debugfs file shows */
#define KML_LIST_NEW		1	/* reported by the latest scan */

void kml_list(struct kml_listing *l, int which);
int kml_listing_snapshot(struct kml_listing *l, size_t i, int which,
			 struct kml_snapshot *s, bool contents);

/* The address as the index keeps it: without a KASAN tag. */
static __always_inline unsigned long kml_untag(unsigned long addr)
{
	return (unsigned long)kasan_reset_tag((const void *)addr);
}

/* The KASAN tag of @addr: its top byte in the tag modes, else match-all. */
static __always_inline u8 kml_tag(unsigned long addr)
{
#if defined(CONFIG_KASAN_SW_TAGS) || defined(CONFIG_KASAN_HW_TAGS)
	return addr >> KML_TAG_SHIFT;
#else
	return KASAN_TAG_KERNEL;
#endif
}

/*
 * kml_lookup - find an object and lock it
 * @space, @ptr, @interior, @flags: as for __kml_lookup()
 * @objp: receives the object
 *
 * True if found: the object's shard lock is then held until kml_unlock().
 * (kml_object names that lock for sparse's context checking.)
 */
#define kml_lookup(space, ptr, interior, objp, flags)			\
	__cond_lock(kml_object,						\
		    (*(objp) = __kml_lookup(space, ptr, interior, flags)) != NULL)

/* Object colour. */
static inline bool kml_white(const struct kmemleak_object *obj)
{
	int min = READ_ONCE(obj->min_count);

	return min > 0 && obj->count < min;
}

bool kml_unreferenced(const struct kmemleak_object *obj);

/*
 * Whether /sys/kernel/debug/kmemleak lists @obj: reported, still a leak.
 * No age test: a scan reports only objects old enough, and a check of
 * code that goes away may report young ones.
 */
static inline bool kml_reported_leak(const struct kmemleak_object *obj)
{
	return obj->flags & KML_REPORTED && kml_white(obj);
}

/* Static roots: ranges of kernel data, scanned by every scan. */
int kml_add_root(unsigned long start, unsigned long end);
int kml_cut_roots(unsigned long start, unsigned long end);

/* Scanning. */
struct kml_classify;

/* References to one object recorded by a scan, for "refs=". */
#define KML_WATCH_MAX		16

struct kml_watch_ref {
	unsigned long where;		/* address of the word */
	unsigned long holder;		/* object it is in, 0 for a root */
	u8 space;			/* of @holder */
	bool excess;			/* names @holder's excess_ref */
};

/**
 * struct kml_watch - where a scan finds references to one object
 * @obj: the object
 * @found: references found, recorded or not
 * @nr: references recorded in @refs
 * @refs: the first ones found, in scan order
 */
struct kml_watch {
	const struct kmemleak_object *obj;
	unsigned int found;
	unsigned int nr;
	struct kml_watch_ref refs[KML_WATCH_MAX];
};

struct kml_scan {
	struct kmemleak_object *gray;	/* work stack */
	unsigned long start;		/* jiffies at scan start */
	unsigned long min_age;		/* jiffies an object must have lived */
	unsigned int min_unref_scans;	/* scans unreferenced before a report */
	unsigned int new_leaks;
	unsigned int candidates;	/* new leaks, before the confirmation */
	unsigned long searched_objects;	/* objects whose contents were read */
	unsigned long searched_bytes;	/* bytes read, roots included */
	bool stopped;
	bool overrun;			/* stopped by too many unreleased frees */
	bool stacks;			/* the roots had the live task stacks */
	bool observed;			/* @classify or @watch is set */
	struct kml_classify *classify;	/* set by kml_classify(): leak edges */
	struct kml_watch *watch;	/* set for "refs=" */
	/* a check of code that goes away, see kml_scan() */
	const struct kml_code *code;
	unsigned int nr_code;
	unsigned int code_leaks;	/* unreferenced, allocated through it */
	unsigned long code_bytes;
	/* objects freed and not yet released that abandon it; 0: default */
	unsigned long dead_limit;
};

/*
 * A walk keeps the metadata of what is freed during it until the walker
 * releases it.  A walker that gets little CPU beside tasks that free fast
 * (a niced scan thread under load) cannot keep up: past max(KML_DEAD_MIN,
 * half the objects) the scan is abandoned rather than let that grow.
 */
#define KML_DEAD_MIN		65536

/*
 * A range of kernel text, [@start, @end); if @timed, it counts only for
 * objects allocated from @since to @until (jiffies): a module's text held
 * other code before it came and may hold other code after it goes.
 */
struct kml_code {
	unsigned long start;
	unsigned long end;
	unsigned long since;
	unsigned long until;
	bool timed;
};

/*
 * Suppressions: the leaks allocated through a function (@text) are taken
 * for referenced, with all they reach, so that no view lists them.
 * @hidden and @hidden_bytes: what the last scan hid.
 */
#define KML_MAX_SUPPRESS	64

struct kml_suppression {
	struct kml_code text;
	unsigned long hidden;
	unsigned long hidden_bytes;
	char sym[KML_SYM_MAX];
};

extern struct kml_suppression kml_suppressions[KML_MAX_SUPPRESS];
extern unsigned int kml_nr_suppressions;
int kml_suppress(const char *sym, unsigned long start, unsigned long end);
int kml_unsuppress(const char *sym);

void kml_scan_block(struct kml_scan *sc, unsigned long start,
		    unsigned long end, struct kmemleak_object *scanned);
void kml_scan_skip(struct kml_scan *sc, unsigned long addr);
bool kml_pause(struct kml_scan *sc);
int kml_scan(struct kml_scan *sc);
unsigned long kml_count_code(const struct kml_code *code, unsigned int nr);
void kml_clear(void);

/**
 * struct kml_leak - one listed leak, classified by kml_classify()
 * @pointer: start address, as in struct kml_snapshot
 * @size: size in bytes
 * @jiffies: allocation time
 * @held_bytes: direct leaks: the size of the leaks @held
 * @trace: allocation stack
 * @holder: index of the direct leak that holds this one, -1 if direct
 * @held: direct leaks: how many leaks they hold
 * @space: enum kml_space
 */
struct kml_leak {
	unsigned long pointer;
	size_t size;
	unsigned long jiffies;
	size_t held_bytes;
	depot_stack_handle_t trace;
	int holder;
	unsigned int held;
	u8 space;
	/* private: kml_classify()'s, during the walk */
	u8 state;			/* KML_LEAK_* */
	u32 serial;			/* the object's, for the order */
	int next;			/* work stack link */
	struct kmemleak_object *obj;
	struct kmemleak_object *saved_link;	/* its ->gray_next */
};

/**
 * struct kml_leaks - the listed leaks, direct and indirect
 * @v: caller-allocated room for @max leaks; filled oldest first
 * @max: size of @v
 * @nr: leaks classified in @v
 * @found: leaks listed; above @max, nothing is classified (retry bigger)
 * @direct: leaks in @v that no other leak points to, or that stand for
 *	    a cycle of leaks nothing else points into
 * @indirect: the others, each held by one direct leak
 * @flat: set by the caller when the leaks' memory may be gone (frees are
 *	  no longer tracked): nothing is read, every leak counts as direct
 */
struct kml_leaks {
	struct kml_leak *v;
	bool flat;
	size_t max;
	size_t nr;
	size_t found;
	size_t direct;
	size_t indirect;
};

void kml_classify(struct kml_leaks *l);

/* Allocation stacks: the frames from the API's caller outwards. */
struct kml_trace {
	unsigned long caller;	/* return address into the API's caller */
	unsigned int nr;	/* frames in @entries */
	bool found;		/* @caller was seen: @entries starts with it */
	unsigned long entries[KML_TRACE_DEPTH + KML_TRACE_SKIP];
};

/**
 * kml_trace_add - take the next frame of an allocation stack
 * @t: trace being collected, with @caller set
 * @addr: return address of the frame, innermost first
 *
 * The frames before @caller belong to the allocator and the detector: they
 * are kept only until @caller shows up, in case it never does (an unwinder
 * that misses a frame).  From @caller on, KML_TRACE_DEPTH frames are kept.
 *
 * Return: whether more frames are wanted.
 */
static inline bool kml_trace_add(struct kml_trace *t, unsigned long addr)
{
	if (t->nr >= ARRAY_SIZE(t->entries))
		return false;
	if (!t->found && addr == t->caller) {
		t->found = true;
		t->nr = 0;
	}
	t->entries[t->nr++] = addr;
	if (t->found)
		return t->nr < KML_TRACE_DEPTH;
	return t->nr < ARRAY_SIZE(t->entries);
}

/* Hooks provided by the glue (mm/kmemleak*.c) or the unit tests. */
void kml_free_meta(struct kmemleak_object *obj);
void kml_free_area(struct kml_area *area);
bool kml_should_stop(void);
bool kml_walker_must_yield(void);
void kml_yield(void);
void kml_scan_roots(struct kml_scan *sc);
void kml_warn_overlap(const struct kml_snapshot *obj,
		      const struct kml_snapshot *old);

/*
 * Index internals shared by the index (kmemleak_index.c) and the scan
 * (kmemleak_scan.c): the scan's loops inline the lockless lookup and the
 * object visits.
 *
 * Virtual objects are sharded by the 64 KiB region they start in, hashed
 * into KML_NR_REGIONS trees.  Slabs are naturally aligned blocks, most
 * of them smaller than a region, so slab objects rarely cross a region
 * boundary; the objects that do (vmalloc areas, large kmalloc blocks) go
 * to the single "wide" shard, which lookups consult only in regions a
 * wide object ever covered.  Small regions spread objects evenly over the shards, which
 * keeps the trees shallow and the locks apart.
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

/*
 * Work done with a shard lock held, and so with interrupts off, is
 * bounded: at most KML_HOLD_BYTES of memory read (scanned or checksummed)
 * and about KML_BATCH objects visited before the lock is dropped.
 */
#define KML_HOLD_BYTES		4096
#define KML_BATCH		64
#define KML_VISIT_COST		(KML_HOLD_BYTES / KML_BATCH)

/*
 * Values of ->gray_next besides a link.  Any non-NULL value means "do not
 * queue again in this scan"; only a link or KML_GRAY_END means "on the
 * work stack", which is what keeps freed metadata from being reclaimed.
 */
#define KML_GRAY_END		((struct kmemleak_object *)1UL)	/* last on the stack */
#define KML_GRAY_SKIP		((struct kmemleak_object *)2UL)	/* scanned otherwise */
#define KML_GRAY_DONE		((struct kmemleak_object *)3UL)	/* scanned */

struct kml_shard {
	raw_spinlock_t lock;
	seqcount_t seq;			/* lockless lookups by the scanner */
	struct rb_root root;
	struct hlist_head objects;	/* including KML_FREED ones in a walk */
	struct kmemleak_object *dead;	/* the KML_FREED ones still listed */
	unsigned long nr;		/* indexed objects */
} ____cacheline_aligned_in_smp;

/* Inclusive address bounds of the indexed objects; they only grow. */
struct kml_span {
	unsigned long lo;
	unsigned long hi;
};

extern struct kml_shard kml_shards[KML_NR_SHARDS];
extern struct kml_span kml_spans[KML_NR_SPACES];
extern bool kml_percpu_exact;
extern unsigned long kml_region_filter[BITS_TO_LONGS(BIT(KML_FILTER_BITS))];
extern unsigned long kml_wide_filter[BITS_TO_LONGS(BIT(KML_FILTER_BITS))];
extern bool kml_walking;

static __always_inline unsigned long kml_last(const struct kmemleak_object *obj)
{
	return obj->pointer + (obj->size ? obj->size - 1 : 0);
}

static __always_inline unsigned int kml_region_index(unsigned long addr)
{
	return hash_long(addr >> KML_REGION_SHIFT, KML_REGION_BITS);
}

static __always_inline struct kml_shard *kml_shard(const struct kmemleak_object *obj)
{
	return &kml_shards[obj->shard];
}

static __always_inline unsigned long kml_filter_bit(unsigned long addr)
{
	return hash_long(addr >> KML_REGION_SHIFT, KML_FILTER_BITS);
}

/* Physical objects are scanned only through the linear map (lowmem). */
static inline bool kml_phys_scannable(unsigned long phys, size_t size)
{
	return phys >= PFN_PHYS(min_low_pfn) &&
	       phys + size <= PFN_PHYS(max_low_pfn);
}

/*
 * The difference between where a copy of @obj is mapped and @obj->pointer,
 * for CPU @cpu of a per-CPU object; false if @obj cannot be read.
 */
static inline bool kml_delta(const struct kmemleak_object *obj, int cpu,
			     unsigned long *delta)
{
	switch (obj->space) {
	case KML_VIRT:
		*delta = 0;
		return true;
	case KML_PHYS:
		if (!kml_phys_scannable(obj->pointer, obj->size))
			return false;
		*delta = (unsigned long)__va(obj->pointer) - obj->pointer;
		return true;
	case KML_PERCPU:
		*delta = (unsigned long)per_cpu_ptr((void __percpu __force *)
						    obj->pointer, cpu) -
			 obj->pointer;
		return true;
	}
	return false;
}

/* Lockless lookup for the scanner; only valid inside a walk. */
static __always_inline struct kmemleak_object *
kml_shard_find(struct kml_shard *sh, unsigned long addr)
{
	struct kmemleak_object *obj;
	struct rb_node *node;
	unsigned int seq;

	/* the descent by hand: rb_find() may call the comparison out of line */
	/*
	 * A hit needs no retry: a partial free may be shrinking the object
	 * (pointer and size change under the seqcount), and taking it for a
	 * moment longer than it lasts is only a missed leak, like any stale
	 * pointer.  The raw seqcount API: writers are serialised by the shard
	 * lock, and lockdep would record an edge per pair of shards.
	 */
	do {
		seq = raw_read_seqcount_begin(&sh->seq);
		node = READ_ONCE(sh->root.rb_node);
		while (node) {
			unsigned long lo, size;

			obj = rb_entry(node, struct kmemleak_object, node);
			lo = READ_ONCE(obj->pointer);
			size = READ_ONCE(obj->size);
			if (addr < lo)
				node = READ_ONCE(node->rb_left);
			else if (addr - lo >= size && addr != lo)
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
		obj = kml_shard_find(&kml_shards[kml_region_index(addr)],
				     addr);
	if (!obj && test_bit(kml_filter_bit(addr), kml_wide_filter))
		obj = kml_shard_find(&kml_shards[KML_SHARD_WIDE], addr);
	return obj;
}

/* Whether the walker's work stack may still hold @obj. */
static __always_inline bool kml_queued(const struct kmemleak_object *obj)
{
	return obj->gray_next && obj->gray_next != KML_GRAY_SKIP &&
	       obj->gray_next != KML_GRAY_DONE;
}

bool kml_reap(void);
bool kml_walk_overrun(void);
void kml_set_dead_limit(unsigned long limit);
unsigned long kml_count_unreclaimed(void);

/*
 * One hold of a shard lock: the lock, the interrupt state it saved and the
 * bytes of memory read since it was taken.
 */
struct kml_hold {
	struct kml_shard *sh;
	unsigned long flags;
	unsigned long bytes;
};

static __always_inline void kml_hold_begin(struct kml_hold *h,
					   struct kml_shard *sh)
{
	h->sh = sh;
	h->bytes = 0;
	raw_spin_lock_irqsave(&sh->lock, h->flags);
}

static __always_inline void kml_hold_end(struct kml_hold *h)
{
	raw_spin_unlock_irqrestore(&h->sh->lock, h->flags);
}

/* Drop the lock, yield, take it again: false if @obj was freed meanwhile. */
static inline bool kml_hold_pause(struct kml_hold *h,
				  const struct kmemleak_object *obj)
{
	kml_hold_end(h);
	kml_yield();
	raw_spin_lock_irqsave(&h->sh->lock, h->flags);
	h->bytes = 0;
	return !(obj->flags & KML_FREED);
}

/*
 * How many bytes may still be read under this hold, after a pause if none;
 * 0 if @obj was freed during that pause.
 */
static inline unsigned long kml_hold_room(struct kml_hold *h,
					  const struct kmemleak_object *obj)
{
	if (h->bytes >= KML_HOLD_BYTES && !kml_hold_pause(h, obj))
		return 0;
	return KML_HOLD_BYTES - h->bytes;
}

/*
 * A visitor: called on a live object under @h; it counts what it reads in
 * @h->bytes and may pause @h (kml_hold_room()), after which the object may
 * have been freed (but not reclaimed: this is a walk).  Returns a negative
 * value to stop the visit.
 */
typedef int (*kml_visit_t)(struct kml_hold *h, struct kmemleak_object *obj,
			   void *arg);

/*
 * Call @fn on every live object, inside a walk.  The lock is dropped every
 * KML_HOLD_BYTES of work, a visit counting as KML_VISIT_COST; the scan's
 * passes inline this with their own @fn, so that visiting an object costs
 * no indirect call.  If @stoppable, it gives up between shards once the
 * walk overran or the walker must yield, and says so: only the first pass
 * of a scan may, the ones that finish it must see every object.
 */
static __always_inline bool ___kml_visit(kml_visit_t fn, void *arg,
					 bool stoppable)
{
	struct kml_hold h;
	int i;

	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct kml_shard *sh = &kml_shards[i];
		struct hlist_node *pos;

		if (!READ_ONCE(sh->objects.first))
			continue;
		kml_hold_begin(&h, sh);
		/* new objects go in at the head: not visited, as they should */
		for (pos = sh->objects.first; pos; pos = pos->next) {
			struct kmemleak_object *obj =
				hlist_entry(pos, struct kmemleak_object, link);

			if (!(obj->flags & KML_FREED) && fn(&h, obj, arg) < 0) {
				kml_hold_end(&h);
				return false;
			}
			h.bytes += KML_VISIT_COST;
			/* @obj stays listed during the walk: resume from it */
			if (h.bytes >= KML_HOLD_BYTES && pos->next)
				kml_hold_pause(&h, obj);
		}
		kml_hold_end(&h);
		if (kml_reap() && stoppable)
			return true;
		if (stoppable && kml_walker_must_yield())
			return true;
	}
	return false;
}

static __always_inline void __kml_visit(kml_visit_t fn, void *arg)
{
	___kml_visit(fn, arg, false);
}

#endif /* __MM_KMEMLEAK_CORE_H */
