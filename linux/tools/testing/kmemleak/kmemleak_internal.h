/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for mm/kmemleak_internal.h.
 *
 * The include guard is the kernel header's: once this file is included,
 * the #include "kmemleak_internal.h" of mm/kmemleak_core.h is a no-op and
 * the core (mm/kmemleak_index.c, kmemleak_scan.c, kmemleak_cmd.c) builds
 * against what is declared here instead of the kernel headers.  Like
 * tools/testing/vma/vma_internal.h, it provides only what those kernel
 * headers provide, under the kernel's names: tools/include for lists,
 * rbtrees, hashes, bitops, barriers and ctype, and userspace versions of
 * the rest.  Whatever is not a static inline lives in shim.c.
 *
 * Raw spinlocks are real locks that also check the core's rules: a lock
 * is never taken twice or nested in another (the core never holds two),
 * write_seqcount_begin() runs under a lock, and the work done under each
 * hold is measured (see shim_hold_max).
 */
#ifndef __MM_KMEMLEAK_INTERNAL_H
#define __MM_KMEMLEAK_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <asm/barrier.h>
#include <linux/align.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/ctype.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

/* Report a broken rule of the kernel API and stop the program. */
#define SHIM_BUG(...) do {						\
	fprintf(stdout, "# shim: %s:%d: ", __FILE__, __LINE__);	\
	fprintf(stdout, __VA_ARGS__);					\
	fprintf(stdout, "\n");						\
	fflush(stdout);							\
	abort();							\
} while (0)

/* include/linux/compiler_types.h, cache.h, kcsan-checks.h */
#ifndef __percpu
#define __percpu
#endif
#ifndef __must_check
#define __must_check			__attribute__((__warn_unused_result__))
#endif
#define ____cacheline_aligned_in_smp	__attribute__((__aligned__(64)))
#define data_race(expr)			(expr)

/*
 * Bytes of memory the core read through READ_ONCE_NOCHECK() (the scan's
 * word loads) and crc32() (checksums), by this thread.  The raw spinlocks
 * below turn it into the most read within one lock hold.
 */
extern __thread unsigned long shim_bytes_read;

/*
 * If set, called before each such load by this thread: lets a test act
 * in the middle of the core's scan loop.
 */
extern __thread void (*shim_read_hook)(const volatile void *p);

/*
 * include/asm-generic/rwonce.h.  The kernel's skips KASAN checks; here the
 * load stays instrumented, so that AddressSanitizer reports the core
 * reading a block that is freed or that it was never given.
 */
#define READ_ONCE_NOCHECK(x) ({						\
	shim_bytes_read += sizeof(x);					\
	if (unlikely(shim_read_hook))					\
		shim_read_hook(&(x));					\
	READ_ONCE(x);							\
})

/* include/linux/kasan.h: no tags, nothing to disable */
#define KASAN_TAG_KERNEL		0xFF
#define kasan_reset_tag(addr)		((void *)(addr))
#define kasan_disable_current()		do { } while (0)
#define kasan_enable_current()		do { } while (0)

/* include/linux/kcsan-checks.h */
#define kcsan_disable_current()		do { } while (0)
#define kcsan_enable_current()		do { } while (0)

/* include/linux/lockdep.h: no lockdep */
struct lock_class_key { };
#define lockdep_set_class(lock, key)	do { (void)(lock); (void)(key); } while (0)

/* include/linux/atomic.h: the kernel's bitops and cmpxchg are atomic */
#undef set_bit
#define set_bit(nr, addr)						\
	((void)__atomic_fetch_or((addr) + (nr) / BITS_PER_LONG,	\
				 1UL << ((nr) % BITS_PER_LONG),		\
				 __ATOMIC_RELAXED))
#ifndef cmpxchg
#define cmpxchg(p, o, n)		__sync_val_compare_and_swap(p, o, n)
#endif

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_long_inc(atomic_long_t *v)
{
	__atomic_add_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}

static inline void atomic_long_dec(atomic_long_t *v)
{
	__atomic_sub_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}

/* include/linux/spinlock_types_raw.h, spinlock.h */
typedef struct {
	int locked;
	const void *owner;	/* &shim_self of the holder */
} raw_spinlock_t;

#define __RAW_SPIN_LOCK_UNLOCKED(name)	{ .locked = 0, .owner = NULL }
#define DEFINE_RAW_SPINLOCK(name)	\
	raw_spinlock_t name = __RAW_SPIN_LOCK_UNLOCKED(name)

/* Raw spinlocks this thread holds; its identity; the current hold. */
extern __thread int shim_lock_depth;
extern __thread char shim_self;
extern __thread unsigned long shim_hold_start;
/* The most bytes this thread read within one hold of any raw spinlock. */
extern __thread unsigned long shim_hold_max;

static inline void raw_spin_lock_init(raw_spinlock_t *l)
{
	l->locked = 0;
	l->owner = NULL;
}

static inline bool shim_lock_held(raw_spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == &shim_self;
}

static inline void shim_lock(raw_spinlock_t *l)
{
	if (shim_lock_held(l))
		SHIM_BUG("raw spinlock %p taken twice", (void *)l);
	if (shim_lock_depth)
		SHIM_BUG("raw spinlock %p nested in another", (void *)l);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_store_n(&l->owner, &shim_self, __ATOMIC_RELAXED);
	shim_lock_depth++;
	shim_hold_start = shim_bytes_read;
}

static inline void shim_unlock(raw_spinlock_t *l)
{
	unsigned long held = shim_bytes_read - shim_hold_start;

	if (!shim_lock_held(l))
		SHIM_BUG("raw spinlock %p released but not held", (void *)l);
	if (held > shim_hold_max)
		shim_hold_max = held;
	shim_lock_depth--;
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#define raw_spin_lock_irqsave(l, flags)				\
	do { (flags) = 0; shim_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, flags)				\
	do { (void)(flags); shim_unlock(l); } while (0)

/*
 * include/linux/seqlock.h.  A writer must keep readers from preempting
 * it, which in the kernel means a lock held or preemption off: here, a
 * raw spinlock held.
 */
typedef struct {
	unsigned int sequence;
} seqcount_t;

#define SEQCNT_ZERO(name)		{ .sequence = 0 }

/* Write sections this thread has open. */
extern __thread int shim_seq_writing;

static inline unsigned int raw_read_seqcount_begin(const seqcount_t *s)
{
	unsigned int seq;

	while ((seq = __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE)) & 1) {
		if (shim_seq_writing)
			SHIM_BUG("seqcount read spins on a write section of its own thread");
		sched_yield();
	}
	return seq;
}

static inline int read_seqcount_retry(const seqcount_t *s, unsigned int start)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->sequence, __ATOMIC_RELAXED) != start;
}

static inline void raw_write_seqcount_begin(seqcount_t *s)
{
	if (!shim_lock_depth)
		SHIM_BUG("raw_write_seqcount_begin() without a lock held");
	if (s->sequence & 1)
		SHIM_BUG("raw_write_seqcount_begin() nested");
	shim_seq_writing++;
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void raw_write_seqcount_end(seqcount_t *s)
{
	if (!shim_lock_depth || !(s->sequence & 1))
		SHIM_BUG("raw_write_seqcount_end() unbalanced or without a lock");
	shim_seq_writing--;
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELEASE);
}

/*
 * include/linux/percpu-defs.h, cpumask.h, smp.h: NR_CPUS fake CPUs; the
 * copy of a per-CPU cookie for @cpu is at cookie + __per_cpu_offset[cpu].
 * raw_smp_processor_id() is the calling thread's shim_cpu.
 */
#define NR_CPUS				4
extern unsigned long __per_cpu_offset[NR_CPUS];
extern __thread int shim_cpu;
#define per_cpu_offset(cpu)		(__per_cpu_offset[cpu])
#define per_cpu_ptr(ptr, cpu)						\
	((typeof(ptr))((unsigned long)(ptr) + per_cpu_offset(cpu)))
#define for_each_possible_cpu(cpu)					\
	for ((cpu) = 0; (cpu) < NR_CPUS; (cpu)++)
#define raw_smp_processor_id()		(shim_cpu)

/*
 * include/linux/pfn.h, asm/page.h, memblock.h: the linear map is at
 * PAGE_OFFSET (x86-64: page_offset_base); lowmem is [min_low_pfn,
 * max_low_pfn).
 */
#define PAGE_SHIFT			12
#define PAGE_SIZE			(1UL << PAGE_SHIFT)
#define PFN_PHYS(x)			((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x)			((unsigned long)((x) >> PAGE_SHIFT))
extern unsigned long page_offset_base;
#define PAGE_OFFSET			page_offset_base
#define __va(x)				((void *)((unsigned long)(x) + PAGE_OFFSET))
extern unsigned long min_low_pfn, max_low_pfn;

/* include/linux/jiffies.h */
extern volatile unsigned long jiffies;
#define time_after_eq(a, b)		((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)		time_after_eq(b, a)
#define time_before(a, b)		((long)((a) - (b)) < 0)

/*
 * include/linux/rcupdate.h.  Read-side sections are counted per thread:
 * the core must not yield in one (harness.c checks) nor wait for a grace
 * period in one.  A grace period calls shim_grace_period_hook, which lets
 * a test finish an "update" the scan raced with.
 */
extern __thread int shim_rcu_depth;
extern void (*shim_grace_period_hook)(void);
extern long shim_grace_periods;

static inline void rcu_read_lock(void)
{
	shim_rcu_depth++;
}

static inline void rcu_read_unlock(void)
{
	if (!shim_rcu_depth)
		SHIM_BUG("rcu_read_unlock() without rcu_read_lock()");
	shim_rcu_depth--;
}

#undef synchronize_rcu		/* tools/include's is a no-op macro */
void synchronize_rcu(void);

/* include/linux/limits.h */
#ifndef U8_MAX
#define U8_MAX				((u8)~0U)
#endif

/* include/linux/sched.h, stackdepot.h */
#define TASK_COMM_LEN			16
typedef u32 depot_stack_handle_t;
unsigned int stack_depot_fetch(depot_stack_handle_t handle,
			       unsigned long **entries);
/* shim.c's depot: the handle of a copy of @entries, 0 when full */
depot_stack_handle_t shim_depot_save(const unsigned long *entries,
				     unsigned int nr);

/*
 * include/linux/types.h, math64.h, generated/autoconf.h: what the kernel's
 * own include/linux/{crc32,kstrtox,sort}.h and lib/ sources (lib.c) need
 * beyond tools/include.
 */
#define CONFIG_64BIT			1
typedef void (*swap_r_func_t)(void *a, void *b, int size, const void *priv);
typedef void (*swap_func_t)(void *a, void *b, int size);
typedef int (*cmp_r_func_t)(const void *a, const void *b, const void *priv);
typedef int (*cmp_func_t)(const void *a, const void *b);

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

/*
 * include/linux/compiler_attributes.h, cache.h, module.h, byteorder: a
 * little-endian host
 */
#define __alias(symbol)			__attribute__((__alias__(#symbol)))
#define ____cacheline_aligned		__attribute__((__aligned__(64)))
#define MODULE_AUTHOR(s)
#define MODULE_DESCRIPTION(s)
#define MODULE_LICENSE(s)
#define __cpu_to_le32(x)		((u32)(x))
#define __le32_to_cpu(x)		((u32)(x))
/* tools/include's bswap_32() does not fold into static initialisers */
#undef cpu_to_be32
#undef be32_to_cpu
#define cpu_to_be32(x)			__builtin_bswap32(x)
#define be32_to_cpu(x)			__builtin_bswap32(x)
#define __cpu_to_be32(x)		cpu_to_be32(x)
#define __be32_to_cpu(x)		be32_to_cpu(x)

/* The kernel's headers, found after tools/include (-idirafter). */
#include <linux/crc32.h>
#include <linux/kstrtox.h>
#include <linux/sort.h>

/*
 * The checksums' reads count as the scan's loads do (shim_bytes_read);
 * the kernel's crc32() is crc32_le() too.
 */
static inline u32 shim_crc32(u32 seed, const void *data, size_t len)
{
	shim_bytes_read += len;
	return crc32_le(seed, data, len);
}

#undef crc32
#define crc32(seed, data, length)	shim_crc32(seed, data, length)

/* include/linux/string.h */
static __always_inline size_t str_has_prefix(const char *str,
					      const char *prefix)
{
	size_t len = strlen(prefix);

	return strncmp(str, prefix, len) == 0 ? len : 0;
}

#endif /* __MM_KMEMLEAK_INTERNAL_H */
