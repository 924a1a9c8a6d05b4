// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scans racing with other threads that allocate, free, free in part, and
 * add and cut static roots: no crash, no use after free (ASan), no lock
 * rule broken (the shim), and what the roots always reach is never
 * reported.
 */

#include <pthread.h>
#include <unistd.h>

#define CHURN_SLOTS	64
#define KEPT		32

static volatile bool churn_stop;
static long churn_ops, churn_budget;

/* A bounded rate: a walk must not chase an endless tail. */
static bool churn_step(void)
{
	if (__atomic_sub_fetch(&churn_budget, 1, __ATOMIC_RELAXED) < 0) {
		sched_yield();
		return false;
	}
	__atomic_add_fetch(&churn_ops, 1, __ATOMIC_RELAXED);
	return true;
}

/* Allocate and free blocks as other CPUs would during scans. */
static void *churn_fn(void *arg)
{
	static unsigned long *slot[CHURN_SLOTS];
	unsigned int seed = 1, i;
	size_t size;

	shim_cpu = 1;
	while (!churn_stop) {
		if (!churn_step())
			continue;
		i = rand_r(&seed) % CHURN_SLOTS;
		size = 64 + (i % 4) * 2048;
		if (slot[i]) {
			CHECK(kml_remove(KML_VIRT, A(slot[i])));
			free(slot[i]);
			slot[i] = NULL;
		} else {
			slot[i] = calloc(1, size);
			slot[i][0] = A(slot[(i + 1) % CHURN_SLOTS]);
			CHECK_EQ(track(KML_VIRT, A(slot[i]), size, 1), 0);
		}
	}
	for (i = 0; i < CHURN_SLOTS; i++) {
		if (slot[i])
			CHECK(kml_remove(KML_VIRT, A(slot[i])));
		free(slot[i]);
	}
	return NULL;
}

/* Cut a part of a block, then free the rest, in every way. */
static void *free_part_fn(void *arg)
{
	unsigned int seed = 2, round = 0;

	shim_cpu = 2;
	while (!churn_stop) {
		size_t size = 64 * (2 + rand_r(&seed) % 64);
		unsigned long *b = calloc(1, size), p = A(b), cut;

		if (!churn_step()) {
			free(b);
			continue;
		}
		b[0] = A(b);
		b[size / sizeof(long) - 1] = A(b) + 8;
		CHECK_EQ(track(KML_VIRT, p, size, 1), 0);
		cut = 8 * (1 + rand_r(&seed) % (size / 8 - 2));
		switch (round++ % 3) {
		case 0:		/* a hole, with a spare */
			CHECK(kml_remove_part(KML_VIRT, p + cut, 8, mkspare()));
			CHECK(kml_remove(KML_VIRT, p));
			CHECK(kml_remove(KML_VIRT, p + cut + 8));
			break;
		case 1:		/* a hole, without */
			CHECK(kml_remove_part(KML_VIRT, p + cut, 8, NULL));
			CHECK(kml_remove(KML_VIRT, p));
			break;
		case 2:		/* the head, then the rest */
			CHECK(kml_remove_part(KML_VIRT, p, cut, mkspare()));
			CHECK(kml_remove_part(KML_VIRT, p + cut, size, NULL));
			break;
		}
		free(b);
	}
	return NULL;
}

#define ROOT_SIZE	(16 * KML_HOLD_BYTES)

/*
 * Static roots that come and go: once cut, a root is freed at once.  Full
 * of references, so that a scan takes its time in each chunk of them.
 */
static void *roots_fn_thread(void *arg)
{
	unsigned long *keep = arg;
	size_t i;

	shim_cpu = 3;
	while (!churn_stop) {
		unsigned long *r = malloc(ROOT_SIZE);

		/* no rate limit: roots leave nothing for a walk to chase */
		__atomic_add_fetch(&churn_ops, 1, __ATOMIC_RELAXED);
		for (i = 0; i < ROOT_SIZE / sizeof(long); i++)
			r[i] = A(keep) + 8 * (i % 8);
		kml_add_root(A(r), A(r) + ROOT_SIZE);
		CHECK(kml_cut_roots(A(r) + ROOT_SIZE / 4, A(r) + ROOT_SIZE / 2));
		CHECK(kml_cut_roots(A(r), A(r) + ROOT_SIZE));
		free(r);
	}
	return NULL;
}

#define MIN_SCANS	500
#define MIN_OPS		3000

/*
 * Run @nthreads of @fn while scanning: MIN_SCANS scans, and on until the
 * other threads did MIN_OPS steps.  The blocks rootbuf reaches are never
 * reported.
 */
static void scan_while(void *(*fn)(void *), int nthreads, void *arg)
{
	unsigned long *keep[KEPT];
	pthread_t th[4];
	int i, bad = 0;

	for (i = 0; i < KEPT; i++) {
		keep[i] = blk("kept", 64, 1);
		rootbuf[i] = A(keep[i]) + 8 * (i % 8);
	}
	age();
	racy_reports = true;
	yield_sched = true;
	churn_budget = 2 * CHURN_SLOTS;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, fn, arg))
			abort();
	while (!__atomic_load_n(&churn_ops, __ATOMIC_RELAXED))
		sched_yield();
	for (i = 0; i < MIN_SCANS ||
		    (__atomic_load_n(&churn_ops, __ATOMIC_RELAXED) < MIN_OPS &&
		     i < 100 * MIN_SCANS); i++) {
		int j;

		jiffies += MIN_AGE;
		__atomic_store_n(&churn_budget, 2 * CHURN_SLOTS,
				 __ATOMIC_RELAXED);
		CHECK_EQ(scan(), 0);
		for (j = 0; j < KEPT; j++)
			bad += in_set(reported, nr_reported, A(keep[j]));
	}
	churn_stop = true;
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(bad, 0);
	CHECK(churn_ops >= MIN_OPS);
}

static void test_concurrent(void)
{
	scan_while(churn_fn, 1, NULL);
	CHECK_EQ(kml_count_objects(), KEPT);
	CHECK_EQ(meta_live, KEPT);
}

static void test_concurrent_free_part(void)
{
	scan_while(free_part_fn, 1, NULL);
	CHECK_EQ(kml_count_objects(), KEPT);
	CHECK_EQ(meta_live, KEPT);
}

/*
 * A cut waits for the scan to leave the range: the thread frees a root as
 * soon as it is cut, and ASan would see a scan read it.
 */
static void test_concurrent_roots(void)
{
	unsigned long *k = blk("by-changing-roots", 64, 1);

	scan_while(roots_fn_thread, 1, k);
	CHECK_EQ(kml_count_objects(), KEPT + 1);
	CHECK_EQ(kml_nr_roots, 1);	/* rootbuf */
}

#define CUT_ROOT_WORDS	(4 * KML_HOLD_BYTES / sizeof(long))

static unsigned long *cut_root;
static int cut_state;		/* 1: the scan is in the root; 2: it is cut */
static bool cut_early;

/* The scan is reading the root: let the other thread cut it. */
static void in_root_hook(const volatile void *p)
{
	int i;

	if ((const void *)p < (void *)cut_root ||
	    (const void *)p >= (void *)(cut_root + CUT_ROOT_WORDS))
		return;
	shim_read_hook = NULL;
	__atomic_store_n(&cut_state, 1, __ATOMIC_RELEASE);
	/* long enough for a cut that does not wait */
	for (i = 0; i < 100; i++) {
		if (__atomic_load_n(&cut_state, __ATOMIC_ACQUIRE) == 2) {
			cut_early = true;
			t_fail("kml_cut_roots() returned while a scan read the range");
			return;
		}
		usleep(1000);
	}
}

static void *cutter_fn(void *arg)
{
	while (__atomic_load_n(&cut_state, __ATOMIC_ACQUIRE) != 1)
		sched_yield();
	CHECK(kml_cut_roots(A(cut_root) + 8, A(cut_root + CUT_ROOT_WORDS)));
	__atomic_store_n(&cut_state, 2, __ATOMIC_RELEASE);
	free(cut_root);
	return NULL;
}

/*
 * A cut waits for a scan to leave the range: the scan pauses in the
 * middle of a chunk of a root while another thread cuts the root and
 * frees it as soon as the cut returns.  ASan sees any read after that.
 */
static void test_roots_cut_waits(void)
{
	unsigned long *b = blk("b", 64, 1), *t = blk("t-at-root-end", 64, 1);
	pthread_t th;
	size_t i;

	cut_root = malloc(CUT_ROOT_WORDS * sizeof(long));
	for (i = 0; i < CUT_ROOT_WORDS; i++)
		cut_root[i] = A(b);
	cut_root[CUT_ROOT_WORDS - 1] = A(t);
	kml_add_root(A(cut_root), A(cut_root + CUT_ROOT_WORDS));
	if (pthread_create(&th, NULL, cutter_fn, NULL))
		abort();
	age();
	shim_read_hook = in_root_hook;
	scan();
	shim_read_hook = NULL;
	pthread_join(th, NULL);
	CHECK_EQ(cut_state, 2);
	CHECK(!cut_early);
	CHECK_EQ(kml_nr_roots, 2);	/* rootbuf, and the first word */
	/* b was referenced; t too if the scan got past the cut first */
	CHECK(!in_set(reported, nr_reported, A(b)));
	CHECK(nr_reported <= 1);
}

static const struct t_case concurrency_tests[] = {
	{ "concurrent", test_concurrent },
	{ "concurrent_free_part", test_concurrent_free_part },
	{ "concurrent_roots", test_concurrent_roots },
	{ "roots_cut_waits", test_roots_cut_waits },
};
