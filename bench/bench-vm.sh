#!/bin/sh
# Runs inside the VM (busybox sh), driven by bench/bench.sh: loads
# /kmemleak_bench.ko for each measurement and prints the results as
#   @@bench <key> <value>	(medians; the table is built from these)
#   @@bench-raw <key> <v1> <v2> ...	(every sample)
#
# Usage: sh /bench-vm.sh key=value...
#   pairs=N reps=R depths="0 ..." threads="1 2"   alloc/free pair timings
#   objects="200000 100000 ..."   per N: Slab/MemFree deltas of loading
#                                 objects=N (the first N from a fresh boot)
#   scan=1                        and, per N, the time of `echo scan` (one
#                                 scan to settle, then reps timed scans)
# Times come from printk timestamps of /dev/kmsg markers (local_clock,
# microseconds), not from /proc/uptime (10 ms).

KO=/kmemleak_bench.ko
KL=/sys/kernel/debug/kmemleak
pairs=0 reps=3 depths=0 threads= objects= scan=0
for kv in "$@"; do
	case $kv in
	*=*) eval "${kv%%=*}=\"\${kv#*=}\"" ;;
	esac
done

fail() { echo "@@bench-error $*"; exit 1; }
out() { echo "@@bench $1 $2"; }
raw() { k=$1; shift; echo "@@bench-raw $k $*"; }

median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { if (!NR) print "NA"; else if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# load ARGS...: insmod with ARGS; the module's lines are left in $log.
load() {
	dmesg -c > /dev/null
	insmod "$KO" "$@" || fail "insmod $* failed"
	log=$(dmesg)
}
unload() { rmmod kmemleak_bench || fail "rmmod failed"; }
val() { echo "$log" | sed -n "s/.*kmemleak_bench: $1 \([0-9]*\)\$/\1/p" | tail -1; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# mark NAME logs a marker (a shell builtin write: nothing forked between
# two marks); stamp NAME prints its printk timestamp in seconds.
mark() { echo "<6>bench-mark $1" > /dev/kmsg; }
stamp() { dmesg | sed -n "s/^\[ *\([0-9.]*\)\] bench-mark $1\$/\1/p" | tail -1; }

if [ -w $KL ] && echo scan=off > $KL 2>/dev/null; then
	echo "@@bench detector on"	# automatic scans off: they would interfere
else
	echo "@@bench detector off"
	[ "$scan" = 1 ] && fail "scan=1 but $KL is not usable"
fi

# Right after boot the first module load runs markedly slower (even with
# the detector off): let boot-time work settle, then one unmeasured load.
sleep 3
echo "@@bench cpus $(nproc)"
echo "@@bench clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "@@bench memtotal_kb $(meminfo MemTotal)"
if [ "$pairs" -gt 0 ]; then
	load pairs="$pairs"
	unload
	for d in $depths; do
		km= kc=
		r=0
		while [ $r -lt "$reps" ]; do
			load pairs="$pairs" depth="$d"
			km="$km $(val kmalloc_pair_ns)"
			kc="$kc $(val cache_pair_ns)"
			unload
			r=$((r + 1))
		done
		raw "kmalloc_pair_ns.d$d" $km
		raw "cache_pair_ns.d$d" $kc
		out "kmalloc_pair_ns.d$d" "$(median $km)"
		out "cache_pair_ns.d$d" "$(median $kc)"
	done
	for t in $threads; do
		pps=
		r=0
		while [ $r -lt "$reps" ]; do
			load pairs="$pairs" threads="$t"
			pps="$pps $(val parallel_pairs_per_sec)"
			unload
			r=$((r + 1))
		done
		raw "pairs_per_sec.t$t" $pps
		out "pairs_per_sec.t$t" "$(median $pps)"
		out "pairs_per_sec_best.t$t" "$(printf '%s\n' $pps | sort -n | tail -1)"
	done
fi

for n in $objects; do
	s0=$(meminfo Slab) f0=$(meminfo MemFree)
	load objects="$n"
	s1=$(meminfo Slab) f1=$(meminfo MemFree)
	out "objects_alloc_ns.$n" "$(val objects_alloc_ns)"
	out "slab_delta_kb.$n" $((s1 - s0))
	out "memfree_delta_kb.$n" $((f0 - f1))
	if [ "$scan" = 1 ]; then
		echo scan > $KL || fail "scan failed"	# settle
		ts=
		r=0
		while [ $r -lt "$reps" ]; do
			mark "s$n.$r"
			echo scan > $KL || fail "scan failed"
			mark "e$n.$r"
			a=$(stamp "s$n.$r") b=$(stamp "e$n.$r")
			ts="$ts $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) * 1e6 }')"
			r=$((r + 1))
		done
		raw "scan_us.$n" $ts
		out "scan_us.$n" "$(median $ts)"
	fi
	unload
done
out end ok
