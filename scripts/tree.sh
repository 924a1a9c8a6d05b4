#!/bin/bash
# Prepare the source trees in build/src:
#   base  pristine 6.12 tree: extracted from /usr/src/linux-source-6.12*.tar.xz,
#         or copied from KSRC=/path. Never modified after it is made.
#   ours  base + the linux/ overlay: every file under linux/ is laid over the
#         tree at the same path, except *.patch files, which are `patch -p1`
#         diffs applied (in sorted path order) on top. Updated incrementally:
#         files whose content did not change keep their mtime.
# Usage: tree.sh [base|ours]   (default: both)
set -euo pipefail
. "$(dirname "$0")/common.sh"

SRC=$BUILD/src
BASE=$SRC/base
OURS=$SRC/ours
OVERLAY=$ROOT/linux

prepare_base() {
	local origin ver tarball=
	if [[ -n ${KSRC:-} ]]; then
		[[ -f $KSRC/Makefile ]] || die "tree: KSRC=$KSRC is not a kernel tree"
		origin="ksrc $(cd "$KSRC" && pwd)"
	else
		local tars=(/usr/src/linux-source-6.12*.tar.xz)
		tarball=${tars[-1]}
		[[ -f $tarball ]] || die "tree: no /usr/src/linux-source-6.12*.tar.xz (run: make deps)"
		origin="tar $tarball $(stat -c '%s %Y' "$tarball")"
	fi
	if [[ -d $BASE && -f $SRC/base.origin && $(cat "$SRC/base.origin") == "$origin" ]]; then
		return 0
	fi

	echo "tree: preparing build/src/base from ${KSRC:-$tarball}"
	# Everything built from an older base is stale.
	rm -rf "$BASE" "$BASE.tmp" "$OURS" "$SRC/ours.manifest" "$SRC/base.origin" "$BUILD/obj"
	mkdir -p "$BASE.tmp"
	if [[ -n ${KSRC:-} ]]; then
		rsync -a --exclude=.git "$KSRC/" "$BASE.tmp/"
	else
		tar -xJf "$tarball" -C "$BASE.tmp" --strip-components=1
	fi
	ver=$(make -s -C "$BASE.tmp" kernelversion 2>/dev/null) || die "tree: cannot read the kernel version"
	[[ $ver == 6.12.* ]] || die "tree: base tree is $ver, not 6.12"
	# A copied tree may carry in-tree build products; out-of-tree builds need it clean.
	if [[ -e $BASE.tmp/.config || -d $BASE.tmp/include/config ]]; then
		make -s -C "$BASE.tmp" mrproper
	fi
	mv "$BASE.tmp" "$BASE"
	echo "$origin" > "$SRC/base.origin"
	echo "tree: base is linux $ver"
}

# Copy file $1 (relative path) from base into the staging dir $2, if base has it.
stage_from_base() {
	if [[ -f $BASE/$1 && ! -e $2/$1 ]]; then
		mkdir -p "$2/$(dirname "$1")"
		cp "$BASE/$1" "$2/$1"
	fi
}

prepare_ours() {
	if [[ ! -d $OURS ]]; then
		echo "tree: copying base to build/src/ours"
		rm -rf "$OURS.tmp" "$SRC/ours.manifest"
		cp -a "$BASE" "$OURS.tmp"
		mv "$OURS.tmp" "$OURS"
	fi

	local p target
	STAGE=$(mktemp -d "$SRC/stage.XXXXXX")
	local stage=$STAGE
	trap 'rm -rf "$STAGE"' EXIT

	local files=() patches=()
	if [[ -d $OVERLAY ]]; then
		while IFS= read -r -d '' p; do
			p=${p#"$OVERLAY"/}
			if [[ $p == *.patch ]]; then patches+=("$p"); else files+=("$p"); fi
		done < <(find "$OVERLAY" -type f -print0 | sort -z)
	fi

	for p in "${files[@]}"; do
		mkdir -p "$stage/$(dirname "$p")"
		cp "$OVERLAY/$p" "$stage/$p"
	done
	for p in "${patches[@]}"; do
		# Bring every file the patch touches into the staging dir first.
		while read -r target; do
			stage_from_base "$target" "$stage"
		done < <(sed -n -E 's#^(\+\+\+|---) [ab]/([^[:space:]]+).*#\2#p' "$OVERLAY/$p" | sort -u)
		if ! out=$(patch -p1 -d "$stage" --batch --forward --no-backup-if-mismatch \
				-r - < "$OVERLAY/$p" 2>&1); then
			echo "$out" >&2
			die "tree: patch linux/$p does not apply"
		fi
	done

	# Paths that were overlaid last time but no longer are: back to base.
	local manifest=$SRC/ours.manifest new
	new=$(cd "$stage" && find . -type f | sed 's#^\./##' | sort)
	if [[ -f $manifest ]]; then
		while IFS= read -r p; do
			[[ -n $p ]] || continue
			grep -qxF -- "$p" <<< "$new" && continue
			if [[ -f $BASE/$p ]]; then
				cmp -s "$BASE/$p" "$OURS/$p" || cp "$BASE/$p" "$OURS/$p"
				echo "tree: $p restored from base"
			else
				rm -f "$OURS/$p"
				echo "tree: $p removed"
			fi
		done < "$manifest"
	fi

	# -c: compare by checksum, no -t: changed files get a new mtime, others keep theirs.
	rsync -rc --out-format='tree: updated %n' "$stage/" "$OURS/" | { grep -v '/$' || true; }
	printf '%s\n' "$new" | sed '/^$/d' > "$manifest"
}

case ${1:-all} in
base) prepare_base ;;
ours|all) prepare_base; prepare_ours ;;
*) die "usage: tree.sh [base|ours]" ;;
esac
