#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Who may open the kmemleak files (the report and the views next to it):
#  - a user other than root can neither read nor write any of them, even
#    with debugfs mounted so that others may look inside (mode=755), while
#    root can;
#  - under lockdown (booted with lockdown=integrity or confidentiality)
#    none of them opens for root either, the read-only views included,
#    which debugfs would leave readable.
# Needs a kernel with CONFIG_MULTIUSER (otherwise every task is root).

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

NOBODY=65534
DEBUGFS=/sys/kernel/debug

kml_require any
[ "$("$KML_FD" /proc/self/status open-as $NOBODY r 2>/dev/null)" = ok ] ||
	kml_skip_all "cannot become uid $NOBODY: kernel built without CONFIG_MULTIUSER?"
FILES=
for f in kmemleak kmemleak_summary kmemleak_stats; do
	[ -e "$DEBUGFS/$f" ] && FILES="$FILES $f"
done

locked=0
dmesg | grep -q 'Kernel is locked down from' && locked=1

# Let others into debugfs, so that the files' own modes are what decide.
mode=$(stat -c %a "$DEBUGFS")
mount -o remount,mode=755 "$DEBUGFS" || kml_skip_all "cannot remount debugfs with mode=755"
KML_AT_EXIT='mount -o remount,mode=$mode "$DEBUGFS"'

# as UID r|w FILE: what opening FILE as UID gives ("ok" or an errno name).
as()
{
	"$KML_FD" "$DEBUGFS/$3" open-as "$1" "$2"
}

nobody_cannot()
{
	local r w

	r=$(as $NOBODY r "$1")
	w=$(as $NOBODY w "$1")
	ktap_print_msg "$1 as uid $NOBODY: read $r, write $w"
	kml_result "$1: closed to a user other than root" \
		"$([ "$r" = EACCES ] && [ "$w" = EACCES ]; echo $?)"
}

root_can()
{
	local r

	r=$(as 0 r "$1")
	if [ "$locked" = 1 ]; then
		ktap_print_msg "$1 as root, locked down: read $r"
		kml_result "$1: closed under lockdown, to root too" \
			"$([ "$r" = EPERM ]; echo $?)"
	else
		kml_result "$1: root reads it" "$([ "$r" = ok ]; echo $?)"
	fi
}

kml_run "$(kml_tests_for "$FILES" nobody_cannot)
$(kml_tests_for "$FILES" root_can)"
