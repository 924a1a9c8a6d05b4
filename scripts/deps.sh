#!/bin/bash
# Install the Debian packages the harness needs; a fast no-op when all are present.
# Usage: deps.sh [arm64]   (arm64: also the cross compiler, QEMU for arm64
# and an arm64 busybox, unpacked into build/deps/arm64/)
set -euo pipefail
. "$(dirname "$0")/common.sh"

PKGS=(linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev
      cpio busybox-static qemu-system-x86 ccache sparse dwarves python3
      rsync kmod xz-utils python3-sphinx clang libclang-rt-14-dev)
ARM64_PKGS=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
ARM64_BUSYBOX=$BUILD/deps/arm64/bin/busybox

arm64=0
[[ ${1:-} == arm64 ]] && arm64=1 && PKGS+=("${ARM64_PKGS[@]}")

missing=()
for p in "${PKGS[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $s == installed ]] || missing+=("$p")
done
((arm64)) && [[ ! -x $ARM64_BUSYBOX ]] && need_busybox=1 || need_busybox=0
[[ ${#missing[@]} -eq 0 && $need_busybox -eq 0 ]] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing: ${missing[*]} ${need_busybox/#1/busybox-static:arm64}" >&2
	echo "deps: run as root: make deps${1:+ (scripts/deps.sh $1)}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
updated=0
if ((need_busybox)) && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "deps: adding the arm64 architecture to dpkg (for busybox-static:arm64)"
	dpkg --add-architecture arm64
fi
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}"
	apt-get update
	updated=1
	$cmd
fi
if ((need_busybox)); then
	# Only unpacked for the guest's initramfs, never installed on the host.
	((updated)) || apt-get update
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt-get download fetches as _apt
	(cd "$tmp" && apt-get download busybox-static:arm64)
	rm -rf "$BUILD/deps/arm64"
	mkdir -p "$BUILD/deps/arm64.tmp"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$BUILD/deps/arm64.tmp"
	rm -rf "$tmp"
	mv "$BUILD/deps/arm64.tmp" "$BUILD/deps/arm64"
	[[ -x $ARM64_BUSYBOX ]] || die "deps: no bin/busybox in busybox-static:arm64"
	echo "deps: arm64 busybox at ${ARM64_BUSYBOX#"$ROOT"/}"
fi
