# Build, boot and test harness for the kmemleak rewrite. See README.md.
# Every target is a thin wrapper around a script in scripts/.

FLAVOR  ?= ours
FILES   ?=
CMD     ?=
APPEND  ?=
MEM     ?= 1G
SMP     ?= 2
TIMEOUT ?= 600
LOG     ?= build/vm.log
MODULE  ?=
KSRC    ?=
SUITE   ?=
JOBS    ?=
export FLAVOR FILES CMD APPEND MEM SMP TIMEOUT LOG MODULE KSRC SUITE JOBS

.PHONY: help deps tree kernel kdir vm shell run check clean distclean
.DEFAULT_GOAL := help

help:
	@echo 'make run    [MODULE=x.ko]    build, boot, load a module, print kmemleak report'
	@echo 'make check                   build and run every test suite (tests/suites)'
	@echo 'make check-stock             the same suites against the stock 6.12 detector'
	@echo 'make check-full              full x86-64 and arm64 kernels, ours vs stock (slow)'
	@echo 'make kernel                  prepare the tree and build bzImage + modules'
	@echo 'make vm     FILES= CMD= [APPEND=] [MEM=] [SMP=] [TIMEOUT=] [LOG=]'
	@echo 'make shell                   the same VM, interactive serial console'
	@echo 'make kdir                    print the kernel build dir (for M= modules)'
	@echo 'make tree | deps | clean | distclean'
	@echo 'make bench                   benchmark ours against stock (bench/bench.sh)'
	@echo 'make patches                 the overlay as a patch series in build/patches/'
	@echo 'make fuzz   [FUZZ_SECONDS=]  fuzz the command parser (libFuzzer), 600 s'
	@echo 'make stress [STRESS_SECONDS=] the stress kselftest on ours, debug and rt, 150 s'
	@echo 'all take FLAVOR=ours|stock|debug|rt|defoff (configs/flavors); see README.md'

deps:
	@scripts/deps.sh

tree: deps
	@scripts/tree.sh

kernel: deps
	@scripts/build.sh

kdir:
	@scripts/kdir.sh

vm: kernel
	@scripts/vm.sh

shell: kernel
	@INTERACTIVE=1 scripts/vm.sh

run: kernel
	@scripts/run.sh

check: deps
	@scripts/check.sh

# The full x86-64 and arm64 kernels, ours against stock (not in CI: slow).
.PHONY: check-full
check-full: deps
	@scripts/deps.sh arm64
	@SUITES_FILE=tests/suites-full scripts/check.sh

# The suites against the stock detector, for differential testing (not in CI).
.PHONY: check-stock
check-stock:
	@$(MAKE) --no-print-directory check FLAVOR=stock

# The overlay as a git format-patch series (patches/ describes the steps).
.PHONY: patches
patches: deps
	@scripts/patches.sh

# Benchmarks, not tests: builds both flavours itself (see bench/bench.sh).
.PHONY: bench
bench: deps
	@bench/bench.sh

# The long run of the parser's fuzz target (make check runs it for 20 s,
# seed 1): a random seed, the corpus kept in build/unit/fuzz/corpus.
.PHONY: fuzz
fuzz: tree
	@$(MAKE) -s -C linux/tools/testing/kmemleak OUTPUT=$(CURDIR)/build/unit/ \
		fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),600) FUZZ_SEED=0

# The long stress run (make check runs it for 30 s on ours, 20 s on debug
# and rt): tests/suites-stress, through scripts/check.sh.
.PHONY: stress
stress: deps
	@STRESS_SECONDS=$(or $(STRESS_SECONDS),150) SUITES_FILE=tests/suites-stress \
		scripts/check.sh

clean:
	rm -rf build/obj build/vm.log build/check

distclean:
	rm -rf build
