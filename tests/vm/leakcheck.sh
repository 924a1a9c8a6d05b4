#!/bin/sh
# Runs inside the VM (busybox sh): load a module, let kmemleak find what it
# leaked, print the report and a one-line summary.
# Usage: sh /leakcheck.sh /module.ko
set -eu

ko=$1
name=$(basename "$ko" .ko | tr - _)
kml=/sys/kernel/debug/kmemleak

if [ ! -e $kml ]; then
	echo "leakcheck: $kml is missing (kmemleak disabled, or debugfs not mounted)"
	exit 1
fi
if ! insmod "$ko"; then
	echo "leakcheck: insmod $ko failed"
	exit 1
fi
# Objects are reported only once they are 5 s old, and only after their
# checksum stayed the same across a scan: wait, then scan twice.
echo "leakcheck: $name loaded; waiting 6 s for its objects to age"
sleep 6
echo scan > $kml
sleep 1
echo scan > $kml
cat $kml > /tmp/kmemleak.report

echo "leakcheck: ---- /sys/kernel/debug/kmemleak ----"
cat /tmp/kmemleak.report
echo "leakcheck: ---- end of report ----"
# An entry is "from" the module when a backtrace frame is in it ("... [name]"),
# or when it was allocated while the module's init ran (do_init_module):
# __init code is freed after loading, so its frames print as bare addresses.
awk -v mod="[$name]" '
	/^unreferenced object / { n++; inmod = 0 }
	(index($0, mod) || /^    do_init_module\+/) && !inmod { m++; inmod = 1 }
	/^    0x[0-9a-f]+$/ { bare = 1 }
	END {
		if (bare)
			print "leakcheck: frames shown as bare addresses are in freed __init code"
		printf "run: %d unreferenced objects reported, %d allocated from %s\n",
		       n, m, substr(mod, 2, length(mod) - 2)
	}
' /tmp/kmemleak.report
