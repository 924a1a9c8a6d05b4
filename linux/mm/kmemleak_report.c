// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak reports: the leak report's format, the listing of leaks oldest
 * first, and /sys/kernel/debug/kmemleak with its commands.
 */

#define pr_fmt(fmt) "kmemleak: " fmt

#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kmemleak.h"

#define KML_HEX_ROW		16	/* bytes per line of a hex dump */

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

static void kml_print_leak(struct seq_file *seq, const struct kml_snapshot *s)
{
	unsigned long *entries;
	unsigned int nr, i;

	kml_print(seq, "unreferenced object 0x%08lx (size %zu):\n",
		  s->pointer, s->size);
	kml_print(seq, "  comm \"%s\", pid %d, jiffies %lu\n", s->comm,
		  s->pid, s->jiffies);
	if (s->hex_len) {
		if (s->space == KML_PERCPU)
			kml_print(seq, "  hex dump (first %zu bytes on cpu %d):\n",
				  s->hex_len, s->hex_cpu);
		else
			kml_print(seq, "  hex dump (first %zu bytes):\n",
				  s->hex_len);
		if (seq)
			seq_hex_dump(seq, "    ", DUMP_PREFIX_NONE, KML_HEX_ROW,
				     1, s->hex, s->hex_len, true);
		else
			print_hex_dump(KERN_WARNING, pr_fmt("    "),
				       DUMP_PREFIX_NONE, KML_HEX_ROW, 1, s->hex,
				       s->hex_len, true);
	}
	kml_print(seq, "  backtrace (crc %x):\n", s->checksum);
	nr = s->trace ? stack_depot_fetch(s->trace, &entries) : 0;
	for (i = 0; i < nr; i++)
		kml_print(seq, "    %pS\n", (void *)entries[i]);
}

/*
 * Fill @l with the objects to list, oldest first.  The count cannot grow
 * between the two passes: objects are marked reported only by scans, and
 * the caller holds the scan mutex.
 */
static int kml_make_listing(struct kml_listing *l, int which)
{
	lockdep_assert_held(&kml_scan_mutex);
	kvfree(l->keys);
	l->keys = NULL;
	l->max = 0;
	kml_walk_begin();
	kml_list(l, which);
	if (l->found) {
		l->keys = kvmalloc_array(l->found * KML_KEY_WORDS,
					 sizeof(*l->keys), GFP_KERNEL);
		if (l->keys) {
			l->max = l->found;
			kml_list(l, which);
		}
	}
	kml_walk_end();
	return l->found && !l->keys ? -ENOMEM : 0;
}

/* With kmemleak.verbose=1: the leaks the last scan found, to the log. */
void kml_report_new_leaks(void)
{
	struct kml_listing l = {};
	struct kml_snapshot s;
	size_t i;

	if (kml_make_listing(&l, KML_LIST_NEW))
		pr_warn("no memory to print the new leaks\n");
	for (i = 0; i < l.nr; i++)
		if (!kml_listing_snapshot(&l, i, KML_LIST_NEW, &s, true))
			kml_print_leak(NULL, &s);
	kvfree(l.keys);
}

/* debugfs file */

/*
 * The reader lists the reported leaks, oldest first, when it starts at
 * position 0, and prints them one by one from that listing.  It holds the
 * scan mutex from start to stop: the detector cannot be torn down while
 * it copies a block's first bytes (see kml_seq_show()).
 */
static void *kml_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct kml_listing *l = seq->private;
	int err;

	err = kml_lock_scans_interruptible();
	if (err)
		return ERR_PTR(err);
	if (!*pos) {
		err = kml_make_listing(l, KML_LIST_REPORTED);
		if (err) {
			mutex_unlock(&kml_scan_mutex);
			return ERR_PTR(err);
		}
	}
	return *pos < l->nr ? pos : NULL;
}

static void *kml_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct kml_listing *l = seq->private;

	++*pos;
	return *pos < l->nr ? pos : NULL;
}

static void kml_seq_stop(struct seq_file *seq, void *v)
{
	if (!IS_ERR(v))
		mutex_unlock(&kml_scan_mutex);
}

static int kml_seq_show(struct seq_file *seq, void *v)
{
	struct kml_snapshot s;

	/* once frees are no longer tracked, the block may be gone */
	if (!kml_listing_snapshot(seq->private, *(loff_t *)v,
				  KML_LIST_REPORTED, &s, kml_tracking_frees()))
		kml_print_leak(seq, &s);
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
	return seq_open_private(file, &kml_seq_ops, sizeof(struct kml_listing));
}

static int kml_release(struct inode *inode, struct file *file)
{
	struct kml_listing *l = ((struct seq_file *)file->private_data)->private;

	kvfree(l->keys);
	return seq_release_private(inode, file);
}

static ssize_t kml_read(struct file *file, char __user *buf, size_t size,
			loff_t *ppos)
{
	ssize_t ret = seq_read(file, buf, size, ppos);

	kml_scrub_stack();
	return ret;
}

static int kml_dump(unsigned long addr)
{
	struct kmemleak_object *obj;
	struct kml_snapshot s;
	unsigned long flags;

	if (!kml_lookup(KML_VIRT, addr, true, &obj, &flags)) {
		pr_info("Unknown object at 0x%08lx\n", addr);
		return -EINVAL;
	}
	kml_snapshot(obj, &s, false);
	kml_unlock(obj, flags);

	pr_info("object 0x%08lx (size %zu):\n", s.pointer, s.size);
	pr_info("  comm \"%s\", pid %d, jiffies %lu\n", s.comm, s.pid,
		s.jiffies);
	pr_info("  min_count = %d\n", s.min_count);
	pr_info("  count = %d\n", s.count);
	pr_info("  flags = 0x%x\n", s.flags);
	pr_info("  checksum = %u\n", s.checksum);
	pr_info("  backtrace:\n");
	if (s.trace)
		stack_depot_print(s.trace);
	return 0;
}

/* "suppress=": the function's text, from kallsyms; -EINVAL if unknown. */
static int kml_suppress_sym(const char *sym)
{
	unsigned long addr = kallsyms_lookup_name(sym), size, offset;

	if (!addr || !kernel_text_address(addr) ||
	    !kallsyms_lookup_size_offset(addr, &size, &offset))
		return -EINVAL;
	return kml_suppress(sym, addr - offset, addr - offset + size);
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

	ret = kml_lock_scans_interruptible();
	if (ret)
		return ret;

	if (!perr && cmd.op == KML_CMD_CLEAR) {
		if (kml_tracking()) {
			kml_walk_begin();
			kml_clear();
			kml_walk_end();
			kml_found_leaks = false;
		} else if (READ_ONCE(kml_state) == KML_OFF) {
			/* what the clean-up kept for reading is released */
			kml_reset_index();
		}
		goto out;
	}
	if (!kml_tracking()) {
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
		kml_set_stack_scan(true);
		break;
	case KML_CMD_STACK_OFF:
		kml_set_stack_scan(false);
		break;
	case KML_CMD_SCAN_ON:
		kml_start_thread(false);
		break;
	case KML_CMD_SCAN_OFF:
		kml_stop_thread();
		break;
	case KML_CMD_SCAN_SECS:
		kml_set_scan_period(cmd.arg);
		break;
	case KML_CMD_DUMP:
		ret = kml_dump(kml_untag(cmd.arg));
		break;
	case KML_CMD_REFS:
		ret = kml_refs(kml_untag(cmd.arg));
		break;
	case KML_CMD_SUPPRESS:
		ret = kml_suppress_sym(cmd.sym);
		break;
	case KML_CMD_UNSUPPRESS:
		ret = kml_unsuppress(cmd.sym);
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
	.release	= kml_release,
};

void __init kml_debugfs_init(void)
{
	/* what it lists, addresses and contents of kernel memory, is root's */
	debugfs_create_file("kmemleak", 0600, NULL, NULL, &kml_fops);
	kml_views_init();
}
