#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Suppressions. "suppress=<function>" hides the leaks whose backtrace runs
# through that function, and what they hold, from the report, the summary
# and the statistics, which name the suppression with what it hid;
# "unsuppress=<function>" lists them again. Names kallsyms does not know,
# or that are not function names, get EINVAL; a function not suppressed
# gets ENOENT on unsuppress; 64 can be suppressed at once, the 65th gets
# ENOSPC.
#
# A detector without the command (the stock 6.12 one) skips.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

KML_SUMMARY=/sys/kernel/debug/kmemleak_summary
KML_STATS=/sys/kernel/debug/kmemleak_stats
MAX_SUPPRESS=64

kml_require enabled
[ "$(kml_write suppress=kfree)" = 14 ] ||
	kml_skip_all "suppress=kfree fails: a detector without suppressions, or a kernel without kallsyms"
kml_write unsuppress=kfree > /dev/null
kml_require_module

was_running=0
kml_thread_running && was_running=1
kml_do scan=off || ktap_exit_fail_msg "scan=off failed"
# The functions this test suppressed, one per line, undone on exit.
: > "$KML_TMP/suppressed"
KML_AT_EXIT='while read -r f; do kml_write "unsuppress=$f" > /dev/null; done < "$KML_TMP/suppressed"
[ "$was_running" -eq 0 ] || kml_write scan=600 > /dev/null'

# expect_error CMD ERRNO DESCRIPTION
expect_error()
{
	local got

	got=$(kml_write "$1")
	[ "$got" = "$2" ] || ktap_print_msg "'$1': got $got, expected $2"
	kml_result "$3" "$([ "$got" = "$2" ]; echo $?)"
}

suppress()
{
	kml_do "suppress=$1" && echo "$1" >> "$KML_TMP/suppressed"
}

unknown_name()
{
	expect_error suppress=kmemleak_selftest_no_such_function EINVAL \
		"a name kallsyms does not know gets EINVAL"
}

name_with_offset()
{
	expect_error "suppress=kfree+0x10" EINVAL "a name with an offset gets EINVAL"
}

empty_name()
{
	expect_error "suppress=" EINVAL "an empty name gets EINVAL"
}

not_suppressed()
{
	expect_error unsuppress=kfree ENOENT \
		"unsuppress of a function not suppressed gets ENOENT"
}

# Suppress the function that allocates suppress_me, which holds
# suppress_held_0; kmalloc_48 is a leak allocated elsewhere.
suppressed_not_listed()
{
	kml_do clear || ktap_exit_fail_msg "clear failed"
	kml_create suppress labels || ktap_exit_fail_msg "the test module could not create its blocks"
	kml_label suppress_me labels
	me=$KML_ADDR
	me_size=$KML_SIZE
	kml_label suppress_held_0 labels
	held=$KML_ADDR
	held_size=$KML_SIZE
	kml_label kmalloc_48 labels
	other=$KML_ADDR
	other_size=$KML_SIZE

	# as kallsyms and the backtraces name it (the compiler may clone it)
	me_sym=$(awk '$3 ~ /^suppress_me($|\.)/ && $4 == "[kmemleak_selftest]" { print $3; exit }' \
		/proc/kallsyms)
	[ -n "$me_sym" ] || ktap_exit_fail_msg "no suppress_me in /proc/kallsyms"
	suppress "$me_sym" || ktap_exit_fail_msg "suppress=$me_sym failed"
	kml_wait_age
	kml_scan_twice || ktap_exit_fail_msg "scan failed"
	kml_report
	kml_expect_unlisted "$me" "a leak allocated in the suppressed function is not listed"
}

held_not_listed()
{
	kml_expect_unlisted "$held" "the block it holds is not listed"
}

other_listed()
{
	kml_expect_listed "$other" "$other_size" "a leak allocated elsewhere is listed"
}

summary_counts_listed()
{
	local entries

	cat "$KML_SUMMARY" > "$KML_TMP/summary"
	entries=$(grep -c '^unreferenced object' "$KML_TMP/report")
	kml_result "the summary counts what the report lists, no more" \
		"$(grep -q "^total: $entries objects, " "$KML_TMP/summary"; echo $?)"
}

stats_name_suppression()
{
	local want

	cat "$KML_STATS" > "$KML_TMP/stats"
	want="suppressed: $me_sym 2 objects, $((me_size + held_size)) bytes"
	grep -qx "$want" "$KML_TMP/stats" ||
		ktap_print_msg "statistics: '$(grep '^suppress' "$KML_TMP/stats")', expected '$want'"
	kml_result "the statistics name the suppression with what it hid" \
		"$(grep -qx "$want" "$KML_TMP/stats"; echo $?)"
}

stats_count_suppressions()
{
	kml_result "the statistics count the suppressions" \
		"$(grep -qx "suppressions: 1" "$KML_TMP/stats"; echo $?)"
}

# Up to 64 functions at once: text symbols of the kernel proper (those of
# init text, freed by now, get EINVAL: /proc/kallsyms still lists them).
suppress_max()
{
	local f n=1 bad=

	awk '$2 ~ /^[tT]$/ && NF == 3 && $3 ~ /^[A-Za-z_][A-Za-z0-9_]*$/ { print $3 }' \
		/proc/kallsyms | sort -u | head -n $((MAX_SUPPRESS * 4)) > "$KML_TMP/syms"
	while read -r f && [ "$n" -lt "$MAX_SUPPRESS" ]; do
		if [ "$(kml_write "suppress=$f")" = $((9 + ${#f})) ]; then
			echo "$f" >> "$KML_TMP/suppressed"
			n=$((n + 1))
		else
			bad="$bad $f"
		fi
	done < "$KML_TMP/syms"
	[ -z "$bad" ] || ktap_print_msg "kallsyms names suppress= did not take (init text?):$bad"
	kml_result "$MAX_SUPPRESS functions can be suppressed at once" \
		"$([ "$n" -eq "$MAX_SUPPRESS" ]; echo $?)"
}

one_more()
{
	expect_error suppress=kfree ENOSPC "one more gets ENOSPC"
}

# all but $me_sym again
unsuppress_all_but_one()
{
	sed -n 1p "$KML_TMP/suppressed" > "$KML_TMP/keep"
	sed 1d "$KML_TMP/suppressed" | while read -r f; do
		kml_write "unsuppress=$f" > /dev/null
	done
	mv "$KML_TMP/keep" "$KML_TMP/suppressed"
	kml_result "unsuppress takes them back" \
		"$(grep -qx "suppressions: 1" "$KML_STATS"; echo $?)"
}

listed_again()
{
	kml_do "unsuppress=$me_sym" && : > "$KML_TMP/suppressed"
	kml_scan_twice || ktap_exit_fail_msg "scan failed"
	kml_report
	kml_expect_listed "$me" "$me_size" "unsuppressed, the leak is listed again"
}

held_listed_again()
{
	kml_expect_listed "$held" "$held_size" "and so is the block it holds"
}

kml_run "unknown_name
name_with_offset
empty_name
not_suppressed
suppressed_not_listed
held_not_listed
other_listed
summary_counts_listed
stats_name_suppression
stats_count_suppressions
suppress_max
one_more
unsuppress_all_but_one
listed_again
held_listed_again"
