#!/bin/bash
# Run the kmemleak kselftests (linux/tools/testing/selftests/kmemleak) in the
# VM and print one TAP line per test.
#
# Usage: kselftest.sh [--defoff] [--append "ARGS"] NAME [TEST.sh...]
#   NAME      names the run: build/check/NAME.vm.log is its console log
#   TEST.sh   run only these scripts of the target (default: all of them)
#   --append  kernel command line arguments (added to APPEND)
#   --defoff  boot the CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF variant of FLAVOR's
#             tree (flavour defoff, or stock-defoff for stock), built first
# env: FLAVOR (default ours), and what scripts/vm.sh takes.
#
# On the host: the target's helper and test module (against the kernel build
# dir) are built with the selftests' own Makefile, in build/kselftest/<flavor>/. The VM gets, at /linux, the selftests framework
# of the flavour's tree (Makefile, lib.mk, kselftest/), the kmemleak target
# from linux/ with the module and helper in it, and scripts/subarch.include;
# at /, GNU make, bash and coreutils' timeout with their shared libraries
# (busybox has neither make nor bash, and its timeout lacks --foreground,
# which kselftest's runner uses), and an LD_PRELOAD shim for make
# (tests/vm/spawn-noresetids.c). The selftests Makefile's `readlink -e`
# fails (busybox sh runs its own readlink applet whatever is in PATH); it
# only sets SRC_PATH, which this target does not use. tests/vm/kselftest.sh
# then runs
#   make -C tools/testing/selftests TARGETS=kmemleak run_tests
# The tests know which detector runs from KMEMLEAK_IMPL (ours|stock), and
# may write "off" (KMEMLEAK_SELFTEST_OFF=1): the VM is thrown away after.
set -euo pipefail
. "$(dirname "$0")/common.sh"

defoff=0 append=
while (($#)); do
	case $1 in
	--defoff) defoff=1; shift ;;
	--append) append=$2; shift 2 ;;
	*) break ;;
	esac
done
(($# >= 1)) || die "usage: kselftest.sh [--defoff] [--append ARGS] NAME [TEST.sh...]"
name=$1
shift
tests="$*"

flavor_lookup "$FLAVOR"
impl=$FLAVOR_TREE
if ((defoff)); then
	if [[ $FLAVOR_TREE == stock ]]; then FLAVOR=stock-defoff; else FLAVOR=defoff; fi
	flavor_lookup "$FLAVOR"
	mkdir -p "$BUILD/check"
	if ! "$ROOT/scripts/build.sh" "$FLAVOR" > "$BUILD/check/$name.build.log" 2>&1; then
		echo "not ok - $name: building the $FLAVOR kernel failed (log: build/check/$name.build.log)"
		tail -n 20 "$BUILD/check/$name.build.log" | sed 's/^/# /'
		exit 1
	fi
	grep '^kernel: ' "$BUILD/check/$name.build.log" | sed 's/^/# /' || true
fi
export FLAVOR
KDIR=$FLAVOR_OBJ
SELFTESTS=tools/testing/selftests
TARGET_SRC=$ROOT/linux/$SELFTESTS/kmemleak
OUT=$BUILD/kselftest/$FLAVOR
ROOTFS=$OUT/rootfs

fail() {
	echo "not ok - $name: $1"
	[[ -z ${2:-} || ! -f $2 ]] || tail -n 20 "$2" | sed 's/^/# /'
	exit 1
}

rm -rf "$OUT"
mkdir -p "$ROOTFS/linux/scripts" "$ROOTFS/linux/$SELFTESTS"

# The selftests framework of the flavour's tree, and our target.
st=$ROOTFS/linux/$SELFTESTS
for f in Makefile lib.mk kselftest kselftest.h kselftest_harness.h; do
	cp -a "$FLAVOR_SRC/$SELFTESTS/$f" "$st/"
done
cp -a "$FLAVOR_SRC/scripts/subarch.include" "$ROOTFS/linux/scripts/"
cp -a "$TARGET_SRC" "$st/kmemleak"
# Build the target's programs and its test module (test_modules/, against
# KDIR) here, as the VM has no compiler; their mtime is kept so that make in
# the VM finds them up to date.
make -C "$st" TARGETS=kmemleak KDIR="$KDIR" > "$OUT/build.log" 2>&1 ||
	fail "building the selftest helper and module failed (log: ${OUT#"$ROOT"/}/build.log)" "$OUT/build.log"
[[ -f $st/kmemleak/test_modules/kmemleak_selftest.ko ]] ||
	fail "the test module was not built (log: ${OUT#"$ROOT"/}/build.log)" "$OUT/build.log"

# Host programs and the shared libraries they load.
copy_prog() {	# copy_prog HOSTPATH VMPATH
	local lib
	mkdir -p "$ROOTFS/$(dirname "$2")"
	cp -L "$1" "$ROOTFS/$2"
	for lib in $(ldd "$1" | grep -oE '/[^ ]+'); do
		[[ -e $ROOTFS/$lib ]] && continue
		mkdir -p "$ROOTFS/$(dirname "$lib")"
		cp -L "$lib" "$ROOTFS/$lib"
	done
}
copy_prog "$(command -v bash)" /bin/bash
copy_prog "$(command -v make)" /usr/bin/make
copy_prog "$(command -v timeout)" /usr/bin/timeout
# make's recipes need it on a kernel without CONFIG_MULTIUSER (see the source)
mkdir -p "$ROOTFS/usr/lib"
gcc -O2 -Wall -shared -fPIC -o "$ROOTFS/usr/lib/spawn-noresetids.so" \
	"$ROOT/tests/vm/spawn-noresetids.c" > "$OUT/shim.log" 2>&1 ||
	fail "building tests/vm/spawn-noresetids.c failed" "$OUT/shim.log"

cat > "$ROOTFS/kselftest.env" <<-EOF
	KMEMLEAK_IMPL=$impl
	KMEMLEAK_SELFTEST_OFF=1
	KSFT_TESTS="$tests"
EOF

# The VM script under this run's name, for the log's name.
cp "$ROOT/tests/vm/kselftest.sh" "$OUT/$name.sh"
# Memory handed out or freed is zeroed: stale pointers left in it by other
# kernel code would hide the test's leaks (see kmemleak_selftest.c).
export ROOTFS APPEND="${APPEND:+$APPEND }init_on_alloc=1 init_on_free=1 $append"
exec "$ROOT/scripts/vm-tap.sh" "$OUT/$name.sh"
