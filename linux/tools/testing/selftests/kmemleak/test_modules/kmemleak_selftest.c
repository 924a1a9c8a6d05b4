// SPDX-License-Identifier: GPL-2.0
/*
 * Test module for the kmemleak selftests: it makes leaks and non-leaks whose
 * addresses it prints, so that a test can match the kmemleak report exactly.
 *
 * Writing a scenario name to /sys/kernel/debug/kmemleak_selftest creates
 * that scenario's blocks; reading the file returns one line per block of the
 * last scenario written:
 *
 *	LEAK <name> 0x<address> <size>	no reference is left: must be reported
 *	KEEP <name> 0x<address> <size>	still referenced: must not be reported
 *	STACK <name> 0x<address> <size>	referenced only from a kthread's stack
 *	CLEAN <name> 0x<zero> 0	the stale copy the scenario looks for
 *					was not there to make a leak of
 *	INFO <name> 0x<address> <size>	for diagnostics, or to tell the test
 *					which case holds (see stack_alloc())
 *
 * <size> is the size kmemleak is expected to print for the block. The same
 * lines go to the kernel log. Scenarios: basic, leaks, annotations, stack
 * (a kthread keeps the only pointer on its stack until "stack-stop").
 *
 * Kmemleak only needs a pointer value anywhere in scanned memory to consider
 * a block referenced, so a stale copy of a leak's address hides it (a false
 * negative). These measures keep the leaks free of the copies this module
 * could leave or meet:
 *
 * - The blocks are made by a kthread of the module that, once done, zeroes
 *   its stack below its frame: kmemleak scans the whole of every stack, and
 *   the allocation calls left copies of the addresses there.
 * - That kthread is bound to one CPU and, once done, also zeroes that CPU's
 *   IRQ stack (x86-64), per-CPU memory where interrupts spill registers. The
 *   labels go to the kernel log only after that.
 * - Before a leak, blocks of the same kind are taken, and freed once the
 *   scenario is made, so that the leak does not get a recently freed block
 *   (see absorb()); and kthreadd is made to forget the block it last freed
 *   (see refresh_kthreadd()).
 *
 * Copies elsewhere, in memory other kernel code allocated without clearing,
 * remain possible: the kernel under test is best booted with
 * init_on_alloc=1 init_on_free=1.
 *
 * The module is meant to stay loaded until reboot. Unloading it turns every
 * KEEP block into a leak, and it does not destroy its slab cache, which
 * still holds leaked objects (destroying a cache with live objects is a bug).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/delay.h>
#include <linux/kasan.h>
#include <linux/kfence.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kmemleak_selftest.h"

#define NR_ROOTS	16
#define CACHE_OBJ_SIZE	200

/*
 * Roots: the module's .data and .bss and its per-CPU section are searched
 * by every scan. A non-zero initialiser keeps ref_data in .data. They are
 * only ever written: __used and WRITE_ONCE() keep the compiler from
 * dropping them and the stores.
 */
static void *ref_data[NR_ROOTS] __used = { [NR_ROOTS - 1] = ref_data };
static void *ref_bss[NR_ROOTS] __used;
static DEFINE_PER_CPU(void *, ref_pcpu);
static LIST_HEAD(ref_list);
static unsigned int nr_data, nr_bss;

static struct kmem_cache *ksft_cache;
static struct task_struct *stack_task;
static DEFINE_MUTEX(ksft_lock);

/* The worker kthread runs one scenario at a time, for ksft_write(). */
static struct task_struct *worker;
static DECLARE_WAIT_QUEUE_HEAD(worker_wq);
static DECLARE_COMPLETION(worker_done);
static int (*worker_fn)(void);
static int worker_ret;

enum absorb_kind {
	ABSORB_KMALLOC, ABSORB_VMALLOC, ABSORB_PERCPU, ABSORB_PAGE, ABSORB_CACHE
};

#define NR_ABSORB	32
#define MAX_ABSORBED	2048

/* Blocks taken by absorb() for the current scenario, freed at its end. */
static struct {
	enum absorb_kind kind;
	void *p;
} absorbed[MAX_ABSORBED];
static unsigned int nr_absorbed;

/* Labels of the last scenario: text only, no pointer values. */
static char labels[8192];
static size_t labels_len;

struct ksft_node {
	struct ksft_node *next;
	unsigned long seq;
	struct list_head link;	/* at an offset: links are interior pointers */
	char pad[24];
};

/* %px: the test matches these exact addresses in the kmemleak report. */
static void label(const char *kind, const char *name, const void *addr,
		  size_t size)
{
	/* the detector tracks what KFENCE serves: the size asked for */
	if (addr && is_kfence_address(addr))
		size = ksize(addr);
	labels_len += scnprintf(labels + labels_len,
				sizeof(labels) - labels_len,
				"%s %s 0x%px %zu\n", kind, name, addr, size);
}

/* Copy the labels to the kernel log, once the blocks are made. */
static void log_labels(void)
{
	const char *s = labels, *nl;

	while (*s) {
		nl = strchrnul(s, '\n');
		pr_info("%.*s\n", (int)(nl - s), s);
		s = *nl ? nl + 1 : nl;
	}
}

static void label_pcpu(const char *kind, const char *name,
		       const void __percpu *addr, size_t size)
{
	label(kind, name, (const void __force *)addr, size);
}

/* Size kmemleak records for kmalloc(@size): the slab object or the pages. */
static size_t kmalloc_tracked_size(size_t size)
{
	return size <= KMALLOC_MAX_CACHE_SIZE ? kmalloc_size_roundup(size) : size;
}

static void keep_in_data(void *p)
{
	WRITE_ONCE(ref_data[nr_data++ % (NR_ROOTS - 1)], p);
}

static void keep_in_bss(void *p)
{
	WRITE_ONCE(ref_bss[nr_bss++ % NR_ROOTS], p);
}

/*
 * Zero this task's stack from its end (kept: it holds the overflow canary)
 * up to the stack pointer; the stack grows down. Nothing below the stack
 * pointer is live, and the frames of the calls that made the blocks were
 * there. (An interrupt taken just after the loop saves the registers there
 * again; that a scratch register still holds a block's address then is a
 * chance small enough to accept.)
 */
static noinline void scrub_stack(void)
{
	unsigned long *p = end_of_stack(current) + 1;
	unsigned long *sp = (unsigned long *)current_stack_pointer;

	while (p < sp)
		WRITE_ONCE(*p++, 0);
}

/*
 * An interrupt taken while a block's address sits in a callee-saved register
 * spills it to the CPU's IRQ stack, which is per-CPU memory and so a root.
 * The threads that make blocks are bound to ksft_cpu, and clear its IRQ
 * stack when done: with interrupts off, nothing there is live.
 */
static unsigned int ksft_cpu;

static noinline void scrub_irq_stack(void)
{
#ifdef CONFIG_X86_64
	unsigned long flags, *p, *top;

	local_irq_save(flags);
	top = (unsigned long *)__this_cpu_read(pcpu_hot.hardirq_stack_ptr) + 1;
	for (p = top - IRQ_STACK_SIZE / sizeof(*p); p < top; p++)
		WRITE_ONCE(*p, 0);
	local_irq_restore(flags);
#endif
}

#define MAX_ADOPTED	64

/* Blocks other test modules hand over, kept for good. */
static void *adopted[MAX_ADOPTED];
static atomic_t nr_adopted = ATOMIC_INIT(0);

/**
 * kmemleak_selftest_keep - keep a block for good
 * @p: the block
 *
 * For kmemleak_selftest_rmmod.ko: a block it hands over stays referenced
 * from here when it is removed.
 */
void kmemleak_selftest_keep(void *p)
{
	int i = atomic_inc_return(&nr_adopted) - 1;

	if (i < MAX_ADOPTED)
		WRITE_ONCE(adopted[i], p);
}
EXPORT_SYMBOL_GPL(kmemleak_selftest_keep);

/* A kthread like kthread_run(), on ksft_cpu. */
static struct task_struct *ksft_kthread(int (*fn)(void *), void *arg,
					const char *name)
{
	struct task_struct *t = kthread_create(fn, arg, "%s", name);

	if (!IS_ERR(t)) {
		kthread_bind(t, ksft_cpu);
		wake_up_process(t);
	}
	return t;
}

/* Keep @p, of @kind, with the absorbed blocks until the scenario is made. */
static void absorb_one(enum absorb_kind kind, void *p)
{
	if (nr_absorbed < MAX_ABSORBED) {
		absorbed[nr_absorbed].kind = kind;
		absorbed[nr_absorbed++].p = p;
	}
}

/*
 * Allocators hand out first what was freed last, and its last user may
 * still hold its address: in a dead task's stack, kept for reuse and
 * scanned, or in a field it never cleared. SLUB also keeps its free list in
 * the free objects themselves, at mid-object: a live object that does not
 * overwrite that word points to the one allocated right after it. So,
 * before making a leak, take NR_ABSORB zeroed blocks of the same kind and
 * size, freed once the scenario is made: the leak then gets a block freed
 * long ago, or never used, allocated right after one that holds nothing.
 */
static noinline int absorb(enum absorb_kind kind, size_t size)
{
	/* small per-CPU blocks come and go with every process */
	int i, n = kind == ABSORB_PERCPU ? 16 * NR_ABSORB : NR_ABSORB;
	void *p = NULL;

	for (i = 0; i < n && nr_absorbed < MAX_ABSORBED; i++) {
		switch (kind) {
		case ABSORB_KMALLOC:
			p = kzalloc(size, GFP_KERNEL);
			break;
		case ABSORB_VMALLOC:
			p = vzalloc(size);
			break;
		case ABSORB_PERCPU:
			p = (void __force *)__alloc_percpu(size, sizeof(long));
			break;
		case ABSORB_PAGE:
			p = (void *)get_zeroed_page(GFP_KERNEL);
			break;
		case ABSORB_CACHE:
			p = kmem_cache_zalloc(ksft_cache, GFP_KERNEL);
			break;
		}
		if (!p)
			return -ENOMEM;
		absorb_one(kind, p);
	}
	return 0;
}

/*
 * Kmemleak searches the struct page of every page in use, and the struct
 * page of a page that was once the first of a slab keeps that slab's
 * free-list pointer (into the page) after the page is freed and handed out
 * again. True if the struct page of a page under [@p, @p + @size) holds an
 * address in that range: the block would never be reported.
 */
static bool stale_page_ref(const void *p, size_t size)
{
	unsigned long start = (unsigned long)p, end = start + size, a;
	const unsigned long *w;
	int i;

	for (a = start & PAGE_MASK; a < end; a += PAGE_SIZE) {
		w = (const unsigned long *)virt_to_page((void *)a);
		for (i = 0; i < sizeof(struct page) / sizeof(long); i++)
			if (READ_ONCE(w[i]) >= start && READ_ONCE(w[i]) < end)
				return true;
	}
	return false;
}

/* A page, or kmalloc(@size) from the page allocator, without such pages. */
static noinline void *fresh_pages(enum absorb_kind kind, size_t size)
{
	void *p;
	int i;

	for (i = 0; i < 64; i++) {
		if (kind == ABSORB_PAGE)
			p = (void *)get_zeroed_page(GFP_KERNEL);
		else
			p = kzalloc(size, GFP_KERNEL);
		if (!p || !stale_page_ref(p, size))
			return p;
		absorb_one(kind, p);
	}
	return NULL;
}

static noinline void absorb_release(void)
{
	while (nr_absorbed) {
		void *p = absorbed[--nr_absorbed].p;

		/* no stale copy of the address in our .bss */
		absorbed[nr_absorbed].p = NULL;
		switch (absorbed[nr_absorbed].kind) {
		case ABSORB_KMALLOC:
			kfree(p);
			break;
		case ABSORB_VMALLOC:
			vfree(p);
			break;
		case ABSORB_PERCPU:
			free_percpu((void __percpu __force *)p);
			break;
		case ABSORB_PAGE:
			free_page((unsigned long)p);
			break;
		case ABSORB_CACHE:
			kmem_cache_free(ksft_cache, p);
			break;
		}
	}
}

/* Scenarios. Each returns 0 or -ENOMEM and labels every block it made. */

static noinline int leak_kmalloc(size_t size)
{
	char name[40];
	void *p;

	if (absorb(ABSORB_KMALLOC, size))
		return -ENOMEM;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		p = fresh_pages(ABSORB_KMALLOC, size);
	else
		p = kzalloc(size, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s%zu",
		 size > KMALLOC_MAX_CACHE_SIZE ? "kmalloc_large_" : "kmalloc_",
		 size);
	label("LEAK", name, p, kmalloc_tracked_size(size));
	return 0;
}

static noinline int scenario_basic(void)
{
	void *p;

	if (leak_kmalloc(48) || leak_kmalloc(100))
		return -ENOMEM;
	p = kzalloc(64, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	keep_in_data(p);
	label("KEEP", "basic_data_ref", p, kmalloc_tracked_size(64));
	return 0;
}

/*
 * @n nodes linked through ->next; returns the first. @ring: the last one
 * points back to the first, and the nodes are also on a list_head ring.
 */
static noinline struct ksft_node *make_nodes(int n, bool ring,
					     const char *kind,
					     const char *name)
{
	struct ksft_node *first = NULL, *prev = NULL, *node;
	char buf[32];
	int i;

	if (absorb(ABSORB_KMALLOC, sizeof(*node)))
		return NULL;
	for (i = 0; i < n; i++) {
		node = kzalloc(sizeof(*node), GFP_KERNEL);
		if (!node)
			return NULL;
		node->seq = i;
		INIT_LIST_HEAD(&node->link);
		if (prev) {
			prev->next = node;
			if (ring)
				list_add(&node->link, &prev->link);
		} else {
			first = node;
		}
		prev = node;
		snprintf(buf, sizeof(buf), "%s_%d", name, i);
		label(kind, buf, node, kmalloc_tracked_size(sizeof(*node)));
	}
	if (ring)
		prev->next = first;
	return first;
}

/* A 16-byte block moved by krealloc() to a new one of @size. */
static noinline void *grown(size_t size)
{
	void *p = kzalloc(16, GFP_KERNEL), *q;

	if (!p)
		return NULL;
	q = krealloc(p, size, GFP_KERNEL | __GFP_ZERO);
	if (!q)
		kfree(p);
	return q;
}

/*
 * @b registered as the block of the vm_struct @area, as vmalloc() does:
 * the area's own pointer to the block is one of the block's two
 * references, and references to the area beyond its first count for the
 * block, as code often keeps the vm_struct rather than the address.
 */
static noinline void *fake_vm_block(struct vm_struct **areap, size_t size)
{
	struct vm_struct *area = kzalloc(sizeof(*area), GFP_KERNEL);
	void *b = kzalloc(size, GFP_KERNEL);

	if (!area || !b) {
		kfree(area);
		kfree(b);
		return NULL;
	}
	kmemleak_free(b);
	area->addr = b;
	area->size = size;
	kmemleak_vmalloc(area, size, GFP_KERNEL);
	*areap = area;
	return b;
}

/*
 * KFENCE serves a block of the size asked for, alone in a page between
 * guard pages, at either end of the page; the rest of the page is canary.
 * The detector must track that size, not the cache's (kmalloc(72) comes
 * from kmalloc-96): past it there is only canary, or, where the cache's
 * alignment allows, the guard page.
 */
#define KFENCE_SIZE	72
#define KFENCE_TRIES	3000	/* 1 ms apart: three seconds */

/*
 * A kmalloc(KFENCE_SIZE) that KFENCE serves at the end of its page; NULL
 * when none comes (no KFENCE, KFENCE off, or its pool full).
 */
static noinline void *kfence_right_aligned(void)
{
#ifdef CONFIG_KFENCE
	void *p;
	int i;

	for (i = 0; i < KFENCE_TRIES; i++) {
		p = kzalloc(KFENCE_SIZE, GFP_KERNEL);
		if (!p)
			return NULL;
		if (is_kfence_address(p) &&
		    offset_in_page(p) + kmalloc_size_roundup(KFENCE_SIZE) >= PAGE_SIZE)
			return p;
		kfree(p);
		usleep_range(1000, 2000);
	}
#endif
	pr_info("KFENCE served no right-aligned kmalloc(%d)%s\n", KFENCE_SIZE,
		IS_ENABLED(CONFIG_KFENCE) ? " (KFENCE off, or its pool full)" :
		": no CONFIG_KFENCE");
	return NULL;
}

#define RETAG_SIZE	192
#define RETAG_TRIES	8	/* a new tag repeats the old: 1 in 254, 1 in 14 (MTE) */

/*
 * With KASAN in a tag mode, memory freed and handed out again comes back
 * under a new tag: an address kept from its earlier life can no longer
 * reach it. Returns a new block at the address *@old had, under another
 * tag, or NULL where the tags do not tell them apart.
 */
static noinline void *retagged(size_t size, void **old)
{
#if defined(CONFIG_KASAN_SW_TAGS) || defined(CONFIG_KASAN_HW_TAGS)
	void *p;
	int i;

	for (i = 0; i < RETAG_TRIES; i++) {
		*old = kmalloc(size, GFP_KERNEL);
		if (!*old)
			return NULL;
		kfree(*old);
		p = kzalloc(size, GFP_KERNEL);
		if (!p)
			return NULL;
		if (p != *old && kasan_reset_tag(p) == kasan_reset_tag(*old))
			return p;
		kfree(p);
	}
#endif
	pr_info("no block reallocated under a new KASAN tag%s\n",
		IS_ENABLED(CONFIG_KASAN_SW_TAGS) ||
		IS_ENABLED(CONFIG_KASAN_HW_TAGS) ?
		" (KASAN off, or the same tag each time)" :
		": KASAN is not in a tag mode");
	return NULL;
}

static const char leak_string[] = "kmemleak selftest: a leaked kstrdup() string";

static noinline int leak_misc(void)
{
	struct vm_struct *area;
	void __percpu *pc;
	void *p, *old;
	char *s;

	/* a module-created cache; not the first object of a slab either */
	if (absorb(ABSORB_CACHE, CACHE_OBJ_SIZE))
		return -ENOMEM;
	p = kmem_cache_zalloc(ksft_cache, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	label("LEAK", "kmem_cache_obj", p, kmem_cache_size(ksft_cache));

	if (absorb(ABSORB_VMALLOC, 3 * PAGE_SIZE + 100))
		return -ENOMEM;
	p = vzalloc(3 * PAGE_SIZE + 100);
	if (!p)
		return -ENOMEM;
	label("LEAK", "vmalloc", p, PAGE_ALIGN(3 * PAGE_SIZE + 100));

	/*
	 * A vfree()d area waits in vmalloc's lazy-free list, then perhaps in a
	 * node's pool, while its vm_struct is freed; the next vmalloc() on
	 * this CPU most likely gets that same vm_struct memory. The waiting
	 * area must not be taken for a reference to it.
	 */
	p = vmalloc(4 * PAGE_SIZE);
	if (!p)
		return -ENOMEM;
	vfree(p);
	p = vzalloc(4 * PAGE_SIZE);
	if (!p)
		return -ENOMEM;
	label("LEAK", "vmalloc_after_vfree", p, 4 * PAGE_SIZE);

	/* its own address under the tag of a block it replaced */
	if (absorb(ABSORB_KMALLOC, RETAG_SIZE))
		return -ENOMEM;
	p = retagged(RETAG_SIZE, &old);
	if (p) {
		keep_in_data(old);
		label("LEAK", "stale_tag", p, kmalloc_tracked_size(RETAG_SIZE));
	} else {
		label("SKIP", "stale_tag", NULL, 0);
	}

	/* reported by its __percpu cookie */
	if (absorb(ABSORB_PERCPU, 64))
		return -ENOMEM;
	pc = __alloc_percpu(64, sizeof(long));
	if (!pc)
		return -ENOMEM;
	label_pcpu("LEAK", "percpu", pc, 64);

	/* the address of one CPU's copy is not a reference to the block */
	if (absorb(ABSORB_PERCPU, 32))
		return -ENOMEM;
	pc = __alloc_percpu(32, sizeof(long));
	if (!pc)
		return -ENOMEM;
	keep_in_bss(per_cpu_ptr(pc, 0));
	label_pcpu("LEAK", "percpu_cpu0_addr_only", pc, 32);

	if (absorb(ABSORB_KMALLOC, 300))
		return -ENOMEM;
	p = grown(300);
	if (!p)
		return -ENOMEM;
	label("LEAK", "krealloc", p, kmalloc_tracked_size(300));

	if (absorb(ABSORB_KMALLOC, sizeof(leak_string)))
		return -ENOMEM;
	s = kstrdup(leak_string, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	label("LEAK", "kstrdup", s, kmalloc_tracked_size(sizeof(leak_string)));

	/* a vmalloc()-like block whose vm_struct is referenced once */
	p = fake_vm_block(&area, 256);
	if (!p)
		return -ENOMEM;
	keep_in_data(area);
	label("LEAK", "vm_struct_once", p, 256);

	/* scanned and reported with the size KFENCE serves, not the cache's */
	p = kfence_right_aligned();
	if (p)
		label("LEAK", "kfence_leak", p, KFENCE_SIZE);
	else
		label("SKIP", "kfence_leak", NULL, 0);

	/* an unreachable list and an unreachable cycle: reported whole */
	if (!make_nodes(4, false, "LEAK", "list") ||
	    !make_nodes(3, true, "LEAK", "cycle"))
		return -ENOMEM;
	return 0;
}

static noinline int keep_misc(void)
{
	struct vm_struct *area;
	struct ksft_node *node;
	void __percpu *pc;
	void **v, **a, **b;
	void *p;
	int cpu = cpumask_last(cpu_possible_mask);
	int i;

	p = kzalloc(32, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	keep_in_data(p);
	label("KEEP", "data_ref", p, kmalloc_tracked_size(32));

	p = kzalloc(32, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	keep_in_bss(p);
	label("KEEP", "bss_ref", p, kmalloc_tracked_size(32));

	/* only the last possible CPU's copy of a static per-CPU variable */
	p = kzalloc(32, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	WRITE_ONCE(per_cpu(ref_pcpu, cpu), p);
	label("KEEP", "static_percpu_ref", p, kmalloc_tracked_size(32));

	/* a dynamic per-CPU block, itself kept by its cookie, keeps p */
	pc = alloc_percpu(void *);
	if (!pc)
		return -ENOMEM;
	p = kzalloc(32, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	*(void **)per_cpu_ptr(pc, cpu) = p;
	keep_in_data((void __force *)pc);
	label_pcpu("KEEP", "percpu_block", pc, sizeof(void *));
	label("KEEP", "dynamic_percpu_ref", p, kmalloc_tracked_size(32));

	/* a pointer in the middle of a vmalloc() area */
	v = vzalloc(4 * PAGE_SIZE);
	if (!v)
		return -ENOMEM;
	p = kzalloc(32, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	v[3 * PAGE_SIZE / sizeof(void *) - 5] = p;
	keep_in_data(v);
	label("KEEP", "vmalloc_area", v, 4 * PAGE_SIZE);
	label("KEEP", "vmalloc_ref", p, kmalloc_tracked_size(32));

	/* a chain of tracked blocks: bss -> a -> b -> p */
	a = kzalloc(64, GFP_KERNEL);
	b = kzalloc(128, GFP_KERNEL);
	p = kzalloc(32, GFP_KERNEL);
	if (!a || !b || !p)
		return -ENOMEM;
	a[3] = b;
	b[11] = p;
	keep_in_bss(a);
	label("KEEP", "chain_0", a, kmalloc_tracked_size(64));
	label("KEEP", "chain_1", b, kmalloc_tracked_size(128));
	label("KEEP", "chain_2", p, kmalloc_tracked_size(32));

	/* only a pointer into the middle of the block */
	p = kzalloc(256, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	keep_in_bss(p + 100);
	label("KEEP", "interior_ref", p, kmalloc_tracked_size(256));

	p = kmem_cache_zalloc(ksft_cache, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	keep_in_data(p);
	label("KEEP", "kmem_cache_obj", p, kmem_cache_size(ksft_cache));

	p = grown(300);
	if (!p)
		return -ENOMEM;
	keep_in_data(p);
	label("KEEP", "krealloc", p, kmalloc_tracked_size(300));

	/* the vm_struct referenced twice: the second reference is the block's */
	p = fake_vm_block(&area, 256);
	if (!p)
		return -ENOMEM;
	keep_in_data(area);
	keep_in_bss(area);
	label("KEEP", "vm_struct_twice", p, 256);

	/* a KFENCE block (see leak_misc()) */
	p = kfence_right_aligned();
	if (p) {
		keep_in_data(p);
		label("KEEP", "kfence_ref", p, KFENCE_SIZE);
	} else {
		label("SKIP", "kfence_ref", NULL, 0);
	}

	/* a cycle reached through an interior pointer to one of its nodes */
	node = make_nodes(3, true, "KEEP", "reachable_cycle");
	if (!node)
		return -ENOMEM;
	keep_in_data(&node->link);

	/* a list on a list_head in the module's .data */
	for (i = 0; i < 3; i++) {
		char name[32];

		node = kzalloc(sizeof(*node), GFP_KERNEL);
		if (!node)
			return -ENOMEM;
		list_add_tail(&node->link, &ref_list);
		snprintf(name, sizeof(name), "module_list_%d", i);
		label("KEEP", name, node, kmalloc_tracked_size(sizeof(*node)));
	}
	return 0;
}

/*
 * Two call chains that differ only in one frame, at the same stack depth,
 * into one allocation site: each leak's backtrace must name its own chain,
 * whatever the detector remembers of stacks it saw before.
 */
#define CHAIN_LEAKS	3

static noinline void *chain_alloc(void)
{
	void *p = kzalloc(96, GFP_KERNEL);

	/* no tail call: this frame is the chains' shared one */
	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static int chain_label(void *p, char chain, int i)
{
	char name[16];

	if (!p)
		return -ENOMEM;
	snprintf(name, sizeof(name), "chain_%c_%d", chain, i);
	label("LEAK", name, p, kmalloc_tracked_size(96));
	return 0;
}

/* The same frame, twice: each calls chain_alloc() from its own text. */
static noinline int chain_leak_a(int i)
{
	return chain_label(chain_alloc(), 'a', i);
}

static noinline int chain_leak_b(int i)
{
	return chain_label(chain_alloc(), 'b', i);
}

static noinline int scenario_leaks(void)
{
	static const size_t sizes[] = {
		8, 20, 150, 1024, PAGE_SIZE, 5000, 20000
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (leak_kmalloc(sizes[i]))
			return -ENOMEM;
	for (i = 0; i < CHAIN_LEAKS; i++)
		if (chain_leak_a(i) || chain_leak_b(i))
			return -ENOMEM;
	/* whether the detector reuses stacks here (kmemleak.rst, stats) */
	label("INFO", IS_ENABLED(CONFIG_X86_64) &&
	      (IS_ENABLED(CONFIG_UNWINDER_ORC) ||
	       IS_ENABLED(CONFIG_UNWINDER_FRAME_POINTER)) ?
	      "stack_recall=1" : "stack_recall=0", NULL, 0);
	if (leak_misc())
		return -ENOMEM;
	return keep_misc();
}

/* @parent points to a new 32-byte block at word @slot; returns it. */
static noinline void *add_child(void **parent, int slot, const char *kind,
				const char *name)
{
	void *p;

	if (absorb(ABSORB_KMALLOC, 32))
		return NULL;
	p = kzalloc(32, GFP_KERNEL);
	if (p) {
		parent[slot] = p;
		label(kind, name, p, kmalloc_tracked_size(32));
	}
	return p;
}

static noinline int annotations_slab(void)
{
	void **a;

	/* not a leak: never reported, and still searched */
	a = kzalloc(64, GFP_KERNEL);
	if (!a || !add_child(a, 1, "KEEP", "not_leak_child"))
		return -ENOMEM;
	kmemleak_not_leak(a);
	label("KEEP", "not_leak", a, kmalloc_tracked_size(64));

	/* ignored: never reported, never searched */
	a = kzalloc(64, GFP_KERNEL);
	if (!a || !add_child(a, 1, "LEAK", "ignore_child"))
		return -ENOMEM;
	kmemleak_ignore(a);
	label("KEEP", "ignore", a, kmalloc_tracked_size(64));

	/* not searched, but referenced */
	a = kzalloc(64, GFP_KERNEL);
	if (!a || !add_child(a, 1, "LEAK", "no_scan_child"))
		return -ENOMEM;
	kmemleak_no_scan(a);
	keep_in_data(a);
	label("KEEP", "no_scan", a, kmalloc_tracked_size(64));

	/* not searched, and unreferenced: still reported */
	if (absorb(ABSORB_KMALLOC, 64))
		return -ENOMEM;
	a = kzalloc(64, GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	kmemleak_no_scan(a);
	label("LEAK", "no_scan_unreferenced", a, kmalloc_tracked_size(64));

	/* only the area [128, 192) of a 512-byte block is searched */
	a = kzalloc(512, GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	kmemleak_scan_area((char *)a + 128, 64, GFP_KERNEL);
	keep_in_bss(a);
	label("KEEP", "scan_area", a, kmalloc_tracked_size(512));
	if (!add_child(a, 128 / sizeof(void *) + 2, "KEEP", "scan_area_inside") ||
	    !add_child(a, 2, "LEAK", "scan_area_before") ||
	    !add_child(a, 256 / sizeof(void *), "LEAK", "scan_area_after"))
		return -ENOMEM;
	return 0;
}

static noinline int annotations_pages(void)
{
	void **pg;
	char *b;

	/*
	 * Pages from the page allocator are not tracked. Registered with
	 * min_count 0, a page is searched and never reported, though nothing
	 * points to it.
	 */
	pg = (void **)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	if (!pg)
		return -ENOMEM;
	kmemleak_alloc(pg, PAGE_SIZE, 0, GFP_KERNEL);
	label("KEEP", "min_count_0_page", pg, PAGE_SIZE);
	if (!add_child(pg, 5, "KEEP", "min_count_0_child"))
		return -ENOMEM;

	/* an unregistered page is not searched */
	pg = (void **)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	if (!pg)
		return -ENOMEM;
	keep_in_bss(pg);
	if (!add_child(pg, 5, "LEAK", "untracked_page_child"))
		return -ENOMEM;

	/*
	 * min_count 2: one reference is not enough, two are. The blocks are
	 * small pieces of an untracked page, where a stale pointer left by
	 * the page's earlier users is less likely to fall.
	 */
	if (absorb(ABSORB_PAGE, PAGE_SIZE))
		return -ENOMEM;
	pg = fresh_pages(ABSORB_PAGE, PAGE_SIZE);
	if (!pg)
		return -ENOMEM;
	b = (char *)pg + 1024;
	kmemleak_alloc(b, 64, 2, GFP_KERNEL);
	keep_in_data(b);
	label("LEAK", "min_count_2_one_ref", b, 64);

	b = (char *)pg + 2048;
	kmemleak_alloc(b, 64, 2, GFP_KERNEL);
	keep_in_data(b);
	keep_in_bss(b);
	label("KEEP", "min_count_2_two_refs", b, 64);
	return 0;
}

/*
 * Leak roots and the blocks they hold, for the summary: a list, a binary
 * tree and a ring that nothing outside points to, each made from its own
 * call site so that each has its own allocation stacks.
 */
#define VIEWS_LIST	32	/* nodes */
#define VIEWS_DEPTH	2	/* below the root: 7 nodes */

struct ksft_tnode {
	struct ksft_tnode *left;
	struct ksft_tnode *right;
	unsigned long depth;
};

static int views_tree_nodes;

static noinline struct ksft_tnode *views_tree(unsigned long depth)
{
	struct ksft_tnode *t = kzalloc(sizeof(*t), GFP_KERNEL);
	char buf[32];

	if (t) {
		snprintf(buf, sizeof(buf), "views_tree_%d", views_tree_nodes++);
		label("NODE", buf, t, kmalloc_tracked_size(sizeof(*t)));
	}
	if (!t || !depth)
		return t;
	t->depth = depth;
	t->left = views_tree(depth - 1);
	t->right = views_tree(depth - 1);
	return t->left && t->right ? t : NULL;
}

static noinline int scenario_views(void)
{
	void *p;

	/*
	 * Head first, every node labelled NODE: a stale copy of a node's
	 * address keeps it and the nodes after it off the report, and the
	 * test wants the head to hold what is listed.
	 */
	p = make_nodes(VIEWS_LIST, false, "NODE", "views_list");
	if (!p)
		return -ENOMEM;
	label("LEAK", "views_list", p,
	      kmalloc_tracked_size(sizeof(struct ksft_node)));

	if (absorb(ABSORB_KMALLOC, sizeof(struct ksft_tnode)))
		return -ENOMEM;
	views_tree_nodes = 0;
	p = views_tree(VIEWS_DEPTH);
	if (!p)
		return -ENOMEM;
	label("LEAK", "views_tree", p,
	      kmalloc_tracked_size(sizeof(struct ksft_tnode)));

	return make_nodes(3, true, "LEAK", "views_ring") ? 0 : -ENOMEM;
}

/*
 * For "suppress=": a leak allocated in suppress_me(), holding a block
 * allocated elsewhere, and a leak beside them.
 */
static noinline void *suppress_me(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	/* no tail call: this function must have a frame in the backtrace */
	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline int scenario_suppress(void)
{
	struct ksft_node *p, *held;

	if (absorb(ABSORB_KMALLOC, sizeof(*p)))
		return -ENOMEM;
	p = suppress_me(sizeof(*p));
	if (!p)
		return -ENOMEM;
	label("LEAK", "suppress_me", p, kmalloc_tracked_size(sizeof(*p)));
	held = make_nodes(1, false, "LEAK", "suppress_held");
	if (!held)
		return -ENOMEM;
	p->next = held;
	return leak_kmalloc(48);
}

/*
 * "rcu-mover": an old block whose only reference moves from node to node
 * as an RCU updater replaces them, the way a maple tree or xarray node is
 * replaced by a copy: the new node is published, the old one freed after
 * a grace period by an RCU callback.  The slot the nodes are published in is at the start of
 * a large block, so that a scan reads the slot, then goes on with the rest
 * of the block, pausing meanwhile, while the node it found is replaced and
 * freed: that scan finds the old block only through the new node.  A leak
 * is made beside it.  "rcu-mover-stop" stops the updater and frees all.
 */
#define MOVER_HOLDER_SIZE	SZ_16M

struct mover_node {
	struct ksft_node *obj;
	struct rcu_head rcu;
};

struct mover_holder {
	struct mover_node __rcu *slot;
};

static struct mover_holder *mover_holder;
static struct task_struct *mover_task;
static unsigned long mover_moves;

/*
 * As the maple tree and the xarray free their nodes: call_rcu(), not
 * kfree_rcu(), whose blocks kmemleak ignores from the call on.
 */
static void mover_free_node(struct rcu_head *head)
{
	kfree(container_of(head, struct mover_node, rcu));
}

static int mover_fn(void *arg)
{
	struct mover_node *old, *new;

	while (!kthread_should_stop()) {
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new) {
			usleep_range(1000, 2000);
			continue;
		}
		old = rcu_dereference_protected(mover_holder->slot, true);
		new->obj = old->obj;
		rcu_assign_pointer(mover_holder->slot, new);
		call_rcu(&old->rcu, mover_free_node);
		WRITE_ONCE(mover_moves, mover_moves + 1);
		usleep_range(20, 50);
	}
	return 0;
}

static void mover_stop(void)
{
	struct mover_node *node;

	if (!mover_task)
		return;
	kthread_stop(mover_task);
	put_task_struct(mover_task);
	mover_task = NULL;
	rcu_barrier();		/* mover_free_node() is module text */
	pr_info("rcu-mover: %lu moves\n", mover_moves);
	node = rcu_dereference_protected(mover_holder->slot, true);
	kfree(node->obj);
	kfree(node);
	vfree(mover_holder);
	mover_holder = NULL;
}

static noinline int scenario_rcu_mover(void)
{
	struct mover_node *node;
	struct task_struct *t;
	struct ksft_node *obj;

	if (mover_task)
		return -EBUSY;
	mover_holder = vzalloc(MOVER_HOLDER_SIZE);
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!mover_holder || !node || !obj) {
		vfree(mover_holder);
		mover_holder = NULL;
		kfree(node);
		kfree(obj);
		return -ENOMEM;
	}
	node->obj = obj;
	/* mover_holder, in .bss, is the holder's reference */
	RCU_INIT_POINTER(mover_holder->slot, node);
	label("KEEP", "rcu_moved", obj, kmalloc_tracked_size(sizeof(*obj)));
	mover_moves = 0;
	t = ksft_kthread(mover_fn, NULL, "kmemleak_mover");
	if (IS_ERR(t)) {
		vfree(mover_holder);
		mover_holder = NULL;
		kfree(node);
		kfree(obj);
		return PTR_ERR(t);
	}
	get_task_struct(t);
	mover_task = t;
	return leak_kmalloc(48);
}

/*
 * Stale copies in dead stack frames.  stale_deep() allocates a block at
 * the bottom of a deep recursion and leaves copies of its address in the
 * frames there, then returns without it: the copies are dead, far below
 * anything the caller does next.
 *  - "stale-sleep": by a kthread that then sleeps, at a shallower depth;
 *  - "stale-irq": by an irq_work handler, on the CPU's interrupt stack
 *    (which this scenario leaves as it is);
 *  - "stale-exit": by a kthread that then waits for "stale-exit-go" and
 *    exits; its stack, if vmalloc()ed, waits in a cache for the next task;
 *  - "stale-exit-now": by a kthread that exits at once, so that no scan
 *    sees it alive.
 * "stale-stop" stops the sleeping kthreads (see also "stale-kthread").
 */
#define STALE_DEPTH	12
#define STALE_FRAME	512	/* bytes of each frame */
#define STALE_SIZE	96

static noinline void stale_deep(int depth, gfp_t gfp, const char *name)
{
	/* WRITE_ONCE(): stores the compiler must keep, in a frame it must make */
	void *pad[STALE_FRAME / sizeof(void *)];
	void *p;
	int i;

	WRITE_ONCE(pad[0], NULL);
	if (depth) {
		stale_deep(depth - 1, gfp, name);
		WRITE_ONCE(pad[1], NULL);	/* no tail call */
		return;
	}
	p = kzalloc(STALE_SIZE, gfp);
	for (i = 0; i < ARRAY_SIZE(pad); i += 8)
		WRITE_ONCE(pad[i], p);
	if (p)
		label("LEAK", name, p, kmalloc_tracked_size(STALE_SIZE));
}

static struct task_struct *stale_sleeper, *stale_exiter;
static DECLARE_COMPLETION(stale_made);
static DECLARE_COMPLETION(stale_go);
static bool keep_irq_stack;

/* Sleep until kthread_stop(). */
static int stale_wait_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int stale_sleep_fn(void *arg)
{
	stale_deep(STALE_DEPTH, GFP_KERNEL, "stale_sleep");
	complete(&stale_made);
	return stale_wait_stop();
}

static int stale_exit_fn(void *arg)
{
	stale_deep(STALE_DEPTH, GFP_KERNEL, "stale_exit");
	complete(&stale_made);
	wait_for_completion(&stale_go);
	return 0;
}

static int stale_exit_now_fn(void *arg)
{
	stale_deep(STALE_DEPTH, GFP_KERNEL, "stale_exit_now");
	complete(&stale_made);
	return 0;
}

static void stale_irq_fn(struct irq_work *work)
{
	stale_deep(STALE_DEPTH, GFP_ATOMIC, "stale_irq");
}

static DEFINE_IRQ_WORK(stale_irq_work, stale_irq_fn);

/* Let the "stale-exit" kthread exit, and wait until it has. */
static void stale_exit_go(void)
{
	if (stale_exiter) {
		complete(&stale_go);
		kthread_stop(stale_exiter);
		put_task_struct(stale_exiter);
		stale_exiter = NULL;
	}
}

static struct task_struct *stale_starter;

static void stale_stop(void)
{
	struct task_struct **tp[] = { &stale_sleeper, &stale_starter };
	int i;

	for (i = 0; i < ARRAY_SIZE(tp); i++) {
		if (*tp[i]) {
			kthread_stop(*tp[i]);
			put_task_struct(*tp[i]);
			*tp[i] = NULL;
		}
	}
	stale_exit_go();
}

/* Start @fn as a kthread that makes its block with stale_deep(). */
static int stale_kthread(int (*fn)(void *), const char *name,
			 struct task_struct **tp)
{
	struct task_struct *t;

	if (*tp)
		return -EBUSY;
	if (absorb(ABSORB_KMALLOC, STALE_SIZE))
		return -ENOMEM;
	reinit_completion(&stale_made);
	t = ksft_kthread(fn, NULL, name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	*tp = t;
	wait_for_completion(&stale_made);
	return 0;
}

static noinline int scenario_stale_sleep(void)
{
	return stale_kthread(stale_sleep_fn, "kmemleak_stale", &stale_sleeper);
}

static noinline int scenario_stale_exit(void)
{
	if (!IS_ENABLED(CONFIG_VMAP_STACK)) {
		pr_info("stale_exit: task stacks are not vmalloc()ed here (CONFIG_VMAP_STACK=n): not made\n");
		label("SKIP", "stale_exit", NULL, 0);
		return 0;
	}
	if (stale_exiter)
		return -EBUSY;
	reinit_completion(&stale_go);
	return stale_kthread(stale_exit_fn, "kmemleak_stale_exit",
			     &stale_exiter);
}

static noinline int scenario_stale_exit_now(void)
{
	struct task_struct *t = NULL;
	int ret;

	if (!IS_ENABLED(CONFIG_VMAP_STACK)) {
		pr_info("stale_exit_now: task stacks are not vmalloc()ed here (CONFIG_VMAP_STACK=n): not made\n");
		label("SKIP", "stale_exit_now", NULL, 0);
		return 0;
	}
	ret = stale_kthread(stale_exit_now_fn, "kmemleak_stale_now", &t);
	if (ret)
		return ret;
	/* it returns by itself: this waits until it has exited */
	kthread_stop(t);
	put_task_struct(t);
	return 0;
}

static noinline int scenario_stale_irq(void)
{
	if (absorb(ABSORB_KMALLOC, STALE_SIZE))
		return -ENOMEM;
	keep_irq_stack = true;
	irq_work_queue(&stale_irq_work);
	irq_work_sync(&stale_irq_work);
	return 0;
}

/*
 * "stale-kthread": what the start of a kthread leaves in its live frames.
 * Those of ret_from_fork() and kthread() never return, and their saved
 * registers keep whatever the thread started with, such as the address of
 * its kthread_create_info.  Its creator freed that block at once in the
 * stock kernel.  Here a sleeping kthread is started, and then the module
 * takes 64-byte blocks, sizeof(struct kthread_create_info), until one has
 * an address that a word of the thread's live frames holds.  That block
 * is the leak.  If none does within STARTER_TRIES blocks, the label is
 * CLEAN: nothing the start left there hides a leak of that size.
 */
#define STARTER_TRIES	4096
#define STARTER_SIZE	64
#define STARTER_WORDS	(THREAD_SIZE / sizeof(long))

static int stale_starter_fn(void *arg)
{
	return stale_wait_stop();
}

/* The stack pointer @t saved when it left the CPU, or 0. */
static unsigned long saved_sp(struct task_struct *t)
{
#if defined(CONFIG_X86)
	return READ_ONCE(t->thread.sp);
#elif defined(thread_saved_sp)
	return thread_saved_sp(t);
#else
	return 0;
#endif
}

/*
 * Copy the live words of sleeping @t's stack to @w: how many, or < 0.  The
 * stack stays: @t runs until "stale-stop", which scenarios do not overlap.
 */
static int starter_words(struct task_struct *t, unsigned long *w)
{
	unsigned long *lo = task_stack_page(t), *hi = lo + STARTER_WORDS, *p;
	unsigned long sp = saved_sp(t);
	int n = 0;

	if (task_is_running(t) ||
	    /* pairs with finish_task(): its saved words are read after */
	    (IS_ENABLED(CONFIG_SMP) && smp_load_acquire(&t->on_cpu)) ||
	    sp < (unsigned long)lo || sp >= (unsigned long)hi)
		return -EAGAIN;
	for (p = (unsigned long *)ALIGN_DOWN(sp, sizeof(long)); p < hi; p++)
		w[n++] = READ_ONCE(*p);
	return n;
}

static noinline int scenario_stale_kthread(void)
{
	unsigned long *w;
	void **tried, *leak = NULL;
	struct task_struct *t;
	int i, j, n, ret = 0;

	if (IS_ENABLED(CONFIG_STACK_GROWSUP) || !saved_sp(current)) {
		label("SKIP", "stale_kthread", NULL, 0);
		return 0;
	}
	if (stale_starter)
		return -EBUSY;
	w = kcalloc(STARTER_WORDS, sizeof(*w), GFP_KERNEL);
	tried = kcalloc(STARTER_TRIES, sizeof(*tried), GFP_KERNEL);
	if (!w || !tried) {
		ret = -ENOMEM;
		goto out;
	}
	t = ksft_kthread(stale_starter_fn, NULL, "kmemleak_starter");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	get_task_struct(t);
	stale_starter = t;
	for (i = 0; i < 50 && (n = starter_words(t, w)) == -EAGAIN; i++)
		msleep(20);
	if (n < 0) {
		ret = n;
		goto out;
	}
	for (i = 0; i < STARTER_TRIES && !leak; i++) {
		tried[i] = kzalloc(STARTER_SIZE, GFP_KERNEL);
		if (!tried[i])
			break;
		for (j = 0; j < n; j++)
			if (w[j] == (unsigned long)tried[i])
				leak = tried[i];
	}
	for (j = 0; j < i; j++)
		if (tried[j] != leak)
			kfree(tried[j]);
	if (leak)
		label("LEAK", "stale_kthread", leak,
		      kmalloc_tracked_size(STARTER_SIZE));
	else
		label("CLEAN", "stale_kthread", NULL, 0);
out:
	/* both hold the leak's address: no stale copy in freed memory */
	if (tried)
		memset(tried, 0, STARTER_TRIES * sizeof(*tried));
	if (w)
		memset(w, 0, STARTER_WORDS * sizeof(*w));
	kfree(tried);
	kfree(w);
	return ret;
}

/*
 * "stale-slab": a new slab made of memory that held a leak's address.  A
 * page is filled with that address and freed, and the first object of a
 * new cache is taken right after, with interrupts off: it comes from a new
 * slab, most likely that very page (a CPU reuses the pages it freed last
 * first).  The object is kept and never written, like the part of an
 * object its user does not need.  If the slab is not that page, the label
 * is SKIP.
 */
#define FRESH_SIZE	256

static struct kmem_cache *fresh_cache;
static void *fresh_kept;

static noinline int scenario_stale_slab(void)
{
	unsigned long flags, *w;
	struct page *page;
	void *leak, *obj;
	int i;

	if (fresh_cache)
		return -EBUSY;
	fresh_cache = kmem_cache_create("kmemleak_selftest_fresh", FRESH_SIZE,
					0, SLAB_NO_MERGE, NULL);
	if (!fresh_cache)
		return -ENOMEM;
	if (absorb(ABSORB_KMALLOC, STALE_SIZE))
		return -ENOMEM;
	leak = kzalloc(STALE_SIZE, GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	if (!leak || !page) {
		kfree(leak);
		if (page)
			__free_page(page);
		return -ENOMEM;
	}
	w = page_address(page);
	for (i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		w[i] = (unsigned long)leak;
	local_irq_save(flags);
	__free_page(page);
	obj = kmem_cache_alloc(fresh_cache, GFP_ATOMIC);
	local_irq_restore(flags);
	if (!obj) {
		kfree(leak);
		return -ENOMEM;
	}
	WRITE_ONCE(fresh_kept, obj);
	if (virt_to_head_page(obj) != page) {
		pr_info("stale_slab: the new slab is not the page just freed: not made\n");
		kfree(leak);
		label("SKIP", "stale_slab", NULL, 0);
		return 0;
	}
	label("LEAK", "stale_slab", leak, kmalloc_tracked_size(STALE_SIZE));
	return 0;
}

/*
 * "stale-freeptr": SLUB keeps its free list in the free objects, each
 * holding the address of the next (at the middle of the object, where
 * nothing else moves it).  An object handed out by kmalloc() still holds
 * it, until its user writes there, and the next object allocated from the
 * same cache is that address.  Here the first is kept, cleared but for
 * that word, and the second is lost.  Both are taken with interrupts off,
 * so that no other allocation comes between them.
 */
#define FREEPTR_SIZE	128

static void *freeptr_kept;

static noinline int scenario_stale_freeptr(void)
{
	unsigned long flags;
	void **p, *q;
	int i;

	if (freeptr_kept)
		return -EBUSY;
	if (absorb(ABSORB_KMALLOC, FREEPTR_SIZE))
		return -ENOMEM;
	local_irq_save(flags);
	p = kmalloc(FREEPTR_SIZE, GFP_ATOMIC);
	q = kzalloc(FREEPTR_SIZE, GFP_ATOMIC);
	local_irq_restore(flags);
	if (!p || !q) {
		kfree(p);
		kfree(q);
		return -ENOMEM;
	}
	/*
	 * Only the word SLUB may have left stays: any other word of the
	 * block's earlier life may point into the new one (not only at its
	 * start) and is not what this test is about.
	 */
	for (i = 0; i < FREEPTR_SIZE / sizeof(*p); i++)
		if (i != FREEPTR_SIZE / sizeof(*p) / 2)
			p[i] = NULL;
	WRITE_ONCE(freeptr_kept, p);
	label("LEAK", "stale_freeptr", q, kmalloc_tracked_size(FREEPTR_SIZE));
	return 0;
}

/* Blocks made and freed in a batch: the statistics must follow them. */
#define BATCH_BLOCKS	2000

static void **batch;

static noinline int scenario_batch_alloc(void)
{
	int i;

	if (batch)
		return -EBUSY;
	batch = kvcalloc(BATCH_BLOCKS, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	for (i = 0; i < BATCH_BLOCKS; i++) {
		batch[i] = kzalloc(32, GFP_KERNEL);
		if (!batch[i])
			return -ENOMEM;
	}
	label("KEEP", "batch", batch, kmalloc_tracked_size(BATCH_BLOCKS *
							   sizeof(*batch)));
	return 0;
}

static noinline int scenario_batch_free(void)
{
	int i;

	if (!batch)
		return -ENOENT;
	label("GONE", "batch", batch, 0);
	for (i = 0; i < BATCH_BLOCKS; i++)
		kfree(batch[i]);
	kvfree(batch);
	batch = NULL;
	return 0;
}

static noinline int scenario_annotations(void)
{
	if (annotations_slab())
		return -ENOMEM;
	return annotations_pages();
}

static int ksft_nop(void *arg)
{
	return 0;
}

/*
 * kthreadd keeps the address of the last kthread_create_info it handled,
 * freed since, in a register it saves on its stack when it sleeps: a block
 * of the scenario may have been given that memory. One more kthread,
 * created after the blocks, replaces the address with one no block has.
 */
static noinline void refresh_kthreadd(void)
{
	kthread_run(ksft_nop, NULL, "kmemleak_nop");
}

/* Runs the scenarios that ksft_write() hands over, one at a time. */
static int ksft_worker(void *arg)
{
	int (*fn)(void);

	while (!kthread_should_stop()) {
		wait_event_interruptible(worker_wq, READ_ONCE(worker_fn) ||
					 kthread_should_stop());
		fn = xchg(&worker_fn, NULL);
		if (!fn)
			continue;
		worker_ret = fn();
		refresh_kthreadd();
		absorb_release();
		scrub_stack();
		if (!keep_irq_stack)
			scrub_irq_stack();
		keep_irq_stack = false;
		complete(&worker_done);
	}
	return 0;
}

static int run_scenario(int (*fn)(void))
{
	reinit_completion(&worker_done);
	WRITE_ONCE(worker_fn, fn);
	wake_up(&worker_wq);
	wait_for_completion(&worker_done);
	return worker_ret;
}

struct ksft_job {
	struct completion done;
	int ret;
};

static noinline void *stack_alloc(void)
{
	void *p;

	if (absorb(ABSORB_KMALLOC, 64))
		return NULL;
	p = kzalloc(64, GFP_KERNEL);
	if (p) {
		label("STACK", "kthread_stack", p, kmalloc_tracked_size(64));
		/*
		 * The stack itself: with CONFIG_VMAP_STACK a vmalloc() block,
		 * which kmemleak tracks and searches when it is referenced
		 * (from the task_struct), stack scanning on or off.
		 */
		label("INFO", is_vmalloc_addr(task_stack_page(current)) ?
		      "kthread_stack_vmalloc=1" : "kthread_stack_vmalloc=0",
		      task_stack_page(current), THREAD_SIZE);
	}
	return p;
}

/* Keeps the only pointer to a block in its stack frame until stopped. */
static int ksft_stack_holder(void *arg)
{
	struct ksft_job *job = arg;
	void *slot[1];

	slot[0] = stack_alloc();
	barrier_data(slot);
	job->ret = slot[0] ? 0 : -ENOMEM;
	absorb_release();
	scrub_stack();
	scrub_irq_stack();
	complete(&job->done);

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	barrier_data(slot);
	kfree(slot[0]);
	/*
	 * A dead task's stack may be cached for the next one and searched
	 * all the while: leave no copy of the freed block's address, which
	 * the next kmalloc() of its size may well return.
	 */
	WRITE_ONCE(slot[0], NULL);
	scrub_stack();
	return 0;
}

static void stack_stop(void)
{
	if (stack_task) {
		kthread_stop(stack_task);
		put_task_struct(stack_task);
		stack_task = NULL;
	}
}

static int stack_start(void)
{
	struct ksft_job job = {};
	struct task_struct *t;

	stack_stop();
	init_completion(&job.done);
	t = ksft_kthread(ksft_stack_holder, &job, "kmemleak_kstack");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	stack_task = t;
	wait_for_completion(&job.done);
	return job.ret;
}

static const struct {
	const char *name;
	int (*fn)(void);
} scenarios[] = {
	{ "basic", scenario_basic },
	{ "leaks", scenario_leaks },
	{ "annotations", scenario_annotations },
	{ "views", scenario_views },
	{ "suppress", scenario_suppress },
	{ "rcu-mover", scenario_rcu_mover },
	{ "stale-sleep", scenario_stale_sleep },
	{ "stale-irq", scenario_stale_irq },
	{ "stale-exit", scenario_stale_exit },
	{ "stale-exit-now", scenario_stale_exit_now },
	{ "stale-freeptr", scenario_stale_freeptr },
	{ "stale-kthread", scenario_stale_kthread },
	{ "stale-slab", scenario_stale_slab },
	{ "batch-alloc", scenario_batch_alloc },
	{ "batch-free", scenario_batch_free },
	{ "stack", NULL },
};

#define BUGGY_CALLS	100

static unsigned long buggy_unknown[BUGGY_CALLS];

/*
 * "buggy-caller": what a caller with wrong annotations does, BUGGY_CALLS
 * times each: a block registered over one still tracked (which drops the
 * latter), a free of an address inside a block, and an annotation of an
 * address never registered (in this module's .bss).  Every block is freed
 * again before it returns.
 */
static void buggy_caller(void)
{
	unsigned int i;
	char *p;

	for (i = 0; i < BUGGY_CALLS; i++) {
		p = kmalloc(128, GFP_KERNEL);
		if (!p)
			break;
		kmemleak_alloc(p + 32, 16, 1, GFP_KERNEL);
		kmemleak_free(p + 40);
		kmemleak_free(p + 32);
		/* no longer tracked: a free kmemleak knows nothing of */
		kfree(p);
		kmemleak_not_leak(&buggy_unknown[i]);
	}
	pr_info("buggy-caller: %u calls\n", i);
}

/* "scan-area": one block given a scan area, and freed. */
static void scan_area_once(void)
{
	char *p = kzalloc(512, GFP_KERNEL);

	if (p)
		kmemleak_scan_area(p + 128, 64, GFP_KERNEL);
	kfree(p);
}

/* Commands that stop or release what a scenario started. */
static const struct {
	const char *name;
	void (*fn)(void);
} controls[] = {
	{ "stack-stop", stack_stop },
	{ "stale-exit-go", stale_exit_go },
	{ "stale-stop", stale_stop },
	{ "rcu-mover-stop", mover_stop },
	{ "buggy-caller", buggy_caller },
	{ "scan-area", scan_area_once },
};

static ssize_t ksft_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	char buf[32], *cmd;
	int i, ret = -EINVAL;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);

	mutex_lock(&ksft_lock);
	for (i = 0; i < ARRAY_SIZE(controls); i++) {
		if (!strcmp(cmd, controls[i].name)) {
			controls[i].fn();
			ret = 0;
			goto out;
		}
	}
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (strcmp(cmd, scenarios[i].name))
			continue;
		labels_len = 0;
		labels[0] = '\0';
		pr_info("scenario %s\n", cmd);
		if (scenarios[i].fn)
			ret = run_scenario(scenarios[i].fn);
		else
			ret = stack_start();
		log_labels();
		break;
	}
out:
	mutex_unlock(&ksft_lock);
	return ret ? ret : len;
}

static ssize_t ksft_read(struct file *file, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&ksft_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, labels, labels_len);
	mutex_unlock(&ksft_lock);
	return ret;
}

static const struct file_operations ksft_fops = {
	.owner	= THIS_MODULE,
	.read	= ksft_read,
	.write	= ksft_write,
	.llseek	= default_llseek,
};

static struct dentry *ksft_file;

static int __init kmemleak_selftest_init(void)
{
	/* a cache of its own, not merged: its slabs hold only its objects */
	ksft_cache = kmem_cache_create("kmemleak_selftest", CACHE_OBJ_SIZE, 0,
				       SLAB_NO_MERGE, NULL);
	if (!ksft_cache)
		return -ENOMEM;
	ksft_cpu = cpumask_first(cpu_online_mask);
	worker = ksft_kthread(ksft_worker, NULL, "kmemleak_ksft");
	if (IS_ERR(worker)) {
		kmem_cache_destroy(ksft_cache);
		return PTR_ERR(worker);
	}
	ksft_file = debugfs_create_file("kmemleak_selftest", 0600, NULL, NULL,
					&ksft_fops);
	return 0;
}

static void __exit kmemleak_selftest_exit(void)
{
	debugfs_remove(ksft_file);
	mutex_lock(&ksft_lock);
	stack_stop();
	mover_stop();
	stale_stop();
	mutex_unlock(&ksft_lock);
	kthread_stop(worker);
	/* ksft_cache is left in place on purpose: it holds leaked objects */
}

module_init(kmemleak_selftest_init);
module_exit(kmemleak_selftest_exit);
MODULE_DESCRIPTION("Leaks and non-leaks with known addresses for the kmemleak selftests");
MODULE_LICENSE("GPL");
