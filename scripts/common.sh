# Sourced by the other scripts: paths and the flavour table.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
FLAVOR=${FLAVOR:-ours}

die() { echo "$*" >&2; exit 1; }

# flavor_lookup NAME: sets FLAVOR_TREE (ours|stock), FLAVOR_SRC (source dir),
# FLAVOR_ARCH (x86_64|arm64), FLAVOR_BASE (config targets, e.g. "tinyconfig"),
# FLAVOR_FRAGS (config fragment paths), FLAVOR_OBJ (build dir),
# FLAVOR_IMAGE (the kernel image to boot) and KMAKE_ARCH (the make
# variables that select the architecture and cross compiler).
flavor_lookup() {
	local name tree arch base frags
	while read -r name tree arch base frags; do
		[[ -z $name || $name == \#* ]] && continue
		[[ $name == "$1" ]] || continue
		FLAVOR_TREE=$tree
		case $tree in
		ours)  FLAVOR_SRC=$BUILD/src/ours ;;
		stock) FLAVOR_SRC=$BUILD/src/base ;;
		*) die "configs/flavors: flavour $name: unknown tree '$tree'" ;;
		esac
		FLAVOR_ARCH=$arch
		FLAVOR_OBJ=$BUILD/obj/$name
		case $arch in
		x86_64)
			KMAKE_ARCH=(ARCH=x86_64)
			FLAVOR_IMAGE=$FLAVOR_OBJ/arch/x86/boot/bzImage ;;
		arm64)
			KMAKE_ARCH=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
			FLAVOR_IMAGE=$FLAVOR_OBJ/arch/arm64/boot/Image ;;
		*) die "configs/flavors: flavour $name: unknown arch '$arch'" ;;
		esac
		FLAVOR_BASE=${base//+/ }
		FLAVOR_FRAGS=()
		local f
		for f in $frags; do
			[[ -f $ROOT/configs/$f ]] || die "configs/flavors: flavour $name: no configs/$f"
			FLAVOR_FRAGS+=("$ROOT/configs/$f")
		done
		return 0
	done < "$ROOT/configs/flavors"
	die "unknown FLAVOR '$1' (see configs/flavors: $(awk '!/^#/ && NF {printf "%s ", $1}' "$ROOT/configs/flavors"))"
}

# flavor_resolve SPEC: the flavour a suite's flavour column names: "-" is
# $FLAVOR; "-+FRAG" is the flavour of configs/flavors whose line is
# $FLAVOR's plus FRAG.config (for FLAVOR=ours, "-+defoff" is defoff; for
# stock, stock-defoff); anything else is a flavour's name.
flavor_resolve() {
	case $1 in
	-) echo "$FLAVOR" ;;
	-+*)
		awk -v name="$FLAVOR" -v frag="${1#-+}.config" '
			/^#/ || !NF { next }
			{
				f = $1; sub(/^[^ \t]+[ \t]+/, ""); gsub(/[ \t]+/, " ")
				sub(/ $/, ""); line[f] = $0; names[++n] = f
			}
			END {
				if (!(name in line)) exit 1
				if (index(" " line[name] " ", " " frag " ")) { print name; exit }
				for (i = 1; i <= n; i++)
					if (line[names[i]] == line[name] " " frag) { print names[i]; exit }
				exit 1
			}' "$ROOT/configs/flavors" ||
			die "configs/flavors: no flavour is $FLAVOR plus ${1#-+}.config"
		;;
	*) echo "$1" ;;
	esac
}

# kernel_cc ARCH: sets CC, the compiler for ARCH's kernels, through ccache
# when there is one.
kernel_cc() {
	CC=gcc
	[[ $1 == arm64 ]] && CC=aarch64-linux-gnu-gcc
	if command -v ccache >/dev/null; then
		CC="ccache $CC"
		# Lets a fresh clone in another directory reuse the cache.
		export CCACHE_BASEDIR=$ROOT
	fi
}
