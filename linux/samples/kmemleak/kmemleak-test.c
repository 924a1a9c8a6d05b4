// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sample module with deliberate memory leaks, to see what the kernel
 * memory leak detector reports.
 *
 * Load it, wait a few seconds, then:
 *	echo scan > /sys/kernel/debug/kmemleak
 *	cat /sys/kernel/debug/kmemleak
 *
 * The blocks allocated in leak_some_memory() are reported: nothing keeps
 * their address.  The list of struct sample_item and the per-CPU buffers
 * are referenced from the module's data and are not reported while the
 * module is loaded; unloading it drops those references without freeing
 * the list, which then shows up too.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#define SAMPLE_ITEMS	8

struct sample_item {
	char tag[96];		/* padding: the list link is an interior pointer */
	struct list_head node;
	unsigned long seq;
};

static LIST_HEAD(sample_items);
static DEFINE_PER_CPU(void *, sample_buffer);
static void __percpu *sample_counters;

static noinline void leak_some_memory(void)
{
	static const size_t sizes[] = { 32, 256, 1024, 4096, 3 * PAGE_SIZE };
	void __percpu *pcpu;
	unsigned int i;
	char *str;
	void *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		pr_info("leaking kmalloc(%zu) at %p\n", sizes[i], p);
	}

	p = vmalloc(64 * 1024);
	pr_info("leaking vmalloc(64K) at %p\n", p);

	str = kstrdup("a string nobody frees", GFP_KERNEL);
	pr_info("leaking kstrdup() at %p\n", str);

	pcpu = __alloc_percpu(128, sizeof(long));
	pr_info("leaking __alloc_percpu(128) at %p\n", pcpu);
}

static int __init kmemleak_sample_init(void)
{
	struct sample_item *item;
	int cpu;
	int i;

	pr_info("allocating memory, some of it leaked on purpose\n");
	leak_some_memory();

	/* referenced through sample_items until the module goes away */
	for (i = 0; i < SAMPLE_ITEMS; i++) {
		item = kzalloc(sizeof(*item), GFP_KERNEL);
		if (!item)
			return -ENOMEM;
		item->seq = i;
		list_add_tail(&item->node, &sample_items);
	}

	/*
	 * Referenced from per-CPU data: never reported.  Zeroed: what a
	 * block's earlier user left in it is scanned like any pointer, and
	 * the address of a block leaked above would hide that leak.
	 */
	for_each_possible_cpu(cpu)
		per_cpu(sample_buffer, cpu) = kzalloc(200, GFP_KERNEL);
	sample_counters = alloc_percpu(unsigned long);

	return 0;
}
module_init(kmemleak_sample_init);

static void __exit kmemleak_sample_exit(void)
{
	struct sample_item *item, *tmp;
	int cpu;

	/* unlink but do not free: the items become leaks */
	list_for_each_entry_safe(item, tmp, &sample_items, node)
		list_del(&item->node);

	for_each_possible_cpu(cpu)
		kfree(per_cpu(sample_buffer, cpu));
	free_percpu(sample_counters);
}
module_exit(kmemleak_sample_exit);

MODULE_DESCRIPTION("Sample module leaking memory for the kernel memory leak detector");
MODULE_LICENSE("GPL");
