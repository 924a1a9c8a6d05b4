#!/bin/bash
# Boot a built kernel in QEMU with a busybox initramfs and run one command.
#
# env: FLAVOR FILES CMD APPEND MEM SMP TIMEOUT LOG RESULT
#      ROOTFS=dir     a directory whose content is laid over / (mtimes kept)
#      NET=user       a virtio NIC on QEMU's user-mode network (10.0.2.0/24);
#                     TFTP_DIR=dir is then served by its TFTP server
#      INTERACTIVE=1  serial console on the terminal (make shell)
#      ACCEL=tcg|kvm  force the accelerator (default: KVM if a probe boot works)
#      BOOT_TIMEOUT   seconds until /init must have started (default 120)
#
# The initramfs holds FILES at / (files by basename, directories recursively),
# CMD in /vm-cmd.sh, and an /init that mounts proc, sysfs, devtmpfs and debugfs,
# runs `sh /vm-cmd.sh`, and powers off.
#
# Two channels: the console (ttyS0 / ttyAMA0) carries the kernel log and,
# live, CMD's output: all of it goes to LOG. CMD's output (stdout and
# stderr) and then its exit status also go to a second port that nothing
# else writes to (x86: ttyS1; arm64: a virtio console, hvc0), which QEMU
# saves to a file: RESULT (default: LOG with .out for .log) gets what CMD
# printed, and only that. Results are read from RESULT, never from LOG.
#
# Exit status: CMD's status; 125 kernel panic, oops, BUG (KASAN and KFENCE
# reports, soft lockups), WARNING (lockdep's too), RCU stall or hung task;
# 127 an int3 trap from text patching (a QEMU TCG race, see below); 124
# timeout or hung boot; 126 VM ended without reporting CMD's status.
set -euo pipefail
. "$(dirname "$0")/common.sh"
flavor_lookup "$FLAVOR"

KERNEL=$FLAVOR_IMAGE
[[ -f $KERNEL ]] || die "vm: no kernel at $KERNEL: run make kernel FLAVOR=$FLAVOR"
MEM=${MEM:-1G}
SMP=${SMP:-2}
case $FLAVOR_ARCH in
x86_64)
	QEMU_BIN=qemu-system-x86_64
	QEMU_MACHINE=(-cpu max)
	NIC=virtio-net-pci
	CONSOLE="console=ttyS0 earlyprintk=serial,ttyS0,115200"
	GUEST_BUSYBOX=/bin/busybox
	RESULT_DEV=/dev/ttyS1
	# A bare count N means N sockets of one CPU: QEMU makes -smp N one
	# socket of N cores, and SeaBIOS's MP table, all a kernel without ACPI
	# has to find CPUs, lists one CPU per socket.
	[[ $SMP == *[!0-9]* ]] || SMP="$SMP,sockets=$SMP,cores=1,threads=1"
	;;
arm64)
	QEMU_BIN=qemu-system-aarch64
	# pauth-impdef: pointer authentication with a cheap hash; the
	# architected one is slow to emulate
	QEMU_MACHINE=(-M virt -cpu max,pauth-impdef=on)
	NIC=virtio-net-device
	CONSOLE="console=ttyAMA0 earlycon"
	GUEST_BUSYBOX=$BUILD/deps/arm64/bin/busybox
	RESULT_DEV=/dev/hvc0
	[[ -x $GUEST_BUSYBOX ]] || "$ROOT/scripts/deps.sh" arm64
	;;
esac
TIMEOUT=${TIMEOUT:-600}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
LOG=${LOG:-$BUILD/vm.log}
RESULT=${RESULT:-${LOG%.log}.out}
[[ $RESULT != "$LOG" ]] || RESULT=$LOG.out
CMD=${CMD:-cat /proc/version}
INIT_MARK='@@vm: init started@@'
EXIT_MARK='@@vm: exit status'

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vm.XXXXXX")
WATCHER=
cleanup() {
	if [[ -n $WATCHER ]]; then kill "$WATCHER" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# make_initramfs OUT.cpio CMD FILES...
make_initramfs() {
	local out=$1 cmd=$2 r f
	shift 2
	r=$(mktemp -d "$TMP/root.XXXXXX")
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
	cp "$GUEST_BUSYBOX" "$r/bin/busybox"
	# ROOTFS: a directory laid over / first, so that its programs win over
	# the busybox applets of the same name. (The host's busybox lists the
	# applets: the guest's is the same Debian build for another arch.)
	if [[ -n ${ROOTFS:-} ]]; then
		[[ -d $ROOTFS ]] || die "vm: ROOTFS: no such directory: $ROOTFS"
		cp -a "$ROOTFS/." "$r/"
	fi
	for f in $(/bin/busybox --list-full); do
		[[ -e $r/$f ]] || ln -s /bin/busybox "$r/$f"
	done
	for f in "$@"; do
		[[ -e $f ]] || die "vm: FILES: no such file: $f"
		cp -r "$f" "$r/$(basename "$f")"
	done
	printf '%s\n' "$cmd" > "$r/vm-cmd.sh"
	cat > "$r/init" <<-INIT
	#!/bin/sh
	export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t debugfs debugfs /sys/kernel/debug
	echo "$INIT_MARK"
	cd /
	if [ -n "\$VM_INTERACTIVE" ]; then
		setsid cttyhack sh -l
	else
		set -o pipefail
		sh /vm-cmd.sh 2>&1 | tee $RESULT_DEV
		rc=\$?
		echo "$EXIT_MARK \$rc@@" > $RESULT_DEV
		echo "$EXIT_MARK \$rc@@"
	fi
	reboot -f
	INIT
	chmod +x "$r/init"
	(cd "$r" && find . | cpio -o -H newc --quiet) > "$out"
}

# qemu_cmd ACCEL INITRD: sets the QEMU array.
qemu_cmd() {
	local accel=$1 initrd=$2 append="$CONSOLE panic=-1 oops=panic ${APPEND:-}"
	[[ -n ${INTERACTIVE:-} ]] && append+=" VM_INTERACTIVE=1"
	QEMU=("$QEMU_BIN" -accel "$accel" "${QEMU_MACHINE[@]}" -smp "$SMP" -m "$MEM"
	      -kernel "$KERNEL" -initrd "$initrd" -append "$append"
	      -no-reboot -nodefaults -display none)
	# the result port, after the console (-serial stdio, added by the caller)
	local res="file,id=result,path=$TMP/result"
	case $FLAVOR_ARCH in
	x86_64) QEMU_RESULT=(-chardev "$res" -device isa-serial,chardev=result,index=1) ;;
	arm64)  QEMU_RESULT=(-chardev "$res" -device virtio-serial-device
			     -device virtconsole,chardev=result) ;;
	esac
	if [[ ${NET:-} == user ]]; then
		QEMU+=(-netdev "user,id=net0${TFTP_DIR:+,tftp=$TFTP_DIR}"
		       -device "$NIC,netdev=net0")
	fi
}

# probe_kvm: cached in build/accel; KVM is used only if a short boot works.
probe_kvm() {
	local cache=$BUILD/accel
	if [[ -f $cache ]]; then cat "$cache"; return; fi
	local accel=tcg
	if [[ -r /dev/kvm && -w /dev/kvm ]]; then
		make_initramfs "$TMP/probe.cpio" true
		qemu_cmd kvm "$TMP/probe.cpio"
		if timeout -k 2 30 "${QEMU[@]}" -serial stdio "${QEMU_RESULT[@]}" </dev/null 2>&1 |
				grep -a "$EXIT_MARK 0@@" >/dev/null; then
			accel=kvm
		fi
	fi
	mkdir -p "$BUILD"
	echo "$accel" > "$cache"
	echo "$accel"
}

if [[ $FLAVOR_ARCH != x86_64 ]]; then
	ACCEL=tcg	# a foreign architecture is always emulated
fi
ACCEL=${ACCEL:-$(probe_kvm)}
read -r -a files <<< "${FILES:-}"
make_initramfs "$TMP/initramfs.cpio" "$CMD" "${files[@]}"
qemu_cmd "$ACCEL" "$TMP/initramfs.cpio"

if [[ -n ${INTERACTIVE:-} ]]; then
	echo "vm: $FLAVOR kernel, $ACCEL, interactive shell; Ctrl-A X quits QEMU"
	exec "${QEMU[@]}" -serial mon:stdio
fi

mkdir -p "$(dirname "$LOG")"
: > "$LOG"
echo "vm: booting $FLAVOR kernel ($ACCEL, smp $SMP, mem $MEM, timeout ${TIMEOUT}s), log: $LOG"

# Watchdog: kills QEMU on overall timeout or when /init never starts.
(
	start=$SECONDS
	while sleep 1; do
		[[ -f $TMP/qemu.pid ]] || continue
		elapsed=$((SECONDS - start))
		if ((elapsed >= TIMEOUT)); then
			echo "timeout after $TIMEOUT s" > "$TMP/reason"
		elif ((elapsed >= BOOT_TIMEOUT)) && ! grep -q "$INIT_MARK" "$LOG"; then
			echo "hung boot: /init not started after $BOOT_TIMEOUT s" > "$TMP/reason"
		else
			continue
		fi
		kill "$(cat "$TMP/qemu.pid")"
		exit 0
	done
) &
WATCHER=$!

set +e
: > "$TMP/result"
"${QEMU[@]}" -serial stdio "${QEMU_RESULT[@]}" -pidfile "$TMP/qemu.pid" \
	</dev/null 2>&1 | tee "$LOG"
qemu_status=${PIPESTATUS[0]}
set -e
sed -i 's/\r$//' "$LOG"
# CMD's output, without the exit status line that ends it
tr -d '\r' < "$TMP/result" | grep -av "^$EXIT_MARK " > "$RESULT" || true

# Verdict. Kernel trouble first: it is a failure even if CMD succeeded.
# Any kernel log line (it has a printk timestamp) that reports a crash, a
# warning (lockdep's included), a sanitizer finding or a stall.
status=
pattern='(Kernel panic - not syncing|Oops|BUG:|kernel BUG at|WARNING:|soft lockup|detected stalls|blocked for more than)'
trouble=$(grep -aE "^\[ *[0-9.]+\] .*$pattern" "$LOG" | head -5 || true)
if grep -qaE '^\[ *[0-9.]+\] Oops: int3' "$LOG"; then
	# x86 text patching (static keys, alternatives) under QEMU TCG with
	# several vCPUs: a vCPU can still run a translated block holding the
	# temporary int3 after the patch is done, and the kernel, no longer
	# patching, treats it as a stray breakpoint.  An emulator race, not a
	# result of the kernel under test; still never a pass.
	echo "vm: emulator fault: int3 trap from text patching under QEMU TCG: $(grep -aE 'Oops: int3|RIP: ' "$LOG" | head -2 | tr '\n' ' ')" >&2
	status=127
elif [[ -n $trouble ]]; then
	while IFS= read -r line; do
		case $line in
		*"Kernel panic"*) what=panic ;;
		*Oops*) what=oops ;;
		*"soft lockup"*) what="soft lockup" ;;
		*"detected stalls"*) what="RCU stall" ;;
		*"blocked for more than"*) what="hung task" ;;
		*BUG*) what=BUG ;;
		*) what=warning ;;
		esac
		echo "vm: kernel $what: $line" >&2
	done <<< "$trouble"
	status=125
elif [[ -f $TMP/reason ]]; then
	echo "vm: $(cat "$TMP/reason")" >&2
	status=124
elif line=$(tr -d '\r' < "$TMP/result" | grep -a "^$EXIT_MARK " | tail -1) &&
     [[ -n $line ]]; then
	status=${line#*"$EXIT_MARK "}
	status=${status%%@@*}
	echo "vm: command exited with status $status"
else
	if grep -q "$INIT_MARK" "$LOG"; then
		echo "vm: VM stopped before the command finished (qemu status $qemu_status)" >&2
	else
		echo "vm: VM stopped before /init started (qemu status $qemu_status)" >&2
	fi
	status=126
fi
exit "$status"
