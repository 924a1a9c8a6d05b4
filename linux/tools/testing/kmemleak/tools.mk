# SPDX-License-Identifier: GPL-2.0-only
#
# Shared by the unit tests (Makefile) and the scan benchmark
# (bench/Makefile), which both build mm/kmemleak_core.c on the host against
# the tools/ directory of a 6.12 tree: find that directory, the output
# directory, and build tools/lib/rbtree.c into it.
#
# Set before including: srcdir (the including Makefile's directory) and
# KML_WHAT (the program's name, for messages).  Sets KTOOLS and OUTPUT
# (O=dir works like OUTPUT=dir/; without either the build is in place).
# rbtree.o is built with the includer's CFLAGS; its default goal stays
# "all".

.DEFAULT_GOAL := all
kml_top := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

ifneq ($(O),)
OUTPUT := $(abspath $(O))/
endif
OUTPUT ?= $(srcdir)/

# ../.. inside a kernel tree, else build/src/base/tools of the kmemleak repo
ifeq ($(KTOOLS),)
ifneq ($(wildcard $(kml_top)/../../lib/rbtree.c),)
KTOOLS := $(abspath $(kml_top)/../..)
else
KTOOLS := $(abspath $(kml_top)/../../../../build/src/base/tools)
endif
endif

ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(words $(wildcard $(KTOOLS)/lib/rbtree.c $(KTOOLS)/include/linux/rbtree.h)),2)
$(error $(KML_WHAT): no 6.12 tools/ tree at $(KTOOLS) (run 'make kernel' in the kmemleak repo, or pass KTOOLS=))
endif
endif

$(OUTPUT)rbtree.o: $(KTOOLS)/lib/rbtree.c
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
