// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walks (mm/kmemleak_index.c): removals keep metadata until the walker
 * reclaims it, between batches of its work and at the end; visits; the
 * sorted listings of reported objects.
 */

/* Removal inside a walk keeps the metadata until kml_walk_end(). */
static void test_walk_remove(void)
{
	unsigned long p = VBASE + 0x20000;
	struct kmemleak_object *m1 = mkobj(KML_VIRT, p, 64, 1);
	struct kmemleak_object *m2 = mkobj(KML_VIRT, p + 64, 64, 1);
	struct kmemleak_object *m3 = mkobj(KML_PHYS, p, 64, 0);

	CHECK_EQ(track_obj(m1), 0);
	CHECK_EQ(track_obj(m2), 0);
	CHECK_EQ(track_obj(m3), 0);
	kml_walk_begin();
	CHECK(kml_remove(KML_VIRT, p + 64));
	CHECK(kml_remove(KML_PHYS, p));
	CHECK_EQ(meta_freed, 0);
	CHECK(m2->flags & KML_FREED && m3->flags & KML_FREED);
	CHECK(!(m1->flags & KML_FREED));
	CHECK_EQ(m2->pointer, p + 64);
	CHECK_EQ(kml_count_objects(), 1);
	CHECK(!kml_find(KML_VIRT, p + 64));
	CHECK(!kml_remove(KML_VIRT, p + 64));
	CHECK(!lookup(KML_VIRT, p + 64, true, NULL));
	/* the address can be tracked again at once */
	CHECK_EQ(track(KML_VIRT, p + 64, 32, 1), 0);
	AT(KML_VIRT, p + 64, p + 64);
	CHECK(kml_shards[KML_SHARD_PHYS].dead == m3);
	kml_walk_end();
	CHECK_EQ(meta_freed, 2);
	CHECK_EQ(kml_count_objects(), 2);
	CHECK(!kml_shards[KML_SHARD_PHYS].dead);
	/* outside a walk, metadata goes at once */
	CHECK(kml_remove(KML_VIRT, p));
	CHECK_EQ(meta_freed, 3);
}

static void *big_block;
static struct kmemleak_object *big_meta;
static int removed_in_yield;

/* Between two chunks of the big block's scan: it is being scanned. */
static void free_big(void)
{
	if (!big_block || big_meta->gray_next != KML_GRAY_DONE)
		return;
	blk_free(big_block);
	big_block = NULL;
	removed_in_yield++;
}

/* A block freed while the scanner is inside it is left at once. */
static void test_walk_free_while_scanned(void)
{
	unsigned long *big = blk("big", 3 * KML_HOLD_BYTES + 64, 1);
	unsigned long *a = blk("a-in-chunk0", 64, 1);
	unsigned long *b = blk("b-in-chunk2", 64, 1);

	rootbuf[0] = A(big);
	big[0] = A(a);
	big[2 * KML_HOLD_BYTES / sizeof(long) + 1] = A(b);
	age();
	big_block = big;
	big_meta = meta_of(big);
	yield_fn = free_big;
	CHECK_EQ(scan(), 0);
	yield_fn = NULL;
	CHECK_EQ(removed_in_yield, 1);
	CHECK_EQ(meta_freed, 1);
	REPORTS(b,);
}

static int drain_freed;
static struct kmemleak_object *chain_head;
static unsigned long *chain_blk[3 * KML_BATCH];

/* Make a chain of blocks, each pointing to the next, from rootbuf[0]. */
static void make_chain(int n, size_t size)
{
	int i;

	for (i = 0; i < n; i++) {
		chain_blk[i] = blk("chain", size, 1);
		if (i)
			chain_blk[i - 1][1] = A(chain_blk[i]);
	}
	rootbuf[0] = A(chain_blk[0]);
	chain_head = meta_of(chain_blk[0]);
}

/* At the first pause of the drain: the chain's head was scanned. */
static void free_all_in_drain(void)
{
	int i;

	if (drain_freed || chain_head->gray_next != KML_GRAY_DONE)
		return;
	for (i = 0; i < 3 * KML_BATCH; i++) {
		blk_free(chain_blk[i]);
		drain_freed++;
	}
}

/* Blocks freed while queued on the gray stack are skipped. */
static void test_walk_free_queued(void)
{
	/* a chain long enough for the drain loop to yield */
	make_chain(3 * KML_BATCH, 48);
	age();
	yield_fn = free_all_in_drain;
	CHECK_EQ(scan(), 0);
	yield_fn = NULL;
	CHECK_EQ(drain_freed, 3 * KML_BATCH);
	CHECK_EQ(meta_freed, 3 * KML_BATCH);
	CHECK_EQ(kml_count_objects(), 0);
	REPORTS();
}

#define REAP_FREES	(KML_REAP_MIN + 44)

static unsigned long *reap_spare[REAP_FREES];
static int stops_since_frees = -1;
static long freed_next_pause = -1;

/* At the first pause of the drain: yield, then the check to stop. */
static void free_spares_in_drain(void)
{
	int i;

	if (stops_since_frees >= 0 || chain_head->gray_next != KML_GRAY_DONE)
		return;
	for (i = 0; i < REAP_FREES; i++)
		blk_free(reap_spare[i]);
	stops_since_frees = 0;
}

/*
 * The checks to stop after the frees: the first in the same pause, the
 * second in the next one (a yield may also come from a reclaim).
 */
static void count_freed_next_pause(void)
{
	if (stops_since_frees >= 0 && ++stops_since_frees == 2)
		freed_next_pause = meta_freed;
}

/*
 * More than KML_REAP_MIN objects freed during a scan are reclaimed by the
 * scanner as it goes, not only by kml_walk_end(); all of them are gone
 * once it returns.
 */
static void test_walk_reap_during_scan(void)
{
	struct kml_scan sc = { .min_age = MIN_AGE };
	long freed;
	int i;

	for (i = 0; i < REAP_FREES; i++)
		reap_spare[i] = blk("spare", 32, KML_BLACK);
	make_chain(3 * KML_BATCH, 48);
	age();
	yield_fn = free_spares_in_drain;
	stop_fn = count_freed_next_pause;
	sc.start = jiffies;
	kml_walk_begin();
	CHECK_EQ(kml_scan(&sc), 0);
	freed = meta_freed;
	kml_walk_end();
	yield_fn = NULL;
	stop_fn = NULL;
	CHECK(stops_since_frees >= 2);
	/* reclaimed by the drain itself, right after the pause */
	if (freed_next_pause != REAP_FREES)
		t_fail("%ld of %d objects freed during the drain reclaimed at its next pause",
		       freed_next_pause, REAP_FREES);
	if (freed != REAP_FREES)
		t_fail("%ld of %d objects freed during the scan reclaimed by its end",
		       freed, REAP_FREES);
	CHECK_EQ(meta_freed, REAP_FREES);
	CHECK_EQ(meta_live, 3 * KML_BATCH);
	CHECK_EQ(sc.new_leaks, 0);
}

#define QUEUED		(KML_REAP_MIN + 144)

static unsigned long *queued_blk[QUEUED];
static struct kmemleak_object *holder_meta;
static long done_when_freed = -1;

/* The holder was scanned: all QUEUED blocks are on the gray stack. */
static void free_queued(void)
{
	int i;

	if (done_when_freed >= 0 || holder_meta->gray_next != KML_GRAY_DONE)
		return;
	stops_since_frees = 0;
	done_when_freed = 0;
	for (i = 0; i < QUEUED; i++) {
		struct kmemleak_object *m = meta_of(queued_blk[i]);

		done_when_freed += m->gray_next == KML_GRAY_DONE;
		blk_free(queued_blk[i]);
	}
}

/*
 * Objects freed while on the gray stack are not reclaimed before the
 * drain pops them (ASan would see their metadata used after free): only
 * those already scanned are.
 */
static void test_walk_reap_keeps_queued(void)
{
	unsigned long *h = blk("holder", QUEUED * sizeof(long), KML_GRAY);
	int i;

	for (i = 0; i < QUEUED; i++) {
		queued_blk[i] = blk("queued", 32, 1);
		h[i] = A(queued_blk[i]);
	}
	holder_meta = meta_of(h);
	age();
	yield_fn = free_queued;
	stop_fn = count_freed_next_pause;
	CHECK_EQ(scan(), 0);
	yield_fn = NULL;
	stop_fn = NULL;
	CHECK(done_when_freed > 0 && done_when_freed < QUEUED);
	CHECK(stops_since_frees >= 2);
	/* at the next pause, what was scanned was reclaimed, and only that */
	CHECK_EQ(freed_next_pause, done_when_freed);
	CHECK_EQ(meta_freed, QUEUED);
	CHECK_EQ(kml_count_objects(), 1);
	REPORTS();
}

#define REAP_CHAIN	(4 * KML_BATCH)
#define REAP_ROUNDS	64

static int reap_rounds;

/* Another CPU freeing a batch for each batch the reclaimer releases. */
static void free_a_batch(void)
{
	unsigned long *b[KML_BATCH];
	int i;

	if (reap_rounds >= REAP_ROUNDS)
		return;
	reap_rounds++;
	for (i = 0; i < KML_BATCH; i++)
		b[i] = blk("churn", 32, 1);
	for (i = 0; i < KML_BATCH; i++)
		blk_free(b[i]);
}

/*
 * One reclaim releases what was dead when it began and returns: frees
 * that keep pace with it wait for the next one, instead of keeping the
 * walker there as long as they go on.
 */
static void test_walk_reap_bounded(void)
{
	unsigned long *b[REAP_CHAIN];
	int i;

	for (i = 0; i < REAP_CHAIN; i++)
		b[i] = blk("dead", 32, 1);
	kml_walk_begin();
	for (i = 0; i < REAP_CHAIN; i++)
		blk_free(b[i]);
	CHECK_EQ(meta_freed, 0);
	yield_fn = free_a_batch;
	kml_reap();
	yield_fn = NULL;
	if (reap_rounds >= REAP_ROUNDS)
		t_fail("the reclaim was still going after %d batches freed under it",
		       reap_rounds);
	CHECK_EQ(meta_freed, REAP_CHAIN);
	CHECK_EQ(meta_live, (long)reap_rounds * KML_BATCH);
	kml_walk_end();
	CHECK_EQ(meta_freed, REAP_CHAIN + reap_rounds * KML_BATCH);
	CHECK_EQ(meta_live, 0);
	CHECK_EQ(kml_count_objects(), 0);
}

static int overrun_freed;

/* During the drain: more frees than the scan's limit. */
static void free_past_limit(void)
{
	int i;

	if (overrun_freed || chain_head->gray_next != KML_GRAY_DONE)
		return;
	for (i = 0; i < 3 * KML_BATCH; i++)
		blk_free(chain_blk[i]);
	overrun_freed = 3 * KML_BATCH;
}

/*
 * A scan under more frees than it can release is abandoned (-EBUSY, and
 * nothing reported); what was freed is released by kml_walk_end().
 */
static void test_walk_overrun(void)
{
	struct kml_scan sc = { .min_age = MIN_AGE, .dead_limit = KML_BATCH };
	unsigned long *leak = blk("leak", 64, 1);

	make_chain(3 * KML_BATCH, 48);
	age();
	yield_fn = free_past_limit;
	sc.start = jiffies;
	kml_walk_begin();
	CHECK_EQ(kml_scan(&sc), -EBUSY);
	kml_walk_end();
	yield_fn = NULL;
	CHECK(sc.overrun && sc.stopped);
	CHECK_EQ(overrun_freed, 3 * KML_BATCH);
	CHECK_EQ(sc.new_leaks, 0);
	CHECK_EQ(meta_freed, 3 * KML_BATCH);
	CHECK_EQ(kml_count_unreclaimed(), 0);
	/* the next scan, with the default limit, completes */
	CHECK_EQ(scan(), 0);
	CHECK_EQ(scan(), 0);
	LISTED(leak,);
}

struct visit_state {
	int seen[512];
	int order[512];
	int calls;
	int stop_at;
	bool remove_next;	/* drop the lock and remove the next one */
};

static unsigned long visit_base = VBASE + 0x40000;

static int visit_index(const struct kmemleak_object *obj)
{
	if (obj->pointer < visit_base || obj->pointer >= visit_base + 512 * 64)
		return -1;
	return (obj->pointer - visit_base) / 64;
}

static int visit_fn(struct kml_hold *h, struct kmemleak_object *obj,
		    void *arg)
{
	struct visit_state *v = arg;
	int i = visit_index(obj);

	if (!shim_lock_held(&h->sh->lock) || kml_shard(obj) != h->sh)
		t_fail("visit without the shard lock");
	if (obj->flags & KML_FREED)
		t_fail("visited a freed object");
	if (i >= 0) {
		v->seen[i]++;
		v->order[v->calls] = i;
	}
	if (v->remove_next && obj->link.next) {
		struct kmemleak_object *next =
			hlist_entry(obj->link.next, struct kmemleak_object,
				    link);

		/* like a visitor that drops the lock to do its work */
		kml_hold_end(h);
		CHECK(kml_remove(KML_VIRT, next->pointer));
		raw_spin_lock_irqsave(&h->sh->lock, h->flags);
		v->remove_next = false;
	}
	return ++v->calls == v->stop_at ? -1 : 0;
}

static struct visit_state *visit_cur;

/* At the first yield: remove the resume point and ten not yet visited. */
static void remove_ahead(void)
{
	struct visit_state *v = visit_cur;
	int i, n = 0;

	if (yields != 1)
		return;
	CHECK(kml_remove(KML_VIRT, visit_base + v->order[v->calls - 1] * 64));
	for (i = 0; i < 200 && n < 10; i++) {
		if (v->seen[i])
			continue;
		CHECK(kml_remove(KML_VIRT, visit_base + i * 64));
		v->seen[i] = -1000;
		n++;
	}
	CHECK_EQ(track(KML_VIRT, visit_base + 300 * 64, 64, 1), 0);
}

/* __kml_visit(): every live object once, the lock dropped in between. */
static void test_visit(void)
{
	struct visit_state v = { 0 };
	int i, bad = 0;

	for (i = 0; i < 200; i++)
		CHECK_EQ(track(KML_VIRT, visit_base + i * 64, 64, 1), 0);
	kml_walk_begin();
	__kml_visit(visit_fn, &v);
	for (i = 0; i < 200; i++)
		bad += v.seen[i] != 1;
	CHECK_EQ(bad, 0);
	CHECK_EQ(v.calls, 200);
	/* one shard: a lock drop every KML_HOLD_BYTES / KML_VISIT_COST */
	CHECK(yields >= 200 / (KML_HOLD_BYTES / KML_VISIT_COST));

	/* a negative return stops the visit */
	memset(&v, 0, sizeof(v));
	v.stop_at = 10;
	__kml_visit(visit_fn, &v);
	CHECK_EQ(v.calls, 10);
	CHECK_EQ(shim_lock_depth, 0);

	/* removals during a lock drop: the removed ones are not visited */
	memset(&v, 0, sizeof(v));
	yields = 0;
	visit_cur = &v;
	yield_fn = remove_ahead;
	__kml_visit(visit_fn, &v);
	yield_fn = NULL;
	for (i = 0, bad = 0; i < 200; i++)
		bad += v.seen[i] != 1 && v.seen[i] != -1000;
	CHECK_EQ(bad, 0);
	CHECK_EQ(v.seen[300], 0);	/* added during the walk: not visited */
	CHECK_EQ(v.calls, 200 - 10);
	CHECK_EQ(meta_freed, 0);
	kml_walk_end();
	CHECK_EQ(meta_freed, 11);
	CHECK_EQ(kml_count_objects(), 190);

	/* a visitor that drops the lock and frees the next object */
	memset(&v, 0, sizeof(v));
	v.remove_next = true;
	kml_walk_begin();
	__kml_visit(visit_fn, &v);
	kml_walk_end();
	CHECK_EQ(v.calls, 190 - 1);
	CHECK_EQ(meta_freed, 12);
}

static long churn_yields, churn_limit;

/* Other CPUs: one kmalloc()/kfree() pair per object this CPU visits. */
static void churn_pairs(void)
{
	unsigned long a = VBASE + 0x80000;
	int i;

	if (++churn_yields > churn_limit)
		return;
	for (i = 0; i < KML_BATCH; i++) {
		CHECK_EQ(track(KML_VIRT, a + 64 * i, 64, 1), 0);
		CHECK(kml_remove(KML_VIRT, a + 64 * i));
	}
}

/*
 * A walk ends even while other CPUs allocate and free in the same shard:
 * what is allocated after a visit started needs no visit, and what is
 * freed meanwhile does not pile up without bound.
 */
static void test_visit_churn(void)
{
	struct visit_state v = { 0 };
	int i;

	for (i = 0; i < 200; i++)
		CHECK_EQ(track(KML_VIRT, visit_base + i * 64, 64, 1), 0);
	churn_limit = 2000;	/* then the other CPUs stop */
	yield_fn = churn_pairs;
	kml_walk_begin();
	__kml_visit(visit_fn, &v);
	yield_fn = NULL;
	if (churn_yields > churn_limit)
		t_fail("the visit of 200 objects ended only when the churn stopped, after %ld yields",
		       churn_limit);
	CHECK_EQ(v.calls, 200);
	kml_walk_end();
	CHECK_EQ(meta_live, 200);
}

/*
 * kml_list(): allocation order, oldest first: by jiffies, then serial,
 * whatever the shard or space; @found counts what did not fit.
 */
static void test_list_order(void)
{
	static const struct {
		unsigned long off;	/* in the arena; ~0UL: per-CPU, phys */
		enum kml_space space;
		unsigned long jiffies;
		u32 serial;
	} o[] = {
		{ 9 * REGION, KML_VIRT, 30, 1 },
		{ 2 * REGION, KML_VIRT, 10, 7 },
		{ 2 * REGION + 64, KML_VIRT, 10, 3 },
		{ 5 * REGION - 8, KML_VIRT, 20, 2 },	/* wide */
		{ ~0UL, KML_PERCPU, 10, 5 },
		{ 1 * REGION, KML_VIRT, 40, 0 },
		{ 7 * REGION, KML_VIRT, 20, 1 },
		{ ~0UL, KML_PHYS, 15, 9 },
	};
	static const int want[] = { 2, 4, 1, 7, 6, 3, 0, 5 };
	unsigned char *arena = aligned_alloc(REGION, 10 * REGION);
	unsigned long addr[ARRAY_SIZE(o)];
	struct kml_listing l = { 0 };
	unsigned int i;

	memset(arena, 0, 10 * REGION);
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		struct kmemleak_object *obj;

		if (o[i].space == KML_PERCPU)
			addr[i] = PCPU_BASE;
		else if (o[i].space == KML_PHYS)
			addr[i] = PHYS_BASE;
		else
			addr[i] = A(arena) + o[i].off;
		obj = mkobj(o[i].space, addr[i], 16, 1);
		obj->jiffies = T_JIFFIES + o[i].jiffies;
		obj->serial = o[i].serial;
		CHECK_EQ(track_obj(obj), 0);
	}
	jiffies += 1000;
	scan();
	CHECK_EQ(nr_reported, ARRAY_SIZE(o));
	for (i = 0; i < ARRAY_SIZE(o); i++)
		CHECK_EQ(reported[i], addr[want[i]]);

	l.keys = calloc(4 * KML_KEY_WORDS, sizeof(*l.keys));
	l.max = 4;
	kml_walk_begin();
	kml_list(&l, KML_LIST_REPORTED);
	kml_walk_end();
	CHECK_EQ(l.nr, 4);
	CHECK_EQ(l.found, ARRAY_SIZE(o));
	free(l.keys);
	free(arena);
}

/*
 * A listing holds no address of the objects it lists: a scan that reads
 * it (the reader's buffer is kernel memory) finds no reference.
 */
static void test_list_keys(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1);
	struct kml_listing l = { 0 };
	size_t i;

	age();
	scan();
	REPORTS(a, b, c,);
	l.keys = calloc(3 * KML_KEY_WORDS, sizeof(*l.keys));
	l.max = 3;
	kml_walk_begin();
	kml_list(&l, KML_LIST_REPORTED);
	CHECK_EQ(l.nr, 3);
	for (i = 0; i < l.nr * KML_KEY_WORDS; i++)
		CHECK(!kml_find(KML_VIRT, l.keys[i]));
	kml_walk_end();
	kml_add_root(A(l.keys), A(l.keys + l.nr * KML_KEY_WORDS));
	scan();
	LISTED(a, b, c,);
	CHECK(kml_cut_roots(A(l.keys), A(l.keys + l.nr * KML_KEY_WORDS)));
	free(l.keys);
}

/*
 * kml_listing_snapshot() of an object freed since the listing, of a new
 * (and listed) object at the same address, of one no longer to be listed,
 * of one partly freed: -ENOENT.
 */
static void test_listing_snapshot(void)
{
	static const char *const names[] = { "freed", "reused", "not-leak",
					     "cut", "same" };
	struct kml_listing l = { 0 };
	struct kml_snapshot s;
	unsigned long *o[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		o[i] = blk(names[i], 64, 1);
		o[i][0] = 0xa0 + i;
	}
	age();
	scan();	/* changed: scanned as referenced */
	scan();
	CHECK_EQ(nr_reported, 5);
	l.keys = calloc(5 * KML_KEY_WORDS, sizeof(*l.keys));
	l.max = 5;
	kml_walk_begin();
	kml_list(&l, KML_LIST_REPORTED);
	kml_walk_end();
	CHECK_EQ(l.nr, 5);
	/* made in that order, in the same jiffy: listed in that order */
	for (i = 0; i < 5; i++)
		CHECK_EQ(~l.keys[i * KML_KEY_WORDS + 3], A(o[i]));

	blk_free(o[0]);
	CHECK(kml_remove(KML_VIRT, A(o[1])));
	CHECK_EQ(track(KML_VIRT, A(o[1]), 64, 1), 0);
	CHECK(not_leak(o[2]));
	CHECK(kml_remove_part(KML_VIRT, A(o[3]) + 32, 32, NULL));
	/* the new object at o[1] is listed too, as is what is left of o[3] */
	age();
	scan();
	scan();
	REPORTS(o[1], o[3],);
	for (i = 0; i < 4; i++)
		if (kml_listing_snapshot(&l, i, KML_LIST_REPORTED, &s,
					 false) != -ENOENT)
			t_fail("snapshot of the %s object: not -ENOENT",
			       names[i]);
	CHECK_EQ(kml_listing_snapshot(&l, 4, KML_LIST_REPORTED, &s, true), 0);
	CHECK_EQ(s.pointer, A(o[4]));
	CHECK_EQ(s.size, 64);
	CHECK_EQ(s.hex_len, KML_HEX_MAX);
	CHECK_EQ(s.hex[0], 0xa4);
	CHECK_EQ(shim_lock_depth, 0);
	free(l.keys);
}

static const struct t_case walk_tests[] = {
	{ "walk_remove", test_walk_remove },
	{ "walk_free_while_scanned", test_walk_free_while_scanned },
	{ "walk_free_queued", test_walk_free_queued },
	{ "walk_reap_during_scan", test_walk_reap_during_scan },
	{ "walk_reap_keeps_queued", test_walk_reap_keeps_queued },
	{ "walk_reap_bounded", test_walk_reap_bounded },
	{ "walk_overrun", test_walk_overrun },
	{ "visit", test_visit },
	{ "visit_churn", test_visit_churn },
	{ "list_order", test_list_order },
	{ "list_keys", test_list_keys },
	{ "listing_snapshot", test_listing_snapshot },
};
