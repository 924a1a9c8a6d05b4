// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark for the kernel memory leak detector, using only the public
 * allocation API, so the same module measures any detector (or none).
 * bench/bench.sh drives it (make bench).
 *
 * Parameters select one measurement per load; results are printed as
 * "kmemleak_bench: <key> <value>" lines for scripts to collect:
 *
 *   pairs=N	   N kmalloc(64)+kfree and N kmem_cache_alloc+free pairs in
 *		   the loading task, after a warm-up of N/10 of each;
 *		   prints kmalloc_pair_ns and cache_pair_ns.
 *   depth=D	   with pairs: run the loops D extra (noinline) call frames
 *		   deeper, to see what the allocation stack depth costs.
 *   threads=T	   with pairs: instead, T kthreads bound to distinct CPUs
 *		   (round robin) each do N kmalloc+kfree pairs, released
 *		   together once all have started; prints
 *		   parallel_pairs_per_sec (all threads' pairs over the time
 *		   from release to the last one's end) and parallel_max_ns.
 *   objects=N	   allocate and keep N objects of 64 bytes, linked in
 *		   chains from the module's static data (and each to the
 *		   previous one), for scan timing and metadata accounting;
 *		   prints objects_alloc_ns (per object).  They are freed when
 *		   the module is unloaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#define OBJ_SIZE	64
#define NR_CHAINS	64
#define MAX_THREADS	64
#define MAX_DEPTH	64

static unsigned int pairs;
module_param(pairs, uint, 0444);
static unsigned int threads;
module_param(threads, uint, 0444);
static unsigned int depth;
module_param(depth, uint, 0444);
static unsigned int objects;
module_param(objects, uint, 0444);

struct bench_obj {
	struct bench_obj *next;
	struct bench_obj *peer;		/* another object, for cross links */
	unsigned long payload[OBJ_SIZE / sizeof(long) - 2];
};

static struct kmem_cache *bench_cache;
static struct bench_obj *chains[NR_CHAINS];

static noinline u64 kmalloc_pairs(unsigned int n)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *p = kmalloc(OBJ_SIZE, GFP_KERNEL);

		kfree(p);
		if (!(i % 1024))
			cond_resched();
	}
	return ktime_get_ns() - t0;
}

static noinline u64 cache_pairs(unsigned int n)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *p = kmem_cache_alloc(bench_cache, GFP_KERNEL);

		kmem_cache_free(bench_cache, p);
		if (!(i % 1024))
			cond_resched();
	}
	return ktime_get_ns() - t0;
}

/* Runs fn(n) d call frames deeper than the caller. */
static noinline u64 at_depth(unsigned int d, u64 (*fn)(unsigned int),
			     unsigned int n)
{
	u64 ret;

	if (!d)
		return fn(n);
	ret = at_depth(d - 1, fn, n);
	barrier();	/* not a tail call: keep the frame */
	return ret;
}

static atomic_t ready, running;
static DECLARE_COMPLETION(all_ready);
static DECLARE_COMPLETION(start);
static DECLARE_COMPLETION(all_done);
static u64 thread_ns[MAX_THREADS];

static int pair_thread(void *arg)
{
	unsigned long idx = (unsigned long)arg;

	if (atomic_dec_and_test(&ready))
		complete(&all_ready);
	wait_for_completion(&start);
	thread_ns[idx] = kmalloc_pairs(pairs);
	if (atomic_dec_and_test(&running))
		complete(&all_done);
	return 0;
}

static int parallel_pairs(unsigned int nr)
{
	unsigned int i, started, cpu = nr_cpu_ids;
	struct task_struct *t;
	u64 t0, ns, max = 0;
	int err = 0;

	if (!nr || nr > MAX_THREADS)
		return -EINVAL;
	atomic_set(&ready, nr);
	atomic_set(&running, nr);
	for (i = 0; i < nr; i++) {
		t = kthread_create(pair_thread, (void *)(unsigned long)i,
				   "kmemleak_bench/%u", i);
		if (IS_ERR(t)) {
			pr_err("cannot start thread %u\n", i);
			err = PTR_ERR(t);
			break;
		}
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	started = i;
	/* account for the threads that could not be started */
	if (started < nr) {
		if (atomic_sub_and_test(nr - started, &ready))
			complete(&all_ready);
		if (atomic_sub_and_test(nr - started, &running))
			complete(&all_done);
	}
	wait_for_completion(&all_ready);
	t0 = ktime_get_ns();
	complete_all(&start);
	/* the threads run module code: wait for them even on error */
	wait_for_completion(&all_done);
	ns = ktime_get_ns() - t0;
	if (err)
		return err;
	for (i = 0; i < nr; i++)
		max = max(max, thread_ns[i]);
	pr_info("parallel_threads %u\n", nr);
	pr_info("parallel_cpus %u\n", num_online_cpus());
	pr_info("parallel_max_ns %llu\n", max);
	pr_info("parallel_pairs_per_sec %llu\n",
		div64_u64((u64)pairs * nr * NSEC_PER_SEC, ns ?: 1));
	return 0;
}

static int make_objects(unsigned int n)
{
	struct bench_obj *prev = NULL, *o;
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++) {
		o = kmalloc(sizeof(*o), GFP_KERNEL);
		if (!o)
			return -ENOMEM;
		memset(o->payload, 0x5a, sizeof(o->payload));
		o->next = chains[i % NR_CHAINS];
		o->peer = prev;
		chains[i % NR_CHAINS] = o;
		prev = o;
		if (!(i % 1024))
			cond_resched();
	}
	pr_info("objects_alloc_ns %llu\n", div_u64(ktime_get_ns() - t0, n));
	return 0;
}

static void free_objects(void)
{
	unsigned int i;

	for (i = 0; i < NR_CHAINS; i++) {
		while (chains[i]) {
			struct bench_obj *o = chains[i];

			chains[i] = o->next;
			kfree(o);
		}
		cond_resched();
	}
}

static int __init kmemleak_bench_init(void)
{
	int ret = 0;

	if (depth > MAX_DEPTH)
		return -EINVAL;
	bench_cache = kmem_cache_create("kmemleak_bench", OBJ_SIZE, 0, 0,
					NULL);
	if (!bench_cache)
		return -ENOMEM;

	if (pairs && !threads) {
		/* warm up the slabs and the stack depot first */
		at_depth(depth, kmalloc_pairs, pairs / 10 + 1);
		at_depth(depth, cache_pairs, pairs / 10 + 1);
		pr_info("depth %u\n", depth);
		pr_info("kmalloc_pair_ns %llu\n",
			div_u64(at_depth(depth, kmalloc_pairs, pairs), pairs));
		pr_info("cache_pair_ns %llu\n",
			div_u64(at_depth(depth, cache_pairs, pairs), pairs));
	}
	if (pairs && threads)
		ret = parallel_pairs(threads);
	if (!ret && objects) {
		ret = make_objects(objects);
		if (!ret)
			pr_info("objects %u\n", objects);
	}
	if (ret) {
		free_objects();
		kmem_cache_destroy(bench_cache);
		return ret;
	}
	pr_info("done\n");
	return 0;
}
module_init(kmemleak_bench_init);

static void __exit kmemleak_bench_exit(void)
{
	free_objects();
	kmem_cache_destroy(bench_cache);
}
module_exit(kmemleak_bench_exit);

MODULE_DESCRIPTION("Benchmark for the kernel memory leak detector");
MODULE_LICENSE("GPL");
