#!/bin/bash
# The style gates on the kernel files we ship, one TAP result each:
# checkpatch.pl --strict, W=1 and sparse (C=2) on our objects,
# kernel-doc -none -Wall, and the Sphinx build of Documentation/dev-tools
# (make htmldocs, in build/docs/) without a warning about our rst.  Every
# finding is printed; any finding fails.
# Exceptions, each with its reason (README, "make check"):
#   the selftest module prints %px: the tests match those exact addresses
#   in the report (checkpatch VSPRINTF_SPECIFIER_PX);
#   steps that add files do not touch MAINTAINERS: the last step does,
#   for all of them (FILE_PATH_CHANGES).
# env: FLAVOR/KDIR of a flavour of our tree (check.sh sets them).
set -euo pipefail
. "$(dirname "$0")/common.sh"
flavor_lookup "$FLAVOR"
[[ $FLAVOR_TREE == ours ]] || die "style.sh: $FLAVOR is not a flavour of our tree"
cd "$FLAVOR_SRC"

ours=(mm/kmemleak*.[ch] include/linux/kmemleak.h samples/kmemleak/*.c)
selftests=(tools/testing/selftests/kmemleak/*.c
	   tools/testing/selftests/kmemleak/test_modules/*.[ch])
objs=()
for f in mm/kmemleak*.c samples/kmemleak/*.c; do
	objs+=("${f%.c}.o")
done

n=0
gate() {	# gate DESCRIPTION FINDINGS-FILE
	n=$((n + 1))
	if [[ -s $2 ]]; then
		sed 's/^/# /' "$2"
		echo "not ok $n - $1: $(grep -c . "$2") lines of findings"
	else
		echo "ok $n - $1"
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
	perl scripts/checkpatch.pl --strict --no-tree --quiet --file \
		"${ours[@]}" Documentation/dev-tools/kmemleak.rst || true
	perl scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore VSPRINTF_SPECIFIER_PX --file "${selftests[@]}" || true
} > "$tmp/checkpatch"
gate "checkpatch.pl --strict: ${#ours[@]} files of mm/, include/, samples/, the rst and ${#selftests[@]} of the selftests" "$tmp/checkpatch"

# The series as it would be mailed (make patches): the commit messages and
# every change, but for the userspace unit tests and the selftests' shell
# scripts, which --file above does not take either (tools/ style; their
# test messages stay on one line).
"$ROOT/scripts/patches.sh" > /dev/null
for p in "$BUILD"/patches/[0-9]*.patch; do
	[[ $p != */0000-cover-letter.patch ]] || continue
	awk '/^diff --git /{ skip = $3 ~ /^a\/tools\/testing\/kmemleak\// || $3 ~ /\.sh$/ } !skip' \
		"$p" > "$tmp/step.patch"
	perl scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore VSPRINTF_SPECIFIER_PX,FILE_PATH_CHANGES "$tmp/step.patch" |
		sed "s|^|${p##*/}: |" || true
done > "$tmp/series"
gate "checkpatch.pl --strict: the patch series, messages and changes" "$tmp/series"

# Kbuild rebuilds just these objects with the extra checks (and again
# without them on the next plain build).
make -s -C "$FLAVOR_SRC" O="$FLAVOR_OBJ" "${KMAKE_ARCH[@]}" W=1 C=2 \
	"${objs[@]}" > "$tmp/build.out" 2>&1 || echo "make failed" >> "$tmp/build.out"
grep -E 'warning|error|make failed' "$tmp/build.out" > "$tmp/build" || true
gate "W=1 and sparse (C=2): ${objs[*]}" "$tmp/build"

scripts/kernel-doc -none -Wall mm/kmemleak*.[ch] include/linux/kmemleak.h \
	> "$tmp/kdoc" 2>&1 || true
gate "kernel-doc -none -Wall: mm/kmemleak*, include/linux/kmemleak.h" "$tmp/kdoc"
make -s -C "$FLAVOR_SRC" O="$BUILD/docs" htmldocs SPHINXDIRS=dev-tools \
	> "$tmp/docs.out" 2>&1 || echo "make htmldocs failed" >> "$tmp/docs.out"
grep -E 'kmemleak|make htmldocs failed' "$tmp/docs.out" > "$tmp/docs" || true
gate "make htmldocs SPHINXDIRS=dev-tools: Documentation/dev-tools/kmemleak.rst" "$tmp/docs"
echo "1..$n"
