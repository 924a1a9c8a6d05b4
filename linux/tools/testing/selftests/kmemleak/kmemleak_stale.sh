#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stale copies in dead stack frames do not hide leaks. The test module
# leaves copies of a leaked block's address deep in dead frames of
#  - a kthread that then sleeps at a shallower depth (its stack is
#    searched from the saved stack pointer up),
#  - an interrupt handler, on the interrupt stack (not searched),
#  - a kthread that a scan sees alive and that then exits, and one that
#    exits before any scan, when task stacks are vmalloc()ed: their stacks
#    wait in a cache for the next task (not searched),
#  - a block kept and never written, allocated just before from the same
#    cache: it holds the address SLUB's free list kept there,
#  - a block kept and never written, of a new slab made of a page that
#    held the leak's address (booted with init_on_free=1, the page is
#    cleared when freed anyway),
# and each block must be reported. And the live frames of a kthread that
# just started (those of ret_from_fork() and kthread(), which never return)
# hold no address of a free 64-byte block, the size of what kthread() was
# started with: if they do, the test module makes a leak there, which must
# be reported. A detector that searches all of each
# stack, the interrupt stacks and the stack cache misses them: where no
# kmemleak_stats file tells this detector apart (the stock 6.12 one), a
# miss is a skip that says so.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
kml_require_module

was_running=0
kml_thread_running && was_running=1
kml_do scan=off || ktap_exit_fail_msg "scan=off failed"
KML_AT_EXIT='echo stale-stop > "$KML_CTL"
[ "$was_running" -eq 0 ] || kml_write scan=600 > /dev/null'

kml_do clear || ktap_exit_fail_msg "clear failed"
: > "$KML_TMP/labels"
# stale-irq last: the test module clears the interrupt stack after the others
for s in stale-sleep stale-exit stale-exit-now stale-freeptr stale-kthread stale-slab stale-irq; do
	kml_create "$s" one || ktap_exit_fail_msg "the test module could not make $s"
	cat "$KML_TMP/one" >> "$KML_TMP/labels"
done

kml_wait_age
# a scan that sees the stale-exit kthread's stack in use, then it exits
kml_do scan || ktap_exit_fail_msg "scan failed"
echo stale-exit-go > "$KML_CTL"
kml_scan_twice || ktap_exit_fail_msg "scan failed"
kml_report

# stale KIND NAME ADDRESS SIZE: a LEAK is listed, a CLEAN scenario found no
# block to test with, a SKIP could not be made here.
stale()
{
	local desc

	case $2 in
	stale_kthread) desc="$2: a new kthread's live frames hide no leak" ;;
	*) desc="$2: leak reported${4:+ (size $4)}" ;;
	esac
	case $1 in
	SKIP)
		kml_skip "${desc% (size *}" "the test module could not make this block here (its log says why)"
		;;
	CLEAN)
		ktap_print_msg "$2: the thread's live frames hold no free block's address"
		ktap_test_pass "$desc"
		;;
	LEAK)
		if [ "$(kml_reported_size "$3")" = "$4" ]; then
			ktap_test_pass "$desc"
		elif [ ! -e /sys/kernel/debug/kmemleak_stats ]; then
			kml_skip "$desc" "not listed: a detector that searches dead stack frames"
		else
			ktap_print_msg "$2 $3: not listed"
			ktap_test_fail "$desc"
			kml_write "dump=$3" > /dev/null
			kml_write "refs=$3" > /dev/null 2>&1
		fi
		;;
	esac
}

kml_run "$(grep -E '^(LEAK|SKIP|CLEAN) ' "$KML_TMP/labels" | sed 's/^/stale /')"
