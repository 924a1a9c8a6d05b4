#!/bin/bash
# make bench: build the two detectors, boot each in QEMU, run the benchmark
# module (bench) and print one table comparing
# ours with stock, with ours booted kmemleak=off as the floor.
#
# env (all optional):
#   BENCH_OURS, BENCH_STOCK  flavours to compare (default: ours-bench,
#                 stock-bench: base.config + bench.config, i.e. the full
#                 SLUB instead of SLUB_TINY; ours and stock work too)
#   BENCH_PAIRS   alloc/free pairs per measurement (default 100000)
#   BENCH_REPS    module loads (or scans) per figure; the median is kept (5;
#                 the 2-thread speedup is also given from the best loads:
#                 a vCPU preempted by other host work only slows a load)
#   BENCH_SCAN_NS object counts for the scan timings, each from a fresh
#                 boot; the first one is also the metadata measurement
#                 (default "200000 100000 1000000")
#   BENCH_DEPTHS  extra call depths for the pair timings (default 0; e.g.
#                 "0 16" shows what the allocation stack depth costs)
#   BENCH_SMP, BENCH_MEM  vCPUs (default 2) and guest memory (default 1G)
#   BENCH_TSC_KHZ guest TSC frequency (default: the host's, from dmesg)
#   BENCH_TIMEOUT seconds per VM boot (default 1800)
#   BENCH_SCAN_ARGS  arguments of the userspace scan benchmark (default
#                 "-r 3": 1M objects of 64 B, best of 3; see bench_scan.c)
#   BENCH_FULL    the distribution-like pair of flavours measured the same
#                 way, plus a scan after tests/vm/workload.sh (default
#                 "full full-stock": ORC unwinder, KFENCE; "" skips them)
#   BENCH_SKIP_BUILD=1  use the kernels as they are
#
# Output: the table on stdout and in build/bench/table.txt; every VM's
# console log and the parsed results in build/bench/.
#
# Measurements: per configuration (off, stock, ours) one boot for the pair
# timings and one boot per object count for memory and scans (in one boot
# a scan's time depends on what was allocated and freed before it).
# - SMP: vm.sh gives each vCPU a socket of its own, or the guest (no ACPI)
#   would see one CPU; the table checks that it saw $BENCH_SMP.
# - Clock: without HPET or ACPI PM timer the guest calibrates its TSC
#   against the PIT, which fails under host load in TCG; the kernel then
#   falls back to the jiffies clocksource (4 ms steps).  tsc_early_khz=
#   gives the frequency (TCG's TSC runs at the host's), tsc=reliable keeps
#   the watchdog from dropping it.  The VM script reports the clocksource.
# - 2 vCPUs on a 2-core host run in parallel only while nothing else runs:
#   with other load, 2-thread figures of one boot swing by 2x.  Every
#   sample is in build/bench/*.log (@@bench-raw lines).
# - loglevel=5 keeps the module's and the detector's informational
#   messages off the (slow, synchronous) serial console.
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"

OURS=${BENCH_OURS:-ours-bench}
STOCK=${BENCH_STOCK:-stock-bench}
PAIRS=${BENCH_PAIRS:-100000}
REPS=${BENCH_REPS:-5}
SCAN_NS=${BENCH_SCAN_NS:-200000 100000 1000000}
DEPTHS=${BENCH_DEPTHS:-0}
NCPU=${BENCH_SMP:-2}
VMEM=${BENCH_MEM:-1G}
VTIMEOUT=${BENCH_TIMEOUT:-1800}
FULL=${BENCH_FULL-full full-stock}
OUT=$BUILD/bench
start=$SECONDS

# shellcheck disable=SC2206
full=($FULL)
[[ ${#full[@]} -eq 0 || ${#full[@]} -eq 2 ]] ||
	die "bench: BENCH_FULL names two flavours (ours, stock), not '$FULL'"
flavors=("$OURS" "$STOCK" "${full[@]}")
for f in "${flavors[@]}"; do
	flavor_lookup "$f"
done
mkdir -p "$OUT"

# 1. Kernels.
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
	for f in "${flavors[@]}"; do
		echo "bench: building $f kernel (log: ${OUT#"$ROOT"/}/build-$f.log)"
		if ! make -C "$ROOT" --no-print-directory kernel FLAVOR="$f" \
				> "$OUT/build-$f.log" 2>&1; then
			tail -20 "$OUT/build-$f.log" >&2
			die "bench: building the $f kernel failed"
		fi
	done
fi

build_secs=$((SECONDS - start))

# 2. The module, out of tree against each kernel.
for f in "${flavors[@]}"; do
	kdir=$(FLAVOR=$f "$ROOT/scripts/kdir.sh")
	[[ -f $kdir/arch/x86/boot/bzImage ]] || die "bench: no $f kernel: make kernel FLAVOR=$f"
	m=$OUT/$f
	rm -rf "$m"
	mkdir -p "$m"
	cp "$ROOT"/bench/{Kbuild,kmemleak_bench.c} "$m/"
	if ! make -C "$kdir" M="$m" modules > "$OUT/module-$f.log" 2>&1; then
		cat "$OUT/module-$f.log" >&2
		die "bench: building the module against $f failed"
	fi
done

# 3. Boots.
tsc_khz=${BENCH_TSC_KHZ:-}
if [[ -z $tsc_khz ]]; then
	mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -1)
	[[ -n $mhz ]] || mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -1)
	if [[ -z $mhz ]] && grep -qw constant_tsc /proc/cpuinfo; then
		mhz=$(awk -F': *' '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
	fi
	[[ -n $mhz ]] && tsc_khz=$(awk -v m="$mhz" 'BEGIN { printf "%d", m * 1000 }')
fi
append="loglevel=5 tsc=reliable${tsc_khz:+ tsc_early_khz=$tsc_khz}"
smp=$NCPU

# boot NAME FLAVOR EXTRA_APPEND ARGS...: one VM running bench-vm.sh ARGS;
# its @@bench lines go to $OUT/NAME.res.
boot() {
	local name=$1 flavor=$2 extra=$3 status t0=$SECONDS
	shift 3
	local args
	printf -v args '%q ' "$@"
	echo "bench: $name: booting $flavor${extra:+ ($extra)}: $*"
	set +e
	FLAVOR=$flavor SMP=$smp MEM=$VMEM TIMEOUT=$VTIMEOUT \
	APPEND="$append${extra:+ $extra}" LOG="$OUT/$name.log" RESULT="$OUT/$name.out" \
	FILES="$OUT/$flavor/kmemleak_bench.ko $ROOT/bench/bench-vm.sh" \
	CMD="sh /bench-vm.sh $args" "$ROOT/scripts/vm.sh" > /dev/null
	status=$?
	set -e
	sed -n 's/^@@bench \([^ ]*\) \(.*\)$/\1 \2/p' "$OUT/$name.out" > "$OUT/$name.res"
	if [[ $status -ne 0 ]] || ! grep -q '^end' "$OUT/$name.res"; then
		grep -a '@@bench-error' "$OUT/$name.out" >&2 || true
		die "bench: $name failed (vm status $status), see ${OUT#"$ROOT"/}/$name.log"
	fi
	echo "bench: $name: done in $((SECONDS - t0)) s"
}

# workload NAME FLAVOR: tests/vm/workload.sh, then REPS + 1 scans; their
# times (ms, from the kmsg markers on the console) go to $OUT/NAME.res.
workload() {
	local name=$1 flavor=$2 status t0=$SECONDS kdir
	kdir=$(FLAVOR=$flavor "$ROOT/scripts/kdir.sh")
	mkdir -p "$OUT/tftp"
	head -c 65536 /dev/urandom > "$OUT/tftp/blob"
	echo "bench: $name: booting $flavor: workload, $((REPS + 1)) scans"
	set +e
	FLAVOR=$flavor SMP=$smp MEM=2G TIMEOUT=$VTIMEOUT NET=user \
	TFTP_DIR="$OUT/tftp" APPEND="$append kfence.sample_interval=1" \
	LOG="$OUT/$name.log" RESULT="$OUT/$name.out" \
	FILES="$ROOT/tests/vm/workload.sh $kdir/samples/kobject/kobject-example.ko" \
	CMD="echo scan=off > /sys/kernel/debug/kmemleak; sh /workload.sh /kobject-example.ko $((REPS + 1))" \
		"$ROOT/scripts/vm.sh" > /dev/null
	status=$?
	set -e
	# the first scan after the workload settles, like the others' first
	awk 'match($0, /^\[ *[0-9]+\.[0-9]+\]/) { t = substr($0, 2, RLENGTH - 2) + 0 }
	     /workload: scan [0-9]+ start/ { a = t }
	     /workload: scan [0-9]+ end/ && a != "" {
		n = $NF == "end" ? $(NF - 1) : 0
		if (n > 1) v = v " " int((t - a) * 1e6); a = "" }
	     END { if (v != "") print "workload_scan_us" v }' "$OUT/$name.log" \
		> "$OUT/$name.res"
	if [[ $status -ne 0 ]] || ! grep -q '^workload_scan_us ' "$OUT/$name.res"; then
		grep -a 'workload: .*failed' "$OUT/$name.out" >&2 || true
		die "bench: $name failed (vm status $status), see ${OUT#"$ROOT"/}/$name.log"
	fi
	echo "bench: $name: done in $((SECONDS - t0)) s"
}

rm -f "$OUT"/{off,stock,ours,full-off,full-stock,full-ours}-*.{log,out,res} "$OUT/table.txt"
cfgs=(off stock ours)
[[ -n $FULL ]] && cfgs+=(full-off full-stock full-ours)
for cfg in "${cfgs[@]}"; do
	case $cfg in
	off)        flavor=$OURS      extra=kmemleak=off scan=0 ;;
	stock)      flavor=$STOCK     extra=            scan=1 ;;
	ours)       flavor=$OURS      extra=            scan=1 ;;
	full-off)   flavor=${full[0]} extra=kmemleak=off scan=0 ;;
	full-stock) flavor=${full[1]} extra=            scan=1 ;;
	full-ours)  flavor=${full[0]} extra=            scan=1 ;;
	esac
	boot "$cfg-pairs" "$flavor" "$extra" pairs="$PAIRS" reps="$REPS" \
		depths="$DEPTHS" threads="1 2"
	ns=$SCAN_NS
	[[ $cfg == full-* ]] && ns=${SCAN_NS%% *}	# metadata and one scan size
	for n in $ns; do
		boot "$cfg-objects-$n" "$flavor" "$extra" objects="$n" \
			reps="$REPS" scan="$scan"
	done
	[[ $cfg == full-ours || $cfg == full-stock ]] && workload "$cfg-workload" "$flavor"
done

# 4. The scan core in userspace (native, not in the VM), with random and
# with local links: needs the unit tests' shim header.
SCAN_ARGS=${BENCH_SCAN_ARGS:--r 3}
rm -f "$OUT"/scan*.txt
if [[ -f $ROOT/linux/tools/testing/kmemleak/kmemleak_internal.h ]]; then
	if make -C "$ROOT/bench" OUTPUT="$OUT/scan/" \
			> "$OUT/scan-build.log" 2>&1; then
		for links in random local; do
			flag=
			[[ $links == local ]] && flag=-l
			echo "bench: userspace scan core: bench_scan $SCAN_ARGS $flag"
			# shellcheck disable=SC2086
			"$OUT/scan/bench_scan" $SCAN_ARGS $flag > "$OUT/scan-$links.txt" 2>&1 ||
				echo "scan core benchmark ($links links) failed: see ${OUT#"$ROOT"/}/scan-$links.txt" \
					>> "$OUT/scan-$links.txt"
		done
	else
		echo "scan core benchmark: build failed, see ${OUT#"$ROOT"/}/scan-build.log" > "$OUT/scan-build.txt"
	fi
else
	echo "scan core benchmark: skipped, no userspace shim (linux/tools/testing/kmemleak/kmemleak_internal.h)" > "$OUT/scan-none.txt"
fi

# 5. The table.
machine="$(nproc) cores $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
qemu=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
accel=$(cat "$BUILD/accel" 2>/dev/null || echo tcg)
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain -- linux/mm linux/include 2>/dev/null) ]]; then
	rev+=" + uncommitted changes"
fi
python3 - "$OUT" "$SCAN_NS" "$DEPTHS" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	"$machine" "QEMU $qemu ${accel^^}, guest $NCPU vCPUs, $VMEM" \
	"ours at $rev; $PAIRS pairs per load, median of $REPS" \
	"$((SECONDS - start)) $build_secs" "$NCPU" "$OURS vs $STOCK" \
	"${FULL:+${full[0]} vs ${full[1]}}" <<'PY' | tee "$OUT/table.txt"
import glob
import os
import statistics
import sys

(out, scan_ns, depths, date, machine, vm, what, secs, ncpu, flavors,
 full) = sys.argv[1:]
scan_ns = [int(n) for n in scan_ns.split()]
meta_n = scan_ns[0]
depths = depths.split()
res = {}
trouble = []

def load(c, boots):
    res[c] = {}
    for n in boots:
        boot = {}
        path = f"{out}/{c}-{n}.res"
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                k, _, v = line.strip().partition(" ")
                boot[k] = v
        res[c].update(boot)
        if n == "workload":
            continue
        want = {"cpus": ncpu, "detector": "off" if c.endswith("off") else "on"}
        bad = [f"{k} {boot.get(k)}" for k in want if boot.get(k) != want[k]]
        if boot.get("clocksource") not in ("tsc", "tsc-early"):
            bad.append(f"clocksource {boot.get('clocksource')}")
        if bad:
            trouble.append(f"{c}-{n}: " + ", ".join(bad))

for c in ("off", "stock", "ours"):
    load(c, ["pairs"] + [f"objects-{n}" for n in scan_ns])
if full:
    for c in ("full-off", "full-stock", "full-ours"):
        load(c, ["pairs", f"objects-{meta_n}", "workload"])

def num(c, k):
    try:
        return float(res[c][k])
    except (KeyError, ValueError):
        return None

def fmt(v, unit=""):
    if v is None:
        return "-"
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}{unit}"
    return f"{v:.2f}{unit}" if abs(v) < 10 else f"{v:.1f}{unit}"

# A goal is a limit on the figure in the ratio column: "<= x", ">= x".
def judged(goal, value):
    if value is None:
        return f"{goal} (no figure)"
    op, lim = goal.split()[0], float(goal.split()[1])
    ok = value <= lim if op == "<=" else value >= lim
    return f"{goal} {'met' if ok else 'NOT met'}"

rows = []
def row(label, off, stock, ours, ratio="", goal=""):
    rows.append((label, off, stock, ours, ratio, goal))

def group(off_c, st_c, ou_c, title, pair_goal, scan_ns):
    cfgs = (off_c, st_c, ou_c)
    rows.append(None)
    rows.append((title,))
    for d in depths:
        sfx = "" if d == "0" else f", {d} frames deeper"
        for key, name in (("kmalloc_pair_ns", "kmalloc+kfree"),
                          ("cache_pair_ns", "kmem_cache_alloc+free")):
            k = f"{key}.d{d}"
            off, st, ou = (num(c, k) for c in cfgs)
            row(f"{name} pair, ns{sfx}", fmt(off), fmt(st), fmt(ou),
                f"{ou / st:.2f}x" if st and ou else "", "info")
            if None not in (off, st, ou):
                add_s, add_o = st - off, ou - off
                pct = 100 * add_o / add_s if add_s > 0 else None
                row("  added cost over off, ns", "", fmt(add_s), fmt(add_o),
                    f"{pct:.0f} %" if pct is not None else "n/a",
                    judged(f"<= {pair_goal} %", pct) if d == "0" else "info")
    k = f"slab_delta_kb.{meta_n}"
    off = num(off_c, k)
    def per_obj(c, key):
        v, o = num(c, key), num(off_c, key)
        return None if v is None or o is None else (v - o) * 1024 / meta_n
    st, ou = per_obj(st_c, k), per_obj(ou_c, k)
    row(f"metadata per object, B (Slab, {meta_n // 1000}k objects)", "",
        fmt(st), fmt(ou), f"{ou / st:.2f}x" if st and ou else "",
        judged("<= 64 B", ou))
    k2 = f"memfree_delta_kb.{meta_n}"
    st2, ou2 = per_obj(st_c, k2), per_obj(ou_c, k2)
    row("  same from MemFree (all memory), B", "", fmt(st2), fmt(ou2),
        f"{ou2 / st2:.2f}x" if st2 and ou2 else "", "info")
    row("  objects themselves (off: Slab delta / N), B",
        fmt(off * 1024 / meta_n) if off is not None else "-", "", "", "",
        "info")
    per = {}
    for n in sorted(scan_ns):
        st, ou = num(st_c, f"scan_us.{n}"), num(ou_c, f"scan_us.{n}")
        per[n] = (st, ou)
        sp = st / ou if st and ou else None
        row(f"full scan, {n // 1000}k objects, ms", "",
            fmt(st / 1000) if st else "-", fmt(ou / 1000) if ou else "-",
            "" if sp is None else f"{sp:.1f}x faster" if sp >= 1
            else f"{1 / sp:.1f}x slower", judged(">= 5 x faster", sp))
    ns = sorted(scan_ns)
    if len(ns) >= 2:
        row("  scan time per object, ns (" +
            " / ".join(f"{n // 1000}k" for n in ns) + ")", "",
            " / ".join(fmt(per[n][0] * 1000 / n) if per[n][0] else "-"
                       for n in ns),
            " / ".join(fmt(per[n][1] * 1000 / n) if per[n][1] else "-"
                       for n in ns), "", "info")
        a, b = ns[-2], ns[-1]
        def slope(i):
            if per[a][i] and per[b][i]:
                return (per[b][i] - per[a][i]) * 1000 / (b - a)
            return None
        so = slope(1)
        po = per[a][1] * 1000 / a if per[a][1] else None
        # flat or falling: the marginal cost no higher than the average
        row(f"  marginal, ns per object ({a // 1000}k -> {b // 1000}k)", "",
            fmt(slope(0)), fmt(so),
            f"{so / po:.2f}x of {a // 1000}k's mean" if so and po else "",
            judged("<= 1 x", so / po if so and po else None))
    if f"workload_scan_us" in res.get(ou_c, {}):
        def med(c):
            v = res.get(c, {}).get("workload_scan_us")
            return statistics.median(int(x) for x in v.split()) if v else None
        st, ou = med(st_c), med(ou_c)
        sp = st / ou if st and ou else None
        row("scan after the workload, ms", "",
            fmt(st / 1000) if st else "-", fmt(ou / 1000) if ou else "-",
            "" if sp is None else f"{sp:.1f}x faster" if sp >= 1
            else f"{1 / sp:.1f}x slower", judged(">= 5 x faster", sp))
    for t in ("1", "2"):
        off, st, ou = (num(c, f"pairs_per_sec.t{t}") for c in cfgs)
        row(f"alloc/free throughput, {t} thread{'s' if t != '1' else ''}, pairs/s",
            fmt(off), fmt(st), fmt(ou), f"{ou / st:.2f}x" if st and ou else "",
            "info")
    for kind, key in (("medians", "pairs_per_sec"),
                      ("best loads", "pairs_per_sec_best")):
        sp = []
        for c in cfgs:
            a, b = num(c, f"{key}.t1"), num(c, f"{key}.t2")
            sp.append(b / a if a and b else None)
        row(f"  2 threads / 1 thread, {kind}",
            *(f"{v:.2f}x" if v else "-" for v in sp),
            f"{sp[2]:.2f}x" if sp[2] else "", judged(">= 1.6 x", sp[2]))

group("off", "stock", "ours", f"tinyconfig: {flavors}", 10, scan_ns)
if full:
    group("full-off", "full-stock", "full-ours", f"full: {full}", 25,
          [meta_n])

hdr = ("", "off", "stock", "ours", "ours vs stock", "goal")
body = [r for r in rows if r and len(r) == 6]
w = [max(len(str(r[i])) for r in body + [hdr]) for i in range(6)]
def line(r):
    if r is None:
        return ""
    if len(r) == 1:
        return r[0]
    return (r[0].ljust(w[0]) + "  " +
            "  ".join(str(r[i]).rjust(w[i]) for i in range(1, 5)) +
            "  " + str(r[5]).ljust(w[5])).rstrip()
print(f"kmemleak benchmark, {date}")
print(f"host: {machine}; {vm}")
print(f"{what}; off = ours booted kmemleak=off")
for t in trouble:
    print(f"WARNING: boot {t}")
print()
print(line(hdr))
for r in rows:
    print(line(r))
print()
for path in sorted(glob.glob(f"{out}/scan-*.txt"), reverse=True):
    with open(path) as f:
        scan = f.read().splitlines()
    kv = dict(l.split()[1:3] for l in scan if l.startswith("bench_scan: "))
    summary = [l for l in scan if not l.startswith("bench_scan: ")]
    goal = 10 if kv.get("links") == "random" else 30
    if "scan_ns_per_object" in kv:
        print(f"userspace scan core, native, {kv.get('objects')} objects of "
              f"{kv.get('object_size')} B, {kv.get('links')} links (mean "
              f"tree depth {kv.get('tree_depth')}), best of runs: "
              f"{float(kv['scan_ns_per_object']):.0f} ns per object")
    pct = None
    for l in summary:
        if "% of read bandwidth" in l:
            try:
                pct = float(l.split("=")[1].split("%")[0])
            except (IndexError, ValueError):
                pass
    print("  " + ("\n  ".join(summary) or "no output") +
          (f"  [goal: {judged(f'>= {goal} %', pct)}]"
           if "scan_ns_per_object" in kv else ""))
print()
total, build = (int(x) for x in secs.split())
print(f"make bench took {total // 60} min {total % 60} s, of which "
      f"{build // 60} min {build % 60} s building the kernels")
PY
echo "bench: table saved in ${OUT#"$ROOT"/}/table.txt; done in $((SECONDS - start)) s"
