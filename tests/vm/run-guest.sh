#!/usr/bin/env bash
# Boot a throw-away QEMU guest (TCG) with a busybox initramfs, optionally load
# rtslot.ko in it, run one command there and report how it went.
#
# usage: run-guest.sh [OPTIONS] -- GUEST_COMMAND [ARG...]
#
#   --timeout SEC        hard bound on the whole boot (default 600); past it
#                        the guest counts as hung
#   --module KO          put KO at /lib/rtslot/<name of KO> and insmod it
#                        before the command; the command sees its guest path
#                        in $RTSLOT_KO and the arguments in $RTSLOT_KO_ARGS
#   --module-args ARGS   module parameters for that insmod ("accels=a,b")
#   --file HOST:GUEST    copy HOST (file or directory) to GUEST in the
#                        initramfs; a GUEST ending in / receives HOST's name
#                        (repeatable)
#   --log FILE           keep the serial log (else a temporary file)
#   --quiet              do not echo the serial console to stdout
#   --kernel IMAGE       guest kernel (default $GUEST_KERNEL, else
#                        /boot/vmlinuz-$GUEST_KVER, else the newest one)
#   --mem MB, --smp N    guest size (default 1024, 2)
#   --append ARGS        extra kernel command line
#
# The command runs as root under /bin/sh in /, with proc, sysfs, devtmpfs,
# tmpfs on /tmp, tracefs on /sys/kernel/tracing, debugfs and bpffs mounted.
# Busybox supplies the usual tools; bring anything else with --file (static
# binaries: the guest has no libc).
#
# Exit status: the guest command's own status when the kernel stayed healthy;
# otherwise 126 for a kernel oops/BUG/WARN/panic/lockup seen on the serial
# console, 124 when the guest hung past --timeout, 125 when it could not be
# started (bad usage, missing host tools), stopped without finishing, or the
# module did not load.  The last line on stderr ("run-guest: ...") says which
# in words.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout=600 module= modargs= log= quiet=0 mem=1024 smp=2 append=
kernel=${GUEST_KERNEL:-}
files=()

die() { echo "run-guest: $*" >&2; exit 125; }
while (($#)); do
	case $1 in
	--timeout) timeout=${2:?}; shift 2 ;;
	--module) module=${2:?}; shift 2 ;;
	--module-args) modargs=${2?}; shift 2 ;;
	--file) files+=("${2:?}"); shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--) shift; break ;;
	*) die "unknown option '$1' (see the header of $0)" ;;
	esac
done
(($#)) || die "no guest command given after --"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants seconds"

if [[ -z $kernel ]]; then
	if [[ -n ${GUEST_KVER:-} ]]; then
		kernel=/boot/vmlinuz-$GUEST_KVER
	else
		kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1)
	fi
fi
[[ -r $kernel ]] || die "no readable guest kernel '$kernel' (set GUEST_KERNEL or --kernel)"
busybox=/bin/busybox
[[ -x $busybox ]] || busybox=$(command -v busybox) || die "need busybox (Debian: busybox-static)"
# The guest has no dynamic loader.
if command -v readelf >/dev/null && readelf -l "$busybox" | grep -q 'INTERP'; then
	die "$busybox is dynamically linked: install busybox-static"
fi
command -v qemu-system-x86_64 >/dev/null || die "need qemu-system-x86_64"
command -v cpio >/dev/null || die "need cpio"

work=$(mktemp -d "${TMPDIR:-/tmp}/rtslot-guest.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,lib/rtslot} ||
	die "preparing the initramfs failed"

# The initramfs: busybox and its applets, our /init, the files asked for.
cp "$busybox" "$root/bin/busybox" || die "preparing the initramfs failed"
for applet in $("$busybox" --list); do
	[[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
done
cp "$here/init" "$root/init" && chmod 755 "$root/init" || die "preparing the initramfs failed"
[[ $(id -u) -eq 0 ]] && mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null

guest_ko=
if [[ -n $module ]]; then
	[[ -r $module ]] || die "module '$module' not readable"
	guest_ko=/lib/rtslot/$(basename "$module")
	cp "$module" "$root$guest_ko" || die "preparing the initramfs failed"
fi
printf 'RTSLOT_KO=%q\nRTSLOT_KO_ARGS=%q\n' "$guest_ko" "$modargs" > "$root/etc/guest.env"

for spec in ${files[@]+"${files[@]}"}; do
	[[ $spec == *:* ]] || die "--file wants HOST:GUEST, got '$spec'"
	src=${spec%:*} dst=${spec##*:}
	[[ -e $src ]] || die "--file: '$src' does not exist"
	[[ $dst == /* ]] || die "--file: guest path '$dst' must be absolute"
	[[ $dst == */ ]] && dst=$dst$(basename "$src")
	mkdir -p "$root$(dirname "$dst")" && cp -a "$src" "$root$dst" ||
		die "preparing the initramfs failed"
done

# %q quoting reads back the same under busybox ash as under bash.
printf '%q ' "$@" > "$root/etc/guest-cmd"
echo >> "$root/etc/guest-cmd"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 > "$work/initramfs.gz" || die "building the initramfs failed"

[[ -n $log ]] || log=$work/serial.log
mkdir -p "$(dirname "$log")" && : > "$log" || die "cannot write log '$log'"

# loglevel=5 keeps the console quiet but still shows warnings and worse,
# which is everything check-log.sh looks for.  unknown_nmi_panic: a guest
# that hangs is sent an NMI before it is killed, and its panic prints
# where a CPU was stuck (TCG has no PMU, so no other NMI ever comes).
cmdline="console=ttyS0 loglevel=5 panic_on_warn=1 panic=-1 oops=panic unknown_nmi_panic $append"
monitor=$work/monitor.sock
# thread=single: with one host thread per vCPU (MTTCG), a guest that
# patches its own text (enabling or disabling a tracepoint is a static
# call update, text_poke_bp) hung about once in fifteen boots: one vCPU
# waited for its IPI in smp_call_function_many_cond while the other spun
# on the int3 of the site being patched in __schedule, interrupts off (the
# guest's RCU stall report showed both).  Round-robin vCPUs cannot race
# so, and on this 2-core host the suite runs no slower.
qemu=(qemu-system-x86_64 -accel tcg,thread=single -m "$mem" -smp "$smp" -nographic -no-reboot
	-nic none -kernel "$kernel" -initrd "$work/initramfs.gz" -append "$cmdline"
	-monitor "unix:$monitor,server=on,wait=off")

# A QEMU monitor command, for a guest past its time.
monitor_cmd() {
	python3 - "$monitor" "$1" <<'PY' 2>/dev/null
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.recv(4096)			# the banner: the monitor is ready
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(1)			# closed at once, the command may be dropped
PY
}

# Appending: the hang note below must not be written over.
"${qemu[@]}" < /dev/null >> "$log" 2>&1 &
qpid=$!
((quiet)) || tail -n +1 -f --pid="$qpid" "$log" &
deadline=$((SECONDS + timeout)) qrc=
while kill -0 "$qpid" 2>/dev/null; do
	if ((SECONDS >= deadline)); then
		echo "[run-guest] no exit marker after ${timeout}s: NMI sent for a stack trace" >> "$log"
		monitor_cmd nmi
		for _ in $(seq 100); do kill -0 "$qpid" 2>/dev/null && sleep 0.2; done
		kill -KILL "$qpid" 2>/dev/null
		qrc=124
		break
	fi
	sleep 0.2
done
wait "$qpid"
qrc=${qrc:-$?}

verdict=$(bash "$here/check-log.sh" "$log")
case $? in
0)	rc=$verdict
	verdict="guest command exited with status $rc" ;;
1)	rc=126 ;;
3)	rc=125 ;;
*)	if ((qrc == 124 || qrc == 137)); then
		rc=124 verdict="guest hung: no exit marker within ${timeout}s"
	else
		rc=125 verdict="$verdict (qemu exit status $qrc)"
	fi ;;
esac
echo "run-guest: $verdict" >&2
exit "$rc"
