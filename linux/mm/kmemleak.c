// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory leak detector.
 *
 * Every allocation the kernel hands out (slab, large kmalloc, vmalloc,
 * per-CPU, memblock) is registered here with its allocation stack.  A scan
 * treats the kernel's static data, per-CPU areas, struct pages and task
 * stacks as roots, follows every word that looks like a pointer into a
 * tracked block, and reports the blocks nothing points to, much like the
 * mark phase of a conservative garbage collector.
 *
 * Data structures
 *
 * - struct kmemleak_object (kmemleak_core.h) describes one block.  It comes
 *   from a SLAB_NOLEAKTRACE cache through small per-CPU caches, or from a
 *   static pool before the slab allocator is up and when that cache fails.
 * - Objects are indexed by address in range trees (rbtrees), one set per
 *   address space: virtual, physical (memblock) and per-CPU.  The virtual
 *   space is split into 256 shards by the 64 KiB region an object starts in,
 *   plus one shard for objects crossing a region boundary, so allocations
 *   on different CPUs rarely share a lock and trees stay shallow.  Each
 *   shard also keeps a list of its objects for whole-set walks.  Addresses
 *   are kept untagged (KASAN tag modes), each object with its tag: a word
 *   under another tag cannot reach the object and is not a reference.
 * - The kernel's data sections are static roots: address ranges held by
 *   the core, from which kmemleak_free_part() can cut parts that go away.
 * - Stack traces live in the stack depot; an object keeps the handle.  On
 *   x86-64 a small table (kmemleak_object.c) remembers recent walks by
 *   the stack slots their return addresses came from, so that a task
 *   allocating through the same frames again reads those slots back
 *   instead of unwinding.  Its entries are rewritten under sequence counts
 *   taken with cmpxchg(), never waited on, and all of them are forgotten
 *   when module text comes or goes.
 *
 * Locks
 *
 * - kml_scan_mutex: serialises scans, debugfs reads and writes, the scan
 *   thread's start/stop and teardown.  The spinlocks below nest in it and
 *   never in one another.  Taken through kml_lock_scans(), so that the
 *   niced scan thread's scan stops for whoever waits (but by init and
 *   teardown, when no scan runs or every scan stops anyway).
 * - kml_shard.lock (raw spinlock, taken with interrupts off): protects a
 *   shard's tree and list and the fields of its objects that the API
 *   changes (min_count, flags, areas, trace, checksum).  Never nested: no
 *   code path holds two shard locks.  Nothing is printed under it.
 * - kml_roots_lock (raw spinlock): the static roots; held while a chunk of
 *   them is scanned, so a cut waits for the scan to leave the range.
 * - kml_pool_lock (raw spinlock): the static pool's free list.
 *
 * Work under a raw spinlock is bounded: a few KiB of memory read or a few
 * dozen objects visited, then the lock is dropped and the CPU yielded.
 *
 * The scanner looks objects up without locks: each shard tree is guarded
 * by a seqcount written under the shard lock, nodes are published with
 * release semantics, and a lookup that races with a writer retries.  While
 * it scans the contents of an object it holds that object's shard lock,
 * so the block cannot be freed under it.
 *
 * Contexts
 *
 * The allocation and free hooks run in any context but NMI, including
 * hard interrupts; they take one shard lock for an rbtree insert or erase.
 * Scans run in process context (the "kmemleak" kthread, a debugfs writer,
 * or the task removing a module, whose leaks a scan of their own checks
 * from the module notifier) and yield between bounded chunks of work,
 * reporting quiescent states for RCU and Tasks RCU as they go.
 *
 * Object lifetime
 *
 * An object lives while its block is allocated.  Scans and the debugfs
 * reader's listing are "walks" (kml_walk_begin/end): while one runs,
 * freeing an object only unindexes it and marks it KML_FREED; its metadata
 * stays readable until the walker, which holds the scan mutex and is the
 * only lockless reader, reclaims it at a point where it holds no pointer
 * to it: between objects of the scan's work, and at the walk's end.  That
 * lets the scanner keep objects on its work stack and look them up without
 * locks, with no reference count or RCU callback on the free path.  The
 * price is that a walker which cannot keep up with the frees holds their
 * metadata: past max(KML_DEAD_MIN, half the objects) it abandons the scan.
 *
 * Stale copies
 *
 * Any word equal to a block's address keeps it from being reported, and
 * kmemleak makes such words itself: the scan, the report and the dump
 * handle the addresses of the blocks they look at, white ones included,
 * and leave them in dead stack frames, which a later scan searches.  So
 * the scan thread and the debugfs read and write handlers zero their
 * stack below their frame before going back (kml_scrub_stack()), and the
 * listings the reader keeps hold addresses complemented.
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kfence.h>
#include <linux/kmemleak.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <asm/sections.h>

#include "kmemleak.h"

int kml_state __read_mostly = KML_EARLY;
/* serialises scans, the debugfs commands and the listing readers */
DEFINE_MUTEX(kml_scan_mutex);

bool kml_verbose;
module_param_named(verbose, kml_verbose, bool, 0600);

/* Scans in a row that must find an object unreferenced before a report. */
unsigned int kml_min_unref_scans = 1;
module_param_named(min_unref_scans, kml_min_unref_scans, uint, 0600);

/* Tracking */

/* The result of a change to the static roots, for kml_add/cut_roots(). */
void kml_check_roots(int ret)
{
	if (ret == -ENOSPC)
		pr_warn_once("static roots table full: some kernel data is no longer scanned, expect false reports\n");
}

static void kml_track(enum kml_space space, unsigned long ptr, size_t size,
		      int min_count, gfp_t gfp, unsigned long caller)
{
	struct kmemleak_object *obj = kml_alloc_meta(gfp);

	if (!obj)
		return;
	if (space == KML_VIRT) {
		obj->pointer = kml_untag(ptr);
		obj->tag = kml_tag(ptr);
	} else {
		obj->pointer = ptr;
		obj->tag = KASAN_TAG_KERNEL;
	}
	obj->size = size;
	obj->min_count = min_count;
	obj->space = space;
	kml_set_owner(obj);
	obj->trace = kml_save_trace(caller);
	kml_insert(obj);
}

/*
 * Hook for the core: a new object overlapped an indexed one, which was
 * dropped.  A caller that misses a free usually misses many: rate-limited.
 */
void kml_warn_overlap(const struct kml_snapshot *obj,
		      const struct kml_snapshot *old)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	if (!__ratelimit(&rs))
		return;
	pr_warn("0x%08lx (size %zu) overlaps 0x%08lx (size %zu), whose free was not reported: dropped it, allocated by \"%s\" pid %d at:\n",
		obj->pointer, obj->size, old->pointer, old->size, old->comm,
		old->pid);
	if (old->trace)
		stack_depot_print(old->trace);
	dump_stack();
}

/* An annotation names an address nothing was registered at. */
static void kml_warn_unknown(const char *what, unsigned long ptr)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	if (kml_tracking() && __ratelimit(&rs)) {
		pr_warn("%s: no object at 0x%08lx\n", what, ptr);
		dump_stack();
	}
}

/*
 * A free of an address nothing was registered at is not always a bug: a
 * block allocated with __GFP_NOLEAKTRACE is freed like any other.  One
 * that points inside a tracked block is.
 */
static noinline void kml_warn_inside(unsigned long ptr)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	struct kmemleak_object *obj;
	unsigned long flags, start;
	size_t size;

	if (!kml_lookup(KML_VIRT, ptr, true, &obj, &flags))
		return;
	start = obj->pointer;
	size = obj->size;
	kml_unlock(obj, flags);
	if (__ratelimit(&rs)) {
		pr_warn("kmemleak_free: 0x%08lx points inside 0x%08lx (size %zu): a wrong pointer, or that block's own free was missed\n",
			ptr, start, size);
		dump_stack();
	}
}

static __always_inline unsigned long kml_addr(const void *ptr)
{
	return kml_untag((unsigned long)ptr);
}

/**
 * kmemleak_alloc - start tracking a block just handed out
 * @ptr:	start address of the block
 * @size:	length of the block in bytes
 * @min_count:	minimum number of references to this object; if fewer are
 *		found during a scan, the object is reported as a leak.
 *		0 means never reported (still scanned), -1 means ignored.
 * @gfp:	allocation flags of the caller
 *
 * Called from the slab and large kmalloc allocators; other code needs it
 * only for memory it hands out by other means.
 */
void __ref kmemleak_alloc(const void *ptr, size_t size, int min_count,
			  gfp_t gfp)
{
	if (!kml_tracking() || IS_ERR_OR_NULL(ptr))
		return;
	/* KFENCE serves the requested size, not the cache's, from its page */
	if (is_kfence_address(ptr))
		size = kfence_ksize(ptr) ?: size;
	kml_track(KML_VIRT, (unsigned long)ptr, size, min_count, gfp,
		  _RET_IP_);
}
EXPORT_SYMBOL_GPL(kmemleak_alloc);

/**
 * kmemleak_alloc_percpu - start tracking a per-CPU block just handed out
 * @ptr:	__percpu cookie the block was handed out at
 * @size:	length of each CPU's copy in bytes
 * @gfp:	allocation flags of the caller
 *
 * The object is reported when no reference to its __percpu pointer is
 * found; the copies of all CPUs are scanned.
 */
void __ref kmemleak_alloc_percpu(const void __percpu *ptr, size_t size,
				 gfp_t gfp)
{
	if (kml_tracking() && ptr && !IS_ERR_PCPU(ptr))
		kml_track(KML_PERCPU, (__force unsigned long)ptr, size, 1, gfp,
			  _RET_IP_);
}
EXPORT_SYMBOL_GPL(kmemleak_alloc_percpu);

/**
 * kmemleak_vmalloc - start tracking the block of a new vmalloc() area
 * @area:	vm_struct of the allocation
 * @size:	length of the block in bytes
 * @gfp:	allocation flags of the caller
 *
 * The vm_struct itself points at the block, so two references are needed.
 * Code often keeps the vm_struct rather than the address (a task keeps its
 * stack's); references to the vm_struct beyond its own are credited to
 * the block.
 */
void __ref kmemleak_vmalloc(const struct vm_struct *area, size_t size,
			    gfp_t gfp)
{
	struct kmemleak_object *vm;
	unsigned long flags;

	if (!kml_tracking())
		return;
	kml_track(KML_VIRT, (unsigned long)area->addr, size, 2, gfp, _RET_IP_);
	if (kml_lookup(KML_VIRT, kml_addr(area), false, &vm, &flags)) {
		vm->excess_ref = kml_addr(area->addr);
		kml_unlock(vm, flags);
	}
}
EXPORT_SYMBOL_GPL(kmemleak_vmalloc);

/**
 * kmemleak_free - stop tracking a block that is being freed
 * @ptr:	start address of the block
 *
 * Called from the slab, large kmalloc and vmalloc free paths.
 */
void __ref kmemleak_free(const void *ptr)
{
	if (kml_tracking_frees() && !IS_ERR_OR_NULL(ptr) &&
	    !kml_remove(KML_VIRT, kml_addr(ptr)))
		kml_warn_inside(kml_addr(ptr));
}
EXPORT_SYMBOL_GPL(kmemleak_free);

static void kml_free_part(enum kml_space space, unsigned long ptr,
			  size_t size)
{
	/*
	 * For the part after a hole, if one is cut: the index does not
	 * allocate under its lock.  Without it, that part goes untracked.
	 */
	struct kmemleak_object *spare = __kml_alloc_meta(GFP_ATOMIC);

	if (kml_remove_part(space, ptr, size, spare))
		return;
	/* not a tracked block: perhaps kernel data going away */
	if (space == KML_VIRT)
		kml_check_roots(kml_cut_roots(ptr, size < ULONG_MAX - ptr ?
					      ptr + size : ULONG_MAX));
}

/**
 * kmemleak_free_part - unregister part of a registered object
 * @ptr:	start of the part, inside the block
 * @size:	length of the part in bytes
 *
 * What remains before and after [@ptr, @ptr + @size) stays tracked.  Also
 * for parts of the kernel's data sections that are freed or unmapped: they
 * are no longer scanned.
 */
void __ref kmemleak_free_part(const void *ptr, size_t size)
{
	if (kml_tracking_frees() && !IS_ERR_OR_NULL(ptr))
		kml_free_part(KML_VIRT, kml_addr(ptr), size);
}
EXPORT_SYMBOL_GPL(kmemleak_free_part);

/**
 * kmemleak_free_percpu - stop tracking a per-CPU block that is being freed
 * @ptr:	__percpu cookie the block was handed out at
 */
void __ref kmemleak_free_percpu(const void __percpu *ptr)
{
	if (kml_tracking_frees() && ptr && !IS_ERR_PCPU(ptr))
		kml_remove(KML_PERCPU, (__force unsigned long)ptr);
}
EXPORT_SYMBOL_GPL(kmemleak_free_percpu);

/**
 * kmemleak_update_trace - replace the allocation stack of an object
 * @ptr:	an address inside the block
 *
 * For objects handed out from a pool, so the report names the code that
 * took the object rather than the code that filled the pool.
 */
void __ref kmemleak_update_trace(const void *ptr)
{
	struct kmemleak_object *obj;
	depot_stack_handle_t trace;
	unsigned long flags;

	if (!kml_tracking() || IS_ERR_OR_NULL(ptr))
		return;
	/* before the lookup: the depot may allocate, never under our locks */
	trace = kml_save_trace(_RET_IP_);
	if (!kml_lookup(KML_VIRT, kml_addr(ptr), true, &obj, &flags))
		return;
	obj->trace = trace;
	kml_unlock(obj, flags);
}
EXPORT_SYMBOL(kmemleak_update_trace);

#define KML_KEEP_MIN_COUNT	INT_MAX

/* Set an object's min_count and flags, for the annotations below. */
static void kml_annotate(enum kml_space space, const char *what,
			 unsigned long ptr, int min_count, u8 set)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	if (!kml_lookup(space, ptr, false, &obj, &flags)) {
		kml_warn_unknown(what, ptr);
		return;
	}
	if (min_count != KML_KEEP_MIN_COUNT)
		WRITE_ONCE(obj->min_count, min_count);
	obj->flags |= set;
	kml_unlock(obj, flags);
}

/**
 * kmemleak_not_leak - never report an object as a leak
 * @ptr:	start address of the block
 *
 * The object is still scanned, so what it points to is not reported.
 */
void __ref kmemleak_not_leak(const void *ptr)
{
	if (kml_tracking() && !IS_ERR_OR_NULL(ptr))
		kml_annotate(KML_VIRT, "not_leak", kml_addr(ptr), KML_GRAY, 0);
}
EXPORT_SYMBOL(kmemleak_not_leak);

/**
 * kmemleak_transient_leak - an object is briefly unreferenced on purpose
 * @ptr:	start address of the block
 *
 * The next scan that finds the object unreferenced gives it the benefit
 * of the doubt, as if it had been referenced until then: it is reported
 * only if the scan after that finds it unreferenced and unchanged too.
 */
void __ref kmemleak_transient_leak(const void *ptr)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	if (!kml_tracking() || IS_ERR_OR_NULL(ptr))
		return;
	if (!kml_lookup(KML_VIRT, kml_addr(ptr), false, &obj, &flags)) {
		kml_warn_unknown("transient_leak", kml_addr(ptr));
		return;
	}
	obj->flags &= ~KML_UNREF;
	kml_unlock(obj, flags);
}
EXPORT_SYMBOL(kmemleak_transient_leak);

/**
 * kmemleak_ignore - ignore an object
 * @ptr:	start address of the block
 *
 * The object is neither reported nor scanned: use it for blocks that hold
 * no pointers and are referenced in ways a scan cannot see.
 */
void __ref kmemleak_ignore(const void *ptr)
{
	if (kml_tracking() && !IS_ERR_OR_NULL(ptr))
		kml_annotate(KML_VIRT, "ignore", kml_addr(ptr), KML_BLACK,
			     KML_NO_SCAN);
}
EXPORT_SYMBOL(kmemleak_ignore);

/**
 * kmemleak_scan_area - limit the scan of an object to some areas
 * @ptr:	start of the area, inside a tracked block
 * @size:	length of the area in bytes
 * @gfp:	allocation flags of the caller
 *
 * Once an object has scan areas, only they are scanned.  Use it for large
 * objects with a few pointer fields.  A @size of SIZE_MAX extends the area
 * to the end of the object.
 */
void __ref kmemleak_scan_area(const void *ptr, size_t size, gfp_t gfp)
{
	struct kmemleak_object *obj;
	struct kml_area *area = NULL;
	unsigned long flags, start = kml_addr(ptr);
	size_t room;

	if (!kml_tracking() || !size || IS_ERR_OR_NULL(ptr))
		return;
	area = kml_alloc_area(gfp);

	if (!kml_lookup(KML_VIRT, start, true, &obj, &flags)) {
		kml_warn_unknown("scan_area", start);
		goto out;
	}
	room = obj->pointer + obj->size - start;
	if (size == SIZE_MAX)
		size = room;
	if (size > room) {
		kml_unlock(obj, flags);
		pr_warn_ratelimited("scan area 0x%08lx (size %zu) exceeds its object\n",
				    start, size);
		goto out;
	}
	if (!area) {
		/* better the whole object than missing pointers in this area */
		obj->flags |= KML_FULL_SCAN;
		kml_unlock(obj, flags);
		pr_warn_once("cannot allocate a scan area: objects are scanned whole\n");
		return;
	}
	area->start = start;
	area->size = size;
	hlist_add_head(&area->node, &obj->areas);
	area = NULL;
	kml_unlock(obj, flags);
out:
	if (area)
		kml_free_area(area);
}
EXPORT_SYMBOL(kmemleak_scan_area);

/**
 * kmemleak_no_scan - do not scan an object
 * @ptr:	start address of the block
 *
 * The object can still be reported; only its contents are not searched
 * for pointers.
 */
void __ref kmemleak_no_scan(const void *ptr)
{
	if (kml_tracking() && !IS_ERR_OR_NULL(ptr))
		kml_annotate(KML_VIRT, "no_scan", kml_addr(ptr),
			     KML_KEEP_MIN_COUNT, KML_NO_SCAN);
}
EXPORT_SYMBOL(kmemleak_no_scan);

/**
 * kmemleak_task_stack - say that an object is a task stack
 * @ptr:	start address of the block, a vmalloc()ed stack
 *
 * With stack scanning on, a task stack is searched as its task's stack,
 * from the stack pointer up, and never as a block: a stack that waits in
 * a cache for its next task keeps the frames of its last one, whose stale
 * pointers would hide leaks.  With stack scanning off, it is searched as
 * any other block.
 */
void __ref kmemleak_task_stack(const void *ptr)
{
	if (kml_tracking() && !IS_ERR_OR_NULL(ptr))
		kml_annotate(KML_VIRT, "task_stack", kml_addr(ptr),
			     KML_KEEP_MIN_COUNT, KML_STACK);
}

/**
 * kmemleak_alloc_phys - register a physically addressed object
 * @phys:	physical start address of the block
 * @size:	length of the block in bytes
 * @gfp:	allocation flags of the caller
 *
 * Used by memblock.  Such objects are never reported; those in lowmem are
 * scanned.
 */
void __ref kmemleak_alloc_phys(phys_addr_t phys, size_t size, gfp_t gfp)
{
	if (kml_tracking())
		kml_track(KML_PHYS, (unsigned long)phys, size, KML_GRAY, gfp,
			  _RET_IP_);
}
EXPORT_SYMBOL(kmemleak_alloc_phys);

/**
 * kmemleak_free_part_phys - unregister part of a physically addressed object
 * @phys:	physical start of the part, inside the block
 * @size:	length of the part in bytes
 */
void __ref kmemleak_free_part_phys(phys_addr_t phys, size_t size)
{
	if (kml_tracking_frees())
		kml_free_part(KML_PHYS, (unsigned long)phys, size);
}
EXPORT_SYMBOL(kmemleak_free_part_phys);

/**
 * kmemleak_ignore_phys - ignore a physically addressed object
 * @phys:	physical start address of the block
 */
void __ref kmemleak_ignore_phys(phys_addr_t phys)
{
	if (kml_tracking())
		kml_annotate(KML_PHYS, "ignore_phys", (unsigned long)phys,
			     KML_BLACK, KML_NO_SCAN);
}
EXPORT_SYMBOL(kmemleak_ignore_phys);

/* Disabling */

static void kml_cleanup(struct work_struct *work)
{
	mutex_lock(&kml_scan_mutex);
	kml_stop_thread();
	/* no scan or walk runs now, and none will start */
	WRITE_ONCE(kml_state, KML_OFF);
	kml_objects_drain();
	if (!kml_found_leaks)
		kml_reset_index();
	else
		pr_info("reported leaks kept after disabling; \"echo clear > /sys/kernel/debug/kmemleak\" releases them\n");
	mutex_unlock(&kml_scan_mutex);
}

static DECLARE_WORK(kml_cleanup_work, kml_cleanup);

/* Why the detector went off: set once, by the first kml_disable(). */
static const char *kml_off_why;
static const char kml_off_at_boot[] = "off at boot";

/*
 * Stop tracking for good; safe in any context.  @why: NULL if asked to,
 * by the "off" command or, while the kernel boots, its command line or
 * configuration.
 */
void kml_disable(const char *why)
{
	int old = READ_ONCE(kml_state), seen;

	if (!why && system_state == SYSTEM_BOOTING)
		cmpxchg(&kml_off_why, NULL, kml_off_at_boot);
	else
		cmpxchg(&kml_off_why, NULL,
			why ?: "turned off by the \"off\" command");

	/* KML_EARLY: kmemleak_late_init() schedules the clean-up */
	for (;;) {
		if (old >= KML_DISABLING)
			return;
		seen = cmpxchg(&kml_state, old, KML_DISABLING);
		if (seen == old)
			break;
		old = seen;
	}
	if (why)
		pr_err("%s\n", why);
	if (old == KML_ON)
		schedule_work(&kml_cleanup_work);
	pr_info("Kernel memory leak detector disabled\n");
}

/**
 * kml_disabled_why - why the detector is off
 *
 * Return: the reason, or NULL if it is on or was turned off at boot.
 */
const char *kml_disabled_why(void)
{
	const char *why = READ_ONCE(kml_off_why);

	return why == kml_off_at_boot ? NULL : why;
}

static bool kml_boot_on;

static int __init kml_boot_param(char *str)
{
	if (!str)
		return -EINVAL;
	if (!strcmp(str, "off")) {
		kml_disable(NULL);
	} else if (!strcmp(str, "on")) {
		kml_boot_on = true;
		stack_depot_request_early_init();
	} else {
		return -EINVAL;
	}
	return 0;
}
early_param("kmemleak", kml_boot_param);

/**
 * kmemleak_init - set up the metadata caches and the static roots
 *
 * Called once the slab allocator works.  Objects registered before this
 * point came from the static pool.
 */
void __init kmemleak_init(void)
{
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF) && !kml_boot_on)
		kml_disable(NULL);
	if (!kml_tracking())
		return;

	kml_index_init();
	/* zero-based per-CPU data: cookies are small integers */
	kml_percpu_exact = IS_ENABLED(CONFIG_SMP) &&
			   (unsigned long)__per_cpu_start < PAGE_OFFSET;
	kml_check_roots(kml_add_root((unsigned long)_sdata,
				     (unsigned long)_edata));
	kml_check_roots(kml_add_root((unsigned long)__bss_start,
				     (unsigned long)__bss_stop));
	kml_check_roots(kml_add_root((unsigned long)__start_ro_after_init,
				     (unsigned long)__end_ro_after_init));
	kml_objects_init();
}

static int __init kmemleak_late_init(void)
{
	kml_debugfs_init();

	/* from now on kml_disable() schedules the clean-up itself */
	if (cmpxchg(&kml_state, KML_EARLY, KML_ON) != KML_EARLY) {
		schedule_work(&kml_cleanup_work);
		return 0;
	}

	kml_objects_late_init();
	kml_modules_init();
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN)) {
		mutex_lock(&kml_scan_mutex);
		kml_start_thread(true);
		mutex_unlock(&kml_scan_mutex);
	}
	pr_info("Kernel memory leak detector initialized (%lu objects tracked, early pool: %u free)\n",
		kml_count_objects(), kml_pool_available());
	return 0;
}
late_initcall(kmemleak_late_init);

