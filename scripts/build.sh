#!/bin/bash
# Configure (only when the inputs changed) and build a kernel flavour.
# Usage: build.sh [FLAVOR]   (env: FLAVOR, KSRC, JOBS)
set -euo pipefail
. "$(dirname "$0")/common.sh"
FLAVOR=${1:-$FLAVOR}
flavor_lookup "$FLAVOR"
[[ $FLAVOR_ARCH == x86_64 ]] || "$ROOT/scripts/deps.sh" "$FLAVOR_ARCH"

if [[ $FLAVOR_TREE == ours ]]; then
	"$ROOT/scripts/tree.sh" ours
else
	"$ROOT/scripts/tree.sh" base
fi

kernel_cc "$FLAVOR_ARCH"
KMAKE=(make -C "$FLAVOR_SRC" O="$FLAVOR_OBJ" "${KMAKE_ARCH[@]}" CC="$CC" -j"${JOBS:-$(nproc)}")
CONFIG=$FLAVOR_OBJ/.config
mkdir -p "$FLAVOR_OBJ"

# check_config: every CONFIG_ line of the fragments must be in .config as asked.
check_config() {
	local frag line sym val bad=0
	for frag in "${FLAVOR_FRAGS[@]}"; do
		while IFS= read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
				sym=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
			elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set ]]; then
				sym=${BASH_REMATCH[1]} val=n
			else
				continue
			fi
			if [[ $val == n ]]; then
				grep -q "^$sym=" "$CONFIG" || continue
			else
				grep -qxF "$sym=$val" "$CONFIG" && continue
			fi
			echo "config: ${frag#"$ROOT"/}: $sym=$val was not applied;" \
			     "got: $(grep -E "^(# )?$sym[= ]" "$CONFIG" || echo unset)" >&2
			bad=1
		done < "$frag"
	done
	return $bad
}

# Reconfigure only when the fragments, the tree or its Kconfig overlay changed.
stamp=$( {
	echo "$FLAVOR_SRC $CC ${KMAKE_ARCH[*]} $FLAVOR_BASE"
	cat "${FLAVOR_FRAGS[@]}"
	if [[ $FLAVOR_TREE == ours && -d $ROOT/linux ]]; then
		find "$ROOT/linux" -type f -name 'Kconfig*' -print0 | sort -z | xargs -0r cat
	fi
} | sha256sum | cut -d' ' -f1)
if [[ ! -f $CONFIG || ! -f $FLAVOR_OBJ/.harness-config ||
      $(cat "$FLAVOR_OBJ/.harness-config") != "$stamp" ]]; then
	echo "config: configuring $FLAVOR: $FLAVOR_BASE + ${FLAVOR_FRAGS[*]##*/}"
	rm -f "$FLAVOR_OBJ/.harness-config"
	# shellcheck disable=SC2086 # a list of targets
	"${KMAKE[@]}" -s $FLAVOR_BASE
	"$FLAVOR_SRC/scripts/kconfig/merge_config.sh" -m -O "$FLAVOR_OBJ" "$CONFIG" \
		"${FLAVOR_FRAGS[@]}" > "$FLAVOR_OBJ/merge_config.log"
	"${KMAKE[@]}" -s olddefconfig
	check_config || die "config: $FLAVOR: config fragments not applied (see above)"
	echo "$stamp" > "$FLAVOR_OBJ/.harness-config"
fi

start=$SECONDS
"${KMAKE[@]}" "$(basename "$FLAVOR_IMAGE")" modules
echo "kernel: $FLAVOR built in $((SECONDS - start)) s: ${FLAVOR_IMAGE#"$ROOT"/}"
