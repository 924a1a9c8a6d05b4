# Sourced by the other scripts: paths and the flavour table.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
FLAVOR=${FLAVOR:-ours}

die() { echo "$*" >&2; exit 1; }

# flavor_lookup NAME: sets FLAVOR_TREE (ours|stock), FLAVOR_SRC (source dir),
# FLAVOR_FRAGS (config fragment paths) and FLAVOR_OBJ (build dir).
flavor_lookup() {
	local name tree frags
	while read -r name tree frags; do
		[[ -z $name || $name == \#* ]] && continue
		[[ $name == "$1" ]] || continue
		FLAVOR_TREE=$tree
		case $tree in
		ours)  FLAVOR_SRC=$BUILD/src/ours ;;
		stock) FLAVOR_SRC=$BUILD/src/base ;;
		*) die "configs/flavors: flavour $name: unknown tree '$tree'" ;;
		esac
		FLAVOR_FRAGS=()
		local f
		for f in $frags; do
			[[ -f $ROOT/configs/$f ]] || die "configs/flavors: flavour $name: no configs/$f"
			FLAVOR_FRAGS+=("$ROOT/configs/$f")
		done
		FLAVOR_OBJ=$BUILD/obj/$name
		return 0
	done < "$ROOT/configs/flavors"
	die "unknown FLAVOR '$1' (see configs/flavors: $(awk '!/^#/ && NF {printf "%s ", $1}' "$ROOT/configs/flavors"))"
}
