#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Leaks of each kind of tracked memory are reported with their address and
# size: kmalloc() of several sizes (large ones from the page allocator too),
# a module's kmem_cache, vmalloc() (also right after a vfree(), whose
# vm_struct the new area reuses), per-CPU memory (by its __percpu cookie),
# krealloc(), kstrdup(), and unreachable lists and cycles, in full; with
# KASAN in a tag mode, a block whose address is kept only under the tag of
# the block it replaced (else that test skips). Blocks
# referenced from module .data, .bss, static and dynamic per-CPU memory, a
# vmalloc() area or another referenced block, by interior pointers, or
# through a reachable cycle, are not reported. So is a block KFENCE serves
# at the end of its page, when KFENCE is built in: it serves an allocation
# every millisecond while the blocks are made (kfence.sample_interval,
# restored after; with 0 at boot the pool is made then). A pool that has
# run full serves none: the test skips.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
kml_require_module
KFENCE_PARAM=/sys/module/kfence/parameters/sample_interval
if [ -w "$KFENCE_PARAM" ]; then
	kfence_was=$(cat "$KFENCE_PARAM")
	echo 1 > "$KFENCE_PARAM"
	KML_AT_EXIT='echo "$kfence_was" > "$KFENCE_PARAM"'
fi
KML_STATS=/sys/kernel/debug/kmemleak_stats
recalled_before=$(sed -n 's/^stacks_recalled: //p' "$KML_STATS" 2>/dev/null)
kml_create leaks labels || ktap_exit_fail_msg "the test module could not create its blocks"

kml_log_mark
kml_wait_age
kml_scan_twice || ktap_exit_fail_msg "scan failed"
kml_report

# The backtrace names the allocating function, in the module.
backtrace_names_function()
{
	kml_label kmalloc_8 labels || ktap_exit_fail_msg "no label kmalloc_8"
	kml_entry "$KML_ADDR" > "$KML_TMP/entry"
	grep -Eq '^    (\[<[0-9a-f]+>\] )?leak_kmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmemleak_selftest\]$' "$KML_TMP/entry"
	kml_result "the backtrace names leak_kmalloc [kmemleak_selftest]" $?
}

# Leaks made alternately through two chains into one allocation site, at
# the same stack depth, each name their own chain.
backtrace_names_chain()
{
	local i x y bad=

	for i in $(seq 0 2); do
		for x in a b; do
			y=b
			[ $x = b ] && y=a
			kml_label chain_${x}_$i labels ||
				ktap_exit_fail_msg "no label chain_${x}_$i"
			kml_entry "$KML_ADDR" > "$KML_TMP/entry"
			if ! grep -Eq "^    (\[<[0-9a-f]+>\] )?chain_leak_$x\+0x" "$KML_TMP/entry" ||
			   grep -q "chain_leak_$y+0x" "$KML_TMP/entry"; then
				bad="$bad chain_${x}_$i"
				sed "s/^/# /" "$KML_TMP/entry"
			fi
		done
	done
	[ -z "$bad" ]
	kml_result "the backtraces of leaks through two chains name their own chain${bad:+ (wrong:$bad)}" $?
}

# On x86-64 with the ORC or frame-pointer unwinder, allocations through a
# chain of frames seen before reuse its unwound stack (the module allocates
# through each chain three times, and says whether this kernel is such a
# kernel); elsewhere stacks are always unwound.
stats_count_recalls()
{
	local after

	if [ -z "$recalled_before" ]; then
		kml_skip "stacks_recalled counts reused stacks" \
			"no stacks_recalled in $KML_STATS (a detector without it)"
		return
	fi
	after=$(sed -n 's/^stacks_recalled: //p' "$KML_STATS")
	if grep -q '^INFO stack_recall=1 ' "$KML_TMP/labels"; then
		[ "${after:-0}" -gt "${recalled_before:-0}" ]
		kml_result "stacks_recalled grew while the module allocated (${recalled_before:-none} -> ${after:-none})" $?
	else
		[ "$after" = 0 ]
		kml_result "stacks_recalled is 0 without the x86-64 ORC or frame-pointer recall (${after:-none})" $?
	fi
}

# The hex dump shows the first bytes, here the text of the string.
hex_dump_shows_text()
{
	kml_label kstrdup labels || ktap_exit_fail_msg "no label kstrdup"
	kml_entry "$KML_ADDR" > "$KML_TMP/entry"
	grep -q '^  hex dump (first 32 bytes):$' "$KML_TMP/entry" &&
		grep -q '  kmemleak selftes$' "$KML_TMP/entry"
	kml_result "the hex dump of the kstrdup() string shows its text" $?
}

scan_logged_new_leaks()
{
	kml_log_since | grep -Eq "$KML_NEW_LEAKS_RE"
	kml_result "the scan logged 'kmemleak: N new suspected memory leaks (see /sys/kernel/debug/kmemleak)'" $?
}

kml_run "$(kml_label_tests labels)
backtrace_names_function
backtrace_names_chain
stats_count_recalls
hex_dump_shows_text
scan_logged_new_leaks"
