// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak scan: the static roots, and the marking of every tracked object
 * reachable from the roots; those left unmarked, old enough and unchanged
 * are reported.  See mm/kmemleak.c for the locking and lifetime rules.
 */

#include "kmemleak_core.h"

/* Scan areas copied per object; an object with more is scanned whole. */
#define KML_MAX_AREAS		8

/* Static root ranges, after the cuts made in them. */
#define KML_MAX_ROOTS		32

/* Start and minimum age of the last scan; they define "unreferenced". */
static unsigned long kml_last_scan;
static unsigned long kml_min_age;
/* Whether its roots had the live task stacks: which stacks it searched. */
static bool kml_last_stacks;

struct kml_root {
	unsigned long start;
	unsigned long end;
};

/* Sorted by address, disjoint; kml_roots_lock keeps cuts out of a scan. */
static struct kml_root kml_roots[KML_MAX_ROOTS];
static unsigned int kml_nr_roots;
static DEFINE_RAW_SPINLOCK(kml_roots_lock);

/* Access to scanned memory */

/*
 * Scanned memory is in use by other CPUs, and a word read while it changes
 * is as good as any: the scan is conservative.  With KASAN in a tag mode,
 * pointers carry a tag in their top byte; the index and the bounds use
 * untagged addresses, so every word is untagged before it is looked up,
 * and its tag is checked against the block's (kml_tag_matches()).
 */
static __always_inline unsigned long kml_read_word(const unsigned long *p)
{
	/* racy by design: the owners of the memory write it meanwhile */
	return data_race(READ_ONCE_NOCHECK(*p));
}

/*
 * A word whose KASAN tag is neither @obj's nor the match-all one cannot
 * reach @obj: every access through it faults.  It is an address kept from
 * the memory's earlier life, freed and handed out again under a new tag,
 * or no address at all.  Without the tag modes every tag is match-all.
 */
static __always_inline bool kml_tag_matches(const struct kmemleak_object *obj,
					    u8 tag)
{
	return tag == KASAN_TAG_KERNEL || tag == obj->tag ||
	       obj->tag == KASAN_TAG_KERNEL;
}

/*
 * crc32() is instrumented: a tracked block may extend past the part that
 * KASAN considers allocated (kmalloc's rounding up), and other CPUs write
 * it while it is read (KCSAN).
 */
static u32 kml_crc(unsigned long start, size_t size, u32 seed)
{
	u32 crc;

	kasan_disable_current();
	kcsan_disable_current();
	crc = crc32(seed, (const void *)start, size);
	kcsan_enable_current();
	kasan_enable_current();
	return crc;
}

/* Static roots */

/*
 * Remove [@start, @end) from the roots; kml_roots_lock held.  Returns 1 if
 * something was cut, 0 if nothing overlapped, -ENOSPC if a hole needed a
 * slot there was none of: the part after it is then no longer scanned.
 */
static int __kml_cut_roots(unsigned long start, unsigned long end)
{
	int ret = 0;
	unsigned int i;

	for (i = 0; i < kml_nr_roots; i++) {
		struct kml_root *r = &kml_roots[i];

		if (start >= r->end || end <= r->start)
			continue;
		if (!ret)
			ret = 1;
		if (start > r->start && end < r->end) {
			/* a hole: the part after it needs a slot of its own */
			if (kml_nr_roots < KML_MAX_ROOTS) {
				memmove(r + 2, r + 1, (kml_nr_roots - i - 1) *
					sizeof(*r));
				r[1].start = end;
				r[1].end = r->end;
				kml_nr_roots++;
			} else {
				ret = -ENOSPC;
			}
			r->end = start;
		} else if (start > r->start) {
			r->end = start;
		} else if (end < r->end) {
			r->start = end;
		} else {
			r->end = r->start;	/* emptied; dropped below */
		}
	}
	/* drop the empty ones */
	for (i = 0; i < kml_nr_roots;) {
		if (kml_roots[i].start < kml_roots[i].end) {
			i++;
			continue;
		}
		memmove(&kml_roots[i], &kml_roots[i + 1],
			(kml_nr_roots - i - 1) * sizeof(kml_roots[0]));
		kml_nr_roots--;
	}
	return ret;
}

/**
 * kml_add_root - scan [@start, @end) of kernel data in every scan
 * @start: first byte
 * @end: end, exclusive
 *
 * For the kernel's data sections.  Parts can be removed again with
 * kml_cut_roots().  The core's own data, which names tracked blocks without
 * keeping them alive, is left out.
 *
 * Return: 0, or -ENOSPC if the roots table is full: some data is then not
 * scanned.
 */
int kml_add_root(unsigned long start, unsigned long end)
{
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	if (start >= end)
		return 0;
	raw_spin_lock_irqsave(&kml_roots_lock, flags);
	/* overlapping an existing root: add only what is new */
	if (__kml_cut_roots(start, end) < 0)
		ret = -ENOSPC;
	if (kml_nr_roots < KML_MAX_ROOTS) {
		for (i = kml_nr_roots; i && kml_roots[i - 1].start > start; i--)
			kml_roots[i] = kml_roots[i - 1];
		kml_roots[i].start = start;
		kml_roots[i].end = end;
		kml_nr_roots++;
	} else {
		ret = -ENOSPC;
	}
	if (__kml_cut_roots((unsigned long)kml_spans,
			    (unsigned long)(kml_spans + ARRAY_SIZE(kml_spans))) < 0)
		ret = -ENOSPC;
	raw_spin_unlock_irqrestore(&kml_roots_lock, flags);
	return ret;
}

/**
 * kml_cut_roots - stop scanning [@start, @end) of the static roots
 * @start: first byte
 * @end: end, exclusive
 *
 * Once this returns, no scan reads the range: it may be unmapped or handed
 * to other users.
 *
 * Return: 1 if the range overlapped a root, 0 if not, -ENOSPC if a hole
 * could not be made and the data after it is no longer scanned.
 */
int kml_cut_roots(unsigned long start, unsigned long end)
{
	unsigned long flags;
	int ret;

	if (start >= end)
		return 0;
	raw_spin_lock_irqsave(&kml_roots_lock, flags);
	ret = __kml_cut_roots(start, end);
	raw_spin_unlock_irqrestore(&kml_roots_lock, flags);
	return ret;
}

/* Scanning */

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

/**
 * kml_pause - a point where a scan yields the CPU and may be stopped
 * @sc: scan state
 *
 * Return: whether the scan is to stop.
 */
bool kml_pause(struct kml_scan *sc)
{
	kml_yield();
	if (sc->stopped)
		return true;
	sc->overrun = kml_walk_overrun();
	sc->stopped = sc->overrun || kml_should_stop();
	return sc->stopped;
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

/*
 * A reference to @obj, which already has its min_count: the surplus goes
 * to the object @obj names as its excess_ref, if any.  (A vmalloc area's
 * vm_struct passes its surplus to the area: code that keeps the vm_struct
 * keeps the area.)
 */
static noinline void kml_excess_ref(struct kml_scan *sc,
				    struct kmemleak_object *obj,
				    struct kmemleak_object *scanned)
{
	unsigned long excess = READ_ONCE(obj->excess_ref);
	struct kmemleak_object *to;

	if (!excess)
		return;
	to = kml_find(KML_VIRT, excess);
	if (to && to != scanned && to != obj)
		kml_add_ref(sc, to);
}

static noinline void kml_leak_ref(struct kml_scan *sc,
				  struct kmemleak_object *obj);

/* Record where the watched object was referenced (see "refs="). */
static void kml_watch_ref(struct kml_watch *w, struct kmemleak_object *obj,
			  const unsigned long *where,
			  struct kmemleak_object *scanned)
{
	struct kml_watch_ref *r;
	bool excess = false;

	if (obj != w->obj) {
		/* a reference to @obj that it may pass on to the watched one */
		unsigned long to = READ_ONCE(obj->excess_ref);

		if (!to || to - w->obj->pointer >= max_t(size_t, 1, w->obj->size))
			return;
		excess = true;
	}
	if (w->nr < ARRAY_SIZE(w->refs)) {
		r = &w->refs[w->nr++];
		r->where = (unsigned long)where;
		r->holder = scanned ? scanned->pointer : 0;
		r->space = scanned ? scanned->space : 0;
		r->excess = excess;
	}
	w->found++;
}

/*
 * A reference seen by an observer of the scan; true if it is not to be
 * counted (the classification only follows edges).
 */
static noinline bool kml_observe(struct kml_scan *sc,
				 struct kmemleak_object *obj,
				 const unsigned long *where,
				 struct kmemleak_object *scanned)
{
	if (sc->classify) {
		kml_leak_ref(sc, obj);
		return true;
	}
	if (sc->watch)
		kml_watch_ref(sc->watch, obj, where, scanned);
	return false;
}

/*
 * Account one reference to @obj, by a word tagged @tag found at @where
 * while scanning @scanned.
 */
static __always_inline void kml_ref(struct kml_scan *sc,
				    struct kmemleak_object *obj, u8 tag,
				    const unsigned long *where,
				    struct kmemleak_object *scanned)
{
	int min;

	if (!obj || obj == scanned || !kml_tag_matches(obj, tag))
		return;
	/* tested on hits only: the word loop stays as it is */
	if (unlikely(sc->observed) && kml_observe(sc, obj, where, scanned))
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
 * Where __percpu cookies are small offsets (x86-64, whose per-CPU section
 * is linked at 0), any counter, size or time of the same value would
 * hide a per-CPU block: there, only its start counts, the cookie that
 * alloc_percpu() returned, give or take the low flag bits that percpu_ref
 * adds in atomic mode.  Code that keeps only a cookie into a block is
 * rare; the kernel glue decides.
 */
bool kml_percpu_exact __read_mostly;

/* Low bits a kept cookie may carry: percpu_ref's __PERCPU_REF_FLAG_BITS. */
#define KML_PERCPU_FLAG_MASK	3UL

static __always_inline struct kmemleak_object *
kml_find_percpu(unsigned long cookie)
{
	struct kmemleak_object *obj = kml_find(KML_PERCPU, cookie);

	if (obj && kml_percpu_exact &&
	    (READ_ONCE(obj->pointer) ^ cookie) & ~KML_PERCPU_FLAG_MASK)
		return NULL;
	return obj;
}

/*
 * The word loop of kml_scan_block(), inlined into the scan of objects: it
 * runs once per word of every scanned block, and a call per word would
 * cost more than the loop body (kernels built for size do not inline it
 * by themselves).
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
	sc->searched_bytes += end - (unsigned long)p;

	vlo = READ_ONCE(kml_spans[KML_VIRT].lo);
	vhi = READ_ONCE(kml_spans[KML_VIRT].hi);
	plo = READ_ONCE(kml_spans[KML_PERCPU].lo);
	phi = READ_ONCE(kml_spans[KML_PERCPU].hi);

	for (; p < e; p++) {
		unsigned long w = kml_read_word(p);
		unsigned long v = kml_untag(w);

		if (v >= vlo && v <= vhi)
			kml_ref(sc, kml_find(KML_VIRT, v), kml_tag(w), p,
				scanned);
		if (v >= plo && v <= phi)
			kml_ref(sc, kml_find_percpu(v), KASAN_TAG_KERNEL,
				p, scanned);
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
 * Scan [@start, @start + @size) of @obj's copy mapped at @delta from its
 * address, pausing @h every KML_HOLD_BYTES.  Across a pause the object may
 * be freed (return false) or shrunk by a partial free (the range is
 * clipped to what is left).
 */
static __always_inline bool kml_scan_range(struct kml_scan *sc,
					   struct kml_hold *h,
					   struct kmemleak_object *obj,
					   unsigned long start, size_t size,
					   unsigned long delta)
{
	unsigned long end = start + size, next, room;

	while (start < end) {
		room = kml_hold_room(h, obj);
		if (!room)
			return false;
		start = max(start, obj->pointer);
		end = min(end, obj->pointer + obj->size);
		if (start >= end)
			break;
		next = end - start > room ? start + room : end;
		kml_scan_words(sc, start + delta, next + delta, obj);
		h->bytes += next - start;
		start = next;
	}
	return true;
}

static void kml_scan_object(struct kml_scan *sc, struct kmemleak_object *obj)
{
	struct kml_root areas[KML_MAX_AREAS];
	unsigned int nr_areas = 0, i;
	struct kml_area *area;
	unsigned long delta;
	struct kml_hold h;
	int cpu;

	kml_hold_begin(&h, kml_shard(obj));
	if (obj->flags & (KML_FREED | KML_NO_SCAN) ||
	    READ_ONCE(obj->min_count) == KML_BLACK ||
	    (obj->flags & KML_STACK && sc->stacks))
		goto out;
	sc->searched_objects++;

	/* copied: a partial free may release the areas while we scan */
	if (!(obj->flags & KML_FULL_SCAN)) {
		hlist_for_each_entry(area, &obj->areas, node) {
			if (nr_areas == KML_MAX_AREAS) {
				nr_areas = 0;	/* too many: the whole object */
				break;
			}
			areas[nr_areas].start = area->start;
			areas[nr_areas++].end = area->start + area->size;
		}
	}

	if (obj->space == KML_PERCPU) {
		for_each_possible_cpu(cpu) {
			kml_delta(obj, cpu, &delta);
			if (!kml_scan_range(sc, &h, obj, obj->pointer,
					    obj->size, delta))
				break;
		}
	} else if (!kml_delta(obj, 0, &delta)) {
		/* not mapped: nothing to scan */
	} else if (nr_areas) {
		for (i = 0; i < nr_areas; i++)
			if (!kml_scan_range(sc, &h, obj, areas[i].start,
					    areas[i].end - areas[i].start,
					    delta))
				break;
	} else {
		kml_scan_range(sc, &h, obj, obj->pointer, obj->size, delta);
	}
out:
	kml_hold_end(&h);
}

static void kml_drain(struct kml_scan *sc)
{
	unsigned int n = 0;

	while (sc->gray != KML_GRAY_END && !sc->stopped) {
		struct kmemleak_object *obj = sc->gray;

		sc->gray = obj->gray_next;
		obj->gray_next = KML_GRAY_DONE;
		kml_scan_object(sc, obj);
		if (++n % KML_BATCH)
			continue;
		if (!kml_pause(sc))
			kml_reap();
	}
}

/**
 * kml_scan_skip - do not scan the object starting at @addr in this scan
 * @sc: scan state
 * @addr: start of the object
 *
 * For interrupt stacks, which hold nothing live between interrupts: the
 * object still counts references, but its contents are not searched.  It
 * is remembered as a stack (see kmemleak_task_stack()).  Call from
 * kml_scan_roots() before anything could queue it.
 */
void kml_scan_skip(struct kml_scan *sc, unsigned long addr)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	if (!kml_lookup(KML_VIRT, addr, false, &obj, &flags))
		return;
	if (obj->pointer == addr) {
		obj->flags |= KML_STACK;
		if (!obj->gray_next)
			obj->gray_next = KML_GRAY_SKIP;
	}
	kml_unlock(obj, flags);
}

/* Scan the static roots, one chunk per hold of kml_roots_lock. */
static void kml_scan_static_roots(struct kml_scan *sc)
{
	unsigned long a = 0, flags;
	unsigned int i;

	while (!sc->stopped) {
		raw_spin_lock_irqsave(&kml_roots_lock, flags);
		for (i = 0; i < kml_nr_roots && kml_roots[i].end <= a; i++)
			;
		if (i == kml_nr_roots) {
			raw_spin_unlock_irqrestore(&kml_roots_lock, flags);
			break;
		}
		a = max(a, kml_roots[i].start);
		kml_scan_words(sc, a, min(kml_roots[i].end, a + KML_HOLD_BYTES),
			       NULL);
		a = min(kml_roots[i].end, a + KML_HOLD_BYTES);
		raw_spin_unlock_irqrestore(&kml_roots_lock, flags);
		kml_pause(sc);
	}
}

static __always_inline int kml_whiten(struct kml_hold *h,
				      struct kmemleak_object *obj, void *arg)
{
	struct kml_scan *sc = arg;

	obj->count = 0;
	obj->gray_next = NULL;
	obj->flags &= ~KML_NEW;
	if (READ_ONCE(obj->min_count) == KML_GRAY)
		kml_push(sc, obj);
	return 0;
}

/*
 * CRC32 of @obj's contents, pausing @h every KML_HOLD_BYTES.  False if the
 * object was freed or resized meanwhile.
 */
static bool kml_checksum(struct kml_hold *h, struct kmemleak_object *obj,
			 u32 *crc)
{
	unsigned long pointer = obj->pointer, delta, a, next, room;
	size_t size = obj->size;
	int cpu;

	*crc = 0;
	for_each_possible_cpu(cpu) {
		if (!kml_delta(obj, cpu, &delta))
			return false;
		for (a = pointer; a < pointer + size; a = next) {
			room = kml_hold_room(h, obj);
			if (!room || obj->pointer != pointer ||
			    obj->size != size)
				return false;
			next = pointer + size - a > room ? a + room :
							   pointer + size;
			*crc = kml_crc(a + delta, next - a, *crc);
			h->bytes += next - a;
		}
		if (obj->space != KML_PERCPU)
			break;
	}
	return true;
}

/*
 * Whether a white object is what it seems, a leak, or in the middle of
 * being linked somewhere: it is given the benefit of the doubt, and
 * scanned as if referenced, unless the last scan found it unreferenced
 * too (or it is new) and its contents did not change since.  So an
 * object that loses its last reference for a moment, while a structure
 * that holds it is updated, is reported only if that happens in two scans
 * in a row.
 */
static __always_inline int kml_recheck(struct kml_hold *h,
				       struct kmemleak_object *obj, void *arg)
{
	struct kml_scan *sc = arg;
	u32 crc;

	if (sc->stopped)
		return -1;
	if (!kml_white(obj)) {
		if (obj->flags & KML_UNREF)
			obj->flags &= ~KML_UNREF;
		return 0;
	}
	if (obj->space == KML_PHYS || !kml_checksum(h, obj, &crc))
		return 0;
	if (crc == obj->checksum && obj->flags & KML_UNREF) {
		if (!(obj->flags & KML_REPORTED) &&
		    time_before_eq(obj->jiffies + sc->min_age, sc->start) &&
		    obj->unref_scans + 1 >= sc->min_unref_scans)
			sc->candidates++;
		return 0;
	}
	obj->checksum = crc;
	obj->flags |= KML_UNREF;
	obj->count = READ_ONCE(obj->min_count);
	kml_push(sc, obj);
	return 0;
}

/*
 * The confirmation of new leaks.  A scan reads memory while the kernel
 * changes it, and an object moved from one place to another meanwhile can
 * be missed in both: read where it goes before it arrives, and where it
 * was after it left.  The common case is an RCU update: a tree or array
 * node is replaced by a copy (maple tree, xarray, RCU hash tables), the
 * scan reads the parent while it still points to the old node, and that
 * node is freed after a grace period, before the scan gets to it; the copy
 * was allocated during the scan and nothing scanned points to it yet.
 *
 * So before an object is reported for the first time, the scan waits for
 * a grace period, for the updaters it raced with to finish, and then
 * scans again what changed: the objects allocated since it started
 * (newest first in each shard's list).  An updater may go on replacing
 * nodes meanwhile, so the young objects are collected and scanned in one
 * RCU read-side section, without yielding: the node that is current when
 * the section begins is young (the scan missed it), is freed only after
 * the section ends, and so is collected and scanned in it.  The large
 * young objects, which need pauses, are scanned after it; past
 * KML_CONFIRM_MAX objects scanned, or lock holds' worth of young objects
 * walked, the pass pauses and leaves the section, to bound the time the
 * CPU spends in it.  Candidates found referenced are scanned in
 * turn, as usual.
 */
#define KML_CONFIRM_MAX		4096

/* Drop and retake @h's lock, without yielding: inside an RCU section. */
static void kml_hold_relax(struct kml_hold *h)
{
	kml_hold_end(h);	/* interrupts are taken here */
	raw_spin_lock_irqsave(&h->sh->lock, h->flags);
	h->bytes = 0;
}

static void kml_queue_young(struct kml_scan *sc)
{
	unsigned int visits = 0;
	struct kml_hold h;
	int i;

	for (i = 0; i < KML_NR_SHARDS && !sc->stopped; i++) {
		struct kml_shard *sh = &kml_shards[i];
		struct hlist_node *pos;

		if (!READ_ONCE(sh->objects.first))
			continue;
		kml_hold_begin(&h, sh);
		for (pos = sh->objects.first; pos; pos = pos->next) {
			struct kmemleak_object *obj =
				hlist_entry(pos, struct kmemleak_object, link);

			h.bytes += KML_VISIT_COST;
			if (h.bytes >= KML_HOLD_BYTES &&
			    ++visits < KML_CONFIRM_MAX) {
				kml_hold_relax(&h);
			} else if (h.bytes >= KML_HOLD_BYTES) {
				/* that many young objects: bound the section */
				rcu_read_unlock();
				kml_hold_pause(&h, obj);
				rcu_read_lock();
			}
			/* ->jiffies of a freed object is its dead chain link */
			if (obj->flags & KML_FREED)
				continue;
			if (time_before(obj->jiffies, sc->start))
				break;
			if (kml_queued(obj) || obj->gray_next == KML_GRAY_SKIP)
				continue;
			obj->gray_next = sc->gray;
			sc->gray = obj;
		}
		kml_hold_end(&h);
	}
}

/* Whether scanning @obj may need a pause: no, for one lock hold's worth. */
static bool kml_scan_is_short(const struct kmemleak_object *obj)
{
	return obj->space != KML_PERCPU && obj->size <= KML_HOLD_BYTES;
}

static void kml_confirm(struct kml_scan *sc)
{
	struct kmemleak_object *obj, *later = KML_GRAY_END;
	unsigned int n = 0;

	synchronize_rcu();
	rcu_read_lock();
	kml_queue_young(sc);
	while (sc->gray != KML_GRAY_END && !sc->stopped) {
		obj = sc->gray;
		sc->gray = obj->gray_next;
		if (!kml_scan_is_short(obj)) {
			obj->gray_next = later;
			later = obj;
			continue;
		}
		obj->gray_next = KML_GRAY_DONE;
		kml_scan_object(sc, obj);
		if (++n < KML_CONFIRM_MAX || n % KML_BATCH)
			continue;
		rcu_read_unlock();
		kml_pause(sc);
		rcu_read_lock();
	}
	rcu_read_unlock();
	/* the large ones, and what the small ones referenced meanwhile */
	while (later != KML_GRAY_END) {
		obj = later;
		later = obj->gray_next;
		obj->gray_next = sc->gray;
		sc->gray = obj;
	}
	kml_drain(sc);
}

/* Suppressions */

struct kml_suppression kml_suppressions[KML_MAX_SUPPRESS];
unsigned int kml_nr_suppressions;

/**
 * kml_suppress - hide the leaks allocated through a function
 * @sym: the function's name, as the views show it
 * @start: start of its text
 * @end: end of its text
 *
 * From the next scan on, the leaks whose allocation backtrace has a
 * return address in the function (see kml_trace_through()) are taken for
 * referenced, and so is what they reach.  Call with the scan mutex held.
 *
 * Return: 0, also if @sym is suppressed already, or -ENOSPC when
 * KML_MAX_SUPPRESS functions are.
 */
int kml_suppress(const char *sym, unsigned long start, unsigned long end)
{
	struct kml_suppression *s;
	unsigned int i;

	for (i = 0; i < kml_nr_suppressions; i++)
		if (!strcmp(kml_suppressions[i].sym, sym))
			return 0;
	if (kml_nr_suppressions == KML_MAX_SUPPRESS)
		return -ENOSPC;
	s = &kml_suppressions[kml_nr_suppressions++];
	memset(s, 0, sizeof(*s));
	memcpy(s->sym, sym, min(strlen(sym), sizeof(s->sym) - 1));
	s->text.start = start;
	s->text.end = end;
	return 0;
}

/**
 * kml_unsuppress - list the leaks of a suppressed function again
 * @sym: its name, as given to kml_suppress()
 *
 * From the next scan on.  Call with the scan mutex held.
 *
 * Return: 0, or -ENOENT if @sym is not suppressed.
 */
int kml_unsuppress(const char *sym)
{
	unsigned int i;

	for (i = 0; i < kml_nr_suppressions; i++) {
		if (strcmp(kml_suppressions[i].sym, sym))
			continue;
		memmove(&kml_suppressions[i], &kml_suppressions[i + 1],
			(kml_nr_suppressions - i - 1) *
			sizeof(kml_suppressions[0]));
		kml_nr_suppressions--;
		return 0;
	}
	return -ENOENT;
}

/*
 * Whether a frame of @obj's allocation backtrace is in one of the @nr
 * ranges of @code.  The frames are return addresses, so (start, end]: a
 * call can end a function that does not return.  A timed range counts
 * only for objects allocated in its time.
 */
static bool kml_trace_through(const struct kmemleak_object *obj,
			      const struct kml_code *code, unsigned int nr)
{
	unsigned long *entries;
	unsigned int n, i, j;

	n = obj->trace ? stack_depot_fetch(obj->trace, &entries) : 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < nr; j++)
			if (entries[i] > code[j].start &&
			    entries[i] <= code[j].end &&
			    (!code[j].timed ||
			     (time_after_eq(obj->jiffies, code[j].since) &&
			      time_before_eq(obj->jiffies, code[j].until))))
				return true;
	return false;
}

struct kml_hide {
	struct kml_scan *sc;
	const struct kml_suppression *s;	/* NULL: the first, last pass */
	struct kml_suppression *prev;		/* gets what the last one hid */
};

/*
 * The passes of kml_apply_suppressions().  KML_NEW, clear until the leaks
 * are marked, marks the objects that were unreferenced before the first
 * pass; one found referenced in a later pass was hidden by the
 * suppression of the pass before.
 */
static __always_inline int kml_hide_one(struct kml_hold *h,
					struct kmemleak_object *obj, void *arg)
{
	struct kml_hide *hide = arg;

	if (!hide->prev && !hide->s) {		/* the first pass */
		if (kml_unreferenced(obj))
			obj->flags |= KML_NEW;
		return 0;
	}
	if (!(obj->flags & KML_NEW))
		return 0;
	if (!kml_white(obj)) {
		obj->flags &= ~KML_NEW;
		if (hide->prev) {
			hide->prev->hidden++;
			hide->prev->hidden_bytes += obj->size;
		}
		return 0;
	}
	if (!hide->s) {				/* the last pass */
		obj->flags &= ~KML_NEW;
		return 0;
	}
	if (kml_trace_through(obj, &hide->s->text, 1)) {
		obj->count = READ_ONCE(obj->min_count);
		kml_push(hide->sc, obj);
	}
	return 0;
}

/*
 * Each suppression in turn: its leaks are scanned as if referenced, and
 * what they reach is then referenced too.  The check of code that goes
 * away leaves the figures of the last scan as they are.
 */
static void kml_apply_suppressions(struct kml_scan *sc)
{
	struct kml_suppression scratch;
	struct kml_hide hide = { .sc = sc };
	unsigned int i;

	__kml_visit(kml_hide_one, &hide);
	for (i = 0; i < kml_nr_suppressions && !sc->stopped; i++) {
		hide.s = &kml_suppressions[i];
		__kml_visit(kml_hide_one, &hide);
		kml_drain(sc);
		hide.prev = sc->code ? &scratch : &kml_suppressions[i];
		hide.prev->hidden = 0;
		hide.prev->hidden_bytes = 0;
	}
	/* the count for the last one; no mark outlives this (even stopped) */
	hide.s = NULL;
	if (!hide.prev)
		hide.prev = &scratch;
	__kml_visit(kml_hide_one, &hide);
}

static __always_inline int kml_mark_leak(struct kml_hold *h,
					 struct kmemleak_object *obj, void *arg)
{
	struct kml_scan *sc = arg;

	if (!kml_white(obj)) {
		if (obj->unref_scans)
			obj->unref_scans = 0;
		return 0;
	}
	if (obj->unref_scans < U8_MAX)
		obj->unref_scans++;
	if (obj->flags & KML_REPORTED || !kml_unreferenced(obj) ||
	    obj->unref_scans < sc->min_unref_scans)
		return 0;
	obj->flags |= KML_REPORTED | KML_NEW;
	sc->new_leaks++;
	return 0;
}

/* Leaks of code that goes away */

struct kml_code_count {
	const struct kml_code *code;
	unsigned int nr;
	unsigned long objects;
};

static __always_inline int kml_count_code_one(struct kml_hold *h,
					      struct kmemleak_object *obj,
					      void *arg)
{
	struct kml_code_count *c = arg;

	if (kml_trace_through(obj, c->code, c->nr))
		c->objects++;
	return 0;
}

/**
 * kml_count_code - objects allocated through some code
 * @code: ranges of text
 * @nr: how many
 *
 * Call inside a walk.
 *
 * Return: how many live objects have a frame of their allocation
 * backtrace in one of the ranges.
 */
unsigned long kml_count_code(const struct kml_code *code, unsigned int nr)
{
	struct kml_code_count c = { .code = code, .nr = nr };

	__kml_visit(kml_count_code_one, &c);
	return c.objects;
}

static __always_inline int kml_mark_code_leak(struct kml_hold *h,
					      struct kmemleak_object *obj,
					      void *arg)
{
	struct kml_scan *sc = arg;

	if (!kml_white(obj) || !kml_trace_through(obj, sc->code, sc->nr_code))
		return 0;
	sc->code_leaks++;
	sc->code_bytes += obj->size;
	if (!(obj->flags & KML_REPORTED)) {
		obj->flags |= KML_REPORTED | KML_NEW;
		sc->new_leaks++;
	}
	return 0;
}

/**
 * kml_scan - one full scan; the caller has begun a walk
 * @sc: scan state with @start and @min_age set, the rest zeroed
 *
 * The objects it finds unreferenced for the first time are marked as
 * reported and as new (see kml_list()).
 *
 * With @sc->code set, it is the check of code that goes away (a module
 * being unloaded), whose objects will never be freed by it: every object
 * allocated through that code and unreferenced is reported at once (and
 * counted in @sc->code_leaks and @sc->code_bytes), whatever its age and
 * whether or not it changed, and no other object is reported.
 *
 * Return: 0, -EINTR if the scan was stopped or -EBUSY if it was abandoned
 * (see KML_DEAD_MIN); then nothing new is reported.
 */
int kml_scan(struct kml_scan *sc)
{
	unsigned long last_scan = kml_last_scan, min_age = kml_min_age;
	int ret = 0;

	if (!sc->dead_limit)
		sc->dead_limit = max_t(unsigned long, KML_DEAD_MIN,
				       kml_count_objects() / 2);
	kml_set_dead_limit(sc->dead_limit);
	sc->gray = KML_GRAY_END;
	kml_last_scan = sc->start;
	kml_min_age = sc->min_age;

	/* stopped here, the scan leaves the colours half reset: it is void */
	if (___kml_visit(kml_whiten, sc, true)) {
		sc->overrun = kml_walk_overrun();
		sc->stopped = true;
	}
	kml_scan_roots(sc);
	kml_last_stacks = sc->stacks;
	kml_scan_static_roots(sc);
	kml_drain(sc);
	if (!sc->stopped && !sc->code)
		__kml_visit(kml_recheck, sc);
	kml_drain(sc);
	if ((sc->candidates || sc->code) && !sc->stopped)
		kml_confirm(sc);
	if (kml_nr_suppressions && !sc->stopped)
		kml_apply_suppressions(sc);
	if (kml_walk_overrun())
		sc->overrun = true;
	if (sc->stopped || sc->overrun || kml_should_stop()) {
		sc->stopped = true;
		ret = sc->overrun ? -EBUSY : -EINTR;
	} else if (sc->code) {
		__kml_visit(kml_mark_code_leak, sc);
	}
	if (sc->code) {
		/* the age rules stay those of the last full scan */
		kml_last_scan = last_scan;
		kml_min_age = min_age;
		return ret;
	}
	if (ret)
		return ret;
	__kml_visit(kml_mark_leak, sc);
	return 0;
}

static int kml_clear_one(struct kml_hold *h, struct kmemleak_object *obj,
			 void *arg)
{
	if (kml_reported_leak(obj)) {
		WRITE_ONCE(obj->min_count, KML_GRAY);
		obj->flags &= ~(KML_REPORTED | KML_NEW);
	}
	return 0;
}

/**
 * kml_clear - stop listing the objects reported so far
 *
 * They are painted gray: never reported again, still scanned, so whatever
 * they point to is not reported either.  Call inside a walk.
 */
void kml_clear(void)
{
	__kml_visit(kml_clear_one, NULL);
}

/* Classification of the listed leaks */

/*
 * A leaked structure is listed block by block: a leaked list shows its
 * head and every node, though the code that leaked it lost only the
 * head.  kml_classify() tells the leaks another listed leak points into
 * (indirect) from the others (direct), and gives each indirect leak to
 * one direct leak that reaches it, as LeakSanitizer does.  Cycles need
 * care: the blocks of a leaked doubly linked list all point to one
 * another, and one of them has to stand for the rest.
 *
 * The edges between leaks are the words a scan would follow, found by
 * the same kml_scan_object(), with kml_ref() passing the hits on to
 * kml_leak_ref().  Meanwhile each leak's ->gray_next, which only the
 * walker uses and the next scan resets, points to its record: a hit
 * finds the record through it, and the metadata of a leak freed
 * meanwhile is not reclaimed before the walk ends (kml_queued()).  The
 * old links are put back at the end.
 *
 * Three passes over the records, each oldest first:
 * 1. mark the leaks another leak points into;
 * 2. each unmarked leak is direct, and claims what it reaches that no
 *    earlier one claimed;
 * 3. what is left is in, or hangs off, cycles that nothing else points
 *    into.  Each unclaimed leak in turn becomes a root and claims what
 *    it reaches; a root that reaches an earlier root demotes it, and
 *    takes over what it claimed.  The roots left are the oldest leak of
 *    each cycle with no way in.
 *
 * In pass 3 a leak claimed by an earlier root R can lead the traversal
 * to R only: it is looked through, and then settled, as it leads to no
 * root anymore (R was found and demoted, or it does not lead there).  So
 * no leak is scanned more than three times: to mark, when claimed, when
 * looked through.
 */

/* kml_leak.state */
#define KML_LEAK_POINTED	BIT(0)	/* another leak points into it */
#define KML_LEAK_CLAIMED	BIT(1)	/* a root, or reached from one */
#define KML_LEAK_SETTLED	BIT(2)	/* cannot lead to a root of pass 3 */

struct kml_classify {
	struct kml_leak *v;
	int nr;
	int root;		/* of the traversal; -1 in the marking pass */
	int top;		/* work stack through kml_leak.next, -1: empty */
	u8 claim;		/* state of the leaks a root claims */
	unsigned int work;	/* objects scanned, for the pauses */
};

static void kml_leak_push(struct kml_classify *cl, int i)
{
	cl->v[i].next = cl->top;
	cl->top = i;
}

/*
 * A word of the leak being scanned points into @obj.  Called under that
 * leak's shard lock: a few stores, no lock taken.
 */
static noinline void kml_leak_ref(struct kml_scan *sc,
				  struct kmemleak_object *obj)
{
	struct kml_classify *cl = sc->classify;
	struct kml_leak *k = (struct kml_leak *)obj->gray_next;
	int i, r;

	/* the links of the objects that are not listed point elsewhere */
	if ((unsigned long)k - (unsigned long)cl->v >=
	    (unsigned long)cl->nr * sizeof(*k))
		return;
	i = k - cl->v;
	if (cl->root < 0) {
		k->state |= KML_LEAK_POINTED;
		return;
	}
	if (!(k->state & KML_LEAK_CLAIMED)) {
		k->state |= cl->claim;
		k->holder = cl->root;
		kml_leak_push(cl, i);
		return;
	}
	if (k->state & KML_LEAK_SETTLED)
		return;
	/* claimed in pass 3: by a root, this one or one demoted since? */
	r = k->holder < 0 ? i : k->holder;
	if (r == cl->root || cl->v[r].holder >= 0)
		return;
	k->state |= KML_LEAK_SETTLED;
	if (r == i)
		k->holder = cl->root;	/* an earlier root: demoted */
	else
		kml_leak_push(cl, i);	/* it may lead to its root */
}

static void kml_leak_scan(struct kml_scan *sc, struct kml_classify *cl,
			  int i)
{
	kml_scan_object(sc, cl->v[i].obj);
	if (++cl->work % KML_BATCH)
		return;
	kml_yield();
	kml_reap();
}

static void kml_leak_walk(struct kml_scan *sc, struct kml_classify *cl,
			  int root)
{
	cl->root = root;
	kml_leak_push(cl, root);
	while (cl->top >= 0) {
		int i = cl->top;

		cl->top = cl->v[i].next;
		kml_leak_scan(sc, cl, i);
	}
}

static int kml_leak_collect(struct kml_hold *h, struct kmemleak_object *obj,
			    void *arg)
{
	struct kml_leaks *l = arg;
	struct kml_leak *k;

	if (!kml_reported_leak(obj) || l->found++ >= l->max)
		return 0;
	k = &l->v[l->nr++];
	k->pointer = obj->pointer;
	k->size = obj->size;
	k->jiffies = obj->jiffies;
	k->held_bytes = 0;
	k->trace = obj->trace;
	k->holder = -1;
	k->held = 0;
	k->space = obj->space;
	k->state = 0;
	k->serial = obj->serial;
	k->next = -1;
	k->obj = obj;
	k->saved_link = obj->gray_next;
	/* a link to the record: kept, if freed, until the link is restored */
	obj->gray_next = (struct kmemleak_object *)k;
	return 0;
}

/*
 * kml_list()'s order: allocation time, serial, space, then address,
 * descending (its keys hold addresses complemented).  Times compare as
 * plain numbers there, across a wrap too, and so they do here.
 */
static int kml_leak_cmp(const void *a, const void *b)
{
	const struct kml_leak *x = a, *y = b;
	unsigned long tx = x->jiffies, ty = y->jiffies;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (x->serial != y->serial)
		return x->serial < y->serial ? -1 : 1;
	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	if (x->pointer != y->pointer)
		return x->pointer > y->pointer ? -1 : 1;
	return 0;
}

static void kml_leak_restore(struct kml_leaks *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		l->v[i].obj->gray_next = l->v[i].saved_link;
}

/* Give each indirect leak to the root its claimer was demoted to, if so. */
static void kml_leak_tally(struct kml_leaks *l)
{
	struct kml_leak *v = l->v;
	int n = l->nr, i, j, r, next;

	for (i = 0; i < n; i++) {
		r = v[i].holder;
		if (r < 0) {
			l->direct++;
			continue;
		}
		/* demotions point to later roots: the chain ends */
		while (v[r].holder >= 0)
			r = v[r].holder;
		for (j = i; v[j].holder != r; j = next) {
			next = v[j].holder;
			v[j].holder = r;
		}
		v[r].held++;
		v[r].held_bytes += v[i].size;
	}
	l->indirect = l->nr - l->direct;
}

/**
 * kml_classify - tell direct leaks from the leaks they hold
 * @l: @v, @max and @flat set by the caller; the rest is filled in
 *
 * Lists in @l->v, oldest first like kml_list(), the objects that
 * /sys/kernel/debug/kmemleak lists.  A leak that another listed leak
 * points into is indirect (a word in the other's scanned contents,
 * as a scan reads them, points into it).  The others are direct, and
 * each holds the leaks it reaches through such pointers that no older
 * direct leak holds.  Leaks that none of them reaches are in, or hang
 * off, cycles that nothing else points into: the oldest leak of each
 * such cycle is direct, and holds what it reaches that is not held yet.
 * Each indirect leak has one holder, a direct leak.
 *
 * Nothing that the debugfs file shows is changed.  A leak freed
 * meanwhile keeps its place in @l->v, but its contents are no longer
 * read: what it pointed to may then count as direct.
 *
 * Call inside a walk, with the scan mutex held.  If more than @l->max
 * objects are listed, @l->found tells how many and nothing is
 * classified (@l->nr is 0).
 */
void kml_classify(struct kml_leaks *l)
{
	struct kml_classify cl = { .v = l->v, .top = -1 };
	struct kml_scan sc = {
		.stacks = kml_last_stacks,
		.observed = true,
		.classify = &cl,
	};
	int i;

	l->nr = 0;
	l->found = 0;
	l->direct = 0;
	l->indirect = 0;
	__kml_visit(kml_leak_collect, l);
	if (l->found > l->max) {
		kml_leak_restore(l);
		l->nr = 0;
		return;
	}
	sort(l->v, l->nr, sizeof(*l->v), kml_leak_cmp, NULL);
	cl.nr = l->nr;
	if (l->flat) {
		l->direct = l->nr;
		kml_leak_restore(l);
		return;
	}
	/* the records moved: link the objects to them again */
	for (i = 0; i < cl.nr; i++)
		l->v[i].obj->gray_next = (struct kmemleak_object *)&l->v[i];

	/* 1: which leaks others point into */
	cl.root = -1;
	for (i = 0; i < cl.nr; i++)
		kml_leak_scan(&sc, &cl, i);

	/* 2: the others are direct; what they reach goes to the oldest */
	cl.claim = KML_LEAK_CLAIMED | KML_LEAK_SETTLED;
	for (i = 0; i < cl.nr; i++) {
		if (l->v[i].state & (KML_LEAK_POINTED | KML_LEAK_CLAIMED))
			continue;
		l->v[i].state |= cl.claim;
		kml_leak_walk(&sc, &cl, i);
	}

	/* 3: cycles with no way in, and what hangs off them */
	cl.claim = KML_LEAK_CLAIMED;
	for (i = 0; i < cl.nr; i++) {
		if (l->v[i].state & KML_LEAK_CLAIMED)
			continue;
		l->v[i].state |= cl.claim;
		kml_leak_walk(&sc, &cl, i);
	}

	kml_leak_tally(l);
	kml_leak_restore(l);
}
