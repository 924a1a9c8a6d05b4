#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debugfs interface: every command, with and without a trailing newline,
# returns the length written; malformed ones fail with EINVAL. scan=<secs>
# makes the scanning thread find leaks by itself, scan=off and scan=0 stop
# it; dump=<address> logs a tracked block or "Unknown object"; a descriptor
# can be written and then read, from the start, and read again after a seek
# to 0; clear hides the listed leaks for good.

source "$(dirname "$(readlink -f "$0")")"/kmemleak_lib.sh

kml_require enabled
kml_require_module

# Accepted commands, in this order; after some, the scanning thread must be
# running (+) or not (-).
accepted=(scan $'scan\n' stack=off $'stack=off\n' $'stack=on\n' stack=on
	  scan=on+ scan=off- $'scan=on\n' scan=0- $'scan=600\n+' $'scan=off\n')
rejected=(foo $'\n' stack=maybe scan=abc scan=-1 dump= dump=xyz SCAN scanfoo)
nthread=0
for c in "${accepted[@]}"; do
	case $c in *[+-]) nthread=$((nthread + 1)) ;; esac
done
ktap_set_plan $((1 + 6 + ${#accepted[@]} + nthread + 5 + ${#rejected[@]} + 4 + 4))

was_running=0
kml_thread_running && was_running=1
# Leave the thread as it was (at the default period), and stack scanning on.
KML_AT_EXIT='kml_write stack=on > /dev/null
[ "$was_running" -eq 0 ] || kml_write scan=600 > /dev/null'

cat "$KML" > /dev/null
kml_result "$KML can be read" $?

# kml_accepts CMD: a test that CMD is accepted and returns its length.
kml_accepts()
{
	local ret

	ret=$(kml_write "$1")
	[ "$ret" = "${#1}" ] || ktap_print_msg "write returned $ret"
	kml_result "$(kml_show "$1") is accepted and returns ${#1}" "$([ "$ret" = "${#1}" ]; echo $?)"
}

# kml_rejects CMD ERRNO: a test that CMD fails with ERRNO.
kml_rejects()
{
	local ret

	ret=$(kml_write "$1")
	[ "$ret" = "$2" ] || ktap_print_msg "write returned $ret"
	kml_result "$(kml_show "$1") fails with $2" "$([ "$ret" = "$2" ]; echo $?)"
}

# all_listed FILE: every LEAK of scenario "a" is listed in report FILE.
all_listed()
{
	local kind name addr size

	while read -r kind name addr size; do
		[ "$kind" = LEAK ] || continue
		grep -Eq "^unreferenced object 0x0*$(kml_norm "$addr") \\(size $size\\):\$" "$1" ||
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

# The scanning thread, at a 5 s period, finds new leaks on its own.
kml_create basic a || ktap_exit_fail_msg "the test module could not create its blocks"
kml_log_mark
kml_accepts scan=5
kml_wait_thread yes
kml_result "scan=5: the scanning thread runs" $?
found=1
for i in $(seq 30); do
	cat "$KML" > "$KML_TMP/report"
	if all_listed "$KML_TMP/report"; then
		found=0
		break
	fi
	sleep 1
done
kml_result "scan=5: the thread lists new leaks, without a 'scan' command" $found
kml_log_since | grep -Eq "$KML_NEW_LEAKS_RE"
kml_result "the thread's scan logged 'kmemleak: N new suspected memory leaks (see /sys/kernel/debug/kmemleak)'" $?
kml_accepts scan=off
kml_wait_thread no
kml_result "scan=off: the scanning thread stops" $?

# Every command, with and without a newline.
for c in "${accepted[@]}"; do
	case $c in
	*+) kml_accepts "${c%+}"
	    kml_wait_thread yes
	    kml_result "after $(kml_show "${c%+}") the scanning thread runs" $? ;;
	*-) kml_accepts "${c%-}"
	    kml_wait_thread no
	    kml_result "after $(kml_show "${c%-}") the scanning thread is stopped" $? ;;
	*) kml_accepts "$c" ;;
	esac
done

# dump=<address>
read -r _ addr size < <(kml_label basic_data_ref a)
kml_log_mark
kml_accepts "dump=$addr"
kml_log_since | grep -iq "object $addr (size $size):"
kml_result "dump=<address of a tracked block> logs the block" $?
kml_accepts "dump=$addr"$'\n'
kml_log_mark
kml_rejects dump=0x12345678 EINVAL
kml_log_since | grep -q "kmemleak: Unknown object at 0x12345678$"
kml_result "dump=<untracked address> logs 'kmemleak: Unknown object at 0x<address>'" $?

for c in "${rejected[@]}"; do
	if [ "$c" = scanfoo ] &&
	   kml_stock_differs "$(kml_show "$c") fails with EINVAL" \
			     "commands are matched by prefix: this is a scan"; then
		continue
	fi
	kml_rejects "$c" EINVAL
done

# One descriptor, written then read. The leaks of "a" are listed by now.
ret=$("$KML_FD" "$KML" rw scan "$KML_TMP/read" "$KML_TMP/reread")
ktap_print_msg "read-write descriptor: $ret"
[[ $ret == "write=4 "* ]]
kml_result "read-write descriptor: writing 'scan' returns 4" $?
if ! kml_stock_differs "read-write descriptor: a read after a write starts at the beginning" \
		       "a write advances the file position, the read misses the first bytes"; then
	whole_report "$KML_TMP/read" && cmp -s "$KML_TMP/read" "$KML_TMP/reread"
	kml_result "read-write descriptor: a read after a write starts at the beginning" $?
fi
[[ $ret == *" lseek=0 "* ]] && whole_report "$KML_TMP/reread"
kml_result "read-write descriptor: after lseek(0) the whole report is read again" $?
if ! kml_stock_differs "exec 3<>$KML; echo scan >&3; cat <&3 prints the report" \
		       "a write advances the file position, the read misses the first bytes"; then
	exec 3<>"$KML"
	echo scan >&3
	cat <&3 > "$KML_TMP/fd3"
	exec 3>&-
	whole_report "$KML_TMP/fd3"
	kml_result "exec 3<>$KML; echo scan >&3; cat <&3 prints the report" $?
fi

# clear hides what is listed now, for good.
kml_accepts clear
kml_report
! all_listed "$KML_TMP/report" && ! grep -q . "$KML_TMP/reported"
kml_result "clear: no leak is listed any more" $?
kml_do scan
kml_report
hidden=0
while read -r kind name addr size; do
	[ "$kind" = LEAK ] || continue
	[ -z "$(kml_reported_size "$addr")" ] || hidden=1
done < "$KML_TMP/a"
kml_result "clear: a later scan does not list the cleared leaks again" $hidden
kml_accepts $'clear\n'

ktap_finished
