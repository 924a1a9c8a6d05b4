// SPDX-License-Identifier: GPL-2.0-only
/*
 * When kmemleak scans: the scan thread and its period (scan=<secs>), a
 * scan on demand (scan, and refs=, which prints the chain of holders it
 * finds), and the check of a module's leaks when it goes.
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include <asm/sections.h>

#include "kmemleak.h"

#define KML_MIN_AGE_MS		5000	/* younger objects are not reported */
#define KML_FIRST_SCAN_SECS	60	/* boot delay of the scan thread */
#define KML_SCAN_PERIOD_SECS	600	/* default scan=<secs> */
#define KML_STOPPER_POLL	(HZ / 10)	/* retry while scan=off holds the mutex */
#define KML_YIELD_RETRY		(5 * HZ)	/* retry after giving way to a waiter */

bool kml_found_leaks;
static struct task_struct *kml_thread;
/* tasks waiting for kml_scan_mutex, see kml_lock_scans() */
static atomic_t kml_scan_waiters;
static unsigned long kml_scan_period = KML_SCAN_PERIOD_SECS * HZ;

/* Figures of the completed scans, under kml_scan_mutex. */
static struct kml_scan_stats kml_stats;

/*
 * The scan thread runs niced, in the background; a command or a module
 * going away that waits for the mutex would wait for its whole scan, which
 * under load can last minutes.  So its scan gives way to them: it stops at
 * the next pause and is done again next period.
 */
void kml_lock_scans(void)
{
	if (mutex_trylock(&kml_scan_mutex))
		return;
	atomic_inc(&kml_scan_waiters);
	mutex_lock(&kml_scan_mutex);
	atomic_dec(&kml_scan_waiters);
}

int kml_lock_scans_interruptible(void)
{
	int ret;

	if (mutex_trylock(&kml_scan_mutex))
		return 0;
	atomic_inc(&kml_scan_waiters);
	ret = mutex_lock_interruptible(&kml_scan_mutex);
	atomic_dec(&kml_scan_waiters);
	return ret;
}

/* Hook for the core: the walker is the scan thread and others wait for it. */
bool kml_walker_must_yield(void)
{
	return current == READ_ONCE(kml_thread) &&
	       atomic_read(&kml_scan_waiters);
}

/*
 * One scan; with @w, the references to the object at @addr are recorded
 * there (-ENOENT if nothing is tracked at @addr).
 */
static int __kml_do_scan(struct kml_watch *w, unsigned long addr)
{
	struct kml_scan sc = {
		.start = jiffies,
		.min_age = msecs_to_jiffies(KML_MIN_AGE_MS),
		.min_unref_scans = clamp(READ_ONCE(kml_min_unref_scans), 1U,
					 (unsigned int)U8_MAX),
		.observed = w,
		.watch = w,
	};
	u64 t0 = ktime_get_ns();
	int ret;

	lockdep_assert_held(&kml_scan_mutex);
	kml_walk_begin();
	if (w) {
		struct kmemleak_object *obj;
		unsigned long flags;

		/* looked up in the walk: its metadata outlives a free now */
		if (!kml_lookup(KML_VIRT, addr, true, &obj, &flags) &&
		    !kml_lookup(KML_PERCPU, addr, true, &obj, &flags)) {
			kml_walk_end();
			return -ENOENT;
		}
		w->obj = obj;
		kml_unlock(obj, flags);
	}
	ret = kml_scan(&sc);
	kml_walk_end();
	if (ret == -EBUSY)
		pr_warn_ratelimited("scan abandoned: over %lu freed objects waited for it to release them\n",
				    sc.dead_limit);
	if (!ret) {
		kml_stats.scans++;
		kml_stats.last_ms = div_u64(ktime_get_ns() - t0,
					    NSEC_PER_MSEC);
		kml_stats.last_objects = sc.searched_objects;
		kml_stats.last_bytes = sc.searched_bytes;
	}

	if (sc.new_leaks) {
		kml_found_leaks = true;
		pr_info("%u new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n",
			sc.new_leaks);
		if (READ_ONCE(kml_verbose))
			kml_report_new_leaks();
	}
	return ret;
}

int kml_do_scan(void)
{
	return __kml_do_scan(NULL, 0);
}

#ifdef CONFIG_MODULES
/*
 * Leaks at module unload.  What a module allocated and still holds when
 * it goes will never be freed by it.  When it goes, after its exit
 * function, the objects allocated while it was loaded whose backtrace
 * runs through its text, or its init text (kept from when it came: freed
 * by now, so only for objects allocated before it was), are checked with
 * a scan of their own, in which the module's data holds nothing.  Those
 * left unreferenced are reported at once.  The times matter: the same
 * addresses held other code before, an earlier load of the same module
 * among others, and its leaks are not this one's.
 */
struct kml_module_load {
	struct list_head node;
	const struct module *mod;
	unsigned long since;	/* jiffies when it came */
	struct kml_code init;	/* complemented: it may hold other blocks later */
};

/* under kml_scan_mutex */
static LIST_HEAD(kml_module_loads);

static void kml_module_coming(struct module *mod)
{
	const struct module_memory *init = &mod->mem[MOD_INIT_TEXT];
	struct kml_module_load *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL | __GFP_NOWARN);
	if (!m)
		return;		/* its leaks are checked, less exactly */
	m->mod = mod;
	m->since = jiffies;
	if (init->size) {
		m->init.start = ~(unsigned long)init->base;
		m->init.end = ~((unsigned long)init->base + init->size);
	}
	kml_lock_scans();
	list_add(&m->node, &kml_module_loads);
	mutex_unlock(&kml_scan_mutex);
}

/*
 * Its init ran: its init text is freed next, and may hold other code
 * later.  Only what was allocated until now can have come from it.
 */
static void kml_module_live(struct module *mod)
{
	struct kml_module_load *m;

	kml_lock_scans();
	list_for_each_entry(m, &kml_module_loads, node) {
		if (m->mod == mod) {
			m->init.until = jiffies;
			m->init.timed = true;
			break;
		}
	}
	mutex_unlock(&kml_scan_mutex);
}

static void kml_module_going(struct module *mod)
{
	const struct module_memory *text = &mod->mem[MOD_TEXT];
	struct kml_module_load *m, *load = NULL;
	struct kml_code code[2] = {};
	struct kml_scan sc = {};
	unsigned int nr = 0;

	kml_lock_scans();
	list_for_each_entry(m, &kml_module_loads, node) {
		if (m->mod == mod) {
			list_del(&m->node);
			load = m;
			break;
		}
	}
	if (text->size) {
		code[nr].start = (unsigned long)text->base;
		code[nr].end = (unsigned long)text->base + text->size;
		if (load) {
			code[nr].since = load->since;
			code[nr].until = jiffies;
			code[nr].timed = true;
		}
		nr++;
	}
	/* a module that failed its init is not LIVE: that text is gone too */
	if (load && load->init.start) {
		code[nr].start = ~load->init.start;
		code[nr].end = ~load->init.end;
		code[nr].since = load->since;
		code[nr].until = load->init.timed ? load->init.until : jiffies;
		code[nr++].timed = true;
	}
	if (!nr || !kml_tracking())
		goto out;

	kml_walk_begin();
	if (kml_count_code(code, nr)) {
		/* its data goes with it: what only it references is lost */
		if (mod->mem[MOD_DATA].base)
			kmemleak_no_scan(mod->mem[MOD_DATA].base);
		if (mod->mem[MOD_INIT_DATA].base)
			kmemleak_no_scan(mod->mem[MOD_INIT_DATA].base);
		sc.start = jiffies;
		sc.min_unref_scans = 1;
		sc.code = code;
		sc.nr_code = nr;
		if (kml_scan(&sc) == -EBUSY)
			pr_warn_ratelimited("module %s: check of its leaks abandoned: the kernel freed faster than it went\n",
					    mod->name);
	}
	kml_walk_end();
	if (sc.code_leaks) {
		kml_found_leaks = true;
		pr_warn("module %s unloaded with %u unreferenced objects (%lu bytes) allocated by its code\n",
			mod->name, sc.code_leaks, sc.code_bytes);
		if (sc.new_leaks && READ_ONCE(kml_verbose))
			kml_report_new_leaks();
	}
out:
	mutex_unlock(&kml_scan_mutex);
	kfree(load);
	kml_scrub_stack();
}

static int kml_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	kml_recall_forget();
	if (action == MODULE_STATE_COMING)
		kml_module_coming(data);
	else if (action == MODULE_STATE_LIVE)
		kml_module_live(data);
	else if (action == MODULE_STATE_GOING)
		kml_module_going(data);
	return NOTIFY_DONE;
}

static struct notifier_block kml_module_nb = {
	.notifier_call = kml_module_notify,
};

void __init kml_modules_init(void)
{
	if (register_module_notifier(&kml_module_nb))
		pr_warn("no module notifier: leaks at module unload are not checked\n");
	else
		kml_recall_watch_modules();
}
#else
void __init kml_modules_init(void)
{
}
#endif /* CONFIG_MODULES */

/* The task whose stack holds @addr, with a reference held; or NULL. */
static struct task_struct *kml_stack_owner(unsigned long addr)
{
	struct task_struct *g, *t, *found = NULL;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		unsigned long lo = (unsigned long)task_stack_page(t);

		if (addr - lo < THREAD_SIZE) {
			found = t;
			get_task_struct(found);
			goto out;
		}
	}
out:
	rcu_read_unlock();
	return found;
}

/* Say what kind of root the word at @where is in. */
static void kml_describe_root(unsigned long where)
{
	struct task_struct *t = kml_stack_owner(where);
	int __maybe_unused cpu;

	if (t) {
		unsigned long sp = kml_saved_sp(t);
		unsigned long top = (unsigned long)task_stack_page(t) +
				    THREAD_SIZE;

		pr_info("    0x%08lx: stack of pid %d (%s), 0x%lx below its top, %s its saved stack pointer%s\n",
			where, task_pid_nr(t), t->comm, top - where,
			where >= sp ? "above" : "below",
			task_curr(t) ? " (running)" : "");
		put_task_struct(t);
		return;
	}
#ifdef CONFIG_SMP
	for_each_possible_cpu(cpu) {
		unsigned long off = per_cpu_offset(cpu);
		unsigned long lo = (unsigned long)__per_cpu_start + off;

		if (where - lo < __per_cpu_end - __per_cpu_start) {
			pr_info("    0x%08lx: per-CPU data of CPU %d, %pS (+0x%lx)\n",
				where, cpu, (void *)(where - off), where - lo);
			return;
		}
	}
#endif
	if ((where >= (unsigned long)_sdata && where < (unsigned long)_edata) ||
	    (where >= (unsigned long)__bss_start &&
	     where < (unsigned long)__bss_stop) ||
	    (where >= (unsigned long)__start_ro_after_init &&
	     where < (unsigned long)__end_ro_after_init)) {
		pr_info("    0x%08lx: kernel data, %pS\n", where, (void *)where);
		return;
	}
#ifdef CONFIG_SPARSEMEM_VMEMMAP
	if (where >= (unsigned long)vmemmap) {
		unsigned long pfn = (struct page *)where - vmemmap;

		if (pfn_valid(pfn)) {
			pr_info("    0x%08lx: struct page of pfn 0x%lx, +0x%lx\n",
				where, pfn,
				where - (unsigned long)pfn_to_page(pfn));
			return;
		}
	}
#endif
	pr_info("    0x%08lx: %pS\n", where, (void *)where);
}

static void kml_describe_ref(const struct kml_watch_ref *r)
{
	const char *via = r->excess ? " (to its vm_struct)" : "";
	struct kmemleak_object *obj;
	unsigned long flags, start;
	struct kml_snapshot s;

	if (!r->holder) {
		kml_describe_root(r->where);
		return;
	}
	if (!kml_lookup(r->space, r->holder, false, &obj, &flags)) {
		pr_info("    0x%08lx%s: in object 0x%08lx, freed since\n",
			r->where, via, r->holder);
		return;
	}
	kml_snapshot(obj, &s, false);
	kml_unlock(obj, flags);
	/* a memblock block is searched through the linear map */
	start = s.space == KML_PHYS ? (unsigned long)__va(s.pointer) :
				      s.pointer;
	pr_info("    0x%08lx%s: at +0x%lx in %sobject 0x%08lx (size %zu), comm \"%s\", pid %d, jiffies %lu, min_count %d, allocated at:\n",
		r->where, via, r->where - start,
		s.space == KML_PHYS ? "physical " : "", s.pointer, s.size,
		s.comm, s.pid, s.jiffies, s.min_count);
	if (s.trace)
		stack_depot_print(s.trace);
}

/* Levels of holders kml_refs() follows towards a root. */
#define KML_REFS_DEPTH		8

/*
 * The holder to follow next from @w: the first one found that is not in
 * @chain yet; 0 if a root referenced the object (memblock blocks, always
 * scanned, count as roots), or no holder is left.
 */
static unsigned long kml_next_holder(const struct kml_watch *w,
				     const unsigned long *chain,
				     unsigned int nr)
{
	unsigned int i, j;

	for (i = 0; i < w->nr; i++)
		if (!w->refs[i].holder || w->refs[i].space == KML_PHYS)
			return 0;
	for (i = 0; i < w->nr; i++) {
		for (j = 0; j < nr && chain[j] != w->refs[i].holder; j++)
			;
		if (j == nr)
			return w->refs[i].holder;
	}
	return 0;
}

/**
 * kml_refs - log what keeps an object from being reported
 * @addr: address in the object, or its __percpu address
 *
 * For "refs=<addr>": a scan records where references to the object are
 * found and logs them.  If only other objects refer to it, it goes on with
 * the first of those, one scan per level, until a root (static data, a
 * stack, a per-CPU area, a struct page) turns up: the chain that makes the
 * object reachable.  The scans are ordinary ones otherwise.
 *
 * Return: 0, -ENOENT if nothing is tracked at @addr, -ENOMEM, or -EINTR if
 * a scan was stopped.
 */
int kml_refs(unsigned long addr)
{
	struct kml_watch *w = kzalloc(sizeof(*w), GFP_KERNEL);
	unsigned long chain[KML_REFS_DEPTH];
	unsigned int depth, i;
	int ret = 0;

	if (!w)
		return -ENOMEM;
	for (depth = 0; depth < KML_REFS_DEPTH && addr; depth++) {
		memset(w, 0, sizeof(*w));
		chain[depth] = addr;
		ret = __kml_do_scan(w, addr);
		if (ret == -ENOENT && depth) {
			pr_info("0x%08lx: freed since\n", addr);
			ret = 0;
			break;
		}
		if (ret == -ENOENT)
			pr_info("Unknown object at 0x%08lx\n", addr);
		if (ret)
			break;
		pr_info("references to the object at 0x%08lx: %u\n", addr,
			w->found);
		for (i = 0; i < w->nr; i++)
			kml_describe_ref(&w->refs[i]);
		if (w->found > w->nr)
			pr_info("    (%u more)\n", w->found - w->nr);
		addr = kml_next_holder(w, chain, depth + 1);
	}
	kfree_sensitive(w);
	memzero_explicit(chain, sizeof(chain));
	return ret;
}

static int kml_thread_fn(void *arg)
{
	long delay = arg ? KML_FIRST_SCAN_SECS * HZ : 0;
	int ret;

	set_user_nice(current, 10);
	pr_info("automatic scanning started\n");
	while (!kthread_should_stop()) {
		while (delay > 0 && !kthread_should_stop())
			delay = schedule_timeout_interruptible(delay);
		if (kthread_should_stop())
			break;
		/* the stopper holds the mutex: poll rather than block on it */
		if (!mutex_trylock(&kml_scan_mutex)) {
			delay = KML_STOPPER_POLL;
			continue;
		}
		ret = kml_do_scan();
		mutex_unlock(&kml_scan_mutex);
		kml_scrub_stack();
		/* given way to a waiter: again soon, not a period later */
		delay = ret == -EINTR ? KML_YIELD_RETRY :
					READ_ONCE(kml_scan_period);
	}
	pr_info("automatic scanning stopped\n");
	return 0;
}

void kml_start_thread(bool boot)
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

void kml_stop_thread(void)
{
	lockdep_assert_held(&kml_scan_mutex);
	if (kml_thread) {
		kthread_stop(kml_thread);
		kml_thread = NULL;
	}
}

/* "scan=<secs>": scan every @secs seconds, or not at all if 0. */
void kml_set_scan_period(unsigned long secs)
{
	kml_stop_thread();
	if (!secs)
		return;
	WRITE_ONCE(kml_scan_period,
		   msecs_to_jiffies(min_t(unsigned long, secs * MSEC_PER_SEC,
					  UINT_MAX)));
	kml_start_thread(false);
}

/* The scan figures and settings, for the statistics file. */
void kml_scan_stats(struct kml_scan_stats *st)
{
	lockdep_assert_held(&kml_scan_mutex);
	*st = kml_stats;
	st->period_secs = kml_thread ?
		jiffies_to_msecs(READ_ONCE(kml_scan_period)) / MSEC_PER_SEC : 0;
	st->stacks = READ_ONCE(kml_stack_scan);
}
