// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace benchmark of the kmemleak scan core (mm/kmemleak_index.c and
 * mm/kmemleak_scan.c).
 *
 * Built like the unit tests in the parent directory: their shim header
 * (linux/tools/testing/kmemleak/kmemleak_internal.h, same include guard as
 * mm/kmemleak_internal.h) and its out-of-line part (shim.c) stand in for the kernel, and the
 * core sources are included whole.  Built with -O2 and no sanitizers (see
 * Makefile).  The shim's spinlocks check the locking rules and its loads
 * count the bytes read, so they cost a little more than the kernel's.
 *
 * A synthetic heap: N objects of S bytes in one arena (like slab pages),
 * each tracked by the core; word 0 of each object points to the next one
 * along a random permutation, word 1 to a random object, the other words
 * hold small integers (not pointers).  A root area points to the first
 * object of the permutation.  With -l ("local" links, like the kernel
 * benchmark module's chains) word 0 points to the next object in address
 * order and word 1 to the previous one.  Then:
 *
 * - full scan: kml_scan() (whiten, roots, drain, recheck, mark), best of
 *   R runs: the bytes of the objects and roots over the time;
 * - raw kml_scan_block() over the whole arena as one block (the word loop
 *   and lookups alone, no per-object work);
 * - read bandwidth of this machine: a sum over a buffer larger than the
 *   last-level cache, best of R.
 *
 * Prints "bench_scan: <key> <value>" lines and the summary line
 *   scan throughput X GB/s = Y % of read bandwidth Z GB/s
 *
 * Usage: bench_scan [-n objects] [-s size] [-r reps] [-m bandwidth MiB] [-l]
 */
#include "../linux/tools/testing/kmemleak/kmemleak_internal.h"

#include "../linux/mm/kmemleak_index.c"
#include "../linux/mm/kmemleak_scan.c"

#include <stdarg.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* A static root (kml_add_root()) */
static unsigned long roots[64];
static unsigned long overlaps;

/* ----------------------------------------------------------- core hooks */

void kml_free_area(struct kml_area *area)
{
	free(area);
}

void kml_free_meta(struct kmemleak_object *obj)
{
	free(obj);
}

bool kml_should_stop(void)
{
	return false;
}

bool kml_walker_must_yield(void)
{
	return false;
}

void kml_yield(void)
{
}

void kml_scan_roots(struct kml_scan *sc)
{
}

void kml_warn_overlap(const struct kml_snapshot *obj,
		      const struct kml_snapshot *old)
{
	overlaps++;
}

/* ---------------------------------------------------------------- bench */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static __noreturn __printf(1, 2) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_scan: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static unsigned long long rnd_state = 88172645463325252ULL;

static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void *big_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("cannot map %zu bytes", size);
	return p;
}

/* Best-of-@reps read bandwidth in bytes/s over @mib MiB. */
static double read_bandwidth(size_t mib, int reps)
{
	size_t n = (mib << 20) / sizeof(unsigned long), i;
	unsigned long *buf = big_alloc(n * sizeof(*buf));
	volatile unsigned long sink;	/* keeps the reads from being elided */
	double best = 0;
	int r;

	for (i = 0; i < n; i++)
		buf[i] = i;
	for (r = 0; r < reps; r++) {
		unsigned long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		double t = now_s();

		for (i = 0; i < n; i += 4) {
			s0 += buf[i];
			s1 += buf[i + 1];
			s2 += buf[i + 2];
			s3 += buf[i + 3];
		}
		t = now_s() - t;
		sink = s0 + s1 + s2 + s3;
		(void)sink;
		if (n * sizeof(*buf) / t > best)
			best = n * sizeof(*buf) / t;
	}
	munmap(buf, n * sizeof(*buf));
	return best;
}

/* Mean depth of the nodes of the shard trees, and shards in use. */
static double tree_depth(unsigned int *used)
{
	unsigned long nodes = 0, depth = 0;
	int i;

	*used = 0;
	for (i = 0; i < KML_NR_SHARDS; i++) {
		struct rb_node *n, *p;

		if (!kml_shards[i].root.rb_node)
			continue;
		(*used)++;
		for (n = rb_first(&kml_shards[i].root); n; n = rb_next(n)) {
			nodes++;
			for (p = n; p; p = rb_parent(p))
				depth++;
		}
	}
	return nodes ? (double)depth / nodes : 0;
}

static int count_gray(struct kml_hold *h, struct kmemleak_object *obj,
		      void *arg)
{
	unsigned long *n = arg;

	if (obj->gray_next)
		(*n)++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long nobj = 1000000, i, *perm, reached = 0;
	size_t osize = 64, bw_mib = 512, words, heap_bytes;
	struct kmemleak_object **meta;
	double t, best_scan = 1e30, best_block = 1e30, bw, depth;
	unsigned int shards;
	bool linear = false;
	unsigned char *heap;
	int reps = 5, r, c;

	while ((c = getopt(argc, argv, "n:s:r:m:l")) != -1) {
		switch (c) {
		case 'n':
			nobj = strtoul(optarg, NULL, 0);
			break;
		case 's':
			osize = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'm':
			bw_mib = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			linear = true;
			break;
		default:
			die("usage: %s [-n objects] [-s size] [-r reps] [-m MiB] [-l]",
			    argv[0]);
		}
	}
	if (nobj < 2 || osize < 2 * sizeof(long) || osize % sizeof(long) ||
	    reps < 1)
		die("need -n >= 2, -s a multiple of %zu >= %zu, -r >= 1",
		    sizeof(long), 2 * sizeof(long));
	words = osize / sizeof(long);
	heap_bytes = nobj * osize;

	/* heap and metadata */
	heap = big_alloc(heap_bytes);
	meta = calloc(nobj, sizeof(*meta));
	perm = malloc(nobj * sizeof(*perm));
	if (!meta || !perm)
		die("out of memory");
	for (i = 0; i < nobj; i++)
		perm[i] = i;
	if (!linear) {
		for (i = nobj - 1; i > 0; i--) {
			unsigned long j = rnd() % (i + 1), x = perm[i];

			perm[i] = perm[j];
			perm[j] = x;
		}
	}
#define OBJ(k) ((unsigned long *)(heap + (k) * osize))
	for (i = 0; i < nobj; i++) {
		unsigned long *o = OBJ(perm[i]), w;

		o[0] = i + 1 < nobj ? (unsigned long)OBJ(perm[i + 1]) : 0;
		if (linear)
			o[1] = i ? (unsigned long)OBJ(i - 1) : 0;
		else
			o[1] = (unsigned long)OBJ(rnd() % nobj);
		for (w = 2; w < words; w++)
			o[w] = rnd() & 0xffff;
	}
	roots[0] = (unsigned long)OBJ(perm[0]);
	kml_add_root((unsigned long)roots,
		     (unsigned long)(roots + ARRAY_SIZE(roots)));
	for (i = 0; i < nobj; i++) {
		struct kmemleak_object *obj = calloc(1, sizeof(*obj));

		if (!obj)
			die("out of memory");
		obj->pointer = (unsigned long)OBJ(i);
		obj->size = osize;
		obj->min_count = 1;
		obj->space = KML_VIRT;
		obj->jiffies = 1;
		snprintf(obj->comm, sizeof(obj->comm), "bench");
		if (kml_insert(obj))
			die("kml_insert failed at object %lu", i);
		meta[i] = obj;
	}
	free(perm);
	depth = tree_depth(&shards);

	/* full scans */
	for (r = 0; r < reps + 1; r++) {
		struct kml_scan sc = { .start = 1000000, .min_age = 1 };

		t = now_s();
		kml_walk_begin();
		kml_scan(&sc);
		kml_walk_end();
		t = now_s() - t;
		if (r && t < best_scan)		/* the first run warms up */
			best_scan = t;
		if (sc.new_leaks)
			die("%u objects reported: the heap is not connected",
			    sc.new_leaks);
	}

	/* kml_scan_block() over the arena: the word loop and the lookups */
	for (r = 0; r < reps + 1; r++) {
		struct kml_scan sc = { .start = 1000000, .min_age = 1 };

		kml_walk_begin();
		sc.gray = KML_GRAY_END;
		__kml_visit(kml_whiten, &sc);
		t = now_s();
		kml_scan_block(&sc, (unsigned long)heap,
			       (unsigned long)heap + heap_bytes, NULL);
		t = now_s() - t;
		if (!r) {
			/* all but the one only the roots point to, maybe */
			__kml_visit(count_gray, &reached);
			if (reached + 1 < nobj)
				die("scan_block reached %lu of %lu objects",
				    reached, nobj);
		}
		kml_walk_end();
		if (r && t < best_block)
			best_block = t;
	}

	bw = read_bandwidth(bw_mib, reps);

	printf("bench_scan: objects %lu\n", nobj);
	printf("bench_scan: object_size %zu\n", osize);
	printf("bench_scan: links %s\n", linear ? "local" : "random");
	printf("bench_scan: metadata_size %zu\n", sizeof(struct kmemleak_object));
	printf("bench_scan: shards_used %u\n", shards);
	printf("bench_scan: tree_depth %.1f\n", depth);
	printf("bench_scan: scan_ms %.2f\n", best_scan * 1e3);
	printf("bench_scan: scan_ns_per_object %.1f\n", best_scan * 1e9 / nobj);
	printf("bench_scan: scan_gbps %.3f\n", heap_bytes / best_scan / 1e9);
	printf("bench_scan: scan_block_gbps %.3f\n", heap_bytes / best_block / 1e9);
	printf("bench_scan: read_bw_gbps %.3f\n", bw / 1e9);
	printf("scan throughput %.2f GB/s = %.0f %% of read bandwidth %.2f GB/s",
	       heap_bytes / best_scan / 1e9, 100 * heap_bytes / best_scan / bw,
	       bw / 1e9);
	printf(" (scan_block alone: %.2f GB/s = %.0f %%)\n",
	       heap_bytes / best_block / 1e9, 100 * heap_bytes / best_block / bw);

	kml_reset_index();
	free(meta);
	munmap(heap, heap_bytes);
	return overlaps ? 1 : 0;
}
