#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A caller that gets the API wrong does not take the detector down. The
# test module's "buggy-caller" does each of these 100 times: registers a
# block over one still tracked, frees an address inside a tracked block,
# and annotates an address never registered. Each kind of mistake gets a
# warning with a backtrace in the log, rate-limited (at most 10 of a kind
# here), the detector stays enabled, and a leak made afterwards is still
# reported.
#
# The stock 6.12 detector disables itself at the first overlap (no
# kmemleak.min_unref_scans parameter tells it apart): skipped there.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
[ -e /sys/module/kmemleak/parameters/min_unref_scans ] ||
	kml_skip_all "a detector that disables itself at an overlap (the stock one)"
kml_require_module

kml_log_mark
echo buggy-caller > "$KML_CTL" || ktap_exit_fail_msg "buggy-caller failed"
kml_log_since > "$KML_TMP/log"

# warned WHAT REGEX: between 1 and 10 lines of the log match REGEX.
warned()
{
	local n

	n=$(grep -cE "$2" "$KML_TMP/log")
	ktap_print_msg "$1: $n warnings"
	kml_result "$1: warned, at most 10 times" \
		"$([ "$n" -ge 1 ] && [ "$n" -le 10 ]; echo $?)"
}

calls_made()
{
	kml_result "the module made its 100 calls" \
		"$(grep -q 'buggy-caller: 100 calls$' "$KML_TMP/log"; echo $?)"
}

overlaps()
{
	warned "a block registered over another" \
		'kmemleak: 0x[0-9a-f]+ \(size 16\) overlaps 0x[0-9a-f]+ \(size 128\), whose free was not reported'
}

inside()
{
	warned "a free inside a block" \
		'kmemleak: kmemleak_free: 0x[0-9a-f]+ points inside 0x[0-9a-f]+ \(size 16\): a wrong pointer, or'
}

unknown()
{
	warned "an annotation of an address never registered" \
		'kmemleak: not_leak: no object at 0x[0-9a-f]+'
}

backtraces()
{
	local w t

	w=$(grep -cE 'kmemleak: (0x[0-9a-f]+ \(size|kmemleak_free: |not_leak: )' "$KML_TMP/log")
	t=$(grep -c 'Call Trace:' "$KML_TMP/log")
	kml_result "each warning has a backtrace ($w warnings, $t backtraces)" \
		"$([ "$w" -gt 0 ] && [ "$t" -ge "$w" ]; echo $?)"
}

quiet_otherwise()
{
	kml_result "nothing else went wrong (no disable, no BUG or WARNING)" \
		"$(! grep -Eq 'kmemleak: .*disabl|BUG:|WARNING:' "$KML_TMP/log"; echo $?)"
}

still_enabled()
{
	kml_result "kmemleak is still enabled" \
		"$([ "$(kml_state)" = enabled ]; echo $?)"
}

leak_still_found()
{
	kml_do clear || ktap_exit_fail_msg "clear failed"
	kml_create basic labels || ktap_exit_fail_msg "the test module could not make its blocks"
	kml_wait_age
	kml_scan_twice || ktap_exit_fail_msg "scan failed"
	kml_report
	# the scenario's first leak
	kml_label "$(awk '$1 == "LEAK" { print $2; exit }' "$KML_TMP/labels")" labels ||
		ktap_exit_fail_msg "the basic scenario made no leak"
	kml_expect_listed "$KML_ADDR" "$KML_SIZE" "a leak made afterwards is reported"
}

kml_run "calls_made
overlaps
inside
unknown
backtraces
quiet_otherwise
still_enabled
leak_still_found"
