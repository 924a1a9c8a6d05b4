#!/bin/sh
# Runs inside the VM (set up by scripts/kselftest.sh): the kmemleak kselftests,
# from the copy of the kernel tree at /linux, exactly as
#   make -C tools/testing/selftests TARGETS=kmemleak run_tests
# (plus TEST_PROGS="..." when only some of the tests are to run).
#
# The runner prints one result per test script and nests the scripts' own
# results as "# ok N ..." comments. Its output is shown as comments, then
# every nested result is printed as a TAP line of its own, so that each
# scenario counts. A script's runner verdict is printed as a result only
# when it adds something: the script failed, timed out or was skipped
# without failing a test, or reported fewer tests than it planned.

# KMEMLEAK_IMPL, KMEMLEAK_SELFTEST_OFF, KSFT_TESTS
[ -f /kselftest.env ] && . /kselftest.env
export KMEMLEAK_IMPL KMEMLEAK_SELFTEST_OFF

# What a usual /dev has and devtmpfs lacks: the runner logs to /dev/stdout.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
# make needs it to start its recipes on this kernel (see spawn-noresetids.c)
if [ -f /usr/lib/spawn-noresetids.so ]; then
	export LD_PRELOAD=/usr/lib/spawn-noresetids.so
fi

cd /linux || exit 1
if [ -n "$KSFT_TESTS" ]; then
	make -C tools/testing/selftests TARGETS=kmemleak TEST_PROGS="$KSFT_TESTS" \
		run_tests > /tmp/kselftest.out 2>&1
else
	make -C tools/testing/selftests TARGETS=kmemleak run_tests \
		> /tmp/kselftest.out 2>&1
fi
rc=$?
sed 's/^/# /' /tmp/kselftest.out
echo "# make run_tests exited with status $rc"

awk -v rc="$rc" '
	function result(ok, desc) {
		n++
		print (ok ? "ok " : "not ok ") n " - " desc
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
			result(0, "kselftest runner: no test script ran (make exited with status " rc ")")
		print "1.." n
	}
' /tmp/kselftest.out
