#!/bin/sh
# Runs inside the VM (set up by scripts/kselftest.sh): the kmemleak
# kselftests installed at /kselftest, by kselftest's own runner,
#	sh /kselftest/run_kselftest.sh [-t kmemleak:TEST.sh ...]
# (all the tests of kselftest-list.txt, or those of KSFT_TESTS). Its output
# is the result: a verdict per test script, each script's own results
# nested ahead of it as comments (scripts/tap.awk reads both).

# KMEMLEAK_SELFTEST_OFF, KMEMLEAK_STRESS_SECONDS, KSFT_TESTS, KSFT_TIMEOUT
[ -f /kselftest.env ] && . /kselftest.env
export KMEMLEAK_SELFTEST_OFF KMEMLEAK_STRESS_SECONDS

# What a usual /dev has and devtmpfs lacks: the runner logs to /dev/stdout.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for fd in stdin:0 stdout:1 stderr:2; do
	[ -e "/dev/${fd%:*}" ] || ln -s "/proc/self/fd/${fd#*:}" "/dev/${fd%:*}"
done

set --
[ -n "$KSFT_TIMEOUT" ] && set -- -o "$KSFT_TIMEOUT"
for t in $KSFT_TESTS; do
	set -- "$@" -t "kmemleak:$t"
done
# In append mode: the runner writes the tests' output through a descriptor
# of its own, opened on /dev/stdout, which must not write over its verdicts.
: > /tmp/kselftest.out
sh /kselftest/run_kselftest.sh "$@" >> /tmp/kselftest.out 2>&1
rc=$?
cat /tmp/kselftest.out
echo "# run_kselftest.sh exited with status $rc"
