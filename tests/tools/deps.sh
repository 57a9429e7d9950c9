#!/usr/bin/env bash
# Install from Debian what rtslot's build and tests need; quick when all is there.
set -euo pipefail

pkgs=(
	build-essential make gcc clang llvm lld pahole cpio gzip xz-utils
	linux-headers-amd64 linux-image-amd64 linux-source-6.1
	qemu-system-x86 busybox-static
	libbpf-dev bpftool libelf-dev zlib1g-dev liburing-dev libdrm-dev libjson-c-dev
	libclang-rt-14-dev gnuplot-nox python3 perl
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0

echo "deps: installing ${missing[*]}"
sudo=
[[ $(id -u) -eq 0 ]] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
