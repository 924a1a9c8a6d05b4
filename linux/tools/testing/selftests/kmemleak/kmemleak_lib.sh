# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the kmemleak selftests (POSIX sh; busybox ash and dash run
# them): skip checks, access to the debugfs file and to the test module,
# and matching of the leak report against the blocks the module made.

KML_DIR=$(cd "$(dirname "$0")" && pwd)
. "$KML_DIR"/../kselftest/ktap_helpers.sh

KML=/sys/kernel/debug/kmemleak
KML_CTL=/sys/kernel/debug/kmemleak_selftest
KML_FD="$KML_DIR"/kmemleak_fd
KML_MODULE="$KML_DIR"/test_modules/kmemleak_selftest.ko
KML_VERBOSE=/sys/module/kmemleak/parameters/verbose
# Blocks younger than this many seconds at the start of a scan are not reported.
KML_MIN_AGE=5

KML_TMP=$(mktemp -d /tmp/kmemleak_selftest.XXXXXX)
# Commands a test adds to undo its changes on exit (e.g. stack=off).
KML_AT_EXIT=
kml_exit()
{
	eval "$KML_AT_EXIT"
	rm -rf "$KML_TMP"
}
trap kml_exit EXIT

kml_skip_all()
{
	ktap_skip_all "$@"
	exit "$KSFT_SKIP"
}

# kml_skip DESCRIPTION REASON: a skipped test, its reason in the line before.
kml_skip()
{
	ktap_print_msg "skip: $1: $2"
	ktap_test_skip "$1"
}

# kml_run TESTS: the plan, then the tests, and the totals. TESTS has one
# test a line, a command (a function and its arguments) that reports one
# result; the plan is their number, so a test that does not run fails the
# script, and one that reports none or more than one ends it.
kml_run()
{
	printf '%s\n' "$1" | grep . > "$KML_TMP/tests"
	ktap_set_plan "$(grep -c . "$KML_TMP/tests")"
	while read -r KML_TEST <&9; do
		KML_TEST_NO=$KTAP_TESTNO
		eval "$KML_TEST"
		[ "$KTAP_TESTNO" -eq $((KML_TEST_NO + 1)) ] ||
			ktap_exit_fail_msg "'$KML_TEST' reported $((KTAP_TESTNO - KML_TEST_NO)) results, not one"
	done 9< "$KML_TMP/tests"
	ktap_finished
}

# kml_tests_for WORDS FUNCTION: one test a word, FUNCTION WORD (for kml_run).
kml_tests_for()
{
	local w

	for w in $1; do
		echo "$2 $w"
	done
}

# kml_result DESCRIPTION STATUS: pass if STATUS is 0.
kml_result()
{
	if [ "$2" -eq 0 ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1"
	fi
}

# kml_write CMD: write CMD to the debugfs file in one write(2) and print
# what it returned: the byte count, or the errno name.
kml_write()
{
	"$KML_FD" "$KML" write "$1"
}

# kml_cmd WORD: a command as the tests list it, in a word: a trailing "%n"
# stands for a newline. Sets KML_CMD to the bytes to write and KML_SHOW to
# how test names show it ("'scan<newline>'": ktap_helpers.sh prints names
# with echo, which in dash turns a backslash sequence into the character).
kml_cmd()
{
	case $1 in
	*%n)
		KML_CMD="${1%"%n"}
"
		KML_SHOW="'${1%"%n"}<newline>'"
		;;
	*)
		KML_CMD=$1
		KML_SHOW="'$1'"
		;;
	esac
}

# kml_do CMD: a command that must succeed.
kml_do()
{
	local ret

	ret=$(kml_write "$1")
	[ "$ret" = "${#1}" ] && return 0
	ktap_print_msg "'$1' failed: $ret"
	return 1
}

# kml_state: enabled, or disabled (every command but clear fails with
# EPERM), from the answer to a command that does not exist.
kml_state()
{
	case "$(kml_write kmemleak-selftest-probe)" in
	EINVAL) echo enabled ;;
	EPERM) echo disabled ;;
	*) echo unknown ;;
	esac
}

# kml_require enabled|any: print the header and skip when the test cannot run.
kml_require()
{
	ktap_print_header
	[ "$(id -u)" -eq 0 ] || kml_skip_all "must be run as root"
	grep -qs ' /sys/kernel/debug debugfs ' /proc/mounts ||
		kml_skip_all "debugfs is not mounted on /sys/kernel/debug"
	[ -e "$KML" ] ||
		kml_skip_all "$KML does not exist: kernel built without CONFIG_DEBUG_KMEMLEAK?"
	[ -x "$KML_FD" ] || kml_skip_all "the helper $KML_FD is not built"
	KML_STATE=$(kml_state)
	if [ "$1" = enabled ] && [ "$KML_STATE" != enabled ]; then
		kml_skip_all "kmemleak is $KML_STATE"
	fi
}

# kml_require_module: load the test module unless it is loaded.
kml_require_module()
{
	[ -e "$KML_CTL" ] && return 0
	if [ -f "$KML_MODULE" ]; then
		insmod "$KML_MODULE"
	else
		modprobe -q kmemleak_selftest
	fi
	[ -e "$KML_CTL" ] ||
		kml_skip_all "cannot load the test module kmemleak_selftest (build it in test_modules/ with KDIR=<kernel build dir>)"
}

# kml_create SCENARIO FILE: let the test module make SCENARIO's blocks and
# save their labels ("LEAK|KEEP|STACK name 0xaddress size") in
# $KML_TMP/FILE. Sets KML_CREATED to the time, in seconds.
kml_create()
{
	echo "$1" > "$KML_CTL" || return 1
	cat "$KML_CTL" > "$KML_TMP/$2"
	KML_CREATED=$(date +%s)
	[ -s "$KML_TMP/$2" ]
}

# kml_wait_age: sleep until the blocks of the last kml_create are older
# than the minimum age.
kml_wait_age()
{
	local left=$((KML_CREATED + KML_MIN_AGE + 1 - $(date +%s)))

	[ "$left" -le 0 ] || sleep "$left"
}

# kml_scan_twice: a new leak is reported by the second scan that sees it
# old enough (its checksum must not change in between).
kml_scan_twice()
{
	kml_do scan && kml_do scan
}

# kml_report: read the report into $KML_TMP/report, and the address (as
# kml_norm gives it) and size of every entry into $KML_TMP/reported.
kml_report()
{
	cat "$KML" > "$KML_TMP/report"
	awk -v tags="$KML_TAGS" "$KML_NORM_AWK"'
	/^unreferenced object 0x[0-9a-f]+ \(size [0-9]+\):$/ {
		s = $5; sub(/\):$/, "", s)
		print norm($3), s
	}' "$KML_TMP/report" > "$KML_TMP/reported"
}

# On arm64 the top byte of a kernel pointer may hold a KASAN tag, which the
# test module's labels show and a detector may print or not.
KML_TAGS=0
[ "$(uname -m)" = aarch64 ] && KML_TAGS=1

# kml_norm 0xADDR: ADDR in hex without 0x and leading zeros; where pointers
# are tagged, with the top byte of a kernel address (bit 55 set) set.
kml_norm()
{
	local a=${1#0x}

	if [ "$KML_TAGS" = 1 ]; then
		case $a in
		??[89a-f]?????????????) a=ff${a#??} ;;
		esac
	fi
	a=${a#"${a%%[!0]*}"}
	echo "${a:-0}"
}

# The same in awk: norm("0x..."), with tags=$KML_TAGS.
KML_NORM_AWK='function norm(x) {
	sub(/^0x/, "", x)
	if (tags && x ~ /^..[89a-f].............$/)
		x = "ff" substr(x, 3)
	sub(/^0*/, "", x)
	return x == "" ? "0" : x
}'

# kml_addr_re 0xADDR: an extended regex for ADDR as a report prints it
# (after "0x"), whatever its tag.
kml_addr_re()
{
	local a

	a=$(kml_norm "$1")
	if [ "$KML_TAGS" = 1 ] && [ "${#a}" -eq 16 ]; then
		echo "[0-9a-f][0-9a-f]${a#ff}"
	else
		echo "0*$a"
	fi
}

# kml_reported_size 0xADDR: print the size the report gives for ADDR, if listed.
kml_reported_size()
{
	awk -v a="$(kml_norm "$1")" '$1 "" == a "" { print $2; exit }' "$KML_TMP/reported"
}

# kml_entry 0xADDR: print the report entry of ADDR.
kml_entry()
{
	awk -v a="$(kml_norm "$1")" -v tags="$KML_TAGS" "$KML_NORM_AWK"'
		/^unreferenced object / { on = (norm($3) "" == a "") }
		on' "$KML_TMP/report"
}

# kml_label NAME FILE: set KML_ADDR and KML_SIZE to the address and size
# of label NAME; false if FILE has no such label.
kml_label()
{
	read -r KML_ADDR KML_SIZE <<-EOF
	$(awk -v n="$1" '$2 == n { print $3, $4; exit }' "$KML_TMP/$2")
	EOF
	[ -n "$KML_ADDR" ]
}

# kml_label_tests FILE: the tests (for kml_run) of the blocks of a scenario,
# one a block: kml_check_label KIND NAME ADDRESS SIZE.
kml_label_tests()
{
	grep -E '^(LEAK|KEEP|SKIP) ' "$KML_TMP/$1" | sed 's/^/kml_check_label /'
}

# kml_check_label KIND NAME ADDRESS SIZE: a LEAK must be listed with its
# size, a KEEP must not be listed. A SKIP is a block the module could not
# make on this kernel (it logs why). The first failure shows the report.
kml_check_label()
{
	local got

	case $1 in
	LEAK)
		kml_expect_listed "$3" "$4" "$2: leak reported (size $4)" && return
		;;
	KEEP)
		got=$(kml_reported_size "$3")
		if [ -z "$got" ]; then
			ktap_test_pass "$2: referenced, not reported"
			return
		fi
		ktap_print_msg "$2 $3: listed (size $got)"
		ktap_test_fail "$2: referenced, not reported"
		;;
	SKIP)
		kml_skip "$2" "the test module could not make this block here (its log says why)"
		return
		;;
	esac
	[ -n "$KML_REPORT_SHOWN" ] || kml_show_report
	KML_REPORT_SHOWN=1
}

KML_REPORT_SHOWN=
kml_show_report()
{
	ktap_print_msg "report ($(grep -c '^unreferenced' "$KML_TMP/report") entries):"
	sed 's/^/# /' "$KML_TMP/report"
}

# kml_log_mark: mark the kernel log; kml_log_since prints what follows it.
KML_MARKS=0
kml_log_mark()
{
	KML_MARKS=$((KML_MARKS + 1))
	KML_MARK="kmemleak_selftest: mark $$.$KML_MARKS.$(date +%s)"
	echo "$KML_MARK" > /dev/kmsg
}

kml_log_since()
{
	dmesg | awk -v m="$KML_MARK" 'on; index($0, m) { on = 1 }'
}

# The line a scan that found new leaks logs.
KML_NEW_LEAKS_RE='kmemleak: [1-9][0-9]* new suspected memory leaks \(see /sys/kernel/debug/kmemleak\)$'

# kml_thread_running: the "kmemleak" scanning kthread exists.
kml_thread_running()
{
	grep -qx kmemleak /proc/[0-9]*/comm 2>/dev/null
}

# kml_wait_thread yes|no: wait up to 5 s for the thread to be there or not.
kml_wait_thread()
{
	local i

	for i in 1 2 3 4 5 6 7 8 9 10; do
		if kml_thread_running; then
			[ "$1" = yes ] && return 0
		else
			[ "$1" = no ] && return 0
		fi
		sleep 0.5
	done
	return 1
}

# kml_expect_listed 0xADDR SIZE DESCRIPTION: a test that ADDR is listed in
# the last report with SIZE; false if it is not.
kml_expect_listed()
{
	local got

	got=$(kml_reported_size "$1")
	if [ "$got" = "$2" ]; then
		ktap_test_pass "$3"
		return 0
	fi
	ktap_print_msg "$1: expected size $2, got '${got:-not listed}'"
	ktap_test_fail "$3"
	# what kmemleak knows of it and what holds it, in the kernel log
	# (stock has no refs=)
	kml_write "dump=$1" > /dev/null
	kml_write "refs=$1" > /dev/null 2>&1
	return 1
}

# kml_expect_unlisted 0xADDR DESCRIPTION: a test that ADDR is not listed.
kml_expect_unlisted()
{
	local got

	got=$(kml_reported_size "$1")
	if [ -z "$got" ]; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "$1: listed (size $got)"
		ktap_test_fail "$2"
	fi
}
