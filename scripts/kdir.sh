#!/bin/bash
# Print only the absolute kernel build directory of FLAVOR, for
#   make -C "$(make -s kdir)" M=$PWD modules
set -euo pipefail
. "$(dirname "$0")/common.sh"
flavor_lookup "$FLAVOR"
echo "$FLAVOR_OBJ"
