#!/bin/sh
# Runs inside the VM (set up by scripts/kselftest.sh): the kmemleak
# kselftests installed at /kselftest, by kselftest's own runner,
#	sh /kselftest/run_kselftest.sh [-t kmemleak:TEST.sh ...]
# (all the tests of kselftest-list.txt, or those of KSFT_TESTS).
#
# The runner prints one result per test script and nests the scripts' own
# results as "# ok N ..." comments. Its output is shown as comments, then
# every nested result is printed as a TAP line of its own, so that each
# scenario counts. A script's runner verdict is printed as a result only
# when it adds something: the script failed, timed out or was skipped
# without failing a test, or reported fewer tests than it planned. So is a
# runner that ran no script, or fewer than it planned.

# KMEMLEAK_SELFTEST_OFF, KSFT_TESTS
[ -f /kselftest.env ] && . /kselftest.env
export KMEMLEAK_SELFTEST_OFF

# What a usual /dev has and devtmpfs lacks: the runner logs to /dev/stdout.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for fd in stdin:0 stdout:1 stderr:2; do
	[ -e "/dev/${fd%:*}" ] || ln -s "/proc/self/fd/${fd#*:}" "/dev/${fd%:*}"
done

set --
for t in $KSFT_TESTS; do
	set -- "$@" -t "kmemleak:$t"
done
# In append mode: the runner writes the tests' output through a descriptor
# of its own, opened on /dev/stdout, which must not write over its verdicts.
: > /tmp/kselftest.out
sh /kselftest/run_kselftest.sh "$@" >> /tmp/kselftest.out 2>&1
rc=$?
sed 's/^/# /' /tmp/kselftest.out
echo "# run_kselftest.sh exited with status $rc"

awk -v rc="$rc" '
	function result(ok, desc) {
		n++
		print (ok ? "ok " : "not ok ") n " - " desc
	}
	/^1\.\.[0-9]+$/ {
		planned = substr($0, 4) + 0
		next
	}
	/^# selftests: kmemleak: / {
		script = $4; sub(/\.sh$/, "", script)
		plan = -1; ran = 0; failed = 0; skipall = ""
		next
	}
	/^# 1\.\.[0-9]+/ {
		plan = $2; sub(/^1\.\./, "", plan); plan += 0
		if (match($0, /# SKIP.*/))
			skipall = substr($0, RSTART + 7)
		next
	}
	/^# (not )?ok [0-9]+ / {
		line = substr($0, 3)
		ok = line !~ /^not /
		sub(/^(not )?ok [0-9]+ /, "", line)
		ran++
		if (!ok)
			failed++
		result(ok, script ": " line)
		next
	}
	/^(not )?ok [0-9]+ selftests: kmemleak: / {
		scripts++
		verdict = $0
		sub(/^(not )?ok [0-9]+ selftests: kmemleak: [^ ]+ ?/, "", verdict)
		if ($1 == "not" && !failed)
			result(0, script ": the script failed " verdict)
		else if (skipall != "")
			print "ok " ++n " - " script " # SKIP " skipall
		else if ($0 ~ /# SKIP/)
			print "ok " ++n " - " script " # SKIP"
		else if (plan >= 0 && ran != plan && !failed)
			result(0, script ": planned " plan " tests, reported " ran)
		else if (!ran)
			result($1 == "ok", script)
		script = ""
		next
	}
	END {
		if (!scripts)
			result(0, "kselftest runner: no test script ran (run_kselftest.sh exited with status " rc ")")
		else if (scripts != planned)
			result(0, "kselftest runner: planned " planned " test scripts, ran " scripts)
		print "1.." n
	}
' /tmp/kselftest.out
