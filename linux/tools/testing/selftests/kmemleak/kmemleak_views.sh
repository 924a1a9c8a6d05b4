#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The summary and statistics files. After clear, the summary is only its
# total line, with zeros, and the statistics count no leaks. The test module
# then leaks a list, a binary tree and a ring that nothing outside points
# to: each gives one direct leak (the list's head, the tree's root, the
# ring's oldest node) holding the rest, whose blocks are indirect leaks (the
# rest that is listed: a stale copy of a node's address in scanned memory
# keeps it and what it leads to off the report).
# Groups come largest first, the total line adds them up and matches the
# report, which reading the summary leaves as it was; the statistics agree
# with the summary, follow 2000 blocks the module makes and frees, count
# the scans run, and follow stack= and scan=.
#
# A detector without these files (the stock 6.12 one) skips.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

KML_SUMMARY=/sys/kernel/debug/kmemleak_summary
KML_STATS=/sys/kernel/debug/kmemleak_stats
VIEWS_LIST=32	# nodes of the module's list
STATS_KEYS="state objects bytes objects_virt objects_phys objects_percpu
	    early_pool_used early_pool_size metadata_bytes scans last_scan_ms
	    last_scan_objects last_scan_bytes leaks leaks_direct leaks_indirect
	    scan_period_s stack_scan"

kml_require enabled
[ -r "$KML_SUMMARY" ] && [ -r "$KML_STATS" ] ||
	kml_skip_all "no $KML_SUMMARY and $KML_STATS: a detector without these views"
kml_require_module

was_running=0
kml_thread_running && was_running=1
# No scan of the thread's between the reads compared below.
kml_do scan=off || ktap_exit_fail_msg "scan=off failed"
KML_AT_EXIT='kml_write stack=on > /dev/null
[ "$was_running" -eq 0 ] || kml_write scan=600 > /dev/null'

# stat KEY: its value in the last statistics read ($KML_TMP/stats).
stat()
{
	sed -n "s/^$1: //p" "$KML_TMP/stats"
}

read_stats()
{
	cat "$KML_STATS" > "$KML_TMP/stats"
}

# One line per group of $KML_TMP/summary: kind objects bytes held
# held_bytes, then the group's addresses (normalised) and its first frame.
groups()
{
	awk -v tags="$KML_TAGS" "$KML_NORM_AWK"'
	function flush() { if (g != "") print g, addrs, frame; g = "" }
	/^direct leak: / {
		flush(); g = "direct " $3 " " $5 " " $8 " " $10
		addrs = ""; frame = ""; next
	}
	/^indirect leak: / {
		flush(); g = "indirect " $3 " " $5 " 0 0"
		addrs = ""; frame = ""; next
	}
	/^  objects:/ {
		for (i = 2; i <= NF; i++)
			if ($i != "...")
				addrs = addrs (addrs == "" ? "" : ",") norm($i)
		next
	}
	/^    \[<[0-9a-f]+>\] / && frame == "" { frame = $2 }
	/^total: / { flush() }
	' "$KML_TMP/summary"
}

# group_of LABEL: the group line (see groups) whose addresses hold LABEL's.
group_of()
{
	kml_label "$1" labels || return 1
	awk -v a="$(kml_norm "$KML_ADDR")" '
	{ n = split($6, x, ","); for (i = 1; i <= n; i++) if (x[i] == a) { print; exit } }
	' "$KML_TMP/groups"
}

# expect_group LABEL KIND OBJECTS HELD DESCRIPTION: LABEL's group is of KIND
# with OBJECTS blocks of LABEL's size, holding HELD more of that size.
expect_group()
{
	local g want

	g=$(group_of "$1")
	want="$2 $3 $(($3 * KML_SIZE)) $4 $(($4 * KML_SIZE))"
	if [ "$(echo "$g" | cut -d' ' -f1-5)" = "$want" ]; then
		ktap_test_pass "$5"
	else
		ktap_print_msg "$1: group '$g', expected '$want ...'"
		ktap_test_fail "$5"
		ktap_print_msg "groups: kind objects bytes held held_bytes addresses frame"
		sed 's/^/# /' "$KML_TMP/groups"
		kml_write "dump=$KML_ADDR" > /dev/null
	fi
}

# listed_nodes PREFIX: how many of the module's NODE blocks named
# PREFIX_<n> the last report lists. The scan is conservative: a stale copy
# of a node's address somewhere in scanned memory keeps that node, and the
# nodes it leads to, off the list, and the summary can only hold the rest.
listed_nodes()
{
	local kind name addr size n=0

	while read -r kind name addr size; do
		case "$kind $name" in
		"NODE $1_"*) [ -z "$(kml_reported_size "$addr")" ] || n=$((n + 1)) ;;
		esac
	done < "$KML_TMP/labels"
	echo "$n"
}

# After clear: nothing listed, nothing summed up.
clear_empties_summary()
{
	kml_do clear || ktap_exit_fail_msg "clear failed"
	cat "$KML_SUMMARY" > "$KML_TMP/summary"
	kml_result "after clear the summary is the total line, with zeros" \
		"$([ "$(cat "$KML_TMP/summary")" = \
		     "total: 0 objects, 0 bytes; direct 0, indirect 0" ]; echo $?)"
}

clear_empties_stats()
{
	read_stats
	kml_result "after clear the statistics count no leaks" \
		"$([ "$(stat leaks) $(stat leaks_direct) $(stat leaks_indirect)" = \
		     "0 0 0" ]; echo $?)"
}

stats_keys()
{
	local k missing=

	for k in $STATS_KEYS; do
		grep -q "^$k: ." "$KML_TMP/stats" || missing="$missing $k"
	done
	[ -z "$missing" ] || ktap_print_msg "missing keys:$missing"
	kml_result "the statistics have every documented key" \
		"$([ -z "$missing" ]; echo $?)"
}

stats_state()
{
	kml_result "state: enabled, stack_scan: on, scan_period_s: 0 (no thread)" \
		"$([ "$(stat state) $(stat stack_scan) $(stat scan_period_s)" = \
		     "enabled on 0" ]; echo $?)"
}

stats_objects_sum()
{
	kml_result "objects is objects_virt + objects_phys + objects_percpu" \
		"$([ "$(stat objects)" -eq $(($(stat objects_virt) + \
		     $(stat objects_phys) + $(stat objects_percpu))) ]; echo $?)"
}

stats_pool_metadata()
{
	kml_result "early_pool_used <= early_pool_size, metadata_bytes > 0" \
		"$([ "$(stat early_pool_used)" -le "$(stat early_pool_size)" ] &&
		   [ "$(stat metadata_bytes)" -gt 0 ]; echo $?)"
}

# The module makes 2000 blocks, then frees them; other tasks' blocks come
# and go meanwhile, so half of that must show.
stats_objects_follow()
{
	local before batch

	before=$(stat objects)
	kml_create batch-alloc batch || ktap_exit_fail_msg "the test module could not make its batch"
	read_stats
	batch=$(stat objects)
	kml_create batch-free batch || ktap_exit_fail_msg "the test module could not free its batch"
	read_stats
	ktap_print_msg "objects: $before, $batch with 2000 more, $(stat objects) after they are freed"
	kml_result "objects follows 2000 blocks allocated and freed" \
		"$([ "$batch" -ge $((before + 1000)) ] &&
		   [ "$(stat objects)" -le $((batch - 1000)) ]; echo $?)"
}

stats_count_scans()
{
	local before

	before=$(stat scans)
	kml_create views labels || ktap_exit_fail_msg "the test module could not create its blocks"
	kml_wait_age
	kml_scan_twice || ktap_exit_fail_msg "scan failed"
	read_stats
	kml_result "scans counts the two scans" \
		"$([ "$(stat scans)" -eq $((before + 2)) ]; echo $?)"
}

stats_last_scan()
{
	kml_result "the last scan searched objects and bytes" \
		"$([ "$(stat last_scan_objects)" -gt 0 ] &&
		   [ "$(stat last_scan_bytes)" -gt 0 ]; echo $?)"
}

summary_leaves_report()
{
	kml_report
	cat "$KML_SUMMARY" > "$KML_TMP/summary"
	cat "$KML" > "$KML_TMP/report2"
	kml_result "reading the summary leaves the report as it was" \
		"$(cmp -s "$KML_TMP/report" "$KML_TMP/report2"; echo $?)"
	read_stats
	groups > "$KML_TMP/groups"
}

# The list: its head holds the other listed nodes (all 31, unless a stale
# copy of an address cut the chain), which form one indirect group.
list_head_listed()
{
	kml_label views_list labels
	kml_expect_listed "$KML_ADDR" "$KML_SIZE" "the list's head is reported"
}

list_head_direct()
{
	list_held=$(($(listed_nodes views_list) - 1))
	[ "$list_held" -eq $((VIEWS_LIST - 1)) ] ||
		ktap_print_msg "only $list_held of the list's other nodes are listed: a stale address hides the rest"
	expect_group views_list direct 1 "$list_held" \
		"the list's head is a direct leak holding the other listed nodes"
}

list_rest_indirect()
{
	local frame

	frame=$(group_of views_list | cut -d' ' -f7)
	kml_result "the other listed nodes are one indirect group with its backtrace" \
		"$(awk -v f="$frame" -v n="$list_held" -v s="$KML_SIZE" '
		   n == 0 || ($1 == "indirect" && $2 == n && $3 == n * s && $7 == f) {
			ok = 1
		   }
		   END { exit !ok }' "$KML_TMP/groups"; echo $?)"
}

tree_root_listed()
{
	kml_label views_tree labels
	kml_expect_listed "$KML_ADDR" "$KML_SIZE" "the tree's root is reported"
}

tree_root_direct()
{
	local held

	held=$(($(listed_nodes views_tree) - 1))
	[ "$held" -eq 6 ] ||
		ktap_print_msg "only $held of the tree's 6 other nodes are listed: a stale address hides the rest"
	expect_group views_tree direct 1 "$held" \
		"the tree's root is a direct leak holding its listed descendants"
}

ring_oldest_listed()
{
	kml_label views_ring_0 labels
	kml_expect_listed "$KML_ADDR" "$KML_SIZE" "the ring's oldest node is reported"
}

ring_oldest_direct()
{
	expect_group views_ring_0 direct 1 2 \
		"the ring's oldest node is a direct leak holding the 2 others"
}

ring_rest_indirect()
{
	kml_result "the ring's other nodes are indirect leaks" \
		"$([ "$(group_of views_ring_1 | cut -d' ' -f1)" = indirect ] &&
		   [ "$(group_of views_ring_2 | cut -d' ' -f1)" = indirect ]; echo $?)"
}

groups_largest_first()
{
	kml_result "groups come largest first (own and held bytes)" \
		"$(awk '{ t = $3 + $5; if (NR > 1 && t > last) bad = 1; last = t }
		   END { exit bad }' "$KML_TMP/groups"; echo $?)"
}

total_adds_up()
{
	local sums

	sums=$(awk '{ n += $2; b += $3; if ($1 == "direct") d += $2; else i += $2 }
		    END { printf "%d %d %d %d", n, b, d, i }' "$KML_TMP/groups")
	total=$(sed -n 's/^total: \([0-9]*\) objects, \([0-9]*\) bytes; direct \([0-9]*\), indirect \([0-9]*\)$/\1 \2 \3 \4/p' \
		"$KML_TMP/summary")
	entries=$(grep -c '^unreferenced object' "$KML_TMP/report")
	[ "$total" = "$sums" ] && [ "${total%% *}" = "$entries" ] ||
		ktap_print_msg "total '$total', groups '$sums', report entries $entries"
	kml_result "the total line adds up the groups and counts the report's entries" \
		"$([ "$total" = "$sums" ] && [ "${total%% *}" = "$entries" ]; echo $?)"
}

stats_count_leaks()
{
	kml_result "the statistics count the summary's leaks, direct and indirect" \
		"$([ "$(stat leaks) $(stat leaks_direct) $(stat leaks_indirect)" = \
		     "$entries $(echo "$total" | cut -d' ' -f3-4)" ]; echo $?)"
}

stats_stack_off()
{
	kml_do stack=off && read_stats
	kml_result "stack=off shows as stack_scan: off" \
		"$([ "$(stat stack_scan)" = off ]; echo $?)"
	kml_do stack=on
}

stats_scan_period()
{
	kml_do scan=600 && read_stats
	kml_result "scan=600 shows as scan_period_s: 600" \
		"$([ "$(stat scan_period_s)" = 600 ]; echo $?)"
	kml_do scan=off
}

kml_run "clear_empties_summary
clear_empties_stats
stats_keys
stats_state
stats_objects_sum
stats_pool_metadata
stats_objects_follow
stats_count_scans
stats_last_scan
summary_leaves_report
list_head_listed
list_head_direct
list_rest_indirect
tree_root_listed
tree_root_direct
ring_oldest_listed
ring_oldest_direct
ring_rest_indirect
groups_largest_first
total_adds_up
stats_count_leaks
stats_stack_off
stats_scan_period"
