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
 *   from a SLAB_NOLEAKTRACE cache, or from a static pool before the slab
 *   allocator is up and when that cache fails.
 * - Objects are indexed by address in range trees (rbtrees), one set per
 *   address space: virtual, physical (memblock) and per-CPU.  The virtual
 *   space is split into 256 shards by the 64 KiB region an object starts in,
 *   plus one shard for objects crossing a region boundary, so allocations
 *   on different CPUs rarely share a lock and trees stay shallow.  Each
 *   shard also keeps a list of its objects for whole-set walks.
 * - Stack traces live in the stack depot; an object keeps the handle.
 *   They are captured by following the frame-pointer chain in task context
 *   on x86-64 with the frame-pointer unwinder, by arch_stack_walk()
 *   otherwise (see kml_walk_frames()).
 *
 * Locks, outermost first
 *
 * - kml_scan_mutex: serialises scans, debugfs reads and writes, the scan
 *   thread's start/stop and teardown.
 * - kml_shard.lock (raw spinlock, taken with interrupts off): protects a
 *   shard's tree and list and the fields of its objects that the API
 *   changes (min_count, flags, areas, trace, checksum).  Never nested: no
 *   code path holds two shard locks.
 * - kml_pool_lock (raw spinlock): the static pool's free list.
 *
 * The scanner looks objects up without locks: each shard tree is guarded
 * by a seqcount written under the shard lock, and a lookup that races
 * with a writer retries.  While it scans the contents of an object it
 * holds that object's shard lock, so the block cannot be freed under it.
 *
 * Contexts
 *
 * The allocation and free hooks run in any context but NMI, including
 * hard interrupts; they take one shard lock for an rbtree insert or erase.
 * Scans run in process context (the "kmemleak" kthread or a debugfs
 * writer) and yield between bounded chunks of work.
 *
 * Object lifetime
 *
 * An object lives while its block is allocated.  Scans and debugfs reads
 * are "walks" (kml_walk_begin/end): while one runs, freeing an object only
 * unindexes it and marks it KML_FREED; its metadata stays readable and is
 * reclaimed when the walk ends.  That is what lets the scanner keep
 * objects on its work stack and look them up without locks, with no
 * reference count or RCU callback on the free path.
 *
 * Stale copies
 *
 * Any word equal to a block's address keeps it from being reported, and
 * kmemleak makes such words itself: the scan, the report and the dump
 * handle the addresses of the blocks they look at, white ones included,
 * and leave them in dead stack frames, which a later scan searches.  So
 * the scan thread and the debugfs read and write handlers zero their
 * stack below their frame before going back (kml_scrub_stack()).
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <asm/sections.h>

#include "kmemleak_core.h"

#define KML_TRACE_DEPTH		16	/* frames kept per allocation */
#define KML_TRACE_SKIP		8	/* detector frames tolerated before them */
#define KML_MIN_AGE_MS		5000	/* younger objects are not reported */
#define KML_FIRST_SCAN_SECS	60	/* boot delay of the scan thread */
#define KML_SCAN_PERIOD_SECS	600	/* default scan=<secs> */
#define KML_MAGAZINE		32	/* free descriptors cached per CPU */
#define KML_HEX_ROW		16
#define KML_HEX_MAX		32	/* bytes of contents in a report */

/* Tracking state: on from the first memblock allocation until disabled. */
static bool kmemleak_enabled __read_mostly = true;
static bool kmemleak_free_enabled __read_mostly = true;
static atomic_t kml_disabled = ATOMIC_INIT(0);
static bool kml_late_done;
static bool kml_boot_on;
static bool kml_index_ready;

static bool kml_stack_scan = true;
static bool kml_found_leaks;
static bool kml_verbose;
module_param_named(verbose, kml_verbose, bool, 0600);

static DEFINE_MUTEX(kml_scan_mutex);
static struct task_struct *kml_thread;
static unsigned long kml_scan_period;

static struct kmem_cache *kml_object_cache;
static struct kmem_cache *kml_area_cache;

static struct kmemleak_object kml_pool[CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE];
static unsigned int kml_pool_next;	/* slots never handed out start here */
static LIST_HEAD(kml_pool_free);
static DEFINE_RAW_SPINLOCK(kml_pool_lock);

static void kml_disable(const char *why);

/*
 * Shards cannot be set up statically, and memblock registers objects long
 * before kmemleak_init(): set them up on first use, which happens while
 * the boot CPU runs alone.
 */
static inline bool kml_tracking(bool on)
{
	if (!on)
		return false;
	if (unlikely(!kml_index_ready)) {
		kml_index_init();
		kml_index_ready = true;
	}
	return true;
}

static struct kmemleak_object *kml_pool_get(void)
{
	struct kmemleak_object *obj = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&kml_pool_lock, flags);
	if (!list_empty(&kml_pool_free)) {
		obj = list_first_entry(&kml_pool_free, struct kmemleak_object,
				       list);
		list_del(&obj->list);
	} else if (kml_pool_next < ARRAY_SIZE(kml_pool)) {
		obj = &kml_pool[kml_pool_next++];
	}
	raw_spin_unlock_irqrestore(&kml_pool_lock, flags);
	return obj;
}

static unsigned int kml_pool_available(void)
{
	unsigned int n = ARRAY_SIZE(kml_pool) - kml_pool_next;
	struct list_head *pos;
	unsigned long flags;

	raw_spin_lock_irqsave(&kml_pool_lock, flags);
	list_for_each(pos, &kml_pool_free)
		n++;
	raw_spin_unlock_irqrestore(&kml_pool_lock, flags);
	return n;
}

/*
 * A few free descriptors per CPU: an allocation followed by a free, the
 * common pattern, then costs no trip to the slab allocator.  Reachable
 * from any context, so they are used with interrupts off.
 */
struct kml_magazine {
	unsigned int nr;
	struct kmemleak_object *objs[KML_MAGAZINE];
};

static DEFINE_PER_CPU(struct kml_magazine, kml_magazines);

static struct kmemleak_object *kml_magazine_get(void)
{
	struct kmemleak_object *obj = NULL;
	struct kml_magazine *mag;
	unsigned long flags;

	local_irq_save(flags);
	mag = this_cpu_ptr(&kml_magazines);
	if (mag->nr)
		obj = mag->objs[--mag->nr];
	local_irq_restore(flags);
	return obj;
}

static bool kml_magazine_put(struct kmemleak_object *obj)
{
	struct kml_magazine *mag;
	unsigned long flags;
	bool kept = false;

	local_irq_save(flags);
	mag = this_cpu_ptr(&kml_magazines);
	if (mag->nr < KML_MAGAZINE) {
		mag->objs[mag->nr++] = obj;
		kept = true;
	}
	local_irq_restore(flags);
	return kept;
}

static struct kmemleak_object *kml_alloc_meta(gfp_t gfp)
{
	struct kmemleak_object *obj = NULL;
	u8 flags = 0;

	if (kml_object_cache) {
		obj = kml_magazine_get();
		if (!obj)
			obj = kmem_cache_alloc(kml_object_cache,
					       gfp_nested_mask(gfp));
	}
	if (!obj) {
		obj = kml_pool_get();
		flags = KML_POOL;
	}
	if (!obj) {
		kml_disable(kml_object_cache ?
			    "out of memory for object metadata" :
			    "early object pool exhausted: raise CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE");
		return NULL;
	}
	memset(obj, 0, sizeof(*obj));
	obj->flags = flags;
	return obj;
}

/* Hook for the core: release an object that left the index. */
void kml_free_meta(struct kmemleak_object *obj)
{
	struct kml_area *area;
	struct hlist_node *tmp;
	unsigned long flags;

	hlist_for_each_entry_safe(area, tmp, &obj->areas, node)
		kmem_cache_free(kml_area_cache, area);

	if (!(obj->flags & KML_POOL)) {
		if (!kml_magazine_put(obj))
			kmem_cache_free(kml_object_cache, obj);
		return;
	}
	raw_spin_lock_irqsave(&kml_pool_lock, flags);
	list_add(&obj->list, &kml_pool_free);
	raw_spin_unlock_irqrestore(&kml_pool_lock, flags);
}

struct kml_trace {
	unsigned long caller;
	unsigned long entries[KML_TRACE_DEPTH + KML_TRACE_SKIP];
	unsigned int nr;
	unsigned int first;	/* index of @caller once found */
	bool found;
};

static bool kml_trace_entry(void *cookie, unsigned long addr)
{
	struct kml_trace *t = cookie;

	if (!t->found && addr == t->caller) {
		t->found = true;
		t->first = t->nr;
	}
	t->entries[t->nr++] = addr;
	/* stop once the caller's frames are in, or the buffer is full */
	if (t->found)
		return t->nr - t->first < KML_TRACE_DEPTH;
	return t->nr < ARRAY_SIZE(t->entries);
}

/*
 * With frame pointers, the frames of a task form a chain on its stack that
 * can be followed with two loads a frame; the general unwinder also checks
 * each address against the kernel's and modules' text, several times the
 * cost.  Only in task context, where the whole chain is on the task stack:
 * a link leaving it, or not pointing further up, ends the walk, as does
 * an exception frame (its link is marked, see ENCODE_FRAME_POINTER).
 * False if it did not reach @t->caller; the general unwinder then starts
 * over.
 */
static __always_inline bool kml_walk_frames(struct kml_trace *t)
{
#if defined(CONFIG_X86_64) && defined(CONFIG_UNWINDER_FRAME_POINTER)
	unsigned long lo = (unsigned long)task_stack_page(current);
	unsigned long span = THREAD_SIZE - 2 * sizeof(long);
	unsigned long fp = (unsigned long)__builtin_frame_address(0);
	const unsigned long *frame;
	unsigned int n = 0;

	if (!in_task())
		return false;
	/* up to the caller's frame: the detector's own frames are skipped */
	for (;;) {
		if (fp - lo > span || fp % sizeof(long) ||
		    n++ == KML_TRACE_SKIP)
			return false;
		frame = (const unsigned long *)fp;
		if (READ_ONCE_NOCHECK(frame[1]) == t->caller)
			break;
		fp = READ_ONCE_NOCHECK(frame[0]);
		if (fp <= (unsigned long)frame)
			return false;
	}
	/* from there, each link must point further up the same stack */
	for (n = 0; n < KML_TRACE_DEPTH; n++) {
		t->entries[n] = READ_ONCE_NOCHECK(frame[1]);
		fp = READ_ONCE_NOCHECK(frame[0]);
		if (fp <= (unsigned long)frame || fp - lo > span ||
		    fp % sizeof(long)) {
			n++;
			break;
		}
		frame = (const unsigned long *)fp;
	}
	t->nr = n;
	t->first = 0;
	t->found = true;
	return true;
#else
	return false;
#endif
}

/*
 * Record the stack from @caller outwards: @caller is the return address of
 * the API function, so frames of the detector itself are left out whatever
 * the compiler inlined.  The walk stops as soon as it has the frames it
 * keeps: unwinding is most of the cost of tracking an allocation.
 */
static noinline depot_stack_handle_t kml_save_trace(unsigned long caller)
{
	struct kml_trace t = { .caller = caller };
	unsigned int nr;

	/* the depot is set up just before kmemleak_init() creates the cache */
	if (!kml_object_cache)
		return 0;
#ifdef CONFIG_ARCH_STACKWALK
	if (!kml_walk_frames(&t))
		arch_stack_walk(kml_trace_entry, &t, current, NULL);
#else
	t.nr = stack_trace_save(t.entries, ARRAY_SIZE(t.entries), 0);
	for (t.first = 0; t.first < t.nr && !t.found; t.first++)
		t.found = t.entries[t.first] == caller;
	t.first -= t.found;
#endif
	if (!t.found)
		t.first = 0;	/* unwinder quirk: keep what we have */
	nr = min_t(unsigned int, t.nr - t.first, KML_TRACE_DEPTH);
	return stack_depot_save(t.entries + t.first, nr, GFP_NOWAIT);
}

static void kml_set_owner(struct kmemleak_object *obj)
{
	obj->jiffies = jiffies;
	if (in_hardirq()) {
		strscpy(obj->comm, "hardirq");
	} else if (in_serving_softirq()) {
		strscpy(obj->comm, "softirq");
	} else {
		obj->pid = current->pid;
		strscpy(obj->comm, current->comm);
	}
}

static void kml_track(enum kml_space space, unsigned long ptr, size_t size,
		      int min_count, gfp_t gfp, unsigned long excess_ref,
		      unsigned long caller)
{
	struct kmemleak_object *obj = kml_alloc_meta(gfp);

	if (!obj)
		return;
	obj->pointer = ptr;
	obj->size = size;
	obj->min_count = min_count;
	obj->space = space;
	obj->excess_ref = excess_ref;
	kml_set_owner(obj);
	obj->trace = kml_save_trace(caller);
	if (kml_insert(obj))
		kml_free_meta(obj);
}

/* Hook for the core: a new object overlaps an indexed one. */
void kml_warn_overlap(struct kmemleak_object *obj, struct kmemleak_object *old)
{
	pr_warn_ratelimited("not tracking 0x%08lx (size %zu): overlaps 0x%08lx (size %zu) allocated by \"%s\" pid %d\n",
			    obj->pointer, obj->size, old->pointer, old->size,
			    old->comm, old->pid);
}

/* Hook for the core: metadata for what remains of a partly freed object. */
struct kmemleak_object *kml_new_meta(void)
{
	return kml_alloc_meta(GFP_ATOMIC);
}

static void kml_set_trace(struct kmemleak_object *obj, void *arg)
{
	obj->trace = *(depot_stack_handle_t *)arg;
}

/**
 * kmemleak_alloc - register a newly allocated object
 * @ptr:	pointer to beginning of the object
 * @size:	size of the object
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
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && !IS_ERR_OR_NULL(ptr))
		kml_track(KML_VIRT, (unsigned long)ptr, size, min_count, gfp,
			  0, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kmemleak_alloc);

/**
 * kmemleak_alloc_percpu - register a newly allocated per-CPU object
 * @ptr:	__percpu pointer to beginning of the object
 * @size:	size of the object on each CPU
 * @gfp:	allocation flags of the caller
 *
 * The object is reported when no reference to its __percpu pointer is
 * found; the copies of all CPUs are scanned.
 */
void __ref kmemleak_alloc_percpu(const void __percpu *ptr, size_t size,
				 gfp_t gfp)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && ptr &&
	    !IS_ERR_PCPU(ptr))
		kml_track(KML_PERCPU, (__force unsigned long)ptr, size, 1, gfp,
			  0, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kmemleak_alloc_percpu);

/**
 * kmemleak_vmalloc - register a newly vmalloc'ed object
 * @area:	vm_struct of the allocation
 * @size:	size of the object
 * @gfp:	allocation flags of the caller
 *
 * The vm_struct itself points at the block, so two references are needed;
 * references beyond those are credited to the vm_struct.
 */
void __ref kmemleak_vmalloc(const struct vm_struct *area, size_t size,
			    gfp_t gfp)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)))
		kml_track(KML_VIRT, (unsigned long)area->addr, size, 2, gfp,
			  (unsigned long)area, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kmemleak_vmalloc);

/**
 * kmemleak_free - unregister a previously registered object
 * @ptr:	pointer to beginning of the object
 *
 * Called from the slab, large kmalloc and vmalloc free paths.
 */
void __ref kmemleak_free(const void *ptr)
{
	if (kml_tracking(READ_ONCE(kmemleak_free_enabled)) &&
	    !IS_ERR_OR_NULL(ptr))
		kml_remove(KML_VIRT, (unsigned long)ptr, false, NULL);
}
EXPORT_SYMBOL_GPL(kmemleak_free);

/**
 * kmemleak_free_part - unregister part of a registered object
 * @ptr:	pointer to the beginning or inside the object
 * @size:	size to be unregistered
 *
 * What remains before and after [@ptr, @ptr + @size) stays tracked, with
 * the original allocation details.
 */
void __ref kmemleak_free_part(const void *ptr, size_t size)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && !IS_ERR_OR_NULL(ptr))
		kml_remove_part(KML_VIRT, (unsigned long)ptr, size);
}
EXPORT_SYMBOL_GPL(kmemleak_free_part);

/**
 * kmemleak_free_percpu - unregister a previously registered per-CPU object
 * @ptr:	__percpu pointer to beginning of the object
 */
void __ref kmemleak_free_percpu(const void __percpu *ptr)
{
	if (kml_tracking(READ_ONCE(kmemleak_free_enabled)) && ptr &&
	    !IS_ERR_PCPU(ptr))
		kml_remove(KML_PERCPU, (__force unsigned long)ptr, false, NULL);
}
EXPORT_SYMBOL_GPL(kmemleak_free_percpu);

/**
 * kmemleak_update_trace - replace the allocation stack of an object
 * @ptr:	pointer to the beginning or inside the object
 *
 * For objects handed out from a pool, so the report names the code that
 * took the object rather than the code that filled the pool.
 */
void __ref kmemleak_update_trace(const void *ptr)
{
	depot_stack_handle_t trace;

	if (!kml_tracking(READ_ONCE(kmemleak_enabled)) || IS_ERR_OR_NULL(ptr))
		return;
	trace = kml_save_trace(_RET_IP_);
	kml_update(KML_VIRT, (unsigned long)ptr, true, kml_set_trace, &trace);
}
EXPORT_SYMBOL(kmemleak_update_trace);

/**
 * kmemleak_not_leak - never report an object as a leak
 * @ptr:	pointer to beginning of the object
 *
 * The object is still scanned, so what it points to is not reported.
 */
void __ref kmemleak_not_leak(const void *ptr)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && !IS_ERR_OR_NULL(ptr))
		kml_update(KML_VIRT, (unsigned long)ptr, false, kml_set_gray,
			   NULL);
}
EXPORT_SYMBOL(kmemleak_not_leak);

/**
 * kmemleak_transient_leak - an object is briefly unreferenced on purpose
 * @ptr:	pointer to beginning of the object
 *
 * Forgets the object's checksum, so the next scan sees it as modified and
 * does not report it.
 */
void __ref kmemleak_transient_leak(const void *ptr)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && !IS_ERR_OR_NULL(ptr))
		kml_update(KML_VIRT, (unsigned long)ptr, false,
			   kml_reset_checksum, NULL);
}
EXPORT_SYMBOL(kmemleak_transient_leak);

/**
 * kmemleak_ignore - ignore an object
 * @ptr:	pointer to beginning of the object
 *
 * The object is neither reported nor scanned: use it for blocks that hold
 * no pointers and are referenced in ways a scan cannot see.
 */
void __ref kmemleak_ignore(const void *ptr)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && !IS_ERR_OR_NULL(ptr))
		kml_update(KML_VIRT, (unsigned long)ptr, false, kml_set_black,
			   NULL);
}
EXPORT_SYMBOL(kmemleak_ignore);

/**
 * kmemleak_scan_area - limit the scan of an object to some areas
 * @ptr:	pointer to the beginning of the area, inside an object
 * @size:	size of the area
 * @gfp:	allocation flags of the caller
 *
 * Once an object has scan areas, only they are scanned.  Use it for large
 * objects with a few pointer fields.  A @size of SIZE_MAX extends the area
 * to the end of the object.
 */
void __ref kmemleak_scan_area(const void *ptr, size_t size, gfp_t gfp)
{
	struct kml_area *area = NULL;

	if (!kml_tracking(READ_ONCE(kmemleak_enabled)) || !size ||
	    IS_ERR_OR_NULL(ptr))
		return;
	if (kml_area_cache)
		area = kmem_cache_alloc(kml_area_cache, gfp_nested_mask(gfp));
	if (!area) {
		pr_warn_once("cannot allocate a scan area; objects are scanned whole\n");
		return;
	}
	area->start = (unsigned long)ptr;
	area->size = size;
	INIT_HLIST_NODE(&area->node);
	if (!kml_update(KML_VIRT, (unsigned long)ptr, true, kml_add_area,
			&area))
		pr_warn_ratelimited("scan area for unknown object at 0x%08lx\n",
				    (unsigned long)ptr);
	else if (area)
		pr_warn_ratelimited("scan area 0x%08lx (size %zu) exceeds its object\n",
				    (unsigned long)ptr, size);
	if (area)
		kmem_cache_free(kml_area_cache, area);
}
EXPORT_SYMBOL(kmemleak_scan_area);

/**
 * kmemleak_no_scan - do not scan an object
 * @ptr:	pointer to beginning of the object
 *
 * The object can still be reported; only its contents are not searched
 * for pointers.
 */
void __ref kmemleak_no_scan(const void *ptr)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)) && !IS_ERR_OR_NULL(ptr))
		kml_update(KML_VIRT, (unsigned long)ptr, false,
			   kml_set_no_scan, NULL);
}
EXPORT_SYMBOL(kmemleak_no_scan);

/**
 * kmemleak_alloc_phys - register a physically addressed object
 * @phys:	physical address of the object
 * @size:	size of the object
 * @gfp:	allocation flags of the caller
 *
 * Used by memblock.  Such objects are never reported; those in lowmem are
 * scanned.
 */
void __ref kmemleak_alloc_phys(phys_addr_t phys, size_t size, gfp_t gfp)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)))
		kml_track(KML_PHYS, (unsigned long)phys, size, KML_GRAY, gfp, 0,
			  _RET_IP_);
}
EXPORT_SYMBOL(kmemleak_alloc_phys);

/**
 * kmemleak_free_part_phys - unregister part of a physically addressed object
 * @phys:	physical address of the beginning or inside the object
 * @size:	size to be unregistered
 */
void __ref kmemleak_free_part_phys(phys_addr_t phys, size_t size)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)))
		kml_remove_part(KML_PHYS, (unsigned long)phys, size);
}
EXPORT_SYMBOL(kmemleak_free_part_phys);

/**
 * kmemleak_ignore_phys - ignore a physically addressed object
 * @phys:	physical address of the object
 */
void __ref kmemleak_ignore_phys(phys_addr_t phys)
{
	if (kml_tracking(READ_ONCE(kmemleak_enabled)))
		kml_update(KML_PHYS, (unsigned long)phys, false, kml_set_black,
			   NULL);
}
EXPORT_SYMBOL(kmemleak_ignore_phys);

/* Scanning */

bool kml_scan_should_stop(void)
{
	if (!READ_ONCE(kmemleak_enabled))
		return true;
	if (current->flags & PF_KTHREAD)
		return kthread_should_stop();
	return signal_pending(current);
}

void kml_yield(void)
{
	cond_resched();
}

static void kml_scan_chunks(struct kml_scan *sc, unsigned long a,
			    unsigned long e)
{
	while (a < e && !sc->stopped) {
		unsigned long next = min(e, a + SZ_64K);

		kml_scan_block(sc, a, next, NULL);
		a = next;
		cond_resched();
		if (kml_scan_should_stop())
			sc->stopped = true;
	}
}

/*
 * Scan a static root, minus our own data: the early pool's descriptors and
 * the core's address bounds name tracked blocks without keeping them alive.
 */
static void kml_scan_root(struct kml_scan *sc, const void *start,
			  const void *end)
{
	unsigned long a = (unsigned long)start, e = (unsigned long)end;
	unsigned long hole[2][2];
	const void *priv;
	size_t size;
	int i;

	priv = kml_private_data(&size);
	hole[0][0] = (unsigned long)kml_pool;
	hole[0][1] = (unsigned long)(kml_pool + ARRAY_SIZE(kml_pool));
	hole[1][0] = (unsigned long)priv;
	hole[1][1] = (unsigned long)priv + size;

	while (a < e) {
		unsigned long stop = e, resume = e;

		/* the first hole overlapping [a, e) */
		for (i = 0; i < ARRAY_SIZE(hole); i++) {
			if (hole[i][0] < e && hole[i][1] > a &&
			    hole[i][0] < stop) {
				stop = max(a, hole[i][0]);
				resume = hole[i][1];
			}
		}
		kml_scan_chunks(sc, a, stop);
		a = resume;
	}
}

/*
 * Pages come online a (sub)section at a time and their struct pages are
 * contiguous there: look the block up once, then walk its struct pages.
 */
#ifdef CONFIG_SPARSEMEM
#define KML_PFN_BLOCK		PAGES_PER_SUBSECTION
#else
#define KML_PFN_BLOCK		1UL
#endif

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
				if (page_zone(page) != zone || !page_count(page))
					continue;
				kml_scan_block(sc, (unsigned long)page,
					       (unsigned long)(page + 1), NULL);
			}
			cond_resched();
			if (kml_scan_should_stop())
				sc->stopped = true;
		}
	}
	put_online_mems();
}

/*
 * Task stacks are roots of their own, scanned only with stack=on; with
 * CONFIG_VMAP_STACK they are also vmalloc() blocks, which must not be
 * searched as ordinary objects, or stack=off would change nothing.
 */
static void kml_skip_stacks(struct kml_scan *sc)
{
	struct task_struct *g, *t;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		void *stack = try_get_task_stack(t);

		if (!stack)
			continue;
		kml_scan_skip(sc, (unsigned long)stack);
		put_task_stack(t);
	}
	rcu_read_unlock();
}

static void kml_scan_stacks(struct kml_scan *sc)
{
	struct task_struct *g, *t;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		void *stack = try_get_task_stack(t);
		unsigned long lo = (unsigned long)stack;
		unsigned long hi = lo + THREAD_SIZE;

		if (!stack)
			continue;
		/*
		 * Below our own frame lie only dead locals of this and earlier
		 * scans, full of stale pointers to tracked blocks.
		 */
		if (t == current && !IS_ENABLED(CONFIG_STACK_GROWSUP) &&
		    (unsigned long)&lo > lo && (unsigned long)&lo < hi)
			lo = (unsigned long)&lo;
		kml_scan_block(sc, lo, hi, NULL);
		put_task_stack(t);
	}
	rcu_read_unlock();
}

/* Hook for the core: reference the roots. */
void kml_scan_roots(struct kml_scan *sc)
{
	int __maybe_unused cpu;

	kml_skip_stacks(sc);
	kml_scan_root(sc, _sdata, _edata);
	kml_scan_root(sc, __bss_start, __bss_stop);
	if (&__start_ro_after_init[0] < &_sdata[0] ||
	    &__end_ro_after_init[0] > &_edata[0])
		kml_scan_root(sc, __start_ro_after_init, __end_ro_after_init);
#ifdef CONFIG_SMP
	for_each_possible_cpu(cpu)
		kml_scan_root(sc, __per_cpu_start + per_cpu_offset(cpu),
			      __per_cpu_end + per_cpu_offset(cpu));
#endif
	kml_scan_pages(sc);
	if (READ_ONCE(kml_stack_scan))
		kml_scan_stacks(sc);
}

/* Reporting */

static __printf(2, 3) void kml_print(struct seq_file *seq, const char *fmt,
				      ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	if (seq) {
		seq_vprintf(seq, fmt, args);
	} else {
		vaf.fmt = fmt;
		vaf.va = &args;
		pr_warn("%pV", &vaf);
	}
	va_end(args);
}

static void kml_print_contents(struct seq_file *seq,
			       const struct kmemleak_object *obj)
{
	size_t len = min_t(size_t, obj->size, KML_HEX_MAX);
	const void *buf = (const void *)obj->pointer;
	int cpu = raw_smp_processor_id();

	/* once frees are no longer tracked, the block may be gone */
	if (obj->space == KML_PHYS || !READ_ONCE(kmemleak_free_enabled))
		return;
	if (obj->space == KML_PERCPU) {
		buf = (const void *)kml_percpu_addr(obj->pointer, cpu);
		kml_print(seq, "  hex dump (first %zu bytes on cpu %d):\n",
			  len, cpu);
	} else {
		kml_print(seq, "  hex dump (first %zu bytes):\n", len);
	}

	kasan_disable_current();
	buf = kasan_reset_tag(buf);
	if (seq)
		seq_hex_dump(seq, "    ", DUMP_PREFIX_NONE, KML_HEX_ROW, 1, buf,
			     len, true);
	else
		print_hex_dump(KERN_WARNING, pr_fmt("    "), DUMP_PREFIX_NONE,
			       KML_HEX_ROW, 1, buf, len, true);
	kasan_enable_current();
}

/* Print one leak report; called with the object's shard lock held. */
static void kml_print_leak(struct seq_file *seq,
			   const struct kmemleak_object *obj)
{
	unsigned long *entries;
	unsigned int nr, i;

	kml_print(seq, "unreferenced object 0x%08lx (size %zu):\n",
		  obj->pointer, obj->size);
	kml_print(seq, "  comm \"%s\", pid %d, jiffies %lu\n", obj->comm,
		  obj->pid, obj->jiffies);
	kml_print_contents(seq, obj);
	kml_print(seq, "  backtrace (crc %x):\n", obj->checksum);
	nr = obj->trace ? stack_depot_fetch(obj->trace, &entries) : 0;
	for (i = 0; i < nr; i++)
		kml_print(seq, "    [<%p>] %pS\n", (void *)entries[i],
			  (void *)entries[i]);
}

/* Hook for the core: a scan found a new leak. */
void kml_report_new(struct kmemleak_object *obj)
{
	if (kml_verbose)
		kml_print_leak(NULL, obj);
}

/*
 * Zero the current task's stack below the caller's frame.  Scanning,
 * reporting and dumping leave the addresses of the blocks they handled
 * in dead frames there, and stacks are searched whole: as another task's
 * stack by the next scan, or as a vmalloc() block once the task has
 * exited and its stack waits in the cache for the next one.  Those stale
 * copies would hide the very leaks just found or printed.  Nothing below
 * the stack pointer is live (the kernel has no red zone), and an
 * interrupt taken meanwhile is done with its frame before we go on.
 */
static noinline __no_sanitize_address void kml_scrub_stack(void)
{
#if defined(CONFIG_ARCH_HAS_CURRENT_STACK_POINTER) && !defined(CONFIG_STACK_GROWSUP)
	unsigned long *p = end_of_stack(current) + 1;	/* keep the canary */
	unsigned long *sp = (unsigned long *)current_stack_pointer;

	while (p < sp)
		WRITE_ONCE(*p++, 0);
#endif
}

static int kml_do_scan(void)
{
	struct kml_scan sc = {
		.start = jiffies,
		.min_age = msecs_to_jiffies(KML_MIN_AGE_MS),
	};
	int ret;

	lockdep_assert_held(&kml_scan_mutex);
	kml_walk_begin();
	ret = kml_scan(&sc);
	kml_walk_end();

	if (sc.new_leaks) {
		kml_found_leaks = true;
		pr_info("%u new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n",
			sc.new_leaks);
	}
	return ret;
}

static int kml_thread_fn(void *arg)
{
	long delay = arg ? KML_FIRST_SCAN_SECS * HZ : 0;

	set_user_nice(current, 10);
	pr_info("automatic scanning started\n");
	while (!kthread_should_stop()) {
		while (delay > 0 && !kthread_should_stop())
			delay = schedule_timeout_interruptible(delay);
		if (kthread_should_stop())
			break;
		/* the stopper holds the mutex: poll rather than block on it */
		if (!mutex_trylock(&kml_scan_mutex)) {
			delay = HZ / 10;
			continue;
		}
		kml_do_scan();
		mutex_unlock(&kml_scan_mutex);
		kml_scrub_stack();
		delay = READ_ONCE(kml_scan_period);
	}
	pr_info("automatic scanning stopped\n");
	return 0;
}

static void kml_start_thread(bool boot)
{
	lockdep_assert_held(&kml_scan_mutex);
	if (kml_thread)
		return;
	kml_thread = kthread_run(kml_thread_fn, boot ? (void *)1 : NULL,
				 "kmemleak");
	if (IS_ERR(kml_thread)) {
		pr_warn("cannot start the scan thread: %ld\n",
			PTR_ERR(kml_thread));
		kml_thread = NULL;
	}
}

static void kml_stop_thread(void)
{
	lockdep_assert_held(&kml_scan_mutex);
	if (kml_thread) {
		kthread_stop(kml_thread);
		kml_thread = NULL;
	}
}

/* debugfs file */

static bool kml_listed(const struct kmemleak_object *obj)
{
	return obj->flags & KML_REPORTED && kml_unreferenced(obj);
}

static void *kml_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct kml_cursor *cur = seq->private;
	int err;

	err = mutex_lock_interruptible(&kml_scan_mutex);
	if (err)
		return ERR_PTR(err);
	kml_walk_begin();
	if (!*pos)
		memset(cur, 0, sizeof(*cur));
	return kml_cursor_seek(cur, kml_listed);
}

static void *kml_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct kml_cursor *cur = seq->private;

	++*pos;
	kml_cursor_advance(cur);
	return kml_cursor_seek(cur, kml_listed);
}

static void kml_seq_stop(struct seq_file *seq, void *v)
{
	if (IS_ERR(v))
		return;
	kml_walk_end();
	mutex_unlock(&kml_scan_mutex);
}

static void kml_show_locked(struct kmemleak_object *obj, void *seq)
{
	if (kml_listed(obj))
		kml_print_leak(seq, obj);
}

static int kml_seq_show(struct seq_file *seq, void *v)
{
	kml_call_locked(v, kml_show_locked, seq);
	return 0;
}

static const struct seq_operations kml_seq_ops = {
	.start = kml_seq_start,
	.next  = kml_seq_next,
	.stop  = kml_seq_stop,
	.show  = kml_seq_show,
};

static int kml_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &kml_seq_ops, sizeof(struct kml_cursor));
}

static ssize_t kml_read(struct file *file, char __user *buf, size_t size,
			loff_t *ppos)
{
	ssize_t ret = seq_read(file, buf, size, ppos);

	kml_scrub_stack();
	return ret;
}

static void kml_dump_locked(struct kmemleak_object *obj, void *arg)
{
	pr_info("object 0x%08lx (size %zu):\n", obj->pointer, obj->size);
	pr_info("  comm \"%s\", pid %d, jiffies %lu\n", obj->comm, obj->pid,
		obj->jiffies);
	pr_info("  min_count = %d\n", obj->min_count);
	pr_info("  count = %d\n", obj->count);
	pr_info("  flags = 0x%x\n", obj->flags);
	pr_info("  checksum = %u\n", obj->checksum);
	pr_info("  backtrace:\n");
	if (obj->trace)
		stack_depot_print(obj->trace);
}

static int kml_dump(unsigned long addr)
{
	if (kml_update(KML_VIRT, addr, true, kml_dump_locked, NULL))
		return 0;
	pr_info("Unknown object at 0x%08lx\n", addr);
	return -EINVAL;
}

static void kml_release_all(void)
{
	kml_reset_index(kml_free_meta);
}

static ssize_t kml_write(struct file *file, const char __user *ubuf,
			 size_t size, loff_t *ppos)
{
	char buf[KML_CMD_MAX + 2];
	struct kml_cmd cmd = {};
	int perr = -EINVAL;
	int ret;

	if (size <= sizeof(buf)) {
		if (copy_from_user(buf, ubuf, size))
			return -EFAULT;
		perr = kml_parse_cmd(buf, size, &cmd);
	}

	ret = mutex_lock_interruptible(&kml_scan_mutex);
	if (ret)
		return ret;

	if (!perr && cmd.op == KML_CMD_CLEAR) {
		if (READ_ONCE(kmemleak_enabled)) {
			kml_walk_begin();
			kml_clear();
			kml_walk_end();
			kml_found_leaks = false;
		} else if (!READ_ONCE(kmemleak_free_enabled)) {
			kml_release_all();
		}
		goto out;
	}
	if (!READ_ONCE(kmemleak_enabled)) {
		ret = -EPERM;
		goto out;
	}
	ret = perr;
	if (ret)
		goto out;

	switch (cmd.op) {
	case KML_CMD_SCAN:
		ret = kml_do_scan();
		break;
	case KML_CMD_OFF:
		kml_disable(NULL);
		break;
	case KML_CMD_STACK_ON:
		WRITE_ONCE(kml_stack_scan, true);
		break;
	case KML_CMD_STACK_OFF:
		WRITE_ONCE(kml_stack_scan, false);
		break;
	case KML_CMD_SCAN_ON:
		kml_start_thread(false);
		break;
	case KML_CMD_SCAN_OFF:
		kml_stop_thread();
		break;
	case KML_CMD_SCAN_SECS:
		kml_stop_thread();
		if (cmd.arg) {
			WRITE_ONCE(kml_scan_period,
				   msecs_to_jiffies(min_t(unsigned long,
							  cmd.arg * MSEC_PER_SEC,
							  UINT_MAX)));
			kml_start_thread(false);
		}
		break;
	case KML_CMD_DUMP:
		ret = kml_dump(cmd.arg);
		break;
	default:
		ret = -EINVAL;
		break;
	}
out:
	mutex_unlock(&kml_scan_mutex);
	kml_scrub_stack();
	/* the file position is left alone: a read on this fd starts at 0 */
	return ret ? ret : size;
}

static const struct file_operations kml_fops = {
	.owner		= THIS_MODULE,
	.open		= kml_open,
	.read		= kml_read,
	.write		= kml_write,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

/* Disabling */

static void kml_cleanup(struct work_struct *work)
{
	mutex_lock(&kml_scan_mutex);
	kml_stop_thread();
	/* no scan or walk runs now, and none will start */
	WRITE_ONCE(kmemleak_free_enabled, false);
	if (!kml_found_leaks)
		kml_release_all();
	else
		pr_info("reported leaks kept after disabling; \"echo clear > /sys/kernel/debug/kmemleak\" releases them\n");
	mutex_unlock(&kml_scan_mutex);
}

static DECLARE_WORK(kml_cleanup_work, kml_cleanup);

/* Stop tracking for good; safe in any context.  @why: NULL if asked to. */
static void kml_disable(const char *why)
{
	if (atomic_cmpxchg(&kml_disabled, 0, 1))
		return;
	if (why)
		pr_err("%s\n", why);
	WRITE_ONCE(kmemleak_enabled, false);
	/* pairs with the release in kmemleak_late_init(): workqueues exist */
	if (smp_load_acquire(&kml_late_done))
		schedule_work(&kml_cleanup_work);
	pr_info("Kernel memory leak detector disabled\n");
}

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
 * kmemleak_init - set up the metadata caches once slab is available
 *
 * Objects registered before this point came from the static pool.
 */
void __init kmemleak_init(void)
{
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF) && !kml_boot_on)
		kml_disable(NULL);
	if (atomic_read(&kml_disabled))
		return;

	kml_scan_period = msecs_to_jiffies(KML_SCAN_PERIOD_SECS * MSEC_PER_SEC);
	kml_object_cache = KMEM_CACHE(kmemleak_object, SLAB_NOLEAKTRACE);
	kml_area_cache = KMEM_CACHE(kml_area, SLAB_NOLEAKTRACE);
}

static int __init kmemleak_late_init(void)
{
	/* pairs with kml_disable(): from now on it may schedule work */
	smp_store_release(&kml_late_done, true);
	debugfs_create_file("kmemleak", 0644, NULL, NULL, &kml_fops);

	if (atomic_read(&kml_disabled)) {
		/* disabled before workqueues existed: release now */
		schedule_work(&kml_cleanup_work);
		return 0;
	}

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
