# SPDX-License-Identifier: GPL-2.0
#
#   make               the module for KDIR (build/<release>/kmod/dslite_aftr.ko)
#                      and aftrctl (tools/aftrctl/aftrctl)
#   make check         every test: builds for 6.1 and 6.12, host tests, and
#                      the guest suite on both kernels; ends "N passed, ..."
#   make check-debug   the guest suite on a debug kernel (KASAN, lockdep,
#                      kmemleak, ...) built here once from linux-source-6.1
#                      and cached; hours (Documentation/security.rst)
#   make demo          a narrated run in the guest; DISCOVERY=1: the B4s find
#                      the AFTR by DHCPv6 option 64 and DNS (Kea, dnsmasq)
#   make deb           Debian packages in build/deb/ (make check-deb tests them)
#   make uapi          regenerates uapi/linux/dslite_aftr.h from the netlink spec
#                      with the kernel's generator (make ynl extracts it)
#   make KDIR=/usr/src/linux-headers-6.12.117+deb12-amd64
#                      the module for another kernel
#
# check, check-debug and demo first install the Debian packages they need. A
# plain make needs only what building a module needs; make check builds with
# STRICT=1: W=1, sparse, and any warning fails.

# Debian's newest installed 6.1 headers, unless told otherwise.
headers = $(shell ls -d /usr/src/linux-headers-$(1).*-amd64 2>/dev/null | sort -V | tail -n 1)
KDIR ?= $(call headers,6.1)
KDIR_6_12 ?= $(call headers,6.12)

all: module aftrctl

module:
	scripts/build-module.sh $(if $(STRICT),--strict) "$(KDIR)"

aftrctl:
	$(MAKE) -C tools/aftrctl

selftests:
	$(MAKE) -C selftests

# The kernel's YNL tools (tools/net/ynl: the uapi generator, the ynl CLI)
# and genetlink schemas, extracted from linux-source-6.12 into build/ynl.
# The netlink spec is the source of truth: the uapi header is what the
# generator makes of it (selftests/host_uapi.sh checks), and the guest test
# selftests/ynl.sh drives the family with the ynl CLI.
ynl:
	scripts/ynl.sh extract

uapi:
	scripts/ynl.sh uapi uapi/linux/dslite_aftr.h

# Through sub-makes: make expands a recipe before running it, so the
# headers are looked up only once deps.sh has installed them.
check:
	scripts/deps.sh check
	$(MAKE) check-installed STRICT=1

check-installed: all selftests ynl
	$(MAKE) module KDIR="$(KDIR_6_12)"
	scripts/check.sh

# The debug kernel is its own KDIR: the module builds against it.
check-debug:
	scripts/deps.sh check-debug
	$(MAKE) check-debug-installed

check-debug-installed: aftrctl selftests ynl
	kdir=$$(scripts/debug-kernel.sh) && \
	scripts/build-module.sh "$$kdir" && \
	scripts/check.sh --debug "$$kdir"

demo:
	scripts/deps.sh demo $(if $(DISCOVERY),discovery)
	$(MAKE) demo-installed

demo-installed: all
	scripts/demo.sh $(if $(DISCOVERY),--discovery)

# Debian packages (debian/): dslite-aftr-dkms and aftrctl in build/deb/,
# checked by lintian. check-deb installs them in a guest and runs the demo
# with them (over half an hour under TCG: DKMS builds there for both
# kernels), apart from check.
deb:
	scripts/deps.sh deb
	scripts/deb.sh

check-deb: deb
	scripts/deps.sh demo
	scripts/deb-install-test.sh

# Side-by-side benchmarks in the guest (Documentation/performance.rst);
# bench/run WORKLOAD... runs a part.
bench: aftrctl
	bench/run

clean:
	rm -rf build
	$(MAKE) -C tools/aftrctl clean
	$(MAKE) -C selftests clean

.PHONY: all module aftrctl selftests ynl uapi check check-installed check-debug \
	check-debug-installed demo demo-installed deb check-deb bench clean
