#!/bin/bash
# Boot FLAVOR, load MODULE (default: the kmemleak sample module from the
# build), scan, and print the kmemleak report and a summary line.
set -euo pipefail
. "$(dirname "$0")/common.sh"
flavor_lookup "$FLAVOR"

MODULE=${MODULE:-$FLAVOR_OBJ/samples/kmemleak/kmemleak-test.ko}
[[ -f $MODULE ]] || die "run: no module at $MODULE"
LOG=${LOG:-$BUILD/vm.log}
RESULT=${LOG%.log}.out
export LOG RESULT

set +e
FILES="$MODULE $ROOT/tests/vm/leakcheck.sh" \
CMD="sh /leakcheck.sh /$(basename "$MODULE")" "$ROOT/scripts/vm.sh"
status=$?
set -e
summary=$(grep -a '^run: ' "$RESULT" | tail -1 || true)
[[ $status -eq 0 && -n $summary ]] || die "run: failed (status $status), see $LOG"
echo "$summary"
