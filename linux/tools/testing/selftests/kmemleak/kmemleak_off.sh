#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A disabled kmemleak: after the "off" command, or when booted disabled
# (kmemleak=off, or CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF without kmemleak=on),
# the debugfs file is still there, every command but clear fails with EPERM,
# no scanning thread runs, and once clear has released what was kept the
# file reads empty.
#
# Writing "off" cannot be undone before a reboot, so on an enabled kmemleak
# this test only runs with KMEMLEAK_SELFTEST_OFF=1.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require any
# Commands refused once disabled (see kml_cmd: "%n" is a trailing newline).
refused="scan scan%n off stack=on stack=off scan=on scan=off scan=5
	 dump=0x12345678 kmemleak-selftest-unknown"

case $KML_STATE in
enabled)
	[ "${KMEMLEAK_SELFTEST_OFF:-0}" = 1 ] ||
		kml_skip_all "writes 'off', which disables kmemleak until reboot: set KMEMLEAK_SELFTEST_OFF=1"
	first=turned_off
	;;
disabled)
	first=booted_off
	;;
*)
	ktap_exit_fail_msg "kmemleak answers neither EINVAL nor EPERM to an unknown command"
	;;
esac

turned_off()
{
	local ret

	kml_log_mark
	ret=$(kml_write off)
	[ "$ret" = 3 ]
	kml_result "'off' is accepted and returns 3" $?
}

booted_off()
{
	kml_log_mark
	[ -z "$(head -c 1 "$KML")" ]
	kml_result "booted disabled: $KML reads empty" $?
}

logged_disabled()
{
	if [ "$KML_STATE" = enabled ]; then
		kml_log_since
	else
		dmesg
	fi | grep -q 'kmemleak: Kernel memory leak detector disabled$'
	kml_result "the log says 'kmemleak: Kernel memory leak detector disabled'" $?
}

# refuses_eperm WORD: the command WORD (see kml_cmd) fails with EPERM.
refuses_eperm()
{
	local ret

	kml_cmd "$1"
	ret=$(kml_write "$KML_CMD")
	[ "$ret" = EPERM ] || ktap_print_msg "write returned $ret"
	kml_result "disabled: $KML_SHOW fails with EPERM" "$([ "$ret" = EPERM ]; echo $?)"
}

no_thread()
{
	ktap_test_result "disabled: no scanning thread runs" kml_wait_thread no
}

clear_accepted()
{
	local ret

	ret=$(kml_write clear)
	[ "$ret" = 5 ] || ktap_print_msg "write returned $ret"
	kml_result "disabled: 'clear' is accepted and returns 5" "$([ "$ret" = 5 ]; echo $?)"
}

clear_empty()
{
	[ -z "$(head -c 1 "$KML")" ]
	kml_result "disabled: after clear $KML reads empty" $?
}

kml_run "$first
logged_disabled
$(kml_tests_for "$refused" refuses_eperm)
no_thread
clear_accepted
clear_empty"
