#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The detector's own allocations failing.
#
# On an enabled kmemleak with CONFIG_FAILSLAB (and the failslab attributes
# of /sys/kernel/slab), failslab is aimed at its caches alone:
#  - scan areas (kml_area): the annotated objects are scanned whole, with
#    one warning, and the detector goes on;
#  - descriptors (kmemleak_object): once the early pool that stands in
#    for the cache is used up too, it disables itself with one message
#    naming the reason, commands fail with EPERM, clear releases all its
#    metadata, and the kernel goes on allocating.
# That disables kmemleak until reboot: only with KMEMLEAK_SELFTEST_OFF=1.
#
# On a kmemleak that found itself disabled at boot because its early pool
# ran out (CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE too small), the same checks
# of the disabled state.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

FS=/sys/kernel/debug/failslab
SLAB=/sys/kernel/slab
KML_STATS=/sys/kernel/debug/kmemleak_stats
# kmemleak_object: the name of the stock detector's descriptor cache too
OBJ_CACHE=kmemleak_object
AREA_CACHE=kml_area
POOL_MSG='kmemleak: early object pool exhausted: raise CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE$'
META_MSG='kmemleak: out of memory for object metadata$'
# thousands of files made while descriptors fail: the pool holds 16000
BATCHES=40

kml_require any
[ -e "$KML_STATS" ] || kml_skip_all "no $KML_STATS: a detector without the stats view"

stat()
{
	sed -n "s/^$1: //p" "$KML_STATS"
}

# once REGEX WHAT: the log since the mark has exactly one line matching REGEX.
once()
{
	local n

	n=$(grep -cE "$1" "$KML_TMP/log")
	[ "$n" -eq 1 ] || ktap_print_msg "'$1': $n lines"
	kml_result "$2" "$([ "$n" -eq 1 ]; echo $?)"
}

case $KML_STATE in
disabled)
	dmesg > "$KML_TMP/log"
	grep -qE "$POOL_MSG" "$KML_TMP/log" ||
		kml_skip_all "disabled, but not because the early pool ran out"
	mode=pool
	;;
enabled)
	[ -d "$FS" ] || kml_skip_all "no $FS: kernel built without CONFIG_FAILSLAB or CONFIG_FAULT_INJECTION_DEBUG_FS"
	[ -e "$SLAB/$OBJ_CACHE/failslab" ] && [ -e "$SLAB/$AREA_CACHE/failslab" ] ||
		kml_skip_all "no failslab attribute of $SLAB/$OBJ_CACHE or $SLAB/$AREA_CACHE"
	[ "${KMEMLEAK_SELFTEST_OFF:-0}" = 1 ] ||
		kml_skip_all "disables kmemleak until reboot: set KMEMLEAK_SELFTEST_OFF=1"
	kml_require_module
	mode=failslab
	;;
*)
	ktap_exit_fail_msg "kmemleak answers neither EINVAL nor EPERM to an unknown command"
	;;
esac

# failslab on CACHE (0 or 1), every allocation of it failing.
failslab()
{
	echo "$2" > "$SLAB/$1/failslab"
}

if [ "$mode" = failslab ]; then
	KML_AT_EXIT='failslab $OBJ_CACHE 0; failslab $AREA_CACHE 0
echo 0 > "$FS/probability"; rm -rf "$KML_TMP/files"'
	echo Y > "$FS/cache-filter"
	echo N > "$FS/ignore-gfp-wait"
	echo 0 > "$FS/verbose"
	echo 0 > "$FS/space"
	echo 1 > "$FS/interval"
	echo 100 > "$FS/probability"
	echo 1000000 > "$FS/times"
fi

# The remaining failslab budget: the injections hit are what it lost.
hits_since()
{
	echo $(($1 - $(cat "$FS/times")))
}

area_fails()
{
	local before hits warned

	kml_log_mark
	before=$(cat "$FS/times")
	failslab $AREA_CACHE 1
	echo scan-area > "$KML_CTL" || ktap_exit_fail_msg "the test module's scan-area failed"
	failslab $AREA_CACHE 0
	hits=$(hits_since "$before")
	kml_log_since > "$KML_TMP/log"
	ktap_print_msg "scan areas: $hits allocations failed"
	# warned once per boot: an earlier test may have made it warn
	warned=1
	dmesg | grep -qE 'kmemleak: cannot allocate a scan area: objects are scanned whole$' &&
		warned=0
	kml_result "a failed scan area: warned, the object scanned whole ($hits failures)" \
		"$([ "$warned" -eq 0 ] && [ "$hits" -gt 0 ] && [ "$(kml_state)" = enabled ]; echo $?)"
}

# Many new blocks (dentries and inodes): more than the pool holds.
meta_fails()
{
	local before hits i

	kml_log_mark
	before=$(cat "$FS/times")
	failslab $OBJ_CACHE 1
	mkdir "$KML_TMP/files"
	# a thousand files at a time, until the pool is gone too
	i=0
	while [ "$i" -lt "$BATCHES" ] && [ "$(kml_state)" = enabled ]; do
		(cd "$KML_TMP/files" && seq $((i * 1000)) $((i * 1000 + 999)) | xargs touch)
		i=$((i + 1))
	done
	failslab $OBJ_CACHE 0
	hits=$(hits_since "$before")
	echo 0 > "$FS/probability"
	kml_log_since > "$KML_TMP/log"
	ktap_print_msg "descriptors: $hits allocations failed, early pool: $(stat early_pool_used) of $(stat early_pool_size) used"
	kml_result "descriptors failing: kmemleak disabled itself ($hits failures)" \
		"$([ "$hits" -gt 0 ] && [ "$(kml_state)" = disabled ]; echo $?)"
}

reason_once()
{
	if [ "$mode" = pool ]; then
		once "$POOL_MSG" "one message: the early pool ran out"
	else
		once "$META_MSG" "one message: out of memory for object metadata"
	fi
}

disabled_once()
{
	once 'kmemleak: Kernel memory leak detector disabled$' "one message: the detector is disabled"
}

stats_say_why()
{
	local s

	s=$(stat state)
	ktap_print_msg "state: $s"
	case $s in
	"disabled: early object pool exhausted"*|"disabled: out of memory for object metadata") ;;
	*) false ;;
	esac
	kml_result "the statistics give the reason" $?
}

scan_eperm()
{
	kml_result "'scan' fails with EPERM" \
		"$([ "$(kml_write scan)" = EPERM ]; echo $?)"
}

metadata_released()
{
	local ret

	ret=$(kml_write clear)
	ktap_print_msg "after clear: objects $(stat objects), metadata_bytes $(stat metadata_bytes)"
	kml_result "after clear, no metadata is held" \
		"$([ "$ret" = 5 ] && [ "$(stat objects)" = 0 ] &&
		   [ "$(stat metadata_bytes)" = 0 ]; echo $?)"
}

kernel_goes_on()
{
	local ok=0

	rm -rf "$KML_TMP/files"
	mkdir "$KML_TMP/more" && (cd "$KML_TMP/more" && seq 1 1000 | xargs touch) &&
		[ "$(ls "$KML_TMP/more" | wc -l)" -eq 1000 ] || ok=1
	rm -rf "$KML_TMP/more"
	kml_result "the kernel goes on allocating" $ok
}

quiet()
{
	kml_result "no BUG, WARNING or lockdep report" \
		"$(! grep -Eq 'BUG:|WARNING:|possible .*lock|INFO: ' "$KML_TMP/log"; echo $?)"
}

# what follows the disabling, however it came
disabled_tests="reason_once
disabled_once
stats_say_why
scan_eperm
metadata_released
kernel_goes_on
quiet"
if [ "$mode" = pool ]; then
	kml_run "$disabled_tests"
else
	kml_run "area_fails
meta_fails
$disabled_tests"
fi
