#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Task stacks are searched unless stack scanning is off: a block whose only
# pointer is in a sleeping kthread's stack frame is not reported with
# stack=on, and is no longer listed once a scan with stack=on finds the
# pointer again. With stack=off, what happens depends on what the stack is:
# with CONFIG_VMAP_STACK it is a vmalloc() block, referenced from its
# task_struct and searched like any other reachable block, so the block is
# still not reported; a stack that is not vmalloc()ed is not searched, and
# the block is reported. The test module says which case holds.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
kml_require_module

kml_do stack=on || ktap_exit_fail_msg "stack=on failed"
KML_AT_EXIT='kml_write stack=on > /dev/null; echo stack-stop > "$KML_CTL"'
kml_create stack labels || ktap_exit_fail_msg "the test module could not start its kthread"
kml_label kthread_stack labels || ktap_exit_fail_msg "no label kthread_stack"
addr=$KML_ADDR size=$KML_SIZE
vmalloc_stack=$(sed -n 's/^INFO kthread_stack_vmalloc=\([01]\) .*/\1/p' "$KML_TMP/labels")
[ -n "$vmalloc_stack" ] ||
	ktap_exit_fail_msg "the test module did not say whether the kthread's stack is vmalloc()ed"
ktap_print_msg "the kthread's stack is vmalloc()ed: $vmalloc_stack"

stack_on()
{
	kml_wait_age
	kml_scan_twice && kml_report
	kml_expect_unlisted "$addr" \
		"stack=on: a block referenced only from a kthread's stack is not reported"
}

stack_off()
{
	kml_do stack=off && kml_scan_twice && kml_report
	if [ "$vmalloc_stack" = 1 ]; then
		kml_expect_unlisted "$addr" \
			"stack=off: the block is still not reported, the vmalloc()ed stack is searched as a reachable block"
	else
		kml_expect_listed "$addr" "$size" \
			"stack=off: the block is reported (size $size), the stack is not vmalloc()ed"
	fi
}

stack_on_again()
{
	kml_do stack=on && kml_do scan && kml_report
	kml_expect_unlisted "$addr" "stack=on again: the block is no longer listed"
}

kml_run "stack_on
stack_off
stack_on_again"
