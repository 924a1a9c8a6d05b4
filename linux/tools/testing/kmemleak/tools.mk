# SPDX-License-Identifier: GPL-2.0-only
#
# Shared by the unit tests (Makefile) and the scan benchmark
# (bench/Makefile), which both build the kmemleak core (mm/kmemleak_index.c,
# kmemleak_scan.c, kmemleak_cmd.c) on the host against the shim
# (kmemleak_internal.h) and the tools/ directory of a 6.12 tree.  Finds that
# directory and the output directory, and builds what both link
# (KML_SHIM_OBJS): the shim's out-of-line part (shim.c), tools/lib's
# rbtree.c and ctype.c, and the kernel's lib/ sources the core calls
# (lib.c).  KML_SHIM_GEN is what it generates, for the includer's clean.
#
# Set before including: srcdir (the including Makefile's directory),
# KML_WHAT (the program's name, for messages) and CFLAGS.  Sets KTOOLS and
# OUTPUT (O=dir works like OUTPUT=dir/; without either the build is in
# place), and adds the header search path (KML_INCLUDES) to CFLAGS: the
# shim's headers, then tools/include, then the kernel's include/ for what
# tools/include lacks.  The objects are built with the includer's CFLAGS; its default
# goal stays "all".

.DEFAULT_GOAL := all
HOSTCC ?= gcc
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
ifneq ($(words $(wildcard $(KTOOLS)/lib/rbtree.c $(KTOOLS)/lib/ctype.c $(KTOOLS)/include/linux/rbtree.h $(KTOOLS)/../lib/kstrtox.c)),4)
$(error $(KML_WHAT): no 6.12 tools/ tree at $(KTOOLS) (run 'make kernel' in the kmemleak repo, or pass KTOOLS=))
endif
endif

KML_INCLUDES := -I$(kml_top)/include -I$(KTOOLS)/include \
		-idirafter $(abspath $(KTOOLS)/../include)
CFLAGS += $(KML_INCLUDES)

KML_SHIM_OBJS := $(OUTPUT)shim.o $(OUTPUT)rbtree.o $(OUTPUT)ctype.o \
		 $(OUTPUT)lib.o

$(OUTPUT)shim.o: $(kml_top)/shim.c
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OUTPUT)rbtree.o $(OUTPUT)ctype.o: $(OUTPUT)%.o: $(KTOOLS)/lib/%.c
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# lib/crc32.c's tables, by the kernel's generator, for this 64-bit shim
# (CONFIG_64BIT, the default slice-by-8).  Compiled from stdin in an empty
# directory so that its "../include/generated/autoconf.h" is the one made
# here, not a configured tree's.  (A kernel built in place leaves a
# lib/crc32table.h that lib/crc32.c finds first; a 64-bit one is the same.)
$(OUTPUT)lib.o: $(kml_top)/lib.c $(OUTPUT)crc32table.h
	$(CC) $(CFLAGS) -iquote $(abspath $(KTOOLS)/..) -I$(OUTPUT) \
		-MMD -MP -c -o $@ $<

KML_SHIM_GEN := $(OUTPUT)crc32table.h $(OUTPUT)gen

$(OUTPUT)crc32table.h: $(KTOOLS)/../lib/gen_crc32table.c
	@mkdir -p $(OUTPUT)gen/lib $(OUTPUT)gen/include/generated
	echo '#define CONFIG_64BIT 1' > $(OUTPUT)gen/include/generated/autoconf.h
	cd $(OUTPUT)gen/lib && $(HOSTCC) -iquote $(abspath $(KTOOLS)/../lib) \
		-x c -o ../gen_crc32table - < $<
	$(OUTPUT)gen/gen_crc32table > $@
