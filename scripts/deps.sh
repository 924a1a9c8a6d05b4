#!/bin/bash
# Install the Debian packages the harness needs; a fast no-op when all are present.
set -euo pipefail

PKGS=(linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev
      cpio busybox-static qemu-system-x86 ccache sparse dwarves python3
      rsync kmod xz-utils)

missing=()
for p in "${PKGS[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $s == installed ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
$cmd
