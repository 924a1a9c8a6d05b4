#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The debugfs interface: every command, with and without a trailing newline,
# returns the length written; malformed ones fail with EINVAL. scan=<secs>
# makes the scanning thread find leaks by itself, scan=off and scan=0 stop
# it; dump=<address> logs a tracked block or "Unknown object"; a descriptor
# can be written and then read, from the start, and read again after a seek
# to 0; clear hides the listed leaks for good.
#
# Where the stock 6.12 detector behaves otherwise, the test probes what it
# finds and skips, naming the behaviour: stock matches commands by prefix
# ("scanfoo" is a scan), and a write advances the file position (a read
# after it misses the first bytes of the report).

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
kml_require_module

# Accepted commands, in this order (see kml_cmd: "%n" is a trailing
# newline); after some, the scanning thread must be running (+) or not (-).
accepted="scan scan%n stack=off stack=off%n stack=on%n stack=on
	  scan=on+ scan=off- scan=on%n scan=0- scan=600%n+ scan=off%n"
rejected="foo %n stack=maybe scan=abc scan=-1 dump= dump=xyz SCAN scanfoo"

was_running=0
kml_thread_running && was_running=1
# Leave the thread as it was (at the default period), and stack scanning on.
KML_AT_EXIT='kml_write stack=on > /dev/null
[ "$was_running" -eq 0 ] || kml_write scan=600 > /dev/null'

# readable: the report can be read to its end.
readable()
{
	cat "$KML" > /dev/null
}

can_be_read()
{
	ktap_test_result "$KML can be read" readable
}

# kml_accepts WORD: a test that the command (see kml_cmd) is accepted and
# returns its length.
kml_accepts()
{
	local ret

	kml_cmd "$1"
	ret=$(kml_write "$KML_CMD")
	[ "$ret" = "${#KML_CMD}" ] || ktap_print_msg "write returned $ret"
	kml_result "$KML_SHOW is accepted and returns ${#KML_CMD}" \
		"$([ "$ret" = "${#KML_CMD}" ]; echo $?)"
}

# kml_rejects WORD ERRNO: a test that the command fails with ERRNO.
kml_rejects()
{
	local ret

	kml_cmd "$1"
	ret=$(kml_write "$KML_CMD")
	[ "$ret" = "$2" ] || ktap_print_msg "write returned $ret"
	kml_result "$KML_SHOW fails with $2" "$([ "$ret" = "$2" ]; echo $?)"
}

# all_listed FILE: every LEAK of scenario "a" is listed in report FILE.
all_listed()
{
	local kind name addr size

	while read -r kind name addr size; do
		[ "$kind" = LEAK ] || continue
		grep -Eq "^unreferenced object 0x$(kml_addr_re "$addr") \\(size $size\\):\$" "$1" ||
			return 1
	done < "$KML_TMP/a"
}

# whole_report FILE: FILE is a report from its first byte that lists the
# leaks of scenario "a".
whole_report()
{
	head -n 1 "$1" | grep -Eq '^unreferenced object 0x[0-9a-f]+ \(size [0-9]+\):$' &&
		all_listed "$1"
}

# thread_finds_leaks: within 30 s, a report lists all the leaks of "a".
thread_finds_leaks()
{
	local i=0

	while [ "$i" -lt 30 ]; do
		cat "$KML" > "$KML_TMP/report"
		all_listed "$KML_TMP/report" && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# logged_new_leaks: the kernel log, since the last mark, has the line of a
# scan that found new leaks.
logged_new_leaks()
{
	kml_log_since | grep -Eq "$KML_NEW_LEAKS_RE"
}

thread_runs()
{
	ktap_test_result "scan=5: the scanning thread runs" kml_wait_thread yes
}

thread_lists_leaks()
{
	ktap_test_result "scan=5: the thread lists new leaks, without a 'scan' command" \
		thread_finds_leaks
}

thread_logged()
{
	ktap_test_result "the thread's scan logged 'kmemleak: N new suspected memory leaks (see /sys/kernel/debug/kmemleak)'" \
		logged_new_leaks
}

thread_stops()
{
	ktap_test_result "scan=off: the scanning thread stops" kml_wait_thread no
}

# thread_after WORD: after the command WORD (see kml_cmd) with a trailing
# "+", the scanning thread runs; with a "-", it is stopped.
thread_after()
{
	kml_cmd "${1%?}"
	case $1 in
	*+)
		ktap_test_result "after $KML_SHOW the scanning thread runs" \
			kml_wait_thread yes
		;;
	*)
		ktap_test_result "after $KML_SHOW the scanning thread is stopped" \
			kml_wait_thread no
		;;
	esac
}

# command_tests: a test of each accepted command, and of the thread after
# those that start or stop it.
command_tests()
{
	local c

	for c in $accepted; do
		case $c in
		*[+-])
			echo "kml_accepts ${c%?}"
			echo "thread_after $c"
			;;
		*)
			echo "kml_accepts $c"
			;;
		esac
	done
}

# dump=<address>, of basic_data_ref, then of an address not tracked
dump_tracked()
{
	kml_log_mark
	kml_accepts "dump=$dump_addr"
}

dump_logs_block()
{
	kml_log_since | grep -Eq "object 0x$(kml_addr_re "$dump_addr") \\(size $dump_size\\):"
	kml_result "dump=<address of a tracked block> logs the block" $?
}

dump_untracked()
{
	kml_log_mark
	kml_rejects dump=0x12345678 EINVAL
}

dump_logs_unknown()
{
	kml_log_since | grep -q "kmemleak: Unknown object at 0x12345678$"
	kml_result "dump=<untracked address> logs 'kmemleak: Unknown object at 0x<address>'" $?
}

# rejects_einval WORD: the command WORD (see kml_cmd) fails with EINVAL.
rejects_einval()
{
	local ret

	kml_cmd "$1"
	ret=$(kml_write "$KML_CMD")
	# A detector that matches commands by prefix runs "scanfoo" as a scan.
	if [ "$1" = scanfoo ] && [ "$ret" = "${#KML_CMD}" ]; then
		kml_skip "$KML_SHOW fails with EINVAL" \
			"this kmemleak matches commands by prefix: '$1' returned $ret"
		return
	fi
	[ "$ret" = EINVAL ] || ktap_print_msg "write returned $ret"
	kml_result "$KML_SHOW fails with EINVAL" "$([ "$ret" = EINVAL ]; echo $?)"
}

# One descriptor, written then read. The leaks of "a" are listed by now.
# pos is the file position after the write: a detector whose write advances
# it makes the read that follows miss the first bytes of the report.
rw_write()
{
	local st pos

	rw=$("$KML_FD" "$KML" rw scan "$KML_TMP/read" "$KML_TMP/reread")
	ktap_print_msg "read-write descriptor: $rw"
	case $rw in
	"write=4 "*) st=0 ;;
	*) st=1 ;;
	esac
	kml_result "read-write descriptor: writing 'scan' returns 4" $st
	pos=${rw#*" pos="}
	pos=${pos%%" "*}
	advances=
	[ "$pos" = 0 ] ||
		advances="a write advances the file position (to $pos), the read after it misses the first bytes"
}

rw_read_from_start()
{
	if [ -n "$advances" ]; then
		kml_skip "read-write descriptor: a read after a write starts at the beginning" "$advances"
		return
	fi
	whole_report "$KML_TMP/read" && cmp -s "$KML_TMP/read" "$KML_TMP/reread"
	kml_result "read-write descriptor: a read after a write starts at the beginning" $?
}

rw_lseek()
{
	local st

	case $rw in
	*" lseek=0 "*) whole_report "$KML_TMP/reread"; st=$? ;;
	*) st=1 ;;
	esac
	kml_result "read-write descriptor: after lseek(0) the whole report is read again" $st
}

rw_shell()
{
	if [ -n "$advances" ]; then
		kml_skip "exec 3<>$KML; echo scan >&3; cat <&3 prints the report" "$advances"
		return
	fi
	exec 3<>"$KML"
	echo scan >&3
	cat <&3 > "$KML_TMP/fd3"
	exec 3>&-
	whole_report "$KML_TMP/fd3"
	kml_result "exec 3<>$KML; echo scan >&3; cat <&3 prints the report" $?
}

# none_listed: the last report lists no leak of "a", nor anything else.
none_listed()
{
	! all_listed "$KML_TMP/report" && ! grep -q . "$KML_TMP/reported"
}

# none_relisted: the last report lists no leak of "a".
none_relisted()
{
	local kind name addr size

	while read -r kind name addr size; do
		[ "$kind" = LEAK ] || continue
		[ -z "$(kml_reported_size "$addr")" ] || return 1
	done < "$KML_TMP/a"
}

# clear hides what is listed now, for good.
clear_hides()
{
	kml_report
	ktap_test_result "clear: no leak is listed any more" none_listed
}

clear_for_good()
{
	kml_do scan
	kml_report
	ktap_test_result "clear: a later scan does not list the cleared leaks again" none_relisted
}

# The scanning thread, at a 5 s period, finds new leaks on its own.
kml_create basic a || ktap_exit_fail_msg "the test module could not create its blocks"
kml_label basic_data_ref a || ktap_exit_fail_msg "no label basic_data_ref"
dump_addr=$KML_ADDR dump_size=$KML_SIZE
kml_log_mark
kml_run "can_be_read
kml_accepts scan=5
thread_runs
thread_lists_leaks
thread_logged
kml_accepts scan=off
thread_stops
$(command_tests)
dump_tracked
dump_logs_block
kml_accepts dump=$dump_addr%n
dump_untracked
dump_logs_unknown
$(kml_tests_for "$rejected" rejects_einval)
rw_write
rw_read_from_start
rw_lseek
rw_shell
kml_accepts clear
clear_hides
clear_for_good
kml_accepts clear%n"
