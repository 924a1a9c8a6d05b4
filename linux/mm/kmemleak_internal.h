/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel headers the kmemleak core is built against, and nothing else.
 *
 * The core (kmemleak_index.c, kmemleak_scan.c, kmemleak_cmd.c) includes
 * only this header and kmemleak_core.h.  The userspace unit tests in
 * tools/testing/kmemleak provide their own header of the same name in place of this one, with
 * userspace versions of what these headers declare, so that the very same
 * core source builds as a host program.
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
#include <linux/kcsan-checks.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/pfn.h>
#include <linux/printk.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/stackdepot.h>
#include <linux/string.h>
#include <linux/types.h>

#endif /* __MM_KMEMLEAK_INTERNAL_H */
