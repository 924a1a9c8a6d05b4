#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad input to the debugfs file: overlong writes, a command split across
# writes (each write is judged alone), NUL bytes (but for trailing ones,
# which are ignored as a trailing newline is), random bytes, dump= of
# addresses no block holds (unmapped, user space, per-CPU, physical, odd,
# out of range), writers and readers at once, readers that stop half way
# and reads at an offset. Each bad write fails with EINVAL, the settings
# are unchanged, and a leak listed before is still listed after.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

KML_STATS=/sys/kernel/debug/kmemleak_stats

kml_require enabled
kml_require_module

# The settings a bad write must leave alone.
settings()
{
	if [ -e "$KML_STATS" ]; then
		grep -E '^(state|scan_period_s|stack_scan|suppressions):' "$KML_STATS"
	fi
	kml_state
}

kml_do clear || ktap_exit_fail_msg "clear failed"
kml_create basic labels || ktap_exit_fail_msg "the test module could not make its blocks"
kml_label "$(awk '$1 == "LEAK" { print $2; exit }' "$KML_TMP/labels")" labels ||
	ktap_exit_fail_msg "the basic scenario made no leak"
leak=$KML_ADDR
leak_size=$KML_SIZE
kml_label "$(awk '$1 == "KEEP" { print $2; exit }' "$KML_TMP/labels")" labels ||
	ktap_exit_fail_msg "the basic scenario made no referenced block"
kept=$KML_ADDR
kml_wait_age
kml_scan_twice || ktap_exit_fail_msg "scan failed"
settings > "$KML_TMP/settings.before"

# einval DESCRIPTION RESULT: RESULT (what the writes returned) is EINVAL.
einval()
{
	[ "$2" = EINVAL ] || ktap_print_msg "got '$2'"
	kml_result "$1: EINVAL" "$([ "$2" = EINVAL ]; echo $?)"
}

overlong()
{
	einval "$1 bytes in one write" "$("$KML_FD" "$KML" fill "$1" a)"
}

split_scan()
{
	local got

	got=$("$KML_FD" "$KML" split scan 2)
	[ "$got" = "EINVAL EINVAL" ] || ktap_print_msg "got '$got'"
	kml_result "'scan' in two writes: each is judged alone, EINVAL twice" \
		"$([ "$got" = "EINVAL EINVAL" ]; echo $?)"
}

nul()
{
	einval "bytes $1 (NUL inside)" "$("$KML_FD" "$KML" hex "$1")"
}

# A writer that includes the string's terminator: trailing NULs are ignored.
trailing_nul()
{
	local got

	got=$("$KML_FD" "$KML" hex 7363616e00)
	kml_result "'scan' with its NUL terminator: accepted, 5 bytes" \
		"$([ "$got" = 5 ]; echo $?)"
}

random_bytes()
{
	local i=0 bad=0 hex got

	while [ "$i" -lt 100 ]; do
		hex=$(head -c $((1 + i % 80)) /dev/urandom | od -An -tx1 | tr -d ' \n')
		got=$("$KML_FD" "$KML" hex "$hex")
		if [ "$got" != EINVAL ]; then
			ktap_print_msg "$hex: $got"
			bad=$((bad + 1))
		fi
		i=$((i + 1))
	done
	kml_result "100 writes of random bytes: EINVAL each" "$bad"
}

dump_bad()
{
	einval "dump=$1 ($2)" "$(kml_write "dump=$1")"
}

dump_kept()
{
	local got

	got=$(kml_write "dump=$kept")
	kml_result "dump= of a tracked block still works" \
		"$([ "$got" = $((5 + ${#kept})) ]; echo $?)"
}

# Writers of good and bad commands and readers of the report, all at once.
concurrent()
{
	local i pids=

	for i in 1 2 3; do
		(
			n=0
			while [ "$n" -lt 30 ]; do
				for c in scan "dump=$kept" junk%n stack=on; do
					kml_cmd "$c"
					r=$(kml_write "$KML_CMD")
					case $c:$r in
					junk*:EINVAL | scan:4 | dump=*:* | stack=on:8) ;;
					*) echo "$c: $r" ;;
					esac
				done
				n=$((n + 1))
			done > "$KML_TMP/writer.$i"
		) &
		pids="$pids $!"
	done
	for i in 1 2; do
		(
			n=0
			while [ "$n" -lt 30 ]; do
				cat "$KML" > /dev/null || echo "read failed"
				n=$((n + 1))
			done > "$KML_TMP/reader.$i"
		) &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	cat "$KML_TMP"/writer.* "$KML_TMP"/reader.* > "$KML_TMP/concurrent"
	head -n 10 "$KML_TMP/concurrent" | sed 's/^/# /'
	kml_result "3 writers and 2 readers at once: every write as expected" \
		"$([ ! -s "$KML_TMP/concurrent" ]; echo $?)"
}

partial_readers()
{
	local i=0

	while [ "$i" -lt 20 ]; do
		head -c $((1 + i * 37)) "$KML" > /dev/null
		i=$((i + 1))
	done
	kml_report
	kml_expect_listed "$leak" "$leak_size" "after 20 readers that stop half way, the leak is still listed"
}

offset_read()
{
	local full part

	cat "$KML" > "$KML_TMP/full"
	full=$(dd if="$KML_TMP/full" bs=1 skip=50 count=40 2>/dev/null)
	part=$(dd if="$KML" bs=1 skip=50 count=40 2>/dev/null)
	kml_result "a read at offset 50 gives the bytes a whole read has there" \
		"$([ -n "$full" ] && [ "$full" = "$part" ]; echo $?)"
}

settings_unchanged()
{
	settings > "$KML_TMP/settings.after"
	diff "$KML_TMP/settings.before" "$KML_TMP/settings.after" | sed 's/^/# /'
	kml_result "the settings are unchanged, kmemleak enabled" \
		"$(cmp -s "$KML_TMP/settings.before" "$KML_TMP/settings.after"; echo $?)"
}

leak_still_listed()
{
	kml_report
	kml_expect_listed "$leak" "$leak_size" "the leak listed before is still listed"
}

kml_run "$(kml_tests_for "200 4096 65536 1048576" overlong)
split_scan
trailing_nul
nul 7363006e
nul 00
nul 0073636e
nul 64756d703d3078310030
random_bytes
dump_bad 0x1000 'unmapped'
dump_bad 0x400000 'user space'
dump_bad 0x0 'NULL'
dump_bad 0x8 'a per-CPU offset'
dump_bad 0x1000000 'a physical address'
dump_bad 0xffffffffffffffff 'the last byte'
dump_bad 0x1ffffffffffffffff 'out of range'
dump_bad 0xffff8880000000ff 'odd, in the linear map'
dump_bad 0xfffffffffffffff1 'odd, top of the address space'
dump_kept
concurrent
partial_readers
offset_read
settings_unchanged
leak_still_listed"
