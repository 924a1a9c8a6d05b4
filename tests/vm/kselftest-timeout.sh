#!/bin/sh
# /usr/bin/timeout in the kselftest VM (installed by scripts/kselftest.sh).
#
# kselftest's runner (kselftest/runner.sh) runs every test as
#	/usr/bin/timeout --foreground T /usr/bin/timeout T ./test
# when /usr/bin/timeout exists. busybox's timeout has no --foreground, and
# fails on it; the option only keeps the test in the terminal's foreground
# process group, and here no terminal runs tests in the background. So this
# drops it and hands the rest to busybox timeout. (A test it kills ends with
# status 143, which the runner reports as "# exit=143", not as TIMEOUT.)
[ "$1" = --foreground ] && shift
exec busybox timeout "$@"
