#!/bin/bash
# Run a TAP-printing shell script inside the VM and print its output.
# Usage: vm-tap.sh SCRIPT [FILES...]   (env: FLAVOR, APPEND, TIMEOUT, ...)
# SCRIPT and FILES are copied to / in the VM; SCRIPT runs as `sh /SCRIPT`.
# The console goes to build/check/<name>.vm.log and the script's output to
# <name>.vm.out, <name> being CHECK_NAME (set by check.sh) or the script's.
# If the VM fails (panic, oops, timeout...), a "not ok" line says so and the
# exit status is non-zero.
set -euo pipefail
. "$(dirname "$0")/common.sh"

script=$1
shift
name=${CHECK_NAME:-$(basename "$script" .sh)}
export LOG=$BUILD/check/$name.vm.log
mkdir -p "$BUILD/check"

# The script's output comes back on the result port (RESULT): the console
# interleaves kernel messages with it.
export RESULT=$BUILD/check/$name.vm.out
set +e
FILES="$script $*" CMD="sh /$(basename "$script")" "$ROOT/scripts/vm.sh" > /dev/null
rc=$?
set -e
cat "$RESULT" 2> /dev/null || true
if ((rc != 0)); then
	echo "not ok - $name: VM run failed with status $rc (log: ${LOG#"$ROOT"/})"
	tail -n 30 "$LOG" | sed 's/^/# /'
	exit 1
fi
