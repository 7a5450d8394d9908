#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads and unloads cleanly, and the kernel loads it on demand
# both ways an operator reaches it: creating a "dslite" link, and resolving
# the "dslite_aftr" generic netlink family.
. "$(dirname "$0")/lib.sh"
require_root
require_module
require_cmd genl

module_loaded && modprobe -r "$MODULE"

check "modprobe loads the module" modprobe "$MODULE"
check "the generic netlink family is registered" genl ctrl get name dslite_aftr
check "modprobe -r unloads it" module_unload

check "'ip link add ... type dslite' autoloads the module" ip link add aftr0 type "$KIND"
check "the instance is a dslite link" test "$(aftr_devs)" = aftr0
check "ip link del removes the instance" ip link del aftr0
check "no object is left in the module's slab caches" wait_until 10 module_slabs_empty
check "unload after the instance went" module_unload

check "resolving the genl family autoloads the module" genl ctrl get name dslite_aftr
check "unload again" module_unload

cycles() {
	local i
	for i in 1 2 3; do
		modprobe "$MODULE" && ip link add aftr0 type "$KIND" &&
			ip link del aftr0 && module_unload || return
	done
}
check "three load, create, delete, unload cycles" cycles
finish
