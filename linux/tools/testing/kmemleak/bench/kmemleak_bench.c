// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark for the kernel memory leak detector, using only the public
 * allocation API, so the same module measures any detector (or none).
 *
 * Parameters select one measurement per load; results are printed as
 * "kmemleak_bench: <key> <value>" lines for scripts to collect:
 *
 *   pairs=N	   N kmalloc(64)+kfree and N kmem_cache_alloc+free pairs;
 *		   prints kmalloc_pair_ns and cache_pair_ns.
 *   threads=T	   with pairs: T kthreads (one per CPU) each doing N pairs
 *		   at once; prints parallel_pairs_per_sec.
 *   objects=N	   allocate and keep N objects of 64 bytes, linked in
 *		   chains from the module's static data (and some to each
 *		   other), for scan timing and metadata accounting.  They
 *		   are freed when the module is unloaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define OBJ_SIZE	64
#define NR_CHAINS	64

static unsigned int pairs;
module_param(pairs, uint, 0444);
static unsigned int threads;
module_param(threads, uint, 0444);
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

static atomic_t running;
static DECLARE_COMPLETION(all_done);

static int pair_thread(void *arg)
{
	kmalloc_pairs(pairs);
	if (atomic_dec_and_test(&running))
		complete(&all_done);
	return 0;
}

static void parallel_pairs(unsigned int nr)
{
	struct task_struct *t;
	unsigned int i, cpu = 0;
	u64 t0, ns;

	atomic_set(&running, nr);
	t0 = ktime_get_ns();
	for (i = 0; i < nr; i++) {
		t = kthread_create(pair_thread, NULL, "kmemleak_bench/%u", i);
		if (IS_ERR(t)) {
			pr_err("cannot start thread %u\n", i);
			if (atomic_dec_and_test(&running))
				complete(&all_done);
			continue;
		}
		cpu = cpumask_next(cpu - 1, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		kthread_bind(t, cpu++);
		wake_up_process(t);
	}
	wait_for_completion(&all_done);
	ns = ktime_get_ns() - t0;
	pr_info("parallel_threads %u\n", nr);
	pr_info("parallel_pairs_per_sec %llu\n",
		div64_u64((u64)pairs * nr * NSEC_PER_SEC, ns ?: 1));
}

static int make_objects(unsigned int n)
{
	struct bench_obj *prev = NULL, *o;
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
	int ret;

	bench_cache = kmem_cache_create("kmemleak_bench", OBJ_SIZE, 0, 0,
					NULL);
	if (!bench_cache)
		return -ENOMEM;

	if (pairs && !threads) {
		/* warm up the slabs and the stack depot first */
		kmalloc_pairs(pairs / 10 + 1);
		cache_pairs(pairs / 10 + 1);
		pr_info("kmalloc_pair_ns %llu\n",
			div_u64(kmalloc_pairs(pairs), pairs));
		pr_info("cache_pair_ns %llu\n",
			div_u64(cache_pairs(pairs), pairs));
	}
	if (pairs && threads)
		parallel_pairs(threads);
	if (objects) {
		ret = make_objects(objects);
		if (ret) {
			free_objects();
			kmem_cache_destroy(bench_cache);
			return ret;
		}
		pr_info("objects %u\n", objects);
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
