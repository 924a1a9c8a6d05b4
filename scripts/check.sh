#!/bin/bash
# Run every suite listed in tests/suites (or SUITES_FILE) and count the TAP
# results.
#
# A suite line is "NAME FLAVOURS COMMAND...": FLAVOURS is a comma-separated
# list of flavours (configs/flavors; "-" is $FLAVOR, the one make was asked
# for, "-+FRAG" its twin with FRAG.config, see flavor_resolve), all built
# before the suite runs. COMMAND runs from the repo root under bash with
# FLAVOR and KDIR (the first flavour and its build dir) and CHECK_NAME (the
# suite's name, which names its logs in build/check/) in the environment,
# and prints TAP, which scripts/tap.awk reads (results, plans, and the
# nesting of kselftest's runner). Its exit status must be 0. A suite that
# exits non-zero without reporting a failure, or prints no result, adds one
# failure; so does a flavour that fails to build, and tap.awk adds one for a
# plan not met. Skips are not passes.
# The last line printed is exactly "N passed, N failed".
# SUITE="name ..." runs only the named suites.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$ROOT"

OUT=$BUILD/check
mkdir -p "$OUT"
built=" "

pass=0 fail=0 skip=0
summary=()
while read -r name flavor cmd; do
	[[ -z $name || $name == \#* ]] && continue
	[[ -z ${SUITE:-} || " $SUITE " == *" $name "* ]] || continue
	flavors=()
	for f in ${flavor//,/ }; do
		flavors+=("$(flavor_resolve "$f")")
	done
	flavor=${flavors[0]}
	echo "# suite $name (${flavors[*]}): $cmd"
	broken=
	for f in "${flavors[@]}"; do
		[[ $built != *" $f "* ]] || continue
		if ! scripts/build.sh "$f" > "$OUT/$f.build.log" 2>&1; then
			echo "not ok - suite $name: building $f failed (log: build/check/$f.build.log)"
			tail -n 20 "$OUT/$f.build.log" | sed 's/^/# /'
			broken=1
			break
		fi
		built+="$f "
	done
	if [[ -n $broken ]]; then
		summary+=("check: $name: 0 passed, 1 failed, 0 skipped")
		fail=$((fail + 1))
		continue
	fi
	flavor_lookup "$flavor"
	set +e
	FLAVOR=$flavor KDIR=$FLAVOR_OBJ CHECK_NAME=$name bash -c "$cmd" < /dev/null 2>&1 |
		tee "$OUT/$name.out"
	rc=${PIPESTATUS[0]}
	set -e
	awk -f scripts/tap.awk "$OUT/$name.out" > "$OUT/$name.tap"
	grep -v '^tap: ' "$OUT/$name.tap" || true
	read -r _ p f s < <(tail -n 1 "$OUT/$name.tap")
	if ((p + f + s == 0)); then
		echo "not ok - suite $name printed no results (exit status $rc)"
		f=$((f + 1))
	elif ((rc != 0 && f == 0)); then
		echo "not ok - suite $name exited with status $rc"
		f=$((f + 1))
	fi
	summary+=("check: $name: $p passed, $f failed, $s skipped")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done < "${SUITES_FILE:-tests/suites}"

if ((pass + fail + skip == 0)); then
	echo "not ok - no test ran${SUITE:+ (SUITE=$SUITE)}"
	fail=1
fi
((${#summary[@]} == 0)) || printf '%s\n' "${summary[@]}"
((skip == 0)) || echo "check: $skip skipped (not counted as passed)"
echo "$pass passed, $fail failed"
((fail == 0))
