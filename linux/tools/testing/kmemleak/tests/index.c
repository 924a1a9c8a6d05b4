// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object index (mm/kmemleak_index.c): insertion and lookups by space
 * and at the boundaries of objects, wide objects, overlaps, locked
 * lookups, snapshots, partial frees, reset.
 */

static const enum kml_space all_spaces[] = { KML_VIRT, KML_PHYS, KML_PERCPU };

/* Register, look up and free in each space, at the object's boundaries. */
static void test_index_spaces(void)
{
	unsigned long p = VBASE + 0x1000;
	struct kmemleak_object copy;
	unsigned int i;

	/* the same numbers in three spaces are three objects */
	for (i = 0; i < ARRAY_SIZE(all_spaces); i++)
		CHECK_EQ(track(all_spaces[i], p, 64, 1), 0);
	CHECK_EQ(kml_count_objects(), 3);
	CHECK_EQ(overlaps, 0);

	for (i = 0; i < ARRAY_SIZE(all_spaces); i++) {
		enum kml_space sp = all_spaces[i];

		AT(sp, p, p);
		AT(sp, p + 1, p);
		AT(sp, p + 63, p);
		NONE_AT(sp, p + 64);
		NONE_AT(sp, p - 1);
		CHECK(lookup(sp, p, false, &copy) && copy.space == sp);
		CHECK(!lookup(sp, p + 8, false, NULL));
		CHECK(!lookup(sp, p - 1, false, NULL));
	}

	/* removal needs the start */
	CHECK(!kml_remove(KML_PHYS, p + 8));
	CHECK(!kml_remove(KML_PHYS, p + 64));
	CHECK_EQ(meta_freed, 0);
	CHECK(kml_remove(KML_PHYS, p));
	CHECK_EQ(meta_freed, 1);
	CHECK_EQ(kml_count_objects(), 2);
	NONE_AT(KML_PHYS, p);
	AT(KML_VIRT, p, p);
	AT(KML_PERCPU, p, p);

	CHECK(kml_remove(KML_VIRT, p));
	CHECK(!kml_remove(KML_VIRT, p));
	CHECK(kml_remove(KML_PERCPU, p));
	CHECK_EQ(kml_count_objects(), 0);
	CHECK_EQ(meta_freed, 3);
	NONE_AT(KML_VIRT, p);
	NONE_AT(KML_PERCPU, p + 8);

	/* neighbours: adjacent objects do not overlap */
	CHECK_EQ(track(KML_VIRT, p, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, p + 64, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, p - 16, 16, 1), 0);
	AT(KML_VIRT, p + 63, p);
	AT(KML_VIRT, p + 64, p + 64);
	AT(KML_VIRT, p - 1, p - 16);
	CHECK_EQ(overlaps, 0);
}

/* A zero-sized object occupies its first byte. */
static void test_index_size0(void)
{
	unsigned long p = VBASE + 0x2000;

	CHECK_EQ(track(KML_VIRT, p, 0, 1), 0);
	CHECK(lookup(KML_VIRT, p, false, NULL));
	AT(KML_VIRT, p, p);
	NONE_AT(KML_VIRT, p + 1);
	NONE_AT(KML_VIRT, p - 1);
	/* each overlapping object replaces the one before */
	CHECK_EQ(track(KML_VIRT, p, 0, 1), 1);
	CHECK_EQ(track(KML_VIRT, p, 8, 1), 1);
	CHECK_EQ(track(KML_VIRT, p - 8, 9, 1), 1);
	AT(KML_VIRT, p, p - 8);
	CHECK_EQ(track(KML_VIRT, p - 16, 8, 1), 0);
	CHECK_EQ(track(KML_VIRT, p + 1, 8, 1), 0);
	CHECK_EQ(overlaps, 3);
	CHECK_EQ(kml_count_objects(), 3);
	CHECK(kml_remove(KML_VIRT, p - 8));
	NONE_AT(KML_VIRT, p);
	CHECK_EQ(track(KML_VIRT, p, 1, 1), 0);
	AT(KML_VIRT, p, p);
}

static bool in_wide(const struct kmemleak_object *obj)
{
	return kml_shard(obj) == &kml_shards[KML_SHARD_WIDE];
}

static struct kml_shard *region_shard(unsigned long addr)
{
	return &kml_shards[kml_region_index(addr)];
}

/* Objects crossing a region boundary live in the wide shard. */
static void test_index_wide(void)
{
	unsigned long r = VBASE + 5 * REGION, r2 = r + REGION;
	unsigned long r3 = VBASE + 20 * REGION;
	struct kmemleak_object *w, *a, *b, *e, *g, *big;
	unsigned long x, y;

	w = mkobj(KML_VIRT, r - 32, 64, 1);
	a = mkobj(KML_VIRT, r - 64, 32, 1);
	b = mkobj(KML_VIRT, r + 32, 32, 1);
	e = mkobj(KML_VIRT, r2 - 64, 64, 1);	/* ends at a boundary */
	g = mkobj(KML_VIRT, r2, 64, 1);		/* starts at one */
	big = mkobj(KML_VIRT, r3 - 8, 2 * REGION + 16, 1);
	CHECK_EQ(track_obj(w), 0);
	CHECK_EQ(track_obj(a), 0);
	CHECK_EQ(track_obj(b), 0);
	CHECK_EQ(track_obj(e), 0);
	CHECK_EQ(track_obj(g), 0);
	CHECK_EQ(track_obj(big), 0);
	CHECK(in_wide(w) && in_wide(big));
	CHECK(!in_wide(a) && !in_wide(b) && !in_wide(e) && !in_wide(g));
	CHECK(kml_shard(a) == region_shard(r - 1));
	CHECK(kml_shard(b) == region_shard(r));

	AT(KML_VIRT, r - 32, r - 32);
	AT(KML_VIRT, r - 1, r - 32);
	AT(KML_VIRT, r, r - 32);
	AT(KML_VIRT, r + 31, r - 32);
	AT(KML_VIRT, r + 32, r + 32);
	AT(KML_VIRT, r - 33, r - 64);
	AT(KML_VIRT, r2 - 1, r2 - 64);
	AT(KML_VIRT, r2, r2);
	/* the middle region of big holds nothing of its own */
	AT(KML_VIRT, r3 + REGION + 12345, r3 - 8);
	AT(KML_VIRT, r3 + 2 * REGION + 7, r3 - 8);
	NONE_AT(KML_VIRT, r3 + 2 * REGION + 8);
	NONE_AT(KML_VIRT, r3 - 9);
	CHECK(lookup(KML_VIRT, r - 32, false, NULL));
	CHECK(!lookup(KML_VIRT, r, false, NULL));

	/* two regions hashed to the same shard share its tree */
	for (x = 100, y = 101; y < 100000; y++)
		if (region_shard(x << KML_REGION_SHIFT) ==
		    region_shard(y << KML_REGION_SHIFT))
			break;
	CHECK(y < 100000);
	CHECK_EQ(track(KML_VIRT, x << KML_REGION_SHIFT, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, y << KML_REGION_SHIFT, 64, 1), 0);
	AT(KML_VIRT, (x << KML_REGION_SHIFT) + 8, x << KML_REGION_SHIFT);
	AT(KML_VIRT, (y << KML_REGION_SHIFT) + 8, y << KML_REGION_SHIFT);

	CHECK(kml_remove(KML_VIRT, r - 32));
	NONE_AT(KML_VIRT, r);
	AT(KML_VIRT, r + 32, r + 32);
	CHECK(kml_remove(KML_VIRT, r3 - 8));
	NONE_AT(KML_VIRT, r3 + REGION);
	CHECK_EQ(kml_count_objects(), 6);
}

static int count_white(struct kml_hold *h, struct kmemleak_object *obj,
		       void *arg)
{
	*(int *)arg += kml_white(obj);
	return 0;
}

/* Objects at the very top and bottom of the address spaces. */
static void test_index_top(void)
{
	unsigned long t = ULONG_MAX - 63;
	int n = 0;

	CHECK_EQ(track(KML_VIRT, t, 64, 1), 0);
	AT(KML_VIRT, ULONG_MAX, t);
	AT(KML_VIRT, t, t);
	NONE_AT(KML_VIRT, t - 1);
	CHECK(!lookup(KML_VIRT, ULONG_MAX, false, NULL));
	CHECK_EQ(track(KML_VIRT, t - 16, 16, 1), 0);
	CHECK_EQ(track(KML_VIRT, ULONG_MAX, 1, 1), 1);
	AT(KML_VIRT, ULONG_MAX, ULONG_MAX);
	NONE_AT(KML_VIRT, ULONG_MAX - 1);
	/* a wide object near the top */
	CHECK_EQ(track(KML_VIRT, ULONG_MAX - 2 * REGION, REGION, 1), 0);
	AT(KML_VIRT, ULONG_MAX - REGION - 1, ULONG_MAX - 2 * REGION);

	CHECK_EQ(track(KML_PHYS, 0, 4096, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, ULONG_MAX - 4095, 4096, KML_GRAY), 0);
	CHECK_EQ(track(KML_PERCPU, ULONG_MAX - 7, 8, 1), 0);
	AT(KML_PHYS, 0, 0);
	AT(KML_PHYS, 4095, 0);
	NONE_AT(KML_PHYS, 4096);
	AT(KML_PHYS, ULONG_MAX, ULONG_MAX - 4095);
	AT(KML_PERCPU, ULONG_MAX, ULONG_MAX - 7);

	kml_walk_begin();
	__kml_visit(count_white, &n);
	kml_walk_end();
	CHECK_EQ(n, 4);		/* the min_count 1 objects */
	CHECK_EQ(kml_count_objects(), 6);
}

/*
 * An overlapping object replaces the stale one: kml_insert() returns 1,
 * calls kml_warn_overlap() once, with no lock held, with snapshots of both
 * objects, and releases the indexed one; the new one is indexed.
 */
static void test_overlap(void)
{
	static const struct { long off; size_t size; bool clash; } c[] = {
		{ 0, 64, true }, { -8, 16, true }, { 56, 16, true },
		{ 8, 8, true }, { -8, 128, true }, { 63, 1, true },
		{ 0, 0, true }, { -1, 1, false }, { 64, 8, false },
	};
	unsigned long p = VBASE + 0x4000;
	struct kmemleak_object copy, *obj, *old;
	unsigned int s, i;

	for (s = 0; s < ARRAY_SIZE(all_spaces); s++) {
		enum kml_space sp = all_spaces[s];

		for (i = 0; i < ARRAY_SIZE(c); i++) {
			unsigned long q = p + c[i].off;
			long freed;
			int n = overlaps;

			jiffies = T_JIFFIES + s;
			old = mkobj(sp, p, 64, 1);
			CHECK_EQ(track_obj(old), 0);
			if (!c[i].clash) {
				CHECK_EQ(track(sp, q, c[i].size, 1), 0);
				CHECK(kml_remove(sp, q));
				CHECK(kml_remove(sp, p));
				continue;
			}
			freed = meta_freed;
			jiffies += 7;
			obj = mkobj(sp, q, c[i].size, 2);
			obj->pid = 77;
			strcpy(obj->comm, "newer");
			CHECK_EQ(track_obj(obj), 1);
			CHECK_EQ(overlaps, n + 1);
			CHECK_EQ(overlap_locks, 0);
			CHECK_EQ(overlap_new.pointer, q);
			CHECK_EQ(overlap_new.size, c[i].size);
			CHECK_EQ(overlap_new.min_count, 2);
			CHECK_EQ(overlap_new.pid, 77);
			CHECK_EQ(overlap_new.jiffies, jiffies);
			CHECK_EQ(overlap_new.space, sp);
			CHECK(!strcmp(overlap_new.comm, "newer"));
			CHECK_EQ(overlap_new.hex_len, 0);
			CHECK_EQ(overlap_old.pointer, p);
			CHECK_EQ(overlap_old.size, 64);
			CHECK_EQ(overlap_old.min_count, 1);
			CHECK_EQ(overlap_old.pid, 42);
			CHECK_EQ(overlap_old.trace, 0x1234);
			CHECK_EQ(overlap_old.jiffies, T_JIFFIES + s);
			CHECK(!strcmp(overlap_old.comm, "kmltest"));
			/* the old object was released, the new one kept */
			CHECK_EQ(meta_freed, freed + 1);
			CHECK(last_meta_freed == old);
			CHECK_EQ(kml_count_objects(), s + 1);
			CHECK(lookup(sp, q, true, &copy));
			CHECK(copy.pointer == q && copy.size == c[i].size &&
			      copy.min_count == 2);
			CHECK(kml_remove(sp, q));
		}
		/* one object of each space stays, for the count */
		CHECK_EQ(track(sp, p, 64, 1), 0);
	}
}

/* An object that overlaps several replaces them all. */
static void test_overlap_many(void)
{
	unsigned long p = VBASE + 0x6000;
	int i;

	for (i = 0; i < 4; i++)
		CHECK_EQ(track(KML_VIRT, p + i * 32, 16, 1), 0);
	CHECK_EQ(track(KML_VIRT, p + 200, 8, 1), 0);
	CHECK_EQ(track(KML_VIRT, p + 8, 100, 1), 4);
	CHECK_EQ(overlaps, 4);
	CHECK_EQ(meta_freed, 4);
	CHECK_EQ(kml_count_objects(), 2);
	AT(KML_VIRT, p + 8, p + 8);
	NONE_AT(KML_VIRT, p);
	AT(KML_VIRT, p + 200, p + 200);
	/* during a walk, the dropped ones wait for its end like any other */
	kml_walk_begin();
	CHECK_EQ(track(KML_VIRT, p, 16, 1), 1);
	CHECK_EQ(meta_freed, 4);
	kml_walk_end();
	CHECK_EQ(meta_freed, 5);
	CHECK_EQ(kml_count_objects(), 2);
}

/* Overlaps are found across the wide shard and a region shard too. */
static void test_overlap_wide(void)
{
	unsigned long r = VBASE + 7 * REGION;
	struct kmemleak_object *old;

	/* a wide object, then a region object inside its second region */
	old = mkobj(KML_VIRT, r - 32, 64, 1);
	CHECK_EQ(track_obj(old), 0);
	CHECK_EQ(track(KML_VIRT, r, 16, 1), 1);
	CHECK_EQ(overlaps, 1);
	CHECK_EQ(overlap_locks, 0);
	CHECK_EQ(overlap_old.pointer, r - 32);
	CHECK(last_meta_freed == old);
	AT(KML_VIRT, r, r);
	NONE_AT(KML_VIRT, r - 32);
	/* a region object, then a wide object covering it */
	old = mkobj(KML_VIRT, r + 2 * REGION + 64, 16, 1);
	CHECK_EQ(track_obj(old), 0);
	CHECK_EQ(track(KML_VIRT, r + REGION + 64, REGION + 64, 1), 1);
	CHECK_EQ(overlaps, 2);
	CHECK_EQ(overlap_locks, 0);
	CHECK_EQ(overlap_old.pointer, r + 2 * REGION + 64);
	CHECK_EQ(overlap_new.pointer, r + REGION + 64);
	CHECK(last_meta_freed == old);
	AT(KML_VIRT, r + 2 * REGION + 64, r + REGION + 64);
	/* a wide object over a wide one */
	CHECK_EQ(track(KML_VIRT, r + 10 * REGION - 8, 16, 1), 0);
	CHECK_EQ(track(KML_VIRT, r + 9 * REGION, 2 * REGION, 1), 1);
	CHECK_EQ(overlaps, 3);
	CHECK_EQ(kml_count_objects(), 3);
	CHECK_EQ(meta_live, 3);
}

/* kml_lookup() returns the object with its shard lock held. */
static void test_lookup_locked(void)
{
	unsigned long p = VBASE + 0x8000, w = VBASE + 9 * REGION - 16;
	struct kmemleak_object *obj;
	unsigned long flags;

	CHECK_EQ(track(KML_VIRT, p, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, w, 64, 1), 0);
	CHECK(!kml_lookup(KML_VIRT, p + 64, true, &obj, &flags));
	CHECK(!kml_lookup(KML_VIRT, p + 8, false, &obj, &flags));
	CHECK_EQ(shim_lock_depth, 0);

	if (CHECK(kml_lookup(KML_VIRT, p + 8, true, &obj, &flags))) {
		CHECK_EQ(obj->pointer, p);
		CHECK(shim_lock_held(&kml_shard(obj)->lock));
		CHECK_EQ(shim_lock_depth, 1);
		WRITE_ONCE(obj->min_count, KML_GRAY);
		kml_unlock(obj, flags);
	}
	CHECK_EQ(shim_lock_depth, 0);
	CHECK_EQ(min_count_of((void *)p), KML_GRAY);

	/* found in the wide shard after the region shard missed */
	if (CHECK(kml_lookup(KML_VIRT, w + 40, true, &obj, &flags))) {
		CHECK_EQ(obj->pointer, w);
		CHECK(shim_lock_held(&kml_shards[KML_SHARD_WIDE].lock));
		CHECK_EQ(shim_lock_depth, 1);
		kml_unlock(obj, flags);
	}
	CHECK_EQ(shim_lock_depth, 0);
}

/* kml_snapshot(): what a report prints, contents included. */
static void test_snapshot(void)
{
	unsigned long *a = blk("a", 48, 3), *b = blk("b", 8, 1);
	unsigned long c = pcpu(64, 1);
	struct kmemleak_object *obj;
	struct kml_snapshot s;
	unsigned long flags;
	int cpu, i;

	for (i = 0; i < 6; i++)
		a[i] = 0x0101010101010101UL * (i + 1);
	b[0] = 0x1122334455667788UL;
	for_each_possible_cpu(cpu)
		pcpu_copy(c, cpu)[0] = 0xc0 + cpu;
	meta_of(a)->checksum = 0xabc;

	if (CHECK(kml_lookup(KML_VIRT, A(a), false, &obj, &flags))) {
		kml_snapshot(obj, &s, true);
		kml_unlock(obj, flags);
		CHECK_EQ(s.pointer, A(a));
		CHECK_EQ(s.size, 48);
		CHECK_EQ(s.min_count, 3);
		CHECK_EQ(s.checksum, 0xabc);
		CHECK_EQ(s.space, KML_VIRT);
		CHECK_EQ(s.pid, 42);
		CHECK_EQ(s.trace, 0x1234);
		CHECK(!strcmp(s.comm, "kmltest"));
		CHECK_EQ(s.hex_len, KML_HEX_MAX);
		CHECK(!memcmp(s.hex, a, KML_HEX_MAX));
	}
	/* a small block: all of it; without contents: none */
	if (CHECK(kml_lookup(KML_VIRT, A(b), false, &obj, &flags))) {
		kml_snapshot(obj, &s, true);
		CHECK_EQ(s.hex_len, 8);
		CHECK(!memcmp(s.hex, b, 8));
		kml_snapshot(obj, &s, false);
		CHECK_EQ(s.hex_len, 0);
		kml_unlock(obj, flags);
	}
	/* per-CPU: the copy of the CPU it runs on */
	shim_cpu = 2;
	if (CHECK(kml_lookup(KML_PERCPU, c, false, &obj, &flags))) {
		kml_snapshot(obj, &s, true);
		kml_unlock(obj, flags);
		CHECK_EQ(s.hex_cpu, 2);
		CHECK_EQ(s.hex_len, KML_HEX_MAX);
		CHECK_EQ(s.hex[0], 0xc2);
	}
	shim_cpu = 0;
	/* physical: never read */
	CHECK_EQ(track(KML_PHYS, PHYS_BASE, 64, KML_GRAY), 0);
	if (CHECK(kml_lookup(KML_PHYS, PHYS_BASE, false, &obj, &flags))) {
		kml_snapshot(obj, &s, true);
		kml_unlock(obj, flags);
		CHECK_EQ(s.hex_len, 0);
		CHECK_EQ(s.space, KML_PHYS);
	}
}

/*
 * kmemleak_free_part(): what is left keeps the object's metadata, the
 * part after a hole takes the spare's; the rest is new as far as
 * reporting goes (current jiffies, not reported) and has no scan areas.
 */
static void test_remove_part(void)
{
	unsigned long p = VBASE + 0x10000;
	struct kmemleak_object *o = mkobj(KML_VIRT, p, 256, 3), *spare, c;

	o->flags = KML_NO_SCAN | KML_REPORTED | KML_NEW;
	o->jiffies = 777;
	o->pid = 9;
	o->trace = 0xabcd;
	o->serial = 4242;
	strcpy(o->comm, "owner");
	hlist_add_head(&mkarea(p, 8)->node, &o->areas);
	CHECK_EQ(track_obj(o), 0);

	/* middle: two pieces */
	jiffies = 5000;
	spare = mkspare();
	CHECK(kml_remove_part(KML_VIRT, p + 64, 64, spare));
	CHECK_EQ(kml_count_objects(), 2);
	CHECK_EQ(meta_freed, 0);
	CHECK_EQ(areas_freed, 1);
	AT(KML_VIRT, p, p);
	AT(KML_VIRT, p + 63, p);
	NONE_AT(KML_VIRT, p + 64);
	NONE_AT(KML_VIRT, p + 127);
	AT(KML_VIRT, p + 128, p + 128);
	AT(KML_VIRT, p + 255, p + 128);
	CHECK(lookup(KML_VIRT, p + 128, false, &c));
	CHECK_EQ(c.size, 128);
	CHECK_EQ(c.min_count, 3);
	/* new as far as reporting goes: unreferenced until a scan says not */
	CHECK_EQ(c.flags, KML_NO_SCAN | KML_UNREF);
	CHECK_EQ(c.jiffies, 5000);
	CHECK_EQ(c.pid, 9);
	CHECK_EQ(c.trace, 0xabcd);
	CHECK_EQ(c.serial, 4242);
	CHECK(!strcmp(c.comm, "owner"));
	CHECK(hlist_empty(&c.areas));
	CHECK(lookup(KML_VIRT, p, false, &c));
	CHECK_EQ(c.size, 64);
	CHECK_EQ(c.jiffies, 5000);
	CHECK_EQ(c.flags, KML_NO_SCAN | KML_UNREF);
	CHECK(hlist_empty(&c.areas));

	/* head of the tail piece: the spare is not needed */
	jiffies = 6000;
	CHECK(free_part((void *)(p + 128), 32));
	CHECK_EQ(meta_freed, 1);
	NONE_AT(KML_VIRT, p + 128);
	AT(KML_VIRT, p + 160, p + 160);
	CHECK(lookup(KML_VIRT, p + 160, false, &c));
	CHECK_EQ(c.size, 96);
	CHECK_EQ(c.min_count, 3);
	CHECK_EQ(c.jiffies, 6000);

	/* tail of the head piece */
	CHECK(free_part((void *)(p + 48), 16));
	AT(KML_VIRT, p + 47, p);
	NONE_AT(KML_VIRT, p + 48);
	CHECK(lookup(KML_VIRT, p, false, &c));
	CHECK_EQ(c.size, 48);

	/* a size beyond the end frees to the end */
	CHECK(free_part((void *)(p + 200), 4096));
	AT(KML_VIRT, p + 199, p + 160);
	NONE_AT(KML_VIRT, p + 200);

	/* whole, with an interior pointer and its rest */
	CHECK(free_part((void *)(p + 160), 40));
	CHECK(free_part((void *)(p + 8), 40));
	CHECK(free_part((void *)p, 8));
	CHECK_EQ(kml_count_objects(), 0);
	CHECK_EQ(meta_live, 0);

	/* nothing there: the spare is released */
	CHECK(!free_part((void *)p, 8));
	CHECK_EQ(meta_live, 0);

	/* phys space too */
	CHECK_EQ(track(KML_PHYS, PHYS_BASE, 4096, KML_GRAY), 0);
	CHECK(kml_remove_part(KML_PHYS, PHYS_BASE + 1024, 1024, mkspare()));
	AT(KML_PHYS, PHYS_BASE + 1023, PHYS_BASE);
	NONE_AT(KML_PHYS, PHYS_BASE + 1024);
	AT(KML_PHYS, PHYS_BASE + 2048, PHYS_BASE + 2048);
	CHECK(lookup(KML_PHYS, PHYS_BASE + 2048, false, &c));
	CHECK_EQ(c.space, KML_PHYS);
	CHECK_EQ(c.min_count, KML_GRAY);
}

/*
 * A hole in the middle: both sides stay tracked in one step, the right
 * one through the spare, in the same shard, for a region object and for
 * a wide one whose right part fits in one region.
 */
static void test_remove_part_hole(void)
{
	unsigned long p = VBASE + 3 * REGION + 0x100;
	unsigned long w = VBASE + 6 * REGION - 64;
	struct kmemleak_object *o = mkobj(KML_VIRT, p, 512, 1);
	struct kmemleak_object *ow = mkobj(KML_VIRT, w, REGION, 1);
	struct kmemleak_object *spare = mkspare(), *spare2;

	CHECK_EQ(track_obj(o), 0);
	CHECK_EQ(track_obj(ow), 0);
	CHECK(in_wide(ow));

	CHECK(kml_remove_part(KML_VIRT, p + 128, 128, spare));
	CHECK_EQ(kml_count_objects(), 3);
	CHECK_EQ(meta_live, 3);
	AT(KML_VIRT, p + 127, p);
	NONE_AT(KML_VIRT, p + 128);
	NONE_AT(KML_VIRT, p + 255);
	AT(KML_VIRT, p + 256, p + 256);
	AT(KML_VIRT, p + 511, p + 256);
	NONE_AT(KML_VIRT, p + 512);
	CHECK_EQ(spare->pointer, p + 256);
	CHECK_EQ(spare->size, 256);
	CHECK(kml_shard(spare) == kml_shard(o));
	CHECK_EQ(o->size, 128);

	/* the wide object: cut before the boundary, the rest is past it */
	spare2 = mkspare();
	CHECK(kml_remove_part(KML_VIRT, w + 32, 64, spare2));
	CHECK_EQ(spare2->pointer, w + 96);
	CHECK_EQ(spare2->size, REGION - 96);
	CHECK(kml_shard(spare2) == kml_shard(ow));
	CHECK(in_wide(spare2));
	AT(KML_VIRT, w + 31, w);
	NONE_AT(KML_VIRT, w + 32);
	NONE_AT(KML_VIRT, w + 95);
	AT(KML_VIRT, w + 96, w + 96);
	AT(KML_VIRT, w + REGION - 1, w + 96);
	NONE_AT(KML_VIRT, w + REGION);
	CHECK_EQ(kml_count_objects(), 4);

	/* the pieces are objects like any other */
	CHECK(kml_remove(KML_VIRT, p + 256));
	CHECK(kml_remove(KML_VIRT, w + 96));
	CHECK_EQ(kml_count_objects(), 2);
	CHECK_EQ(meta_live, 2);
}

/* Without a spare, the part after a hole goes untracked; nothing leaks. */
static void test_remove_part_no_spare(void)
{
	unsigned long *a = blk("a", 256, 1);
	unsigned long *t = blk("t-by-right-part", 64, 1);

	a[20] = A(t);			/* in the part after the hole */
	rootbuf[0] = A(a);
	CHECK(kml_remove_part(KML_VIRT, A(a) + 64, 64, NULL));
	CHECK_EQ(kml_count_objects(), 2);
	AT(KML_VIRT, A(a) + 63, A(a));
	NONE_AT(KML_VIRT, A(a) + 64);
	NONE_AT(KML_VIRT, A(a) + 128);
	NONE_AT(KML_VIRT, A(a) + 255);
	CHECK_EQ(meta_live, 2);
	age();
	scan();
	/* the untracked part is not scanned: what only it points to leaks */
	REPORTS(t,);
	CHECK_EQ(meta_live, 2);
}

/* Scan areas are dropped by a partial free, outside the lock. */
static void test_remove_part_areas(void)
{
	unsigned long *h = blk("holder", 256, KML_GRAY);
	unsigned long *t = blk("t-outside-areas", 64, 1);

	h[20] = A(t);
	CHECK(scan_area(&h[2], 8));
	CHECK(scan_area(&h[4], 8));
	CHECK(scan_area(&h[8], 16));
	age();
	scan();
	REPORTS(t,);
	CHECK(free_part(h, 8));
	CHECK_EQ(areas_freed, 3);
	CHECK_EQ(areas_live, 0);
	/* the rest is scanned whole */
	age();
	scan();
	LISTED();
}

/* kml_reset_index(): every object is released, the index is reusable. */
static void test_reset_index(void)
{
	unsigned long r = VBASE + 11 * REGION;
	int i;

	for (i = 0; i < 100; i++)
		CHECK_EQ(track(KML_VIRT, r + 64 + i * 4096, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, r - 8, 16, 1), 0);
	CHECK_EQ(track(KML_PHYS, 0, 64, 0), 0);
	CHECK_EQ(track(KML_PERCPU, PCPU_BASE, 64, 1), 0);
	yields = 0;
	kml_reset_index();
	CHECK_EQ(meta_freed, 103);
	CHECK(yields >= 103 / KML_BATCH);
	CHECK_EQ(kml_count_objects(), 0);
	CHECK_EQ(meta_live, 0);
	NONE_AT(KML_VIRT, r);
	NONE_AT(KML_VIRT, r - 8);
	NONE_AT(KML_PHYS, 0);
	CHECK_EQ(track(KML_VIRT, r, 64, 1), 0);
	CHECK_EQ(track(KML_PHYS, 0, 64, 0), 0);
	AT(KML_VIRT, r + 1, r);
	CHECK_EQ(kml_count_objects(), 2);
}

static const struct t_case index_tests[] = {
	{ "index_spaces", test_index_spaces },
	{ "index_size0", test_index_size0 },
	{ "index_wide", test_index_wide },
	{ "index_top", test_index_top },
	{ "overlap", test_overlap },
	{ "overlap_many", test_overlap_many },
	{ "overlap_wide", test_overlap_wide },
	{ "lookup_locked", test_lookup_locked },
	{ "snapshot", test_snapshot },
	{ "remove_part", test_remove_part },
	{ "remove_part_hole", test_remove_part_hole },
	{ "remove_part_no_spare", test_remove_part_no_spare },
	{ "remove_part_areas", test_remove_part_areas },
	{ "reset_index", test_reset_index },
};
