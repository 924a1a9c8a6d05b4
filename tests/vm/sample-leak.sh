#!/bin/sh
# Runs inside the VM: the sample module's leaks are found and reported.
n=0
result() {	# result NAME STATUS
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}

echo "1..5"
sh /leakcheck.sh /kmemleak-test.ko > /tmp/out 2>&1
rc=$?
cat /tmp/out
result "leakcheck: module loaded, scans ran, report read" $rc

line=$(grep '^run: ' /tmp/out)
total=$(echo "$line" | sed -n 's/^run: \([0-9]*\) unreferenced.*/\1/p')
mine=$(echo "$line" | sed -n 's/.*, \([0-9]*\) allocated from.*/\1/p')
echo "# $line"
[ "${total:-0}" -gt 0 ]
result "report: leaks are reported" $?
# ... and at least one frame is symbolised inside the module: "func+0x1/0x2 [kmemleak_test]".
[ "${mine:-0}" -gt 0 ] &&
	grep -qE '^    (\[<[0-9a-f]+>\] )?[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmemleak_test\]$' /tmp/kmemleak.report
result "report: leaks are attributed to functions of [kmemleak_test]" $?

# Every block leak_some_memory() leaks is reported: eight entries with that
# function in their backtrace. (A stale copy of a block's address in scanned
# memory hides the block: kmemleak is conservative. The suites boot with
# init_on_alloc=1, so that no block starts out holding such copies.) The
# stock tree's sample leaks other blocks, from its init function.
if grep -q leak_some_memory /kmemleak-test.ko; then
	found=$(grep -c '^    leak_some_memory+' /tmp/kmemleak.report)
	echo "# entries allocated by leak_some_memory(): $found of 8"
	[ "$found" -eq 8 ]
	result "report: each of the 8 blocks leak_some_memory() leaks is reported" $?
else
	echo "ok $((n += 1)) - report: each of the 8 blocks leak_some_memory() leaks is reported # SKIP this sample module has no leak_some_memory()"
fi

sizes=$(awk '/^unreferenced object / { sz = $5 }
	/\[kmemleak_test\]/ && sz { print sz; sz = "" }' /tmp/kmemleak.report | tr -d '():' | tr '\n' ' ')
echo "# sizes of the objects attributed to kmemleak_test: $sizes"

# Every entry has the stock layout: header, comm line, (hex dump,) backtrace
# line, then frames: "    sym+off/size [mod]" (6.12), older "    [<addr>] sym...".
awk '
	/^unreferenced object 0x[0-9a-f]+ \(size [0-9]+\):$/ { e++; state = 1; next }
	state == 1 { if ($0 ~ /^  comm ".*", pid [0-9]+, jiffies [0-9]+/) state = 2; else bad++; next }
	/^  backtrace \(crc [0-9a-f]+\):$/ { if (state == 2) { bt++; state = 3 } next }
	state == 3 && /^    [^ ]/ { fr++; state = 4 }
	END { exit !(e > 0 && !bad && bt == e && fr == e) }
' /tmp/kmemleak.report
result "report: entries follow the stock format" $?
