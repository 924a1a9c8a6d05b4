#!/bin/bash
# The overlay (linux/) as a patch series against the base tree.
#
# patches/NN-name.txt describes step NN: a first line "files: PATH..." (the
# kernel paths the step brings to their final content), an empty line, then
# the commit message; patches/cover.txt is the cover letter (subject line,
# then body). Every overlaid path belongs to exactly one step.
#
# Usage: patches.sh           write the series to build/patches/*.patch
#        patches.sh --check   TAP: the steps cover the overlay; each step,
#                             in order, applies with git am onto a clean base
#                             tree and builds (the ours flavour's config);
#                             the last one leaves the tree equal to the
#                             overlaid one.
# The check keeps its tree in build/src/series (a copy of base) and builds
# in build/obj/series.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SERIES=$ROOT/patches
OUT=$BUILD/patches
BASE=$BUILD/src/base
OURS=$BUILD/src/ours

"$ROOT/scripts/tree.sh" ours > /dev/null
mapfile -t overlaid < "$BUILD/src/ours.manifest"
steps=("$SERIES"/[0-9]*.txt)

step_files() { sed -n '1s/^files: //p' "$1"; }
step_name() { basename "$1" .txt; }

# coverage: prints what is wrong, if anything
coverage() {
	local -A step_of=() is_overlaid=()
	local s p
	for p in "${overlaid[@]}"; do
		is_overlaid[$p]=1
	done
	for s in "${steps[@]}"; do
		[[ $(sed -n 2p "$s") == "" && -n $(step_files "$s") ]] ||
			echo "${s#"$ROOT"/}: no 'files:' line followed by an empty line"
		for p in $(step_files "$s"); do
			[[ -n ${is_overlaid[$p]:-} ]] ||
				echo "$(step_name "$s"): $p is not overlaid"
			[[ -z ${step_of[$p]:-} ]] ||
				echo "$p: in ${step_of[$p]} and in $(step_name "$s")"
			step_of[$p]=$(step_name "$s")
		done
	done
	for p in "${overlaid[@]}"; do
		[[ -n ${step_of[$p]:-} ]] || echo "in no step: $p"
	done
}

# git with the identity and date of the project's last commit, so that the
# series is the same every time it is written.
author=$(git -C "$ROOT" log -1 --format='%an')
email=$(git -C "$ROOT" log -1 --format='%ae')
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
GIT_AUTHOR_DATE=$(git -C "$ROOT" log -1 --format='%aD')
GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
g() { git -c user.name="$author" -c user.email="$email" -c advice.detachedHead=false "$@"; }

write_series() {
	local repo=$BUILD/src/series-repo s p
	problems=$(coverage)
	[[ -z $problems ]] || die "patches: $problems"
	rm -rf "$OUT" "$repo"
	mkdir -p "$repo"
	g -C "$repo" init -q
	# the base versions of every path the series touches
	for p in "${overlaid[@]}"; do
		[[ -f $BASE/$p ]] || continue
		mkdir -p "$repo/$(dirname "$p")"
		cp "$BASE/$p" "$repo/$p"
		g -C "$repo" add -- "$p"
	done
	g -C "$repo" commit -q -m "base: Linux $(make -s -C "$BASE" kernelversion)"
	g -C "$repo" tag base
	for s in "${steps[@]}"; do
		for p in $(step_files "$s"); do
			mkdir -p "$repo/$(dirname "$p")"
			cp "$OURS/$p" "$repo/$p"
			g -C "$repo" add -- "$p"
		done
		sed '1,2d' "$s" | g -C "$repo" commit -q -s -F -
	done
	g -C "$repo" format-patch -q --cover-letter -o "$OUT" base
	# the cover letter's placeholders, from patches/cover.txt
	local cover=("$OUT"/0000-cover-letter.patch)
	awk -v subj="$(head -n 1 "$SERIES/cover.txt")" -v body="$SERIES/cover.txt" '
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
		/\*\*\* BLURB HERE \*\*\*/ {
			n = 0
			while ((getline l < body) > 0)
				if (++n > 2) print l
			next
		}
		{ print }' "${cover[0]}" > "${cover[0]}.tmp"
	mv "${cover[0]}.tmp" "${cover[0]}"
	echo "patches: $(ls "$OUT"/*.patch | wc -l) files in ${OUT#"$ROOT"/}/"
}

n=0
result() {	# result STATUS DESCRIPTION
	n=$((n + 1))
	if (($1 == 0)); then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

check_series() {
	local tree=$BUILD/src/series obj=$BUILD/obj/series s p rc log
	echo "1..$((2 * ${#steps[@]} + 2))"
	problems=$(coverage)
	[[ -z $problems ]] && rc=0 || rc=1
	[[ -z $problems ]] || sed 's/^/# /' <<< "$problems"
	result $rc "series: every overlaid path is in exactly one step"
	write_series > /dev/null

	# a clean base tree, with the paths the series touches under git
	if [[ ! -d $tree ]]; then
		rm -rf "$tree.tmp"
		cp -a "$BASE" "$tree.tmp"
		mv "$tree.tmp" "$tree"
	fi
	rm -rf "$tree/.git"
	[[ -f $tree/.series-touched ]] && mapfile -t old < "$tree/.series-touched" || old=()
	for p in "${old[@]}" "${overlaid[@]}"; do
		if [[ -f $BASE/$p ]]; then
			cmp -s "$BASE/$p" "$tree/$p" || cp "$BASE/$p" "$tree/$p"
		else
			rm -f "$tree/$p"
		fi
	done
	printf '%s\n' "${overlaid[@]}" > "$tree/.series-touched"
	g -C "$tree" init -q
	for p in "${overlaid[@]}"; do
		[[ -f $tree/$p ]] && g -C "$tree" add -f -- "$p"
	done
	g -C "$tree" commit -q -m base

	kernel_cc x86_64
	mkdir -p "$obj" "$BUILD/check"
	cp "$BUILD/obj/ours/.config" "$obj/.config"
	# LOCALVERSION set: no "+" for the git tree in the release string
	local kmake=(make -C "$tree" O="$obj" ARCH=x86_64 CC="$CC" LOCALVERSION= -j"${JOBS:-$(nproc)}")
	local i=0 failed=0
	for s in "${steps[@]}"; do
		i=$((i + 1))
		log=$BUILD/check/series-$(step_name "$s").log
		if ((failed)); then
			result 1 "series: $(step_name "$s") applies (an earlier step failed)"
			result 1 "series: $(step_name "$s") builds (an earlier step failed)"
			continue
		fi
		g -C "$tree" am -q --keep-cr "$(ls "$OUT"/"$(printf '%04d' "$i")"-*.patch)" > "$log" 2>&1
		rc=$?
		result $rc "series: $(step_name "$s") applies with git am"
		if ((rc)); then
			failed=1
			sed 's/^/# /' "$log" | tail -n 10
			result 1 "series: $(step_name "$s") builds (not applied)"
			continue
		fi
		{ "${kmake[@]}" -s olddefconfig && "${kmake[@]}" bzImage modules; } >> "$log" 2>&1
		rc=$?
		result $rc "series: $(step_name "$s") builds (tinyconfig, the ours flavour's config)"
		((rc == 0)) || { failed=1; tail -n 20 "$log" | sed 's/^/# /'; }
	done
	rc=0
	for p in "${overlaid[@]}"; do
		cmp -s "$OURS/$p" "$tree/$p" || { echo "# differs from the overlay: $p"; rc=1; }
	done
	result $rc "series: the tree after the last step equals the overlaid tree"
}

case ${1:-} in
"") write_series ;;
--check) set +e; check_series ;;
*) die "usage: patches.sh [--check]" ;;
esac
