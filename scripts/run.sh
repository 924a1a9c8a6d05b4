#!/bin/bash
# Boot FLAVOR, load MODULE (default: the kmemleak sample module from the
# build), scan, and print the kmemleak report and a summary line.
set -euo pipefail
. "$(dirname "$0")/common.sh"
flavor_lookup "$FLAVOR"

MODULE=${MODULE:-$FLAVOR_OBJ/samples/kmemleak/kmemleak-test.ko}
[[ -f $MODULE ]] || die "run: no module at $MODULE"
LOG=${LOG:-$BUILD/vm.log}
export LOG

set +e
FILES="$MODULE $ROOT/scripts/leakcheck.sh" \
CMD="sh /leakcheck.sh /$(basename "$MODULE")" "$ROOT/scripts/vm.sh"
status=$?
set -e
summary=$(grep -a '^run: ' "$LOG" | tail -1 || true)
[[ $status -eq 0 && -n $summary ]] || die "run: failed (status $status), see $LOG"
echo "$summary"
