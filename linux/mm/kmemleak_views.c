// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak views beside the report: /sys/kernel/debug/kmemleak_summary,
 * the listed leaks grouped by allocation stack with leak roots (direct
 * leaks) told apart from what they hold (indirect leaks), and
 * /sys/kernel/debug/kmemleak_stats, the detector's counters.  Both are
 * read-only: reading them changes nothing that the report shows.
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "kmemleak.h"

#define KML_EXAMPLES	4	/* addresses shown per group */

/* Leaks of one kind (direct or indirect) with one allocation stack. */
struct kml_group {
	depot_stack_handle_t trace;
	bool direct;
	size_t nr;
	size_t bytes;
	size_t held;			/* direct: indirect leaks held */
	size_t held_bytes;
	unsigned long oldest;		/* allocation jiffies */
	unsigned long youngest;
	unsigned int nr_examples;
	/* complemented: not a reference to the leak for the next scan */
	unsigned long examples[KML_EXAMPLES];
};

struct kml_summary {
	struct kml_group *groups;
	size_t nr_groups;
	size_t objects;
	size_t bytes;
	size_t direct;
	size_t indirect;
	unsigned long now;		/* jiffies when the summary was made */
};

/* The records name the leaks: cleared, so that no later scan sees them. */
static void kml_free_leaks(struct kml_leaks *l)
{
	kvfree_sensitive(l->v, l->max * sizeof(*l->v));
	l->v = NULL;
	l->max = 0;
}

/*
 * Classify the listed leaks into @l, growing its array until they fit.
 * Only scans change what is listed, and the caller holds the scan mutex,
 * so the second try fits.  Once frees are no longer tracked, the leaks'
 * memory may be gone: they are not read, and all count as direct.
 */
static int kml_classify_listed(struct kml_leaks *l)
{
	lockdep_assert_held(&kml_scan_mutex);
	l->flat = !kml_tracking_frees();
	for (;;) {
		kml_walk_begin();
		kml_classify(l);
		kml_walk_end();
		if (l->found <= l->max)
			return 0;
		kml_free_leaks(l);
		l->max = l->found;
		l->v = kvmalloc_array(l->max, sizeof(*l->v), GFP_KERNEL);
		if (!l->v) {
			l->max = 0;
			return -ENOMEM;
		}
	}
}

static bool kml_leak_direct(const struct kml_leak *k)
{
	return k->holder < 0;
}

/* Group order: kind, then allocation stack, then age (oldest first). */
static int kml_cmp_leak_idx(const void *a, const void *b, const void *leaks)
{
	const struct kml_leak *x = (const struct kml_leak *)leaks +
				   *(const u32 *)a;
	const struct kml_leak *y = (const struct kml_leak *)leaks +
				   *(const u32 *)b;

	if (kml_leak_direct(x) != kml_leak_direct(y))
		return kml_leak_direct(x) ? -1 : 1;
	if (x->trace != y->trace)
		return x->trace < y->trace ? -1 : 1;
	return *(const u32 *)a < *(const u32 *)b ? -1 : 1;
}

/* Largest first by what the group accounts for, own and held. */
static int kml_cmp_groups(const void *a, const void *b)
{
	const struct kml_group *x = a, *y = b;
	size_t tx = x->bytes + x->held_bytes, ty = y->bytes + y->held_bytes;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr > y->nr ? -1 : 1;
	if (x->direct != y->direct)
		return x->direct ? -1 : 1;
	return time_before(x->oldest, y->oldest) ? -1 :
	       x->oldest != y->oldest;
}

static void kml_group_add(struct kml_group *g, const struct kml_leak *k)
{
	if (!g->nr) {
		g->trace = k->trace;
		g->direct = kml_leak_direct(k);
		g->oldest = k->jiffies;
	}
	g->nr++;
	g->bytes += k->size;
	g->youngest = k->jiffies;
	if (g->direct) {
		g->held += k->held;
		g->held_bytes += k->held_bytes;
	}
	if (g->nr_examples < KML_EXAMPLES)
		g->examples[g->nr_examples++] = ~k->pointer;
}

/* Group the leaks of @l into @s. */
static int kml_group_leaks(struct kml_summary *s, struct kml_leaks *l)
{
	struct kml_group *g = NULL;
	u32 *idx;
	size_t i;

	s->direct = l->direct;
	s->indirect = l->indirect;
	if (!l->nr)
		return 0;
	idx = kvmalloc_array(l->nr, sizeof(*idx), GFP_KERNEL);
	s->groups = kvcalloc(l->nr, sizeof(*s->groups), GFP_KERNEL);
	if (!idx || !s->groups) {
		kvfree(idx);
		return -ENOMEM;
	}
	for (i = 0; i < l->nr; i++)
		idx[i] = i;
	sort_r(idx, l->nr, sizeof(*idx), kml_cmp_leak_idx, NULL, l->v);

	for (i = 0; i < l->nr; i++) {
		const struct kml_leak *k = &l->v[idx[i]];

		if (!g || g->trace != k->trace || g->direct != kml_leak_direct(k))
			g = &s->groups[s->nr_groups++];
		kml_group_add(g, k);
		s->objects++;
		s->bytes += k->size;
	}
	kvfree(idx);
	sort(s->groups, s->nr_groups, sizeof(*s->groups), kml_cmp_groups,
	     NULL);
	return 0;
}

static int kml_make_summary(struct kml_summary *s)
{
	struct kml_leaks l = {};
	int err;

	err = kml_lock_scans_interruptible();
	if (err)
		return err;
	s->now = jiffies;
	err = kml_classify_listed(&l);
	if (!err)
		err = kml_group_leaks(s, &l);
	kml_free_leaks(&l);
	mutex_unlock(&kml_scan_mutex);
	kml_scrub_stack();
	return err;
}

static void *kml_summary_start(struct seq_file *seq, loff_t *pos)
{
	struct kml_summary *s = seq->private;

	/* one more position for the total line */
	return *pos <= s->nr_groups ? pos : NULL;
}

static void *kml_summary_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return kml_summary_start(seq, pos);
}

static void kml_summary_stop(struct seq_file *seq, void *v)
{
}

static void kml_show_group(struct seq_file *seq, const struct kml_summary *s,
			   const struct kml_group *g)
{
	unsigned long *entries;
	unsigned int nr, i;

	if (g->direct)
		seq_printf(seq, "direct leak: %zu objects, %zu bytes, holding %zu objects, %zu bytes\n",
			   g->nr, g->bytes, g->held, g->held_bytes);
	else
		seq_printf(seq, "indirect leak: %zu objects, %zu bytes\n",
			   g->nr, g->bytes);
	seq_printf(seq, "  age: %u to %u seconds\n",
		   jiffies_to_msecs(s->now - g->youngest) / (u32)MSEC_PER_SEC,
		   jiffies_to_msecs(s->now - g->oldest) / (u32)MSEC_PER_SEC);
	seq_puts(seq, "  objects:");
	for (i = 0; i < g->nr_examples; i++)
		seq_printf(seq, " 0x%08lx", ~g->examples[i]);
	seq_puts(seq, g->nr > g->nr_examples ? " ...\n" : "\n");
	seq_puts(seq, "  backtrace:\n");
	nr = g->trace ? stack_depot_fetch(g->trace, &entries) : 0;
	for (i = 0; i < nr; i++)
		seq_printf(seq, "    [<%pK>] %pS\n", (void *)entries[i],
			   (void *)entries[i]);
}

static int kml_summary_show(struct seq_file *seq, void *v)
{
	struct kml_summary *s = seq->private;
	loff_t i = *(loff_t *)v;

	if (i < s->nr_groups)
		kml_show_group(seq, s, &s->groups[i]);
	else
		seq_printf(seq, "total: %zu objects, %zu bytes; direct %zu, indirect %zu\n",
			   s->objects, s->bytes, s->direct, s->indirect);
	return 0;
}

static const struct seq_operations kml_summary_ops = {
	.start = kml_summary_start,
	.next  = kml_summary_next,
	.stop  = kml_summary_stop,
	.show  = kml_summary_show,
};

/*
 * Under lockdown debugfs refuses the files that can be written, and leaves
 * read-only ones open; these give addresses and contents of kernel memory
 * as the report does, so they close with it.
 */
static int kml_view_locked_down(void)
{
	return security_locked_down(LOCKDOWN_DEBUGFS);
}

/* The summary is made once, at open: every read of this file shows it. */
static int kml_summary_open(struct inode *inode, struct file *file)
{
	struct kml_summary *s;
	int err;

	err = kml_view_locked_down();
	if (err)
		return err;
	s = __seq_open_private(file, &kml_summary_ops, sizeof(*s));
	if (!s)
		return -ENOMEM;
	err = kml_make_summary(s);
	if (err) {
		kvfree(s->groups);
		seq_release_private(inode, file);
	}
	return err;
}

/* The addresses just printed stay in dead frames of this stack. */
static ssize_t kml_summary_read(struct file *file, char __user *buf,
				size_t size, loff_t *ppos)
{
	ssize_t ret = seq_read(file, buf, size, ppos);

	kml_scrub_stack();
	return ret;
}

static int kml_summary_release(struct inode *inode, struct file *file)
{
	struct kml_summary *s = ((struct seq_file *)file->private_data)->private;

	kvfree(s->groups);
	return seq_release_private(inode, file);
}

static const struct file_operations kml_summary_fops = {
	.owner		= THIS_MODULE,
	.open		= kml_summary_open,
	.read		= kml_summary_read,
	.llseek		= seq_lseek,
	.release	= kml_summary_release,
};

/* Statistics */

struct kml_counts {
	unsigned long objects[KML_NR_SPACES];
	unsigned long bytes;
};

static int kml_count_one(struct kml_hold *h, struct kmemleak_object *obj,
			 void *arg)
{
	struct kml_counts *c = arg;

	c->objects[obj->space]++;
	c->bytes += obj->size;
	return 0;
}

static void kml_show_state(struct seq_file *seq)
{
	const char *why;

	switch (READ_ONCE(kml_state)) {
	case KML_EARLY:
	case KML_ON:
		seq_puts(seq, "state: enabled\n");
		return;
	default:
		why = kml_disabled_why();
		if (why)
			seq_printf(seq, "state: disabled: %s\n", why);
		else
			seq_puts(seq, "state: off at boot\n");
	}
}

static int kml_stats_show(struct seq_file *seq, void *v)
{
	struct kml_leaks l = {};
	struct kml_counts c = {};
	struct kml_suppression *sup = NULL;
	struct kml_scan_stats st;
	unsigned long walked, recalled;
	unsigned int pool_free, nr_sup, i;
	int err;

	err = kml_lock_scans_interruptible();
	if (err)
		return err;
	kml_walk_begin();
	__kml_visit(kml_count_one, &c);
	kml_walk_end();
	err = kml_classify_listed(&l);
	kml_scan_stats(&st);
	kml_free_leaks(&l);
	nr_sup = kml_nr_suppressions;
	if (nr_sup) {
		sup = kmemdup(kml_suppressions, nr_sup * sizeof(*sup),
			      GFP_KERNEL);
		if (!sup)
			err = -ENOMEM;
	}
	mutex_unlock(&kml_scan_mutex);
	kml_scrub_stack();
	if (err) {
		kfree(sup);
		return err;
	}

	pool_free = kml_pool_available();
	kml_show_state(seq);
	seq_printf(seq, "objects: %lu\n", c.objects[KML_VIRT] +
		   c.objects[KML_PHYS] + c.objects[KML_PERCPU]);
	seq_printf(seq, "bytes: %lu\n", c.bytes);
	seq_printf(seq, "objects_virt: %lu\n", c.objects[KML_VIRT]);
	seq_printf(seq, "objects_phys: %lu\n", c.objects[KML_PHYS]);
	seq_printf(seq, "objects_percpu: %lu\n", c.objects[KML_PERCPU]);
	seq_printf(seq, "early_pool_used: %u\n", kml_pool_size() - pool_free);
	seq_printf(seq, "early_pool_size: %u\n", kml_pool_size());
	seq_printf(seq, "metadata_bytes: %lu\n", kml_metadata_bytes());
	kml_stack_counts(&walked, &recalled);
	seq_printf(seq, "stacks_walked: %lu\n", walked);
	seq_printf(seq, "stacks_recalled: %lu\n", recalled);
	seq_printf(seq, "scans: %lu\n", st.scans);
	seq_printf(seq, "last_scan_ms: %u\n", st.last_ms);
	seq_printf(seq, "last_scan_objects: %lu\n", st.last_objects);
	seq_printf(seq, "last_scan_bytes: %lu\n", st.last_bytes);
	seq_printf(seq, "leaks: %zu\n", l.direct + l.indirect);
	seq_printf(seq, "leaks_direct: %zu\n", l.direct);
	seq_printf(seq, "leaks_indirect: %zu\n", l.indirect);
	seq_printf(seq, "scan_period_s: %lu\n", st.period_secs);
	seq_printf(seq, "stack_scan: %s\n", st.stacks ? "on" : "off");
	seq_printf(seq, "suppressions: %u\n", nr_sup);
	for (i = 0; i < nr_sup; i++)
		seq_printf(seq, "suppressed: %s %lu objects, %lu bytes\n",
			   sup[i].sym, sup[i].hidden, sup[i].hidden_bytes);
	kfree(sup);
	return 0;
}

static int kml_stats_open(struct inode *inode, struct file *file)
{
	int err = kml_view_locked_down();

	return err ? err : single_open(file, kml_stats_show, NULL);
}

static const struct file_operations kml_stats_fops = {
	.owner		= THIS_MODULE,
	.open		= kml_stats_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

void __init kml_views_init(void)
{
	debugfs_create_file("kmemleak_summary", 0400, NULL, NULL,
			    &kml_summary_fops);
	debugfs_create_file("kmemleak_stats", 0400, NULL, NULL,
			    &kml_stats_fops);
}
