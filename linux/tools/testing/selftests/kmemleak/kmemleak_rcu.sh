#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# No report of a block whose only reference is in flight during RCU
# updates. The test module's "rcu-mover" keeps an old block referenced only
# from a node that an updater replaces, over and over, by a copy published
# with rcu_assign_pointer() (the old node freed by an RCU callback), as
# maple tree and xarray nodes are replaced. A scan may read the slot while it
# points to a node that is freed before the scan gets to it, and miss the
# copy, allocated meanwhile. Twenty scans while the updater runs: the block
# is never listed. A leak made beside it is listed after the first scan.
# Task stacks are not searched meanwhile: the updater's own stack would
# hold the node it just published.
#
# A detector without the confirmation of new leaks after a grace period
# (no kmemleak.min_unref_scans parameter: the stock 6.12 one) skips.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

SCANS=20

kml_require enabled
[ -e /sys/module/kmemleak/parameters/min_unref_scans ] ||
	kml_skip_all "no kmemleak.min_unref_scans: a detector without the RCU confirmation of new leaks"
kml_require_module

was_running=0
kml_thread_running && was_running=1
kml_do scan=off || ktap_exit_fail_msg "scan=off failed"
kml_do stack=off || ktap_exit_fail_msg "stack=off failed"
KML_AT_EXIT='echo rcu-mover-stop > "$KML_CTL"
kml_write stack=on > /dev/null
[ "$was_running" -eq 0 ] || kml_write scan=600 > /dev/null'

kml_do clear || ktap_exit_fail_msg "clear failed"
kml_create rcu-mover labels || ktap_exit_fail_msg "the test module could not start its updater"
kml_label rcu_moved labels
moved=$KML_ADDR
kml_label kmalloc_48 labels
leak=$KML_ADDR
leak_size=$KML_SIZE

# The leak made beside the updater is listed after the first scan.
listed_after_one_scan()
{
	kml_wait_age
	kml_do scan || ktap_exit_fail_msg "scan failed"
	kml_report
	kml_expect_listed "$leak" "$leak_size" "a leak beside the updater is listed after one scan"
}

# A block whose only reference moves from one RCU-published node to the
# next, between the scan's passes.
moved_never_listed()
{
	local listed=0 i=1

	while [ "$i" -le "$SCANS" ]; do
		kml_do scan || ktap_exit_fail_msg "scan failed"
		kml_report
		if [ -n "$(kml_reported_size "$moved")" ]; then
			ktap_print_msg "scan $i listed the moved block"
			listed=$((listed + 1))
		fi
		i=$((i + 1))
	done
	kml_result "the block whose reference moves is not listed in $SCANS scans" \
		"$([ "$listed" -eq 0 ]; echo $?)"
}

updater_ran()
{
	local moves

	kml_log_mark
	echo rcu-mover-stop > "$KML_CTL"
	moves=$(kml_log_since | sed -n 's/.*rcu-mover: \([0-9]*\) moves$/\1/p')
	ktap_print_msg "the updater replaced the node ${moves:-0} times"
	kml_result "the updater ran meanwhile" "$([ "${moves:-0}" -ge 100 ]; echo $?)"
}

kml_run "listed_after_one_scan
moved_never_listed
updater_ran"
