#!/usr/bin/env bash
# Which kernel build tree makes rtslot.ko when KDIR is not given, which
# kernel release it is for, and whether the compiler it was made with is here.
#
# usage: kdir.sh find            print the build tree to use (nothing: none)
#        kdir.sh release KDIR    print the tree's kernel release
#        kdir.sh check KDIR      one line on the tree and its compiler; exit 1,
#                                naming the Debian package, when that is missing
#
# find prefers, in order: the running kernel's tree (a person building for
# the machine in hand); the headers of Debian's linux-headers-<arch>, which
# `make deps` installs and whose kernel the QEMU guest boots; the newest tree
# whose compiler is installed; the newest tree.  Newest alone is wrong where
# trixie's 6.12 headers (gcc-14) sit beside bookworm's 6.1 (gcc-12).
# RTSLOT_ROOT prefixes every path, for the tests.
set -uo pipefail

root=${RTSLOT_ROOT:-}

# The compiler a tree was built with, as Debian's headers name it (gcc-12),
# else from the kernel's own record of it; "cc" when neither says.
tree_cc() {
	local kdir=$1 cc
	cc=$(sed -n 's/^CC *= *.*[ )]\([A-Za-z0-9_.+-]*\) *$/\1/p' "$kdir/.kernelvariables" 2>/dev/null |
		head -n1)
	if [[ -z $cc ]]; then
		cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([A-Za-z0-9_.+-]*\).*/\1/p' \
			"$kdir/include/config/auto.conf" 2>/dev/null | head -n1)
		[[ $cc == Debian || $cc == clang ]] && cc=clang
	fi
	echo "${cc:-cc}"
}

# Installed under its own name or the target-prefixed one Debian also ships.
have_cc() {
	command -v "$1" >/dev/null 2>&1 || command -v "$(uname -m)-linux-gnu-$1" >/dev/null 2>&1
}

is_tree() {
	[[ -f $1/Makefile && -f $1/.config ]]
}

release() {
	local kdir=$1 r
	r=$(sed -n 's/^override KERNELRELEASE *= *//p' "$kdir/.kernelvariables" 2>/dev/null | head -n1)
	[[ -n $r ]] || r=$(cat "$kdir/include/config/kernel.release" 2>/dev/null)
	[[ -n $r ]] || { r=$(basename "$kdir"); r=${r#linux-headers-}; }
	echo "$r"
}

find_tree() {
	local t meta arch newest= usable=
	t=$root/lib/modules/$(uname -r)/build
	if is_tree "$t"; then
		readlink -f "$t"
		return
	fi
	arch=$(dpkg --print-architecture 2>/dev/null)
	if [[ -n $arch ]]; then
		meta=$(dpkg-query -W -f='${Depends}' "linux-headers-$arch" 2>/dev/null |
			sed -n 's/^\(linux-headers-[^ ,]*\).*/\1/p')
		if [[ -n $meta ]] && is_tree "$root/usr/src/$meta"; then
			echo "$root/usr/src/$meta"
			return
		fi
	fi
	while read -r t; do
		is_tree "$t" || continue
		newest=$t
		have_cc "$(tree_cc "$t")" && usable=$t
	done < <(ls -d "$root"/usr/src/linux-headers-* 2>/dev/null | sort -V)
	[[ -n $usable ]] && echo "$usable" || { [[ -n $newest ]] && echo "$newest"; }
}

check() {
	local kdir=$1 cc
	cc=$(tree_cc "$kdir")
	if ! have_cc "$cc"; then
		echo "kmod: $kdir was built with $cc, which is not installed: install Debian's" \
			"$cc package, or name other headers with KDIR=" >&2
		return 1
	fi
	echo "kmod: kernel $(release "$kdir") from $kdir, compiler $cc"
}

case ${1:-} in
find) find_tree ;;
release) release "${2:?usage: kdir.sh release KDIR}" ;;
check) check "${2:?usage: kdir.sh check KDIR}" ;;
*) echo "usage: kdir.sh find | release KDIR | check KDIR" >&2; exit 2 ;;
esac
