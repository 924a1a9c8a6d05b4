#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# With kmemleak.verbose=1 on the kernel command line, or 1 written to
# /sys/module/kmemleak/parameters/verbose, a scan prints each new leak to the
# kernel log in the report's format, and nothing about referenced blocks.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
[ -w "$KML_VERBOSE" ] || kml_skip_all "$KML_VERBOSE is missing"
kml_require_module
kml_create basic labels || ktap_exit_fail_msg "the test module could not create its blocks"

# kmemleak.verbose=1 on the command line: the parameter reads Y.
tests=
if grep -Eq '(^| )kmemleak\.verbose=(1|y|Y)( |$)' /proc/cmdline; then
	grep -qx Y "$KML_VERBOSE"
	boot_param=$?
	tests=boot_param_sets_verbose
fi
boot_param_sets_verbose()
{
	kml_result "kmemleak.verbose=1 on the command line sets the parameter" "$boot_param"
}

old=$(cat "$KML_VERBOSE")
echo 1 > "$KML_VERBOSE"
KML_AT_EXIT='echo "$old" > "$KML_VERBOSE"'

kml_log_mark
kml_wait_age
kml_scan_twice || ktap_exit_fail_msg "scan failed"
kml_log_since > "$KML_TMP/log"

# printed KIND NAME ADDRESS SIZE: a LEAK is printed, a KEEP is not.
printed()
{
	case $1 in
	LEAK)
		grep -Eq "unreferenced object 0x$(kml_addr_re "$3") \\(size $4\\):\$" "$KML_TMP/log"
		st=$?
		[ "$st" -eq 0 ] || kml_write "dump=$3" > /dev/null
		kml_result "$2: leak printed to the kernel log" $st
		;;
	KEEP)
		! grep -Eq "0x$(kml_addr_re "$3")( |\$)" "$KML_TMP/log"
		kml_result "$2: referenced, not printed" $?
		;;
	esac
}

# Each entry has its backtrace, as in the debugfs report.
printed_with_backtrace()
{
	kml_label kmalloc_48 labels || ktap_exit_fail_msg "no label kmalloc_48"
	awk -v a="$(kml_norm "$KML_ADDR")" -v tags="$KML_TAGS" "$KML_NORM_AWK"'
	/unreferenced object 0x/ {
		x = $0; sub(/.*unreferenced object /, "", x); sub(/ .*/, "", x)
		on = (norm(x) "" == a "")
	}
	on && /leak_kmalloc\+0x[0-9a-f]+\/0x[0-9a-f]+ \[kmemleak_selftest\]$/ { f = 1 }
	END { exit !f }' "$KML_TMP/log"
	kml_result "a printed leak comes with its backtrace" $?
}

scan_logged_new_leaks()
{
	grep -Eq "$KML_NEW_LEAKS_RE" "$KML_TMP/log"
	kml_result "the scan logged 'kmemleak: N new suspected memory leaks (see /sys/kernel/debug/kmemleak)'" $?
}

kml_run "$tests
$(grep -E '^(LEAK|KEEP) ' "$KML_TMP/labels" | sed 's/^/printed /')
printed_with_backtrace
scan_logged_new_leaks"
