/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for mm/kmemleak_internal.h.
 *
 * The include guard is the kernel header's, so once this file is included,
 * mm/kmemleak_core.h's #include "kmemleak_internal.h" is a no-op and the
 * core (mm/kmemleak_core.c, included whole by kmemleak.c) builds against
 * what is defined here: tools/include for lists, rbtrees and hashes, and
 * small userspace versions of the rest.
 *
 * Locks are real spinlocks that also check the core's locking rules: a
 * shard lock is never taken twice or nested, write_seqcount_begin() needs
 * its lock held, and the hooks assert the lock state they are called in
 * (see kml_test_lock_depth).
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

#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

#define ____cacheline_aligned_in_smp	__attribute__((__aligned__(64)))
#define data_race(expr)			(expr)
#define cmpxchg(p, o, n)		__sync_val_compare_and_swap(p, o, n)

/* tools' set_bit() is not atomic; the kernel's is */
#undef set_bit
#define set_bit(nr, addr)	\
	((void)__atomic_fetch_or((addr) + (nr) / BITS_PER_LONG,	\
				 1UL << ((nr) % BITS_PER_LONG), __ATOMIC_RELAXED))

#define TASK_COMM_LEN			16
typedef u32 depot_stack_handle_t;

#define time_after_eq(a, b)		((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)		time_after_eq(b, a)

/* Report a broken rule of the kernel API and stop the test. */
#define KML_SHIM_BUG(...) do {						\
	fprintf(stdout, "# shim: %s:%d: ", __FILE__, __LINE__);	\
	fprintf(stdout, __VA_ARGS__);					\
	fprintf(stdout, "\n");						\
	fflush(stdout);							\
	abort();							\
} while (0)

/* Raw spinlocks: owner tracking for self-deadlock and nesting checks. */
typedef struct {
	int locked;
	const void *owner;
} raw_spinlock_t;

/* Shard locks held by this thread; the core never nests them. */
extern __thread int kml_test_lock_depth;
extern __thread char kml_test_self;

static inline void raw_spin_lock_init(raw_spinlock_t *l)
{
	l->locked = 0;
	l->owner = NULL;
}

static inline void kml_test_lock(raw_spinlock_t *l)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == &kml_test_self)
		KML_SHIM_BUG("raw spinlock %p taken twice", (void *)l);
	if (kml_test_lock_depth)
		KML_SHIM_BUG("raw spinlock %p nested in another", (void *)l);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_store_n(&l->owner, &kml_test_self, __ATOMIC_RELAXED);
	kml_test_lock_depth++;
}

static inline void kml_test_unlock(raw_spinlock_t *l)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != &kml_test_self)
		KML_SHIM_BUG("raw spinlock %p released but not held",
			     (void *)l);
	kml_test_lock_depth--;
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool kml_test_lock_held(raw_spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == &kml_test_self;
}

#define raw_spin_lock_irqsave(l, flags)	\
	do { (flags) = 0; kml_test_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, flags)	\
	do { (void)(flags); kml_test_unlock(l); } while (0)

/* Sequence counter associated with a raw spinlock. */
typedef struct {
	unsigned int sequence;
	raw_spinlock_t *lock;
} seqcount_raw_spinlock_t;

static inline void seqcount_raw_spinlock_init(seqcount_raw_spinlock_t *s,
					      raw_spinlock_t *l)
{
	s->sequence = 0;
	s->lock = l;
}

static inline unsigned int read_seqcount_begin(seqcount_raw_spinlock_t *s)
{
	unsigned int seq;

	while ((seq = __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE)) & 1) {
		if (kml_test_lock_held(s->lock))
			KML_SHIM_BUG("seqcount read inside its own write section");
		sched_yield();
	}
	return seq;
}

static inline int read_seqcount_retry(seqcount_raw_spinlock_t *s,
				      unsigned int start)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->sequence, __ATOMIC_RELAXED) != start;
}

static inline void write_seqcount_begin(seqcount_raw_spinlock_t *s)
{
	if (!kml_test_lock_held(s->lock))
		KML_SHIM_BUG("write_seqcount_begin() without its lock");
	if (s->sequence & 1)
		KML_SHIM_BUG("write_seqcount_begin() nested");
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void write_seqcount_end(seqcount_raw_spinlock_t *s)
{
	if (!kml_test_lock_held(s->lock) || !(s->sequence & 1))
		KML_SHIM_BUG("write_seqcount_end() unbalanced or unlocked");
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELEASE);
}

/* Kernel ctype: isspace() is true for 0xa0 too (lib/ctype.c). */
#undef isspace
#define isspace(c)	kml_test_isspace(c)
static inline bool kml_test_isspace(char c)
{
	unsigned char u = c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static inline bool str_has_prefix(const char *str, const char *prefix)
{
	return !strncmp(str, prefix, strlen(prefix));
}

/* lib/kstrtox.c semantics: base 0 auto-detection, '+', one '\n'. */
static inline int kstrtoull(const char *s, unsigned int base,
			    unsigned long long *res)
{
	unsigned long long r = 0;
	unsigned int n = 0;
	bool overflow = false;

	if (s[0] == '+')
		s++;
	if (!base) {
		if (s[0] != '0')
			base = 10;
		else if ((s[1] | 0x20) == 'x' &&
			 strchr("0123456789abcdefABCDEF", s[2]) && s[2])
			base = 16;
		else
			base = 8;
	}
	if (base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	for (;; s++, n++) {
		unsigned int c = (unsigned char)*s, v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = (c | 0x20) - 'a' + 10;
		else
			break;
		if (v >= base)
			break;
		if ((r & (~0ULL << 60)) && r > (ULLONG_MAX - v) / base)
			overflow = true;
		r = r * base + v;
	}
	if (overflow)
		return -ERANGE;
	if (!n)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = r;
	return 0;
}

static inline int kstrtoul(const char *s, unsigned int base,
			   unsigned long *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v != (unsigned long)v)
		return -ERANGE;
	*res = v;
	return 0;
}

static inline int kstrtouint(const char *s, unsigned int base,
			     unsigned int *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v != (unsigned int)v)
		return -ERANGE;
	*res = v;
	return 0;
}

/* lib/crc32.c crc32_le(): reflected 0xedb88320, no pre/post inversion. */
static inline u32 crc32(u32 crc, const void *p, size_t len)
{
	const unsigned char *b = p;
	int i;

	while (len--) {
		crc ^= *b++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return crc;
}

/*
 * Two fake CPUs: the copy of a per-CPU cookie on @cpu is at
 * cookie + kml_test_pcpu_offset[cpu], like per_cpu_ptr().
 */
#define KML_TEST_NR_CPUS		2
extern unsigned long kml_test_pcpu_offset[KML_TEST_NR_CPUS];
#define kml_each_cpu(cpu)		\
	for ((cpu) = 0; (cpu) < KML_TEST_NR_CPUS; (cpu)++)
#define kml_percpu_addr(ptr, cpu)	\
	((unsigned long)(ptr) + kml_test_pcpu_offset[cpu])

/*
 * A fake physical range mapped at kml_test_phys_offset; [min_low_pfn,
 * max_low_pfn) is lowmem.  kml_phys_scannable() is the kernel helper's
 * expression, verbatim: keep the two in sync.
 */
#define PAGE_SHIFT			12
#define PHYS_PFN(x)			((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(x)			((unsigned long)(x) << PAGE_SHIFT)
extern unsigned long min_low_pfn, max_low_pfn, kml_test_phys_offset;

static inline bool kml_phys_scannable(unsigned long phys, size_t size)
{
	return phys >= PFN_PHYS(min_low_pfn) &&
	       phys + size <= PFN_PHYS(max_low_pfn);
}

#define kml_phys_to_virt(phys)		((unsigned long)(phys) + kml_test_phys_offset)

static inline unsigned long kml_read_word(const unsigned long *p)
{
	return READ_ONCE(*p);
}

static inline u32 kml_crc(const void *p, size_t size, u32 seed)
{
	return crc32(seed, p, size);
}

#endif /* __MM_KMEMLEAK_INTERNAL_H */
