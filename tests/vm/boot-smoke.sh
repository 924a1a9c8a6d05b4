#!/bin/sh
# Runs inside the VM: the kmemleak debugfs interface is there and answers.
kml=/sys/kernel/debug/kmemleak
n=0
t() {	# t NAME COMMAND...: one TAP line for COMMAND's exit status
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
readable() { cat $kml > /tmp/report; }
scan() { echo scan > $kml; }
rejects_unknown() { ! echo no-such-command > $kml 2>/dev/null; }

echo "1..5"
t "boot: kernel booted, /init ran" true
t "debugfs: $kml exists" test -e $kml
t "debugfs: reading $kml works" readable
t "debugfs: 'scan' is accepted" scan
t "debugfs: an unknown command is rejected" rejects_unknown
