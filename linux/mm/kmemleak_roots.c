// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak roots besides static data, those only the kernel has: task
 * stacks, per-CPU areas and struct pages, searched for the core by
 * kml_scan_roots(); and the clearing of the stale addresses a scan leaves
 * on its own stack.
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>

#include <asm/sections.h>
#ifdef CONFIG_ARM64
#include <asm/stacktrace.h>
#endif

#include "kmemleak.h"

bool kml_stack_scan = true;

bool kml_should_stop(void)
{
	if (!kml_tracking())
		return true;
	if (current->flags & PF_KTHREAD)
		return kthread_should_stop() || kml_walker_must_yield();
	return signal_pending(current);
}

/*
 * Every yield is also a quiescent state for Tasks RCU, which waits for
 * tasks to leave the kernel voluntarily: a scan can run for seconds.
 */
void kml_yield(void)
{
	cond_resched_tasks_rcu_qs();
}

static void kml_scan_chunks(struct kml_scan *sc, unsigned long a,
			    unsigned long e)
{
	while (a < e && !sc->stopped) {
		unsigned long next = min(e, a + SZ_4K);

		kml_scan_block(sc, a, next, NULL);
		a = next;
		kml_pause(sc);
	}
}

#ifdef CONFIG_SMP
#ifdef CONFIG_X86_64
/* arch/x86/kernel/irq_64.c: the memory of the per-CPU hardirq stacks */
DECLARE_PER_CPU_PAGE_ALIGNED(struct irq_stack, irq_stack_backing_store);
#endif

/*
 * The interrupt stack of @cpu: hard and soft interrupts run there, and
 * each leaves its frames behind, full of the addresses of the blocks it
 * handled (RCU callbacks freeing objects, timers, network receive).
 * Between interrupts nothing there is live, and what an interrupt on
 * another CPU holds while a scan runs is held for a moment: a block it
 * took off a structure is young, or gets the benefit of the doubt of the
 * next scan.  So it is not searched.
 */
static bool kml_irq_stack(int cpu, unsigned long *lo)
{
#if defined(CONFIG_X86_64)
	*lo = (unsigned long)per_cpu_ptr(&irq_stack_backing_store, cpu);
	return true;
#elif defined(CONFIG_ARM64)
	*lo = (unsigned long)per_cpu(irq_stack_ptr, cpu);
	return *lo;
#else
	return false;
#endif
}

struct kml_hole {
	unsigned long start;
	unsigned long end;
};

/*
 * One CPU's copy of the static per-CPU data, but for its interrupt stack
 * (see above) and, on x86, the top of the running task's stack: one past
 * its end, the address of the block that follows the stack in memory, if
 * any, which it does not reference.  An interrupt stack that is not in
 * the per-CPU area is a vmalloc()ed block (arm64 with VMAP_STACK): that
 * block is not searched in this scan.
 */
static void kml_scan_percpu(struct kml_scan *sc, int cpu)
{
	unsigned long lo = (unsigned long)__per_cpu_start + per_cpu_offset(cpu);
	unsigned long hi = (unsigned long)__per_cpu_end + per_cpu_offset(cpu);
	struct kml_hole holes[2], t;
	unsigned int nr = 0, i;
	unsigned long irq;

#ifdef CONFIG_X86
	holes[nr].start = (unsigned long)&per_cpu(pcpu_hot.top_of_stack, cpu);
	holes[nr].end = holes[nr].start + sizeof(unsigned long);
	nr++;
#endif
	if (kml_irq_stack(cpu, &irq)) {
		if (irq >= lo && irq < hi) {
			holes[nr].start = irq;
			holes[nr].end = min(irq + IRQ_STACK_SIZE, hi);
			nr++;
		} else {
			kml_scan_skip(sc, irq);
		}
	}
	if (nr == 2 && holes[1].start < holes[0].start) {
		t = holes[0];
		holes[0] = holes[1];
		holes[1] = t;
	}
	for (i = 0; i < nr; i++) {
		kml_scan_chunks(sc, lo, max(lo, holes[i].start));
		lo = max(lo, holes[i].end);
	}
	kml_scan_chunks(sc, lo, hi);
}
#endif

/*
 * Pages come online a (sub)section at a time and their struct pages are
 * contiguous there: look the block up once, then walk its struct pages.
 */
#ifdef CONFIG_SPARSEMEM
#define KML_PFN_BLOCK		PAGES_PER_SUBSECTION
#else
#define KML_PFN_BLOCK		1UL
#endif

/*
 * The struct page of a tail page holds its compound head, the folio's
 * fields in the first few, and otherwise leftovers of the page's earlier
 * life, such as the free list pointer of a slab it once started, into the
 * page itself: stale pointers that would hide a leak in the block the page
 * now belongs to.  Of the folio fields, only hugetlb's point to tracked
 * blocks (its subpool, cgroups and hwpoison list); a slab, a large kmalloc
 * block or a THP keeps nothing there that must be found.
 */
static bool kml_stale_tail(struct page *page)
{
	struct page *head;

	if (!PageTail(page))
		return false;
	head = compound_head(page);
	return !PageHuge(head) ||
	       page - head >= DIV_ROUND_UP(sizeof(struct folio),
					   sizeof(struct page));
}

/*
 * page->index is where a slab keeps its free list, which points to free
 * objects: nothing tracked.  And the value outlives the slab: a page that
 * began a slab of order > 0 keeps, once freed and used for something else,
 * a pointer into what were the slab's later pages, which may hold tracked
 * blocks by now.  A page that is not a slab keeps an offset there (file,
 * swap, address space), a struct page link (zsmalloc), or a pointer to
 * something referenced elsewhere too (a per-CPU chunk, which the chunk
 * lists hold; the mm of an x86 pgd, which its tasks hold).  So the word is
 * not searched: that closes a source of stale references and loses none
 * that matters.
 */
static void kml_scan_page(struct kml_scan *sc, struct page *page)
{
	unsigned long start = (unsigned long)page;
	unsigned long skip = start + offsetof(struct page, index);

	kml_scan_block(sc, start, skip, NULL);
	kml_scan_block(sc, skip + sizeof(page->index),
		       (unsigned long)(page + 1), NULL);
}

static void kml_scan_pages(struct kml_scan *sc)
{
	struct zone *zone;

	get_online_mems();
	for_each_populated_zone(zone) {
		unsigned long pfn, next, end = zone_end_pfn(zone);

		for (pfn = zone->zone_start_pfn; pfn < end && !sc->stopped;
		     pfn = next) {
			struct page *page = pfn_to_online_page(pfn);

			next = min(ALIGN(pfn + 1, KML_PFN_BLOCK), end);
			for (; page && pfn < next; pfn++, page++) {
				if (page_zone(page) != zone ||
				    !page_count(page) || kml_stale_tail(page))
					continue;
				kml_scan_page(sc, page);
			}
			kml_pause(sc);
		}
	}
	put_online_mems();
}

/*
 * The stack pointer @t saved when it was last switched out, or 0 where the
 * architecture does not say.  Everything live of a task off the CPU is at
 * or above it: its callers' frames, and the registers it saved there or in
 * its task_struct.
 */
unsigned long kml_saved_sp(struct task_struct *t)
{
#if defined(CONFIG_X86)
	return READ_ONCE(t->thread.sp);
#elif defined(thread_saved_sp)
	return thread_saved_sp(t);
#else
	return 0;
#endif
}

static unsigned long kml_switches(struct task_struct *t)
{
	return READ_ONCE(t->nvcsw) + READ_ONCE(t->nivcsw);
}

/* Acquire: what the task saved when it last left the CPU is read after. */
static bool kml_on_cpu(struct task_struct *t)
{
#ifdef CONFIG_SMP
	/* pairs with the release that clears it in finish_task() */
	return smp_load_acquire(&t->on_cpu);
#else
	return false;
#endif
}

/*
 * Scan @t's stack as a root (its vmalloc() block, marked by
 * kmemleak_task_stack(), is not searched as a block).
 *
 * Only the live part: below the stack pointer lie dead frames, and what
 * deeper calls left there long ago (the stack of an idle worker keeps the
 * locals of the last work it ran) would hide leaks.  For a task off the
 * CPU that is what lies above the stack pointer it saved, provided it did
 * not run meanwhile: if it was switched in or out during the scan, the
 * rest is scanned too.  A running task's stack is scanned whole.
 *
 * The current task's is not scanned at all: it is the scan thread, or a
 * task in a write to the debugfs file, whose stack holds the scan's own
 * frames and those of the system call, and no pointer that lives only
 * there; but the slots of those frames that this call left unused keep
 * what earlier calls of the task put there.
 */
static void kml_scan_task_stack(struct kml_scan *sc, struct task_struct *t)
{
	void *stack = try_get_task_stack(t);
	unsigned long lo = (unsigned long)stack;
	unsigned long hi = lo + THREAD_SIZE;
	unsigned long sp = 0, nsw = 0;

	if (!stack)
		return;
	if (t == current)
		goto out;
	/* (where stacks grow up, all of it) */
	if (!IS_ENABLED(CONFIG_STACK_GROWSUP) && !task_curr(t) &&
	    !kml_on_cpu(t)) {
		nsw = kml_switches(t);
		sp = kml_saved_sp(t);
		if (sp <= lo || sp >= hi)
			sp = 0;
	}
	sp = sp ? ALIGN_DOWN(sp, sizeof(long)) : lo;
	kml_scan_block(sc, sp, hi, NULL);
	if (sp != lo) {
		smp_rmb();	/* the scan, then whether it ran meanwhile */
		if (task_curr(t) || kml_on_cpu(t) || kml_switches(t) != nsw)
			kml_scan_block(sc, lo, sp, NULL);
	}
out:
	put_task_stack(t);
}

/*
 * Task stacks, with stack=on.  Tasks are found by PID, one RCU read-side
 * section each, so that the pass can yield between tasks however many
 * there are, and a task that exits meanwhile costs nothing.  Idle tasks
 * have no PID and are not searched: like an interrupt stack, an idle
 * task's holds nothing live between the calls it makes (the boot CPU's,
 * init_task's, is in the data section, searched with it).  A task forked
 * during the pass on a PID it has passed is searched from the next scan.
 * With stack=off, the vmalloc()ed stacks are scanned like any reachable
 * block, whole, and so are those in the stack cache.
 */
static void kml_scan_stacks(struct kml_scan *sc)
{
	struct task_struct *t;
	struct pid *pid;
	int nr;

	if (!READ_ONCE(kml_stack_scan))
		return;
	sc->stacks = true;
	for (nr = 1; !sc->stopped; nr++) {
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		t = pid ? pid_task(pid, PIDTYPE_PID) : NULL;
		if (pid)
			nr = pid_nr(pid);
		if (t)
			get_task_struct(t);
		rcu_read_unlock();
		if (!pid)
			break;
		if (t) {
			kml_scan_task_stack(sc, t);
			put_task_struct(t);
		}
		kml_pause(sc);
	}
}

/*
 * Hook for the core: reference the roots that are not static data.  Task
 * stacks come first, before anything could queue their blocks.
 */
void kml_scan_roots(struct kml_scan *sc)
{
	int __maybe_unused cpu;

	kml_scan_stacks(sc);
#ifdef CONFIG_SMP
	for_each_possible_cpu(cpu)
		kml_scan_percpu(sc, cpu);
#endif
	kml_scan_pages(sc);
}

/*
 * Zero the current task's stack below the caller's frame.  Scanning,
 * reporting and dumping leave the addresses of the blocks they handled
 * in dead frames there, and dead frames are searched too: those of a
 * task that is running when the next scan looks at its stack, and with
 * stack=off a whole vmalloc()ed stack.  Those stale
 * copies would hide the very leaks just found or printed.  Nothing below
 * the stack pointer is live (the kernel has no red zone), and an
 * interrupt taken meanwhile is done with its frame before we go on.
 */
noinline __no_sanitize_address void kml_scrub_stack(void)
{
#if defined(CONFIG_ARCH_HAS_CURRENT_STACK_POINTER) && !defined(CONFIG_STACK_GROWSUP)
	unsigned long *p = end_of_stack(current) + 1;	/* keep the canary */
	unsigned long *sp = (unsigned long *)current_stack_pointer;

	while (p < sp)
		WRITE_ONCE(*p++, 0);
#endif
}

/* "stack=on|off": whether task stacks are roots. */
void kml_set_stack_scan(bool on)
{
	WRITE_ONCE(kml_stack_scan, on);
}
