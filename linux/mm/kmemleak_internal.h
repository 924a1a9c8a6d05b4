/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel headers used by the kmemleak core.
 *
 * The core (kmemleak_core.c) includes only this header and
 * kmemleak_core.h.  The userspace unit tests in tools/testing/kmemleak
 * provide a header with the same include guard that stands in for this
 * one, so the very same core source builds as a host program.
 */
#ifndef __MM_KMEMLEAK_INTERNAL_H
#define __MM_KMEMLEAK_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/crc32.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kasan.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/stackdepot.h>
#include <linux/string.h>
#include <linux/types.h>

/* Addresses of the per-CPU copies of a per-CPU object. */
#define kml_each_cpu(cpu)		for_each_possible_cpu(cpu)
#define kml_percpu_addr(ptr, cpu)	\
	((unsigned long)per_cpu_ptr((void __percpu __force *)(ptr), (cpu)))

/* Physical objects are scanned only through the linear map (lowmem). */
static inline bool kml_phys_scannable(unsigned long phys, size_t size)
{
	return phys >= PFN_PHYS(min_low_pfn) &&
	       phys + size <= PFN_PHYS(max_low_pfn);
}

#define kml_phys_to_virt(phys)		((unsigned long)__va(phys))

/* Read one word of scanned memory; the memory may be concurrently used. */
static inline unsigned long kml_read_word(const unsigned long *p)
{
	unsigned long v;

	kasan_disable_current();
	/* other CPUs write scanned memory: a torn or stale word is harmless */
	v = data_race(READ_ONCE(*(unsigned long *)kasan_reset_tag(p)));
	kasan_enable_current();
	return v;
}

static inline u32 kml_crc(const void *p, size_t size, u32 seed)
{
	u32 crc;

	kasan_disable_current();
	crc = crc32(seed, kasan_reset_tag(p), size);
	kasan_enable_current();
	return crc;
}

#endif /* __MM_KMEMLEAK_INTERNAL_H */
