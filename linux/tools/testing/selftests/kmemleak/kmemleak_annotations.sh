#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Annotations: a kmemleak_not_leak() block is not reported and what it
# points to is kept; a kmemleak_ignore() block is not reported but not
# searched either, so what it points to is reported; so is what a
# kmemleak_no_scan() block points to, and an unreferenced no_scan block
# itself; of a block with a kmemleak_scan_area(), only the area is searched.
# Untracked pages registered with kmemleak_alloc(): min_count 0 is never
# reported and is searched; min_count 2 needs two references; a page that is
# not registered is not searched.

KML_DIR=$(dirname "$0")
. "$KML_DIR"/kmemleak_lib.sh

kml_require enabled
kml_require_module
kml_create annotations labels ||
	ktap_exit_fail_msg "the test module could not create its blocks"

kml_wait_age
kml_scan_twice || ktap_exit_fail_msg "scan failed"
kml_report
kml_run "$(kml_label_tests labels)"
