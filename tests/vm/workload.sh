#!/bin/sh
# Runs inside the VM (busybox sh): exercise real subsystems the way a
# booted system does, then let kmemleak scan twice and print its report.
#
# - sockets: a TCP server (busybox httpd) and clients over loopback and
#   over the virtio NIC on QEMU's user-mode network, UDP through DHCP and
#   TFTP from QEMU's servers, a UNIX socket (syslogd and logger);
# - tmpfs, and an ext2 file system on a loop device;
# - namespaces: network, UTS, IPC, mount and PID, with work inside;
# - fork/exec loops and pipelines;
# - a module load/unload loop (samples/kobject: sysfs objects come and go).
#
# Usage: sh /workload.sh [MODULE.ko [SCANS]]   Needs vm.sh's NET=user and
# TFTP_DIR with a file named "blob".  SCANS (default 2): scans at the end,
# each between kmsg markers (make bench times them).  Prints "workload: <step> ok|failed" lines,
# the report between "@@report-begin@@" and "@@report-end@@", and exits
# non-zero if a step failed.
kml=/sys/kernel/debug/kmemleak
module=$1
scans=${2:-2}
failed=0
step() {	# step NAME COMMAND...
	name=$1
	shift
	if "$@" > /tmp/step.out 2>&1; then
		echo "workload: $name ok"
	else
		echo "workload: $name failed"
		sed 's/^/workload:   /' /tmp/step.out | tail -n 20
		failed=1
	fi
}

net_up() {
	ip link set lo up &&
	ip link set eth0 up &&
	# DHCP from QEMU's server: raw packet and UDP sockets
	udhcpc -i eth0 -n -q -t 5 -s /bin/true > /dev/null &&
	ip addr add 10.0.2.15/24 dev eth0 &&
	ip route add default via 10.0.2.2
}

tcp_clients() {
	mkdir -p /tmp/www
	dd if=/dev/urandom of=/tmp/www/blob bs=1k count=64 2> /dev/null
	httpd -p 8080 -h /tmp/www || return 1
	i=0
	while [ $i -lt 40 ]; do
		wget -q -O /tmp/got http://127.0.0.1:8080/blob || return 1
		wget -q -O /tmp/got http://10.0.2.15:8080/blob || return 1
		i=$((i + 1))
	done
	cmp -s /tmp/got /tmp/www/blob
}

tftp_get() {
	i=0
	while [ $i -lt 5 ]; do
		tftp -g -r blob -l /tmp/tftp.blob 10.0.2.2 || return 1
		i=$((i + 1))
	done
	[ -s /tmp/tftp.blob ]
}

unix_socket() {
	# syslogd listens on the UNIX datagram socket /dev/log
	syslogd -n -O /tmp/messages &
	pid=$!
	sleep 1
	i=0
	while [ $i -lt 50 ]; do
		logger -t workload "message $i" || return 1
		i=$((i + 1))
	done
	sleep 1
	kill $pid
	wait $pid 2> /dev/null
	grep -q 'message 49' /tmp/messages
}

loop_fs() {
	mkdir -p /mnt/tmp /mnt/ext2 &&
	mount -t tmpfs -o size=32m tmpfs /mnt/tmp &&
	dd if=/dev/zero of=/mnt/tmp/disk bs=1M count=16 2> /dev/null &&
	dev=$(losetup -f) &&
	losetup "$dev" /mnt/tmp/disk &&
	mke2fs -q "$dev" &&
	mount -t ext2 "$dev" /mnt/ext2 || return 1
	i=0
	while [ $i -lt 50 ]; do
		mkdir -p /mnt/ext2/d$i &&
		echo "file $i" > /mnt/ext2/d$i/f &&
		cp /mnt/ext2/d$i/f /mnt/tmp/f$i || return 1
		i=$((i + 1))
	done
	rm -rf /mnt/ext2/d1* &&
	sync &&
	umount /mnt/ext2 &&
	losetup -d "$dev" &&
	umount /mnt/tmp
}

namespaces() {
	i=0
	while [ $i -lt 10 ]; do
		unshare -n -u -i -m -p -f sh -c '
			ip link set lo up && hostname ns'$i' &&
			mount -t proc proc /proc && [ "$(cat /proc/self/stat | cut -d" " -f1)" -gt 0 ] &&
			httpd -p 8081 -h / && wget -q -O /dev/null http://127.0.0.1:8081/ 2>/dev/null; true
		' || return 1
		i=$((i + 1))
	done
}

fork_exec() {
	i=0
	while [ $i -lt 300 ]; do
		/bin/true || return 1
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 50 ]; do
		seq 100 | sort -r | head -n 3 | wc -l > /dev/null || return 1
		i=$((i + 1))
	done
}

module_loop() {
	[ -n "$module" ] || return 0
	mod=$(basename "$module" .ko | tr - _)
	i=0
	while [ $i -lt 20 ]; do
		insmod "$module" &&
		cat /sys/kernel/kobject_example/foo > /dev/null &&
		echo 5 > /sys/kernel/kobject_example/bar &&
		rmmod "$mod" || return 1
		i=$((i + 1))
	done
}

[ -e $kml ] || { echo "workload: $kml is missing"; exit 1; }
step network net_up
step tcp tcp_clients
step tftp tftp_get
step unix-socket unix_socket
step loop-fs loop_fs
step namespaces namespaces
step fork-exec fork_exec
step module-loop module_loop
killall httpd 2> /dev/null

# Leaks are reported once 5 s old and unchanged over two scans.
# The markers time the scans from printk timestamps.
sleep 6
i=1
while [ $i -le "$scans" ]; do
	echo "workload: scan $i start" > /dev/kmsg
	echo scan > $kml
	echo "workload: scan $i end" > /dev/kmsg
	sleep 1
	i=$((i + 1))
done
cat $kml > /tmp/report
echo "@@report-begin@@"
cat /tmp/report
echo "@@report-end@@"
echo "workload: $(grep -c '^unreferenced object' /tmp/report) objects reported"
exit $failed
