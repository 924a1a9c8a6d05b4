#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The detector under load. test_modules/kmemleak_selftest_stress.ko
# allocates and frees on every CPU (kmalloc, its own cache, vmalloc,
# per-CPU, krealloc, partial frees, blocks handed between threads, from
# softirq and hard interrupt context) for KMEMLEAK_STRESS_SECONDS (default
# 30) while this script scans every 100 ms, reads the report and the
# summary, writes clear, toggles stack=off/on and scan=off/on, and loads
# and removes a module, all at once. Then:
#  - the kernel logged no warning, lockdep or KASAN report, lockup or stall;
#  - no block of the stress module was ever listed (all are referenced);
#  - every command of the load succeeded, and the detector is still enabled;
#  - the module freed all it allocated, and the detector's metadata is back
#    within 5 % of where it was before (it gives back what it took).
# The figures (allocations, frees, scans, metadata bytes) go to the log.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

SECONDS_=${KMEMLEAK_STRESS_SECONDS:-30}
STRESS=kmemleak_selftest_stress
STRESS_KO="$KML_DIR"/test_modules/$STRESS.ko
RMMOD_NAME=kmemleak_selftest_rmmod
RMMOD_KO="$KML_DIR"/test_modules/$RMMOD_NAME.ko
KML_STATS=/sys/kernel/debug/kmemleak_stats
KML_SUMMARY=/sys/kernel/debug/kmemleak_summary
BAD_RE='WARNING:|BUG:|INFO: possible|lockdep|KASAN|soft lockup|rcu_.*stall|hung_task|blocked for more than|Oops|kmemleak: .*disabl'

kml_require enabled
[ -f "$STRESS_KO" ] || kml_skip_all "no $STRESS_KO: build test_modules/ with KDIR=<kernel build dir>"
[ -e "$KML_STATS" ] || kml_skip_all "no $KML_STATS: a detector without the stats view"
! grep -q "^$STRESS " /proc/modules || kml_skip_all "$STRESS is loaded already"
# the module loop's module takes the selftest module's symbol
kml_require_module

was_running=0
kml_thread_running && was_running=1
KML_AT_EXIT='touch "$KML_TMP/stop"; wait
grep -q "^$STRESS " /proc/modules && rmmod $STRESS
kml_write stack=on > /dev/null
if [ "$was_running" -eq 1 ]; then kml_write scan=on; else kml_write scan=off; fi > /dev/null'

metadata()
{
	sed -n 's/^metadata_bytes: //p' "$KML_STATS"
}

# Caches that other kernel code fills during the test (dentries, inodes)
# hold tracked blocks: emptied before each measurement.
settle()
{
	sync
	[ -w /proc/sys/vm/drop_caches ] && echo 3 > /proc/sys/vm/drop_caches
	kml_do scan
}

# loop NAME PERIOD COMMAND...: run COMMAND every PERIOD s until stopped;
# $KML_TMP/NAME.n counts the runs, NAME.err the failures.
loop()
{
	local name=$1 period=$2 n=0

	shift 2
	: > "$KML_TMP/$name.err"
	while [ ! -e "$KML_TMP/stop" ]; do
		"$@" >> "$KML_TMP/$name.err" 2>&1 || echo "$name: '$*' failed" >> "$KML_TMP/$name.err"
		n=$((n + 1))
		sleep "$period"
	done
	echo "$n" > "$KML_TMP/$name.n"
}

cmd()
{
	local ret

	ret=$(kml_write "$1")
	[ "$ret" = "${#1}" ] || { echo "$1: $ret"; return 1; }
}

# Any block of the stress module listed: its frames name the module.
read_views()
{
	grep -F "[$STRESS]" "$KML" >> "$KML_TMP/listed"
	cat "$KML_SUMMARY" > /dev/null
	cat "$KML_STATS" > /dev/null
}

# A scan may be abandoned (EBUSY) when the kernel frees faster than it
# can release what was freed: counted, not a failure.
scan_cmd()
{
	local ret

	ret=$(kml_write scan)
	case $ret in
	4) echo scan >> "$KML_TMP/scans.done" ;;
	EBUSY) echo scan >> "$KML_TMP/scans.busy" ;;
	*) echo "scan: $ret"; return 1 ;;
	esac
}

toggle_stack()
{
	cmd stack=off && sleep 0.2 && cmd stack=on
}

toggle_thread()
{
	cmd scan=off && sleep 0.3 && cmd scan=on
}

load_unload()
{
	insmod "$RMMOD_KO" leak=0 && rmmod "$RMMOD_NAME"
}

settle || ktap_exit_fail_msg "scan failed"
meta_before=$(metadata)
kml_log_mark
insmod "$STRESS_KO" || ktap_exit_fail_msg "insmod $STRESS failed"
: > "$KML_TMP/listed"
: > "$KML_TMP/scans.done"
: > "$KML_TMP/scans.busy"
loop scans 0.1 scan_cmd &
loop readers 0.5 read_views &
loop clears 2 cmd clear &
loop stacks 0.5 toggle_stack &
loop threads 1 toggle_thread &
[ -f "$RMMOD_KO" ] && loop modules 0.5 load_unload &
sleep "$SECONDS_"
touch "$KML_TMP/stop"
wait
rmmod "$STRESS" || ktap_exit_fail_msg "rmmod $STRESS failed"
kml_log_since > "$KML_TMP/log"
line=$(sed -n "s/.*$STRESS: \([0-9]* allocations, .*\)/\1/p" "$KML_TMP/log")
ktap_print_msg "$SECONDS_ s: $line"
for n in scans readers clears stacks threads modules; do
	[ -f "$KML_TMP/$n.n" ] && ktap_print_msg "$n: $(cat "$KML_TMP/$n.n") runs"
done

no_bad_lines()
{
	if grep -Eq "$BAD_RE" "$KML_TMP/log"; then
		grep -E "$BAD_RE" "$KML_TMP/log" | head -n 20 | sed 's/^/# /'
		ktap_test_fail "the kernel logged no warning, report or stall"
		return
	fi
	ktap_test_pass "the kernel logged no warning, report or stall"
}

none_listed()
{
	if [ -s "$KML_TMP/listed" ]; then
		head -n 20 "$KML_TMP/listed" | sed 's/^/# /'
		ktap_test_fail "no block of the stress module listed"
		return
	fi
	ktap_test_pass "no block of the stress module listed"
}

commands_succeeded()
{
	local done busy

	cat "$KML_TMP"/*.err > "$KML_TMP/errors"
	head -n 20 "$KML_TMP/errors" | sed 's/^/# /'
	done=$(grep -c . "$KML_TMP/scans.done")
	busy=$(grep -c . "$KML_TMP/scans.busy")
	ktap_print_msg "scans: $done completed, $busy abandoned"
	kml_result "every command of the load succeeded, scans completed" \
		"$([ ! -s "$KML_TMP/errors" ] && [ "$done" -gt 0 ]; echo $?)"
}

still_enabled()
{
	kml_result "kmemleak is still enabled" \
		"$([ "$(kml_state)" = enabled ]; echo $?)"
}

all_freed()
{
	local allocs frees

	allocs=$(echo "$line" | sed -n 's/^\([0-9]*\) allocations, .*/\1/p')
	frees=$(echo "$line" | sed -n 's/.* \([0-9]*\) frees, .*/\1/p')
	kml_result "the stress module allocated and freed all it allocated" \
		"$([ "${allocs:-0}" -gt 0 ] && [ "$allocs" = "$frees" ]; echo $?)"
}

metadata_returns()
{
	local after

	settle || ktap_exit_fail_msg "scan failed"
	after=$(metadata)
	ktap_print_msg "metadata_bytes: $meta_before before, $after after"
	kml_result "the metadata is back within 5 % of where it was" \
		"$([ $((after * 100)) -le $((meta_before * 105)) ] &&
		   [ $((after * 100)) -ge $((meta_before * 95)) ]; echo $?)"
}

kml_run "no_bad_lines
none_listed
commands_succeeded
still_enabled
all_freed
metadata_returns"
