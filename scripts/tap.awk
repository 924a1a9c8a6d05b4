# The one reader of test results (scripts/check.sh): counts the TAP (KTAP)
# results of a suite's output and prints a "not ok" line for each problem
# of structure, then, last, "tap: PASSED FAILED SKIPPED".
#
#   ok N - name | not ok N - name | ok N - name # SKIP reason | 1..N
#
# One level of nesting, as kselftest's runner prints it: a test script's
# own results are comments ("# ok 3 ...", "# 1..12") ahead of its verdict,
# an unprefixed result line. Each nested result counts; the verdict counts
# only when it adds something: the script failed, or reported fewer results
# than it planned, without failing a test; or it reported none (then the
# verdict is the result, a skip if the script skipped them all). A plan
# that the results at its level do not meet is a failure too.

function count(line) {
	if (line ~ /^not ok/)
		failed++
	else if (tolower(line) ~ /#[ ]*skip/)
		skipped++
	else
		passed++
}

function problem(msg) {
	print "not ok - " msg
	failed++
}

BEGIN {
	plan = -1
	open_block()
}

function open_block() {
	sub_plan = -1; sub_ran = 0; sub_failed = 0; sub_skipall = 0
}

{ sub(/\r$/, "") }

/^1\.\.[0-9]+/ {
	plan = substr($1, 4) + 0
	next
}

/^# 1\.\.[0-9]+/ {
	sub_plan = substr($2, 4) + 0
	if (tolower($0) ~ /# skip/)
		sub_skipall = 1
	next
}

/^# (not )?ok([ ]|$)/ {
	line = substr($0, 3)
	count(line)
	sub_ran++
	if (line ~ /^not ok/)
		sub_failed++
	next
}

/^(not )?ok([ ]|$)/ {
	top++
	if (!sub_ran) {
		if (sub_skipall && $0 !~ /^not ok/)
			skipped++
		else
			count($0)
	} else if ($0 ~ /^not ok/ && !sub_failed) {
		problem("failed, with all its results passed: " $0)
	} else if (sub_plan >= 0 && sub_ran != sub_plan && !sub_failed) {
		problem("planned " sub_plan " results, reported " sub_ran ": " $0)
	}
	open_block()
	next
}

END {
	if (sub_ran && sub_plan >= 0 && sub_ran != sub_plan && !sub_failed)
		problem("planned " sub_plan " results, reported " sub_ran " (no verdict followed)")
	if (plan >= 0 && top != plan && !failed)
		problem("planned " plan " tests, reported " top)
	print "tap: " passed + 0, failed + 0, skipped + 0
}
