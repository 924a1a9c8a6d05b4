#!/bin/bash
# Run a TAP-printing shell script inside the VM and print its TAP lines.
# Usage: vm-tap.sh SCRIPT [FILES...]   (env: FLAVOR, APPEND, TIMEOUT, ...)
# SCRIPT and FILES are copied to / in the VM; SCRIPT runs as `sh /SCRIPT`.
# The console goes to build/check/<name>.vm.log, <name> being CHECK_NAME
# (set by check.sh) or the script's. If the VM fails (panic,
# oops, timeout...), a "not ok" line says so and the exit status is non-zero.
set -euo pipefail
. "$(dirname "$0")/common.sh"

script=$1
shift
name=${CHECK_NAME:-$(basename "$script" .sh)}
export LOG=$BUILD/check/$name.vm.log
mkdir -p "$BUILD/check"

# The script's output is shown live, and again once it is done between two
# markers: a kernel message printed in the middle of a live TAP line would
# otherwise garble it. Without the markers (the VM died), use the live copy.
cmd="set -o pipefail; sh /$(basename "$script") 2>&1 | tee /tmp/vm-tap.out; rc=\$?
echo @@tap-begin@@; cat /tmp/vm-tap.out; echo @@tap-end@@; exit \$rc"
set +e
FILES="$script $*" CMD=$cmd "$ROOT/scripts/vm.sh" > /dev/null
rc=$?
set -e
tr -d '\r' < "$LOG" > "$LOG.tmp"
if grep -q '^@@tap-begin@@' "$LOG.tmp" && grep -q '^@@tap-end@@' "$LOG.tmp"; then
	sed -n '/^@@tap-begin@@/,/^@@tap-end@@/p' "$LOG.tmp" > "$LOG.tap"
else
	cp "$LOG.tmp" "$LOG.tap"
fi
grep -aE '^((not )?ok([ ]|$)|1\.\.[0-9]+|# )' "$LOG.tap" || true
rm -f "$LOG.tmp" "$LOG.tap"
if ((rc != 0)); then
	echo "not ok - $name: VM run failed with status $rc (log: ${LOG#"$ROOT"/})"
	tail -n 30 "$LOG" | sed 's/^/# /'
	exit 1
fi
