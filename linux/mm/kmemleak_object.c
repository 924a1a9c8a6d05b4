// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak object descriptors: where their memory comes from (a static
 * pool early in boot, a slab cache through small per-CPU caches later),
 * and the allocation stack and owner they record.
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/workqueue.h>

/*
 * Stack recall (below) needs unwinders whose frames are the real frames of
 * the stack, not a guess from every text address on it.
 */
#if defined(CONFIG_X86_64) && defined(CONFIG_ARCH_STACKWALK) &&	\
	(defined(CONFIG_UNWINDER_ORC) || defined(CONFIG_UNWINDER_FRAME_POINTER))
#define KML_RECALL 1
#include <linux/kallsyms.h>
#include <linux/randomize_kstack.h>
#include <asm/syscall.h>
#include <asm/unwind.h>
#endif

#include "kmemleak.h"

#define KML_MAGAZINE		32	/* free descriptors cached per CPU */

static struct kmem_cache *kml_object_cache;
static struct kmem_cache *kml_area_cache;

static struct kmemleak_object kml_pool[CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE];
static unsigned int kml_pool_next;	/* slots never handed out start here */
static HLIST_HEAD(kml_pool_free);
static unsigned int kml_pool_nr_free;	/* on kml_pool_free */
static DEFINE_RAW_SPINLOCK(kml_pool_lock);

static DEFINE_PER_CPU(u32, kml_serial);

/*
 * Descriptors and scan areas held from the slab caches, cached ones
 * included: what metadata_bytes shows, so that metadata which is never
 * given back shows as growth.  Per CPU, as every hook changes them; a
 * free on another CPU than the allocation leaves one negative, not the
 * sum.
 */
static DEFINE_PER_CPU(long, kml_slab_objects);
static DEFINE_PER_CPU(long, kml_slab_areas);

/* Allocation stacks unwound, and found again without unwinding. */
static DEFINE_PER_CPU(unsigned long, kml_stacks_walked);
static DEFINE_PER_CPU(unsigned long, kml_stacks_recalled);

/* Free pool slots are chained through ->link, unused out of the index. */
static struct kmemleak_object *kml_pool_get(void)
{
	struct kmemleak_object *obj = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&kml_pool_lock, flags);
	if (!hlist_empty(&kml_pool_free)) {
		obj = hlist_entry(kml_pool_free.first, struct kmemleak_object,
				  link);
		hlist_del(&obj->link);
		kml_pool_nr_free--;
	} else if (kml_pool_next < ARRAY_SIZE(kml_pool)) {
		obj = &kml_pool[kml_pool_next++];
	}
	raw_spin_unlock_irqrestore(&kml_pool_lock, flags);
	return obj;
}

static void kml_pool_put(struct kmemleak_object *obj)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&kml_pool_lock, flags);
	hlist_add_head(&obj->link, &kml_pool_free);
	kml_pool_nr_free++;
	raw_spin_unlock_irqrestore(&kml_pool_lock, flags);
}

unsigned int kml_pool_size(void)
{
	return ARRAY_SIZE(kml_pool);
}

unsigned int kml_pool_available(void)
{
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&kml_pool_lock, flags);
	n = ARRAY_SIZE(kml_pool) - kml_pool_next + kml_pool_nr_free;
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
	if (kml_tracking() && mag->nr < KML_MAGAZINE) {
		mag->objs[mag->nr++] = obj;
		kept = true;
	}
	local_irq_restore(flags);
	return kept;
}

/* Return the descriptors cached for @cpu; it is offline, or it is local. */
static void kml_magazine_drain(unsigned int cpu)
{
	struct kml_magazine *mag = per_cpu_ptr(&kml_magazines, cpu);
	struct kmemleak_object *objs[KML_MAGAZINE];
	unsigned long flags;
	unsigned int n, i;

	local_irq_save(flags);
	n = mag->nr;
	memcpy(objs, mag->objs, n * sizeof(objs[0]));
	mag->nr = 0;
	local_irq_restore(flags);
	for (i = 0; i < n; i++)
		kmem_cache_free(kml_object_cache, objs[i]);
	this_cpu_sub(kml_slab_objects, n);
}

static int kml_cpu_dead(unsigned int cpu)
{
	kml_magazine_drain(cpu);
	return 0;
}

static void kml_magazine_drain_local(struct work_struct *work)
{
	kml_magazine_drain(raw_smp_processor_id());
}

/* A cleared descriptor, or NULL. */
struct kmemleak_object *__kml_alloc_meta(gfp_t gfp)
{
	struct kmemleak_object *obj = NULL;
	u8 flags = 0;

	if (kml_object_cache) {
		obj = kml_magazine_get();
		if (!obj) {
			obj = kmem_cache_alloc(kml_object_cache,
					       gfp_nested_mask(gfp));
			if (obj)
				this_cpu_inc(kml_slab_objects);
		}
	}
	if (!obj) {
		obj = kml_pool_get();
		flags = KML_POOL;
	}
	if (obj) {
		memset(obj, 0, sizeof(*obj));
		obj->flags = flags;
	}
	return obj;
}

/* A descriptor for a new object; without one, tracking cannot go on. */
struct kmemleak_object *kml_alloc_meta(gfp_t gfp)
{
	struct kmemleak_object *obj = __kml_alloc_meta(gfp);

	if (!obj)
		kml_disable(kml_object_cache ?
			    "out of memory for object metadata" :
			    "early object pool exhausted: raise CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE");
	return obj;
}

/* A scan area, or NULL. */
struct kml_area *kml_alloc_area(gfp_t gfp)
{
	struct kml_area *area;

	if (!kml_area_cache)
		return NULL;
	area = kmem_cache_alloc(kml_area_cache, gfp_nested_mask(gfp));
	if (area)
		this_cpu_inc(kml_slab_areas);
	return area;
}

/* Hook for the core: release a scan area. */
void kml_free_area(struct kml_area *area)
{
	kmem_cache_free(kml_area_cache, area);
	this_cpu_dec(kml_slab_areas);
}

/* Hook for the core: release an object that left the index. */
void kml_free_meta(struct kmemleak_object *obj)
{
	struct kml_area *area;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(area, tmp, &obj->areas, node)
		kml_free_area(area);

	if (obj->flags & KML_POOL) {
		kml_pool_put(obj);
	} else if (!kml_magazine_put(obj)) {
		kmem_cache_free(kml_object_cache, obj);
		this_cpu_dec(kml_slab_objects);
	}
}

/* Bytes of descriptors and scan areas held, from the pool or the slab. */
unsigned long kml_metadata_bytes(void)
{
	unsigned long bytes = (kml_pool_size() - kml_pool_available()) *
			      sizeof(struct kmemleak_object);
	long objs = 0, areas = 0;
	int cpu;

	if (!kml_object_cache)
		return bytes;
	for_each_possible_cpu(cpu) {
		objs += per_cpu(kml_slab_objects, cpu);
		areas += per_cpu(kml_slab_areas, cpu);
	}
	/*
	 * What the slab caches hand out, redzones and alignment included;
	 * the sum may be caught between an allocation and its count.
	 */
	bytes += max(objs, 0L) * kmem_cache_size(kml_object_cache);
	if (kml_area_cache)
		bytes += max(areas, 0L) * kmem_cache_size(kml_area_cache);
	return bytes;
}

/* Allocation stacks */

/*
 * Where a walk read its return addresses: for each frame, the stack slot,
 * in words below the top of the task stack.  @ok while every frame came
 * from such a slot; @linked if each slot's frame pointer names the next
 * one (a frame-pointer walk).
 */
struct kml_slots {
	unsigned int nr;
	bool ok;
	bool linked;
	u16 slot[KML_TRACE_DEPTH + KML_TRACE_SKIP];
};

static __always_inline void kml_slot_add(struct kml_slots *s,
					 unsigned long top,
					 const unsigned long *where)
{
	unsigned long off = (top - (unsigned long)where) / sizeof(long);

	if (s->nr >= ARRAY_SIZE(s->slot) || off > U16_MAX)
		s->ok = false;
	else
		s->slot[s->nr++] = off;
}

#ifdef KML_RECALL
/*
 * Recently recorded stacks, by the return address of the API function and
 * the stack depth at which the detector was entered.  A call through the
 * same chain of frames finds the same return addresses in the same stack
 * slots.  They are read back and compared, and if all of them match, the
 * walk's result (the depot handle) is reused without unwinding.
 *
 * Why a match is the same chain: going outwards from the detector's own
 * frame, whose place the depth gives, the first frame where two chains
 * differ has its return address at the same slot in both, unless a frame
 * before it is sized at run time.  So only walks whose every frame has a
 * size fixed by its code are recorded: with frame pointers, the links
 * between the slots are compared too, which is all the unwinder reads;
 * with ORC, a frame addressed from its frame pointer (alloca(), stack
 * realignment: SLUB's allocation functions realign theirs for the
 * freelist's double-word cmpxchg) is sized at run time, so a walk through
 * one is recorded only if it went on to the end of the stack: the frames
 * outside it are then placed from the top of the stack as the frames
 * inside it are placed from the depth, and the same argument holds from
 * both ends.  A walk through two such frames, or an exception frame, is
 * not recorded.  The code at a return address must not change: only core
 * kernel and module text is recorded, module text once the module
 * notifier is in place, and every module state change (text loaded, init
 * text freed, text freed) forgets all entries.
 *
 * Only in task context, for walks that stayed on the task stack.  Slab
 * allocations all return through one function of the allocator, so the
 * depth tells most chains apart: sets of KML_RECALL_WAYS entries per key,
 * each chain in the way its return addresses hash to.  Entries are
 * rewritten under a sequence count taken with cmpxchg(): a writer that
 * finds one busy just leaves it, a reader that meets a write unwinds.
 */
#define KML_RECALL_BITS		10
#define KML_RECALL_WAYS		4

struct kml_recall_entry {
	unsigned int seq;		/* odd while being rewritten */
	unsigned int gen;		/* kml_recall_gen when recorded */
	depot_stack_handle_t handle;
	unsigned long caller;
	unsigned long depth;		/* bytes from stack top to entry sp */
	struct kml_slots slots;
	unsigned long word[KML_TRACE_DEPTH + KML_TRACE_SKIP];
};

static struct kml_recall_entry kml_recalls[1 << KML_RECALL_BITS];
static atomic_t kml_recall_gen;
/* module text is recorded once module state changes reach kml_recall_gen */
static bool kml_recall_modules;
/* do_syscall_64(): addressed from its frame pointer (kml_unwind()) */
static unsigned long kml_syscall_text, kml_syscall_size;

static __always_inline struct kml_recall_entry *
kml_recall_set(unsigned long caller, unsigned long depth)
{
	unsigned int set = hash_long(caller ^ depth, KML_RECALL_BITS -
				     ilog2(KML_RECALL_WAYS));

	return &kml_recalls[set * KML_RECALL_WAYS];
}

static __always_inline unsigned long kml_stack_top(void)
{
	return (unsigned long)task_stack_page(current) + THREAD_SIZE;
}

/* The handle @r recorded if it matches the stack as it is, or 0. */
static __always_inline depot_stack_handle_t
kml_recall_one(const struct kml_recall_entry *r, unsigned long caller,
	       unsigned long top, unsigned long depth, unsigned int gen)
{
	const unsigned long *base = (const unsigned long *)top;
	unsigned int seq, nr, i, off, next;
	depot_stack_handle_t handle;
	bool linked;

	seq = READ_ONCE(r->seq);
	if (seq & 1)
		return 0;
	smp_rmb();	/* the entry after its count: kml_remember()'s smp_wmb() */
	nr = READ_ONCE(r->slots.nr);
	linked = READ_ONCE(r->slots.linked);
	if (READ_ONCE(r->caller) != caller || READ_ONCE(r->depth) != depth ||
	    READ_ONCE(r->gen) != gen || !nr || nr > ARRAY_SIZE(r->word))
		return 0;
	for (i = 0; i < nr; i++) {
		off = READ_ONCE(r->slots.slot[i]);
		/* only the live part of the stack, above where we are */
		if (!off || (off + linked) * sizeof(long) > depth ||
		    READ_ONCE_NOCHECK(base[-(long)off]) != READ_ONCE(r->word[i]))
			return 0;
		if (!linked || i + 1 == nr)
			continue;
		/* the saved frame pointer, below the slot, names the next */
		next = READ_ONCE(r->slots.slot[i + 1]);
		if (READ_ONCE_NOCHECK(base[-(long)off - 1]) !=
		    top - (next + 1UL) * sizeof(long))
			return 0;
	}
	handle = READ_ONCE(r->handle);
	smp_rmb();	/* the count again after the entry: unchanged meanwhile */
	return READ_ONCE(r->seq) == seq ? handle : 0;
}

static depot_stack_handle_t kml_recall(unsigned long caller,
				       unsigned long top, unsigned long depth,
				       unsigned int gen)
{
	const struct kml_recall_entry *r = kml_recall_set(caller, depth);
	depot_stack_handle_t handle = 0;
	unsigned int i;

	for (i = 0; i < KML_RECALL_WAYS && !handle; i++)
		handle = kml_recall_one(r + i, caller, top, depth, gen);
	return handle;
}

/*
 * Record a walk, its return addresses read back from the slots (frames
 * the walker is still in: unchanged), if they are all in text that stays.
 */
static void kml_remember(unsigned long caller, unsigned long top,
			 unsigned long depth, unsigned int gen,
			 const struct kml_slots *s, depot_stack_handle_t handle)
{
	const unsigned long *base = (const unsigned long *)top;
	struct kml_recall_entry *r = kml_recall_set(caller, depth);
	unsigned long word[ARRAY_SIZE(r->word)], mix = 0;
	unsigned int seq, i;

	for (i = 0; i < s->nr; i++) {
		word[i] = READ_ONCE_NOCHECK(base[-(long)s->slot[i]]);
		if (!core_kernel_text(word[i]) &&
		    !(READ_ONCE(kml_recall_modules) &&
		      is_module_text_address(word[i])))
			return;
		mix ^= word[i] + i;
	}
	r += hash_long(mix, ilog2(KML_RECALL_WAYS));
	seq = READ_ONCE(r->seq);
	/* a full barrier: the odd count is seen before any field changes */
	if (seq & 1 || cmpxchg(&r->seq, seq, seq + 1) != seq)
		return;
	WRITE_ONCE(r->caller, caller);
	WRITE_ONCE(r->depth, depth);
	WRITE_ONCE(r->gen, gen);
	WRITE_ONCE(r->handle, handle);
	WRITE_ONCE(r->slots.nr, s->nr);
	WRITE_ONCE(r->slots.linked, s->linked);
	for (i = 0; i < s->nr; i++) {
		WRITE_ONCE(r->slots.slot[i], s->slot[i]);
		WRITE_ONCE(r->word[i], word[i]);
	}
	smp_wmb();	/* the entry before the even count that publishes it */
	WRITE_ONCE(r->seq, seq + 2);
}

static __always_inline unsigned int kml_recall_generation(void)
{
	return atomic_read(&kml_recall_gen);
}

/* Module text came, or went: what was recorded through it may differ. */
void kml_recall_forget(void)
{
	atomic_inc(&kml_recall_gen);
}

/* Module state changes now call kml_recall_forget(). */
void kml_recall_watch_modules(void)
{
	WRITE_ONCE(kml_recall_modules, true);
}

/* Return addresses only: no references to blocks, nothing to scan. */
static void __init kml_recall_init(void)
{
	unsigned long off;

	if (kallsyms_lookup_size_offset((unsigned long)do_syscall_64,
					&kml_syscall_size, &off) && !off)
		kml_syscall_text = (unsigned long)do_syscall_64;
	kml_check_roots(kml_cut_roots((unsigned long)kml_recalls,
				      (unsigned long)(kml_recalls +
						      ARRAY_SIZE(kml_recalls))));
}
#else
static __always_inline unsigned long kml_stack_top(void)
{
	return 0;
}

static inline depot_stack_handle_t kml_recall(unsigned long caller,
					      unsigned long top,
					      unsigned long depth,
					      unsigned int gen)
{
	return 0;
}

static inline void kml_remember(unsigned long caller, unsigned long top,
				unsigned long depth, unsigned int gen,
				const struct kml_slots *s,
				depot_stack_handle_t handle)
{
}

static inline unsigned int kml_recall_generation(void)
{
	return 0;
}

void kml_recall_forget(void)
{
}

void kml_recall_watch_modules(void)
{
}

static inline void kml_recall_init(void)
{
}
#endif

/*
 * Whether return addresses on this task's stack may have been replaced by
 * a tracer's trampoline (function graph tracing, kretprobes): the slots
 * then no longer tell one chain of frames from another.
 */
static __always_inline bool kml_returns_hooked(void)
{
#ifdef CONFIG_FUNCTION_GRAPH_TRACER
	if (READ_ONCE(current->curr_ret_stack))
		return true;
#endif
#ifdef CONFIG_KRETPROBES
	if (READ_ONCE(current->kretprobe_instances.first))
		return true;
#endif
#ifdef CONFIG_RETHOOK
	if (READ_ONCE(current->rethooks.first))
		return true;
#endif
	return false;
}

/* Whether this allocation may reuse, or leave, a recorded walk. */
static __always_inline bool kml_recall_here(void)
{
#ifdef KML_RECALL
	return in_task() && !kml_returns_hooked();
#else
	return false;
#endif
}

/*
 * With frame pointers, the frames of a task form a chain on its stack that
 * can be followed with two loads a frame; the general unwinder also checks
 * each address against the kernel's and modules' text, several times the
 * cost.  Only in task context, where the whole chain is on the task stack:
 * a link leaving it, or not pointing further up, ends the walk, as does a
 * link to the registers at the top of the stack (a kernel thread's first
 * frame, an exception from user mode).  False if it did not reach
 * @t->caller, or met an exception frame inside the stack (its link is
 * marked, see ENCODE_FRAME_POINTER): the general unwinder, which walks
 * through those, then starts over.
 */
static __always_inline bool kml_walk_frames(struct kml_trace *t,
					    struct kml_slots *s)
{
#if defined(CONFIG_X86_64) && defined(CONFIG_UNWINDER_FRAME_POINTER)
	unsigned long lo = (unsigned long)task_stack_page(current);
	unsigned long top = lo + THREAD_SIZE;
	unsigned long span = THREAD_SIZE - 2 * sizeof(long);
	unsigned long fp = (unsigned long)__builtin_frame_address(0);
	const unsigned long *frame;
	unsigned int n = 0;

	s->linked = true;
	/* up to the caller's frame: the detector's own frames are skipped */
	for (;;) {
		if (fp - lo > span || fp % sizeof(long) ||
		    n++ == KML_TRACE_SKIP)
			return false;
		frame = (const unsigned long *)fp;
		kml_slot_add(s, top, &frame[1]);
		if (READ_ONCE_NOCHECK(frame[1]) == t->caller)
			break;
		fp = READ_ONCE_NOCHECK(frame[0]);
		if (fp <= (unsigned long)frame)
			return false;
	}
	/* from there, each link must point further up the same stack */
	for (n = 0; n < KML_TRACE_DEPTH; n++) {
		if (n)
			kml_slot_add(s, top, &frame[1]);
		t->entries[n] = READ_ONCE_NOCHECK(frame[1]);
		fp = READ_ONCE_NOCHECK(frame[0]);
		/* the registers at the top end the stack; others are walked */
		if (fp == ((unsigned long)task_pt_regs(current) | 1)) {
			n++;
			break;
		}
		if (fp & 1)
			return false;
		if (fp <= (unsigned long)frame || fp - lo > span ||
		    fp % sizeof(long)) {
			n++;
			break;
		}
		frame = (const unsigned long *)fp;
	}
	t->nr = n;
	t->found = true;
	return true;
#else
	return false;
#endif
}

#if !defined(KML_RECALL) && defined(CONFIG_ARCH_STACKWALK)
static bool kml_trace_entry(void *cookie, unsigned long addr)
{
	return kml_trace_add(cookie, addr);
}
#endif

#ifdef CONFIG_UNWINDER_ORC
/*
 * do_syscall_64() is addressed from its frame pointer for the stack offset
 * randomisation's alloca(), but without the randomisation its frame is the
 * same on every call.  It ran at @addr in the frame just popped.
 */
static __always_inline bool kml_syscall_frame(unsigned long addr)
{
#ifdef CONFIG_RANDOMIZE_KSTACK_OFFSET
	if (static_branch_maybe(CONFIG_RANDOMIZE_KSTACK_OFFSET_DEFAULT,
				&randomize_kstack_offset))
		return false;
#endif
	return addr - kml_syscall_text - 1 < kml_syscall_size;
}

static __always_inline bool kml_user_regs(const struct unwind_state *state)
{
	return state->regs && user_mode(state->regs);
}
#else
static __always_inline bool kml_user_regs(const struct unwind_state *state)
{
	return false;
}
#endif

/*
 * The general unwinder.  With ORC, it records where each return address
 * came from while that is a plain slot of the task stack in a frame of
 * fixed size (see kml_recall()).
 */
static __always_inline void kml_unwind(struct kml_trace *t,
				       struct kml_slots *s)
{
#ifdef KML_RECALL
	unsigned long lo = (unsigned long)task_stack_page(current);
	unsigned long top = lo + THREAD_SIZE;
	struct unwind_state state;
	unsigned long addr = 0;
	unsigned int sized = 0;	/* frames sized at run time */
	bool end;

	s->linked = false;
	if (!IS_ENABLED(CONFIG_UNWINDER_ORC))
		s->ok = false;
	unwind_start(&state, current, NULL, NULL);
	while (!unwind_done(&state)) {
		unsigned long *where = unwind_get_return_address_ptr(&state);
#ifdef CONFIG_UNWINDER_ORC
		unsigned long bp = state.bp;
#endif

		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		/* an exception frame, another stack, or a trampoline */
		if (unwind_get_entry_regs(&state, NULL) || !where ||
		    (unsigned long)where < lo || (unsigned long)where >= top ||
		    READ_ONCE_NOCHECK(*where) != addr)
			s->ok = false;
		else if (s->ok)
			kml_slot_add(s, top, where);
		if (!kml_trace_add(t, addr))
			break;
		unwind_next_frame(&state);
#ifdef CONFIG_UNWINDER_ORC
		if (state.sp == bp + 2 * sizeof(long) &&
		    !kml_syscall_frame(addr))
			sized++;
#endif
	}
	/* the end of a kernel thread's stack, or a user task's registers */
	if (unwind_done(&state))
		end = !unwind_error(&state);
	else
		end = !addr && kml_user_regs(&state);
	if (unwind_error(&state) || sized > 1 || (sized && !end))
		s->ok = false;
#elif defined(CONFIG_ARCH_STACKWALK)
	s->ok = false;
	arch_stack_walk(kml_trace_entry, t, current, NULL);
#else
	unsigned long entries[ARRAY_SIZE(t->entries)];
	unsigned int nr = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	unsigned int i;

	s->ok = false;
	for (i = 0; i < nr && kml_trace_add(t, entries[i]); i++)
		;
#endif
}

/*
 * Record the stack from @caller outwards: @caller is the return address of
 * the API function, so frames of the detector itself are left out whatever
 * the compiler inlined.  The walk stops as soon as it has the frames it
 * keeps: unwinding is most of the cost of tracking an allocation, which a
 * stack seen before (kml_recall()) does without.
 */
noinline depot_stack_handle_t kml_save_trace(unsigned long caller)
{
	struct kml_trace t = { .caller = caller };
	struct kml_slots s = {};
	unsigned long top = 0, depth = 0;
	depot_stack_handle_t handle;
	unsigned int gen = 0;

	/* the depot is set up just before kmemleak_init() creates the cache */
	if (!kml_object_cache)
		return 0;
	if (kml_recall_here()) {
		top = kml_stack_top();
		depth = top - current_stack_pointer;
		s.ok = depth < THREAD_SIZE;
	}
	if (s.ok) {
		gen = kml_recall_generation();
		handle = kml_recall(caller, top, depth, gen);
		if (handle) {
			this_cpu_inc(kml_stacks_recalled);
			return handle;
		}
	}
	this_cpu_inc(kml_stacks_walked);
	if (!s.ok || !kml_walk_frames(&t, &s)) {
		s.nr = 0;
		kml_unwind(&t, &s);
	}
	/* an unwinder that missed @caller: keep what it gave */
	handle = stack_depot_save(t.entries,
				  min_t(unsigned int, t.nr, KML_TRACE_DEPTH),
				  GFP_NOWAIT);
	if (handle && s.ok && s.nr && t.found)
		kml_remember(caller, top, depth, gen, &s, handle);
	return handle;
}

void kml_stack_counts(unsigned long *walked, unsigned long *recalled)
{
	int cpu;

	*walked = *recalled = 0;
	for_each_possible_cpu(cpu) {
		*walked += per_cpu(kml_stacks_walked, cpu);
		*recalled += per_cpu(kml_stacks_recalled, cpu);
	}
}

/* Who allocates, and when, in which order on this CPU. */
void kml_set_owner(struct kmemleak_object *obj)
{
	obj->jiffies = jiffies;
	obj->serial = this_cpu_inc_return(kml_serial);
	if (in_hardirq()) {
		strscpy(obj->comm, "hardirq");
	} else if (in_serving_softirq()) {
		strscpy(obj->comm, "softirq");
	} else {
		obj->pid = current->pid;
		strscpy(obj->comm, current->comm);
	}
}

/* Once slab works: the caches, and the pool left out of the roots. */
void __init kml_objects_init(void)
{
	kml_object_cache = KMEM_CACHE(kmemleak_object, SLAB_NOLEAKTRACE);
	kml_area_cache = KMEM_CACHE(kml_area, SLAB_NOLEAKTRACE);
	kml_recall_init();
	/* the pool's descriptors name tracked blocks: not references */
	kml_check_roots(kml_cut_roots((unsigned long)kml_pool,
				      (unsigned long)(kml_pool +
						      ARRAY_SIZE(kml_pool))));
}

/* Once CPU hotplug works: drain what an offlined CPU cached. */
void __init kml_objects_late_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "mm/kmemleak:dead",
					NULL, kml_cpu_dead);
	if (ret < 0)
		pr_warn("no CPU hotplug callback (%d): descriptors cached by offlined CPUs are kept\n",
			ret);
}

/* At teardown, with tracking off: return what every CPU cached. */
void kml_objects_drain(void)
{
	if (kml_object_cache)
		schedule_on_each_cpu(kml_magazine_drain_local);
}
