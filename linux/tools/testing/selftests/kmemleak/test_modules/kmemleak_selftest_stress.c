// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation load for the kmemleak selftests (kmemleak_stress.sh).
 *
 * While loaded, one kthread per online CPU allocates and frees as fast as
 * it can: kmalloc() of mixed sizes, a cache of its own, vmalloc(),
 * alloc_percpu() and krealloc(); some blocks lose their tail to
 * kmemleak_free_part() before they are freed, and some are handed over
 * to another thread through a shared table and freed there.  A timer on
 * each CPU allocates in softirq context and an hrtimer in hard interrupt
 * context (in softirq context on PREEMPT_RT, where hard interrupts may
 * not allocate).  Every block is referenced from this module's tables
 * until it is freed, so none of them is a leak.  Most live for
 * microseconds; those of a chain that only its first node's address in
 * .bss holds live for seconds, replaced one at a time, long enough for a
 * scan to consider them.
 *
 * Removing the module stops the load, frees everything and logs
 *   kmemleak_selftest_stress: <A> allocations, <F> frees, ...
 * with A == F when nothing was lost.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>

#define NR_SLOTS	256	/* blocks a thread holds at most */
#define NR_SHARED	64	/* blocks in transit between threads */
#define NR_IRQ_SLOTS	16	/* blocks a timer holds at most */
#define MAX_KMALLOC	4096
#define CACHE_SIZE	200
#define NR_KEEPERS	128	/* long-lived blocks, in a chain */
#define KEEPER_ODDS	16384	/* one operation in this many renews one */

enum kind { NONE, KMALLOC, CACHE, VMALLOC, PERCPU, NR_KINDS };

struct slot {
	void *p;
	enum kind kind;
	size_t size;
	/* krealloc() in place leaves the tracked size as it was */
	bool resized;
};

struct worker {
	struct task_struct *task;
	int cpu;
	struct rnd_state rnd;
	struct slot slots[NR_SLOTS];
};

struct irq_load {
	struct timer_list timer;
	struct hrtimer hrtimer;
	void *soft[NR_IRQ_SLOTS];
	void *hard[NR_IRQ_SLOTS];
	unsigned int soft_next, hard_next;
	bool hard_started;
	bool stop;
};

static struct kmem_cache *stress_cache;
static struct worker *workers;
static unsigned int nr_workers;
static DEFINE_PER_CPU(struct irq_load, irq_loads);
/* a block and its kind, in one word: the kind in the low bits */
static unsigned long shared[NR_SHARED];

struct keeper {
	struct keeper *next;
	char pad[56];
};

static struct keeper *keepers;
static DEFINE_SPINLOCK(keepers_lock);

static atomic64_t nr_allocs, nr_frees, nr_handed, nr_reallocs, nr_parts;
static atomic64_t nr_soft, nr_hard, nr_failed;

static void count_alloc(void *p)
{
	if (p)
		atomic64_inc(&nr_allocs);
	else
		atomic64_inc(&nr_failed);
}

static void free_block(void *p, enum kind kind)
{
	switch (kind) {
	case KMALLOC:
		kfree(p);
		break;
	case CACHE:
		kmem_cache_free(stress_cache, p);
		break;
	case VMALLOC:
		vfree(p);
		break;
	case PERCPU:
		free_percpu((void __percpu __force *)p);
		break;
	default:
		return;
	}
	atomic64_inc(&nr_frees);
}

static void fill_slot(struct worker *w, struct slot *s)
{
	u32 r = prandom_u32_state(&w->rnd);

	switch (r % 16) {
	case 0:
		s->kind = VMALLOC;
		s->size = PAGE_SIZE * (1 + (r >> 8) % 3);
		s->p = vmalloc(s->size);
		break;
	case 1:
		s->kind = PERCPU;
		s->size = 8 << ((r >> 8) % 4);
		s->p = (void __force *)__alloc_percpu(s->size, 8);
		break;
	case 2 ... 5:
		s->kind = CACHE;
		s->size = CACHE_SIZE;
		s->p = kmem_cache_alloc(stress_cache, GFP_KERNEL);
		break;
	default:
		s->kind = KMALLOC;
		/* the size kmemleak tracks: that of the kmalloc cache */
		s->size = kmalloc_size_roundup(8 + (r >> 8) % MAX_KMALLOC);
		s->p = kmalloc(s->size, GFP_KERNEL);
		break;
	}
	count_alloc(s->p);
	s->resized = false;
	if (!s->p)
		s->kind = NONE;
}

/* Grow or shrink a kmalloc()ed block; a failure leaves it as it was. */
static void realloc_slot(struct worker *w, struct slot *s)
{
	size_t size = 8 + prandom_u32_state(&w->rnd) % MAX_KMALLOC;
	void *p = krealloc(s->p, size, GFP_KERNEL);

	if (p) {
		s->p = p;
		s->size = size;
		s->resized = true;
		atomic64_inc(&nr_reallocs);
	}
}

/* Hand the block to whichever thread takes this shared entry next. */
static void hand_over(struct worker *w, struct slot *s)
{
	unsigned int i = prandom_u32_state(&w->rnd) % NR_SHARED;
	unsigned long old;

	old = xchg(&shared[i], (unsigned long)s->p | s->kind);
	atomic64_inc(&nr_handed);
	s->kind = NONE;
	s->p = NULL;
	if (old)
		free_block((void *)(old & ~7UL), old & 7);
}

/* Replace a node of the chain, other than the first, by a new one. */
static void renew_keeper(struct worker *w)
{
	unsigned int i = prandom_u32_state(&w->rnd) % (NR_KEEPERS - 1);
	struct keeper *n = kmalloc(sizeof(*n), GFP_KERNEL), *prev, *old;

	count_alloc(n);
	if (!n)
		return;
	spin_lock(&keepers_lock);
	for (prev = keepers; i-- && prev->next->next; prev = prev->next)
		;
	old = prev->next;
	n->next = old->next;
	prev->next = n;
	spin_unlock(&keepers_lock);
	free_block(old, KMALLOC);
}

static void work_slot(struct worker *w, struct slot *s)
{
	u32 r = prandom_u32_state(&w->rnd);

	if (!(r % KEEPER_ODDS))
		renew_keeper(w);

	if (s->kind == NONE) {
		fill_slot(w, s);
		return;
	}
	switch (r % 8) {
	case 0:
		hand_over(w, s);
		return;
	case 1:
		if (s->kind == KMALLOC) {
			realloc_slot(w, s);
			return;
		}
		break;
	case 2:
		/* a caller that gives back the tail before the whole */
		if (s->kind == KMALLOC && !s->resized && s->size >= 64) {
			kmemleak_free_part(s->p + s->size / 2,
					   s->size - s->size / 2);
			atomic64_inc(&nr_parts);
		}
		break;
	}
	free_block(s->p, s->kind);
	s->kind = NONE;
	s->p = NULL;
}

static int worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int i, n = 0;

	while (!kthread_should_stop()) {
		i = prandom_u32_state(&w->rnd) % NR_SLOTS;
		work_slot(w, &w->slots[i]);
		if (!(++n % 64))
			cond_resched();
	}
	for (i = 0; i < NR_SLOTS; i++)
		free_block(w->slots[i].p, w->slots[i].kind);
	return 0;
}

static void irq_swap(void **ring, unsigned int *next, atomic64_t *count)
{
	void *p = kmalloc(16 + (*next * 24) % 512, GFP_ATOMIC);
	void *old;

	count_alloc(p);
	if (p)
		atomic64_inc(count);
	old = ring[*next];
	ring[*next] = p;
	*next = (*next + 1) % NR_IRQ_SLOTS;
	if (old)
		free_block(old, KMALLOC);
}

static void soft_fn(struct timer_list *t)
{
	struct irq_load *l = from_timer(l, t, timer);

	irq_swap(l->soft, &l->soft_next, &nr_soft);
	if (READ_ONCE(l->stop))
		return;
	/* started here, on this CPU, as the hrtimer stays where it starts */
	if (!l->hard_started) {
		l->hard_started = true;
		hrtimer_start(&l->hrtimer, ns_to_ktime(500 * NSEC_PER_USEC),
			      IS_ENABLED(CONFIG_PREEMPT_RT) ?
			      HRTIMER_MODE_REL_PINNED_SOFT :
			      HRTIMER_MODE_REL_PINNED_HARD);
	}
	mod_timer(&l->timer, jiffies + 1);
}

static enum hrtimer_restart hard_fn(struct hrtimer *t)
{
	struct irq_load *l = container_of(t, struct irq_load, hrtimer);

	irq_swap(l->hard, &l->hard_next, &nr_hard);
	if (READ_ONCE(l->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(500 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void irq_load_start(int cpu)
{
	struct irq_load *l = per_cpu_ptr(&irq_loads, cpu);
	enum hrtimer_mode mode = IS_ENABLED(CONFIG_PREEMPT_RT) ?
		HRTIMER_MODE_REL_SOFT : HRTIMER_MODE_REL_HARD;

	hrtimer_init(&l->hrtimer, CLOCK_MONOTONIC, mode);
	l->hrtimer.function = hard_fn;
	timer_setup(&l->timer, soft_fn, TIMER_PINNED);
	l->timer.expires = jiffies + 1;
	add_timer_on(&l->timer, cpu);
}

static void irq_load_stop(int cpu)
{
	struct irq_load *l = per_cpu_ptr(&irq_loads, cpu);
	unsigned int i;

	WRITE_ONCE(l->stop, true);
	/* the timer no longer starts the hrtimer once it is shut down */
	timer_shutdown_sync(&l->timer);
	hrtimer_cancel(&l->hrtimer);
	for (i = 0; i < NR_IRQ_SLOTS; i++) {
		free_block(l->soft[i], KMALLOC);
		free_block(l->hard[i], KMALLOC);
	}
}

static void stress_stop(void)
{
	unsigned int i;

	for (i = 0; i < nr_workers; i++)
		if (workers[i].task)
			kthread_stop(workers[i].task);
	for (i = 0; i < nr_workers; i++)
		irq_load_stop(workers[i].cpu);
	for (i = 0; i < NR_SHARED; i++) {
		unsigned long old = xchg(&shared[i], 0);

		if (old)
			free_block((void *)(old & ~7UL), old & 7);
	}
	while (keepers) {
		struct keeper *k = keepers;

		keepers = k->next;
		free_block(k, KMALLOC);
	}
	kfree(workers);
	kmem_cache_destroy(stress_cache);
}

static int __init stress_init(void)
{
	unsigned int i = 0;
	int cpu;

	stress_cache = kmem_cache_create("kmemleak_stress", CACHE_SIZE, 0, 0,
					 NULL);
	if (!stress_cache)
		return -ENOMEM;
	workers = kcalloc(num_online_cpus(), sizeof(*workers), GFP_KERNEL);
	if (!workers) {
		kmem_cache_destroy(stress_cache);
		return -ENOMEM;
	}
	for (i = 0; i < NR_KEEPERS; i++) {
		struct keeper *k = kmalloc(sizeof(*k), GFP_KERNEL);

		count_alloc(k);
		if (!k) {
			stress_stop();
			return -ENOMEM;
		}
		k->next = keepers;
		keepers = k;
	}
	i = 0;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct worker *w = &workers[i];
		struct task_struct *t;

		if (i == num_online_cpus())
			break;
		prandom_seed_state(&w->rnd, get_random_u64());
		t = kthread_create_on_cpu(worker_fn, w, cpu, "kml_stress/%u");
		if (IS_ERR(t))
			break;
		w->task = t;
		w->cpu = cpu;
		wake_up_process(t);
		irq_load_start(cpu);
		nr_workers = ++i;
	}
	cpus_read_unlock();
	if (!nr_workers) {
		stress_stop();
		return -ENOMEM;
	}
	return 0;
}

static void __exit stress_exit(void)
{
	stress_stop();
	/* the vmap areas of the vfree()d blocks go now, not lazily */
	vm_unmap_aliases();
	pr_info("%lld allocations, %lld frees, %lld failed, %lld reallocs, %lld partial frees, %lld handed over, %lld in softirq, %lld in hardirq, %u threads\n",
		atomic64_read(&nr_allocs), atomic64_read(&nr_frees),
		atomic64_read(&nr_failed), atomic64_read(&nr_reallocs),
		atomic64_read(&nr_parts), atomic64_read(&nr_handed),
		atomic64_read(&nr_soft), atomic64_read(&nr_hard), nr_workers);
}

module_init(stress_init);
module_exit(stress_exit);
MODULE_DESCRIPTION("Allocation load for the kmemleak selftests");
MODULE_LICENSE("GPL");
