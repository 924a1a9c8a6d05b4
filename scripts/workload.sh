#!/bin/bash
# The make check-full workload: boot a flavour of ours and its stock twin,
# run tests/vm/workload.sh in each (networking, tmpfs, a loop device,
# namespaces, fork/exec, a module loop), scan twice, and compare the two
# leak reports by allocation backtrace.  Prints TAP.
#
# Usage: workload.sh OURS STOCK   (both built; env: what scripts/vm.sh takes)
#
# Passes when both runs complete and every object ours reports has a
# counterpart in stock's report (same allocation backtrace, see sig()),
# or is listed in tests/full/stock-misses with the evidence that stock
# misses it.  Console log, workload output and report:
# build/check/workload-<flavour>.{log,out,report}.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ours=$1 stock=$2
OUT=${WORKLOAD_OUT:-$BUILD/check}
mkdir -p "$OUT"
TFTP_DIR=$OUT/tftp
mkdir -p "$TFTP_DIR"
head -c 65536 /dev/urandom > "$TFTP_DIR/blob"
MISSES=$ROOT/tests/full/stock-misses

n=0
tap() {	# tap STATUS DESCRIPTION
	n=$((n + 1))
	if [[ $1 -eq 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# run FLAVOUR: boot it, run the workload; sets RC.
run() {
	local f=$1 kdir log out
	flavor_lookup "$f"
	kdir=$FLAVOR_OBJ
	log=$OUT/workload-$f.log
	out=$OUT/workload-$f.out
	set +e
	FLAVOR=$f NET=user TFTP_DIR=$TFTP_DIR MEM=${MEM:-2G} TIMEOUT=${TIMEOUT:-900} \
	APPEND="${APPEND:+$APPEND }kfence.sample_interval=1" LOG=$log RESULT=$out \
	FILES="$ROOT/tests/vm/workload.sh $kdir/samples/kobject/kobject-example.ko" \
	CMD="sh /workload.sh /kobject-example.ko" "$ROOT/scripts/vm.sh" > /dev/null
	RC=$?
	set -e
	sed -n '/^@@report-begin@@$/,/^@@report-end@@$/p' "$out" | sed '1d;$d' \
		> "$OUT/workload-$f.report"
	grep -a '^workload: ' "$out" | sed 's/^/# '"$f"': /' || true
}

# sig REPORT: one line per entry, the functions of its backtrace from the
# first one outside the allocators and kmemleak (the two detectors start
# their traces at different depths), at most six.
sig() {
	awk '
		function flush() { if (e) print (s == "" ? "(allocator only)" : s); e = 0; s = ""; k = 0 }
		/^unreferenced object / { flush(); e = 1; next }
		e && /^    / {
			f = $NF == "" ? $(NF-1) : $NF
			for (i = 1; i <= NF; i++) if ($i ~ /\+0x/) { f = $i; break }
			sub(/\+0x.*/, "", f)
			if (k == 0 && f ~ /^(kmemleak_|__?kmalloc|kmalloc|__?kmem_cache|kmem_cache|kzalloc|krealloc|kvmalloc|__kvmalloc|kvzalloc|__vmalloc|vmalloc|vzalloc|__alloc_percpu|pcpu_|alloc_pages|__alloc_pages|memblock_|slab_|__slab|___slab|__do_kmalloc|kstrdup|kmemdup|__kmalloc_cache|__kmalloc_node|kmalloc_trace)/)
				next
			if (k < 6) { s = s (k ? " < " : "") f; k++ }
		}
		END { flush() }
	' "$1" | sort
}

# ms FLAVOUR: time of the workload's second scan, from its kmsg markers.
scan_ms() {
	awk 'match($0, /^\[ *[0-9]+\.[0-9]+\]/) { t = substr($0, 2, RLENGTH - 2) + 0 }
	     /workload: scan 2 start/ { a = t }
	     /workload: scan 2 end/ { if (a != "") printf "%d", (t - a) * 1000 }' \
		"$OUT/workload-$1.log"
}

run "$ours"
tap "$RC" "$ours: workload ran, kernel log clean (status $RC, log build/check/workload-$ours.log)"
ours_rc=$RC
run "$stock"
tap "$RC" "$stock: workload ran, kernel log clean (status $RC, log build/check/workload-$stock.log)"

sig "$OUT/workload-$ours.report" > "$OUT/workload-$ours.sigs"
sig "$OUT/workload-$stock.report" > "$OUT/workload-$stock.sigs"
echo "# $ours: $(wc -l < "$OUT/workload-$ours.sigs") objects reported, $stock: $(wc -l < "$OUT/workload-$stock.sigs")"
echo "# $ours: $(grep -ao 'Kernel memory leak detector initialized ([0-9]* objects tracked' "$OUT/workload-$ours.log" | grep -o '[0-9]* objects' || echo '? objects') tracked at boot"
echo "# scan after the workload: $ours $(scan_ms "$ours") ms, $stock $(scan_ms "$stock") ms"

# Every signature ours reports must be in stock's report, or explained.
unexplained=0
while IFS= read -r s; do
	grep -qxF -- "$s" "$OUT/workload-$stock.sigs" && continue
	if [[ -f $MISSES ]] && grep -v '^#' "$MISSES" | cut -f1 | grep -qxF -- "$s"; then
		echo "# $ours only, a known stock miss: $s"
		continue
	fi
	echo "# $ours only: $s"
	unexplained=$((unexplained + 1))
done < <(sort -u "$OUT/workload-$ours.sigs")
[[ $ours_rc -eq 0 ]] || unexplained=$((unexplained + 1))
tap "$unexplained" "$ours reports nothing that $stock does not (by allocation backtrace)"
echo "1..$n"
