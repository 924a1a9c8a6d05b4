# SPDX-License-Identifier: GPL-2.0-only
#
# Shared by the unit tests (Makefile) and the scan benchmark
# (bench/Makefile), which both build the kmemleak core (mm/kmemleak_index.c,
# kmemleak_scan.c, kmemleak_cmd.c) on the host against the shim
# (kmemleak_internal.h) and the tools/ directory of a 6.12 tree.  Finds that
# directory and the output directory, and builds what both link: the shim's
# out-of-line part (shim.c) and tools/lib's rbtree.c and ctype.c
# (KML_SHIM_OBJS).
#
# Set before including: srcdir (the including Makefile's directory),
# KML_WHAT (the program's name, for messages) and CFLAGS.  Sets KTOOLS and
# OUTPUT (O=dir works like OUTPUT=dir/; without either the build is in
# place).  The objects are built with the includer's CFLAGS; its default
# goal stays "all".

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
ifneq ($(words $(wildcard $(KTOOLS)/lib/rbtree.c $(KTOOLS)/lib/ctype.c $(KTOOLS)/include/linux/rbtree.h)),3)
$(error $(KML_WHAT): no 6.12 tools/ tree at $(KTOOLS) (run 'make kernel' in the kmemleak repo, or pass KTOOLS=))
endif
endif

KML_SHIM_OBJS := $(OUTPUT)shim.o $(OUTPUT)rbtree.o $(OUTPUT)ctype.o

$(OUTPUT)shim.o: $(kml_top)/shim.c
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OUTPUT)rbtree.o $(OUTPUT)ctype.o: $(OUTPUT)%.o: $(KTOOLS)/lib/%.c
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
