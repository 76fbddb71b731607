# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
PRESET ?= default
BUILD  := build/$(PRESET)
SIPL   := $(BUILD)/src/cli/sipl

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: deps configure build demo test bench fuzz install deb clean
deps:
	@scripts/deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET)

demo: build
	@examples/demo.sh $(SIPL)

test: build
	@ctest --preset $(PRESET)

bench: configure
	@cmake --build --preset $(PRESET) --target sipl_bench sipl_cli
	@$(BUILD)/bench/sipl_bench
	@bench/boot_scenario.sh $(SIPL) $${TMPDIR:-/tmp}/sipl-boot-bench
	@bench/boot_vs_hash.py $(SIPL) $${TMPDIR:-/tmp}/sipl-boot-bench 21
	@bench/audit_scenario.sh $(SIPL) $${TMPDIR:-/tmp}/sipl-audit-bench
	@bench/disk_vs_copy.py $(SIPL) $${TMPDIR:-/tmp}/sipl-disk-bench 5 --boot-dir $${TMPDIR:-/tmp}/sipl-boot-bench

fuzz:
	@scripts/deps.sh fuzz
	@cmake --preset fuzz >/dev/null && cmake --build --preset fuzz

# cmake --install of the developer build; PREFIX and DESTDIR as usual (make install
# PREFIX=/usr DESTDIR=/tmp/root). Packagers: cmake --preset release, or make deb.
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# The Debian package, built by dpkg-buildpackage from a copy of the tree in build/deb/ (debian/
# is the packaging); the .deb lands there: sudo apt install ./build/deb/sipl_*.deb
deb:
	@scripts/deps.sh deb
	@scripts/deb.sh build/deb

clean:
	rm -rf build
