// SPDX-License-Identifier: GPL-2.0-only
/*
 * The out-of-line part of the userspace shim (kmemleak_internal.h): the
 * variables and functions that kernel .c files, rather than headers,
 * provide to the kmemleak core and tools/ lacks: the state of the CPUs,
 * locks and RCU the shim simulates, and a small stack depot.  The lib/
 * code the core calls is the kernel's own (lib.c).
 */
#include "kmemleak_internal.h"

/* Lock accounting (kmemleak_internal.h) */
__thread int shim_lock_depth;
__thread char shim_self;
__thread int shim_seq_writing;
__thread unsigned long shim_bytes_read, shim_hold_start, shim_hold_max;
__thread void (*shim_read_hook)(const volatile void *p);

/* mm/percpu.c */
unsigned long __per_cpu_offset[NR_CPUS];
__thread int shim_cpu;

/* arch/x86/kernel/head64.c, mm/memblock.c */
unsigned long page_offset_base;
unsigned long min_low_pfn, max_low_pfn;

/* kernel/time/timer.c */
volatile unsigned long jiffies;

/* kernel/rcu/tree.c: no readers to wait for but the test's own "updater" */
__thread int shim_rcu_depth;
void (*shim_grace_period_hook)(void);
long shim_grace_periods;

void synchronize_rcu(void)
{
	if (shim_rcu_depth)
		SHIM_BUG("synchronize_rcu() in an RCU read-side section");
	if (shim_lock_depth)
		SHIM_BUG("synchronize_rcu() with a raw spinlock held");
	__atomic_add_fetch(&shim_grace_periods, 1, __ATOMIC_RELAXED);
	if (shim_grace_period_hook)
		shim_grace_period_hook();
}

/* lib/stackdepot.c: traces kept for good, handle = index + 1 */
#define SHIM_DEPOT_TRACES	64
#define SHIM_DEPOT_FRAMES	16

static struct {
	unsigned int nr;
	unsigned long entries[SHIM_DEPOT_FRAMES];
} shim_depot[SHIM_DEPOT_TRACES];
static unsigned int shim_depot_nr;

depot_stack_handle_t shim_depot_save(const unsigned long *entries,
				     unsigned int nr)
{
	if (shim_depot_nr == SHIM_DEPOT_TRACES || nr > SHIM_DEPOT_FRAMES)
		return 0;
	memcpy(shim_depot[shim_depot_nr].entries, entries,
	       nr * sizeof(*entries));
	shim_depot[shim_depot_nr].nr = nr;
	return ++shim_depot_nr;
}

unsigned int stack_depot_fetch(depot_stack_handle_t handle,
			       unsigned long **entries)
{
	*entries = NULL;
	if (!handle || handle > shim_depot_nr)
		return 0;
	*entries = shim_depot[handle - 1].entries;
	return shim_depot[handle - 1].nr;
}
