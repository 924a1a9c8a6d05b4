#!/bin/bash
# Run the kmemleak kselftests (linux/tools/testing/selftests/kmemleak) in the
# VM and print what kselftest's runner prints: a verdict per test script,
# with the script's own results nested ahead of it (see scripts/tap.awk).
#
# Usage: kselftest.sh [--append "ARGS"] NAME [TEST.sh...]
#   NAME      names the run: build/check/NAME.vm.log is its console log
#   TEST.sh   run only these scripts of the target (default: all of them)
#   --append  kernel command line arguments (added to APPEND)
# env: FLAVOR (default ours; built already), KMEMLEAK_STRESS_SECONDS (the
# length of kmemleak_stress.sh's load), KSFT_TIMEOUT (seconds a script may
# run, instead of the target's settings), and what scripts/vm.sh takes.
#
# On the host, in build/kselftest/<flavour>/: src/ is a tree holding the
# selftests framework of the flavour's tree (Makefile, lib.mk, kselftest/,
# run_kselftest.sh) and the kmemleak target from linux/ (staged, as the
# stock tree has no kmemleak target and is never modified, and 6.12 builds
# an external module in its source directory). Then
#   make -C src/tools/testing/selftests $KMAKE_ARCH TARGETS=kmemleak \
#        KDIR=<the flavour's build dir> install INSTALL_PATH=rootfs/kselftest
# builds the static helper (with $CROSS_COMPILE gcc) and the test module and
# installs them with run_kselftest.sh and kselftest-list.txt. The VM gets
# rootfs/ at /: /kselftest, a /usr/bin/timeout that busybox's can stand in
# for (tests/vm/kselftest-timeout.sh) and /kselftest.env;
# tests/vm/kselftest.sh runs /kselftest/run_kselftest.sh with busybox sh.
# The tests may write "off" (KMEMLEAK_SELFTEST_OFF=1): the VM is thrown away
# after.
set -euo pipefail
. "$(dirname "$0")/common.sh"

append=
while (($#)); do
	case $1 in
	--append) append=$2; shift 2 ;;
	*) break ;;
	esac
done
(($# >= 1)) || die "usage: kselftest.sh [--append ARGS] NAME [TEST.sh...]"
name=$1
shift
tests="$*"

flavor_lookup "$FLAVOR"
export FLAVOR
KDIR=$FLAVOR_OBJ
SELFTESTS=tools/testing/selftests
OUT=$BUILD/kselftest/$FLAVOR
ROOTFS=$OUT/rootfs
INSTALLED=$ROOTFS/kselftest

fail() {
	echo "not ok - $name: $1"
	[[ -z ${2:-} || ! -f $2 ]] || tail -n 20 "$2" | sed 's/^/# /'
	exit 1
}

rm -rf "$OUT"
st=$OUT/src/$SELFTESTS
mkdir -p "$st" "$OUT/src/scripts" "$ROOTFS/usr/bin"

# The selftests framework of the flavour's tree, and our target.
for f in Makefile lib.mk kselftest kselftest.h kselftest_harness.h run_kselftest.sh; do
	cp -a "$FLAVOR_SRC/$SELFTESTS/$f" "$st/"
done
cp -a "$FLAVOR_SRC/scripts/subarch.include" "$OUT/src/scripts/"
cp -a "$ROOT/linux/$SELFTESTS/kmemleak" "$st/kmemleak"

# Build and install the helper and the test module for the flavour's
# architecture, against its kernel.
log=${OUT#"$ROOT"/}/build.log
make -C "$st" "${KMAKE_ARCH[@]}" TARGETS=kmemleak KDIR="$KDIR" \
	install INSTALL_PATH="$INSTALLED" > "$OUT/build.log" 2>&1 ||
	fail "building and installing the kmemleak selftests failed (log: $log)" "$OUT/build.log"
case $FLAVOR_ARCH in
x86_64) machine=X86-64 ;;
arm64) machine=AArch64 ;;
*) fail "no ELF machine known for $FLAVOR_ARCH" ;;
esac
for f in kmemleak/kmemleak_fd kmemleak/test_modules/kmemleak_selftest.ko; do
	[[ -f $INSTALLED/$f ]] || fail "$f was not installed (log: $log)" "$OUT/build.log"
	readelf -h "$INSTALLED/$f" | grep -q "Machine:.*$machine\$" ||
		fail "$f is not built for $FLAVOR_ARCH ($(readelf -h "$INSTALLED/$f" | grep Machine:))"
done
for t in $tests; do
	grep -qx "kmemleak:$t" "$INSTALLED/kselftest-list.txt" ||
		fail "no test $t in kselftest-list.txt" "$INSTALLED/kselftest-list.txt"
done

install -m 755 "$ROOT/tests/vm/kselftest-timeout.sh" "$ROOTFS/usr/bin/timeout"
cat > "$ROOTFS/kselftest.env" <<-EOF
	KMEMLEAK_SELFTEST_OFF=1
	KMEMLEAK_STRESS_SECONDS=${KMEMLEAK_STRESS_SECONDS:-}
	KSFT_TESTS="$tests"
	KSFT_TIMEOUT=${KSFT_TIMEOUT:-}
EOF

# The VM script under this run's name, for the log's name.
cp "$ROOT/tests/vm/kselftest.sh" "$OUT/$name.sh"
# Memory handed out or freed is zeroed: stale pointers left in it by other
# kernel code would hide the test's leaks (see kmemleak_selftest.c).
export ROOTFS APPEND="${APPEND:+$APPEND }init_on_alloc=1 init_on_free=1 $append"
exec "$ROOT/scripts/vm-tap.sh" "$OUT/$name.sh"
