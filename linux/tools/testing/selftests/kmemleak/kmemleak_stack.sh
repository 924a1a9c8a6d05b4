#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Task stacks are searched unless stack scanning is off: a block whose only
# pointer is in a sleeping kthread's stack frame is not reported with
# stack=on, is reported with stack=off, and is no longer listed once a scan
# with stack=on finds the pointer again.

source "$(dirname "$(readlink -f "$0")")"/kmemleak_lib.sh

kml_require enabled
kml_require_module
ktap_set_plan 3

kml_do stack=on || ktap_exit_fail_msg "stack=on failed"
KML_AT_EXIT='kml_write stack=on > /dev/null; echo stack-stop > "$KML_CTL"'
kml_create stack labels || ktap_exit_fail_msg "the test module could not start its kthread"
read -r _ addr size < <(kml_label kthread_stack labels)

kml_wait_age
kml_scan_twice && kml_report
kml_expect_unlisted "$addr" \
	"stack=on: a block referenced only from a kthread's stack is not reported"

if ! kml_stock_differs "stack=off: the same block is reported (size $size)" \
		       "with CONFIG_VMAP_STACK a stack is a vmalloc() block, searched like any reachable block"; then
	kml_do stack=off && kml_scan_twice && kml_report
	kml_expect_listed "$addr" "$size" "stack=off: the same block is reported (size $size)"
fi

kml_do stack=on && kml_do scan && kml_report
kml_expect_unlisted "$addr" "stack=on again: the block is no longer listed"

ktap_finished
