#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Leaks at module removal. test_modules/kmemleak_selftest_rmmod.ko keeps
# three blocks in its .bss (one allocated from its init text, one from its
# text, one that the latter points to) and hands a fourth over to
# kmemleak_selftest.ko. When it is removed, the log says
#   kmemleak: module <name> unloaded with <N> unreferenced objects (<B> bytes) allocated by its code
# with the three and their sizes, and the report and the summary list them
# at once, with no scan and no wait; the block handed over is not listed.
# Loaded and removed again, it logs the second load's three only.
# Loaded with leak=0, it frees its blocks on removal: nothing is logged.
#
# A detector that does not check modules at removal (the stock 6.12 one)
# skips.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

KML_SUMMARY=/sys/kernel/debug/kmemleak_summary
RMMOD_NAME=kmemleak_selftest_rmmod
RMMOD_KO="$KML_DIR"/test_modules/$RMMOD_NAME.ko
UNLOAD_RE="kmemleak: module $RMMOD_NAME unloaded with "

kml_require enabled
# its blocks are handed over to this one
kml_require_module
[ -f "$RMMOD_KO" ] || kml_skip_all "no $RMMOD_KO: build test_modules/ with KDIR=<kernel build dir>"
! grep -q "^$RMMOD_NAME " /proc/modules ||
	kml_skip_all "$RMMOD_NAME is loaded already"

# load_unload ARGS: insmod with ARGS, then rmmod; the log of both in
# $KML_TMP/log.
load_unload()
{
	kml_log_mark
	# shellcheck disable=SC2086
	insmod "$RMMOD_KO" $1 || ktap_exit_fail_msg "insmod $RMMOD_NAME $1 failed"
	rmmod "$RMMOD_NAME" || ktap_exit_fail_msg "rmmod $RMMOD_NAME failed"
	kml_log_since > "$KML_TMP/log"
}

load_unload leak=0
silent=0
if grep -q "$UNLOAD_RE" "$KML_TMP/log"; then
	ktap_print_msg "$(grep "$UNLOAD_RE" "$KML_TMP/log")"
	silent=1
fi
kml_do clear || ktap_exit_fail_msg "clear failed"
load_unload
grep -q "$UNLOAD_RE" "$KML_TMP/log" || [ "$silent" -eq 1 ] ||
	kml_skip_all "no '$UNLOAD_RE' line: a detector that does not check modules at removal"

unloaded_silently()
{
	kml_result "a module that frees its blocks is unloaded silently" "$silent"
}

# leak_labels: the module's block labels in $KML_TMP/log
leak_labels()
{
	awk -v m="$RMMOD_NAME: " '
	i = index($0, m) { $0 = substr($0, i + length(m)) }
	i && /^(LEAK|KEEP|FREE) / { print }' "$KML_TMP/log"
}

# want_line FILE: the log line the LEAK labels of FILE call for
want_line()
{
	local bytes

	bytes=$(awk '$1 == "LEAK" { n++; b += $4 } END { printf "%d %d", n, b }' "$KML_TMP/$1")
	echo "${UNLOAD_RE}${bytes% *} unreferenced objects (${bytes#* } bytes) allocated by its code"
}

# logged_as FILE DESCRIPTION: the removal's log line is FILE's want_line.
logged_as()
{
	local want got

	want=$(want_line "$1")
	got=$(grep -o "$UNLOAD_RE.*" "$KML_TMP/log")
	[ "$got" = "$want" ] || ktap_print_msg "logged '$got', expected '$want'"
	kml_result "$2" "$([ "$got" = "$want" ]; echo $?)"
}

removal_logged()
{
	logged_as labels "the removal is logged with the count and bytes of its leaks"
}

in_summary()
{
	local kind name addr size missing=

	cat "$KML_SUMMARY" > "$KML_TMP/summary"
	while read -r kind name addr size; do
		[ "$kind" = LEAK ] || continue
		awk -v tags="$KML_TAGS" -v a="$(kml_norm "$addr")" "$KML_NORM_AWK"'
		/^  objects:/ { for (i = 2; i <= NF; i++) if (norm($i) == a) found = 1 }
		END { exit !found }' "$KML_TMP/summary" || missing="$missing $name"
	done < "$KML_TMP/labels"
	[ -z "$missing" ] || ktap_print_msg "not in the summary:$missing"
	kml_result "the summary lists them as well" "$([ -z "$missing" ]; echo $?)"
}

# loaded again, most likely at the same address: the leaks of the first
# load are not the second's
second_load()
{
	load_unload
	leak_labels > "$KML_TMP/labels2"
	logged_as labels2 "a second load's removal counts only its own leaks"
}

leak_labels > "$KML_TMP/labels"
kml_report
# listed at once: no scan was asked for
kml_run "unloaded_silently
removal_logged
$(kml_label_tests labels)
in_summary
second_load"
