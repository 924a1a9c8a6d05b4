// SPDX-License-Identifier: GPL-2.0
/*
 * A module that leaks when it is removed, for the kmemleak selftests.
 *
 * Loaded with leak=1 (the default), it keeps three blocks in its own .bss
 * and never frees them: one allocated by its init function, one by a
 * helper of its text, and one allocated by its text that the latter
 * points to. It also hands a fourth block over to kmemleak_selftest, which
 * keeps it: when the module is removed, the first three are lost and the
 * fourth is not. With leak=0 it frees what it allocated in its exit
 * function and hands nothing over. The blocks' labels ("LEAK|KEEP <name>
 * 0x<address> <size>") go to the kernel log.
 *
 * The blocks are allocated by a kthread that clears its stack before it
 * exits, so that no dead frame of it keeps a copy of their addresses.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kfence.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "kmemleak_selftest.h"

#define NR_ABSORB	32

static bool leak = true;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "keep the blocks when removed (default: yes)");

struct rmmod_block {
	struct rmmod_block *next;
	char pad[56];
};

static struct rmmod_block *from_init, *from_text, *held;
static void *handed;
static int alloc_ret;

static void label(const char *kind, const char *name, const void *p,
		  size_t size)
{
	if (is_kfence_address(p))
		size = ksize(p);
	pr_info("%s %s 0x%px %zu\n", kind, name, p, kmalloc_size_roundup(size));
}

static noinline struct rmmod_block *rmmod_alloc(size_t size)
{
	struct rmmod_block *p = kzalloc(size, GFP_KERNEL);

	/* no tail call: this text must have a frame in the backtrace */
	OPTIMIZER_HIDE_VAR(p);
	return p;
}

/* Zero this task's stack below its stack pointer, down to the canary. */
static noinline void scrub_stack(void)
{
	unsigned long *p = end_of_stack(current) + 1;
	unsigned long *sp = (unsigned long *)current_stack_pointer;

	while (p < sp)
		WRITE_ONCE(*p++, 0);
}

/*
 * Blocks of the sizes below, freed last, may still be named by their last
 * user: take and free some first, so that ours come from older memory.
 * from_init is allocated here, in init text: its backtrace runs through
 * no other code of the module.
 */
static noinline __init int absorb_and_alloc(void)
{
	void *absorbed[NR_ABSORB * 3] = {};
	int i, ret = -ENOMEM;

	for (i = 0; i < NR_ABSORB; i++) {
		absorbed[3 * i] = kzalloc(200, GFP_KERNEL);
		absorbed[3 * i + 1] = kzalloc(100, GFP_KERNEL);
		absorbed[3 * i + 2] = kzalloc(sizeof(*held), GFP_KERNEL);
	}
	from_init = kzalloc(200, GFP_KERNEL);
	from_text = rmmod_alloc(100);
	held = rmmod_alloc(sizeof(*held));
	handed = rmmod_alloc(48);
	if (from_init && from_text && held && handed) {
		from_text->next = held;
		ret = 0;
	}
	for (i = 0; i < ARRAY_SIZE(absorbed); i++)
		kfree(absorbed[i]);
	return ret;
}

/* Waited for by kthread_stop() in init: init text outlives it. */
static __init int alloc_fn(void *arg)
{
	alloc_ret = absorb_and_alloc();
	scrub_stack();
	complete(arg);
	return 0;
}

static void free_blocks(void)
{
	kfree(from_init);
	kfree(from_text);
	kfree(held);
	kfree(handed);
}

static int __init rmmod_init(void)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct task_struct *t;

	t = kthread_create(alloc_fn, &done, "kmemleak_rmmod");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	wake_up_process(t);
	wait_for_completion(&done);
	kthread_stop(t);
	put_task_struct(t);
	if (alloc_ret) {
		free_blocks();
		return alloc_ret;
	}
	label(leak ? "LEAK" : "FREE", "rmmod_from_init", from_init, 200);
	label(leak ? "LEAK" : "FREE", "rmmod_from_text", from_text, 100);
	label(leak ? "LEAK" : "FREE", "rmmod_held", held, sizeof(*held));
	if (leak) {
		label("KEEP", "rmmod_handed", handed, 48);
		kmemleak_selftest_keep(handed);
	} else {
		label("FREE", "rmmod_handed", handed, 48);
	}
	return 0;
}

static void __exit rmmod_exit(void)
{
	if (!leak)
		free_blocks();
}

module_init(rmmod_init);
module_exit(rmmod_exit);
MODULE_DESCRIPTION("Leaks left behind at module removal, for the kmemleak selftests");
MODULE_LICENSE("GPL");
