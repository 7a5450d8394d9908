#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading the module while instances exist in several namespaces takes
# them all down cleanly, and the module comes back fully usable.
. "$(dirname "$0")/lib.sh"
require_root
require_module

ns_new A
ns_new B
modprobe "$MODULE"
check "an instance in the initial namespace" ip link add aftr0 type "$KIND"
at_exit "ip link del aftr0"
check "one in A" ip -n "$A" link add aftr0 type "$KIND"
check "two in B" eval "ip -n $B link add aftr0 type $KIND && ip -n $B link add aftr1 type $KIND"
check "modprobe -r with the instances present" module_unload
check "the initial namespace has none left" test -z "$(aftr_devs)"
check "A has none left" test -z "$(aftr_devs "$A")"
check "B has none left" test -z "$(aftr_devs "$B")"
check "the module loads again" modprobe "$MODULE"
check "and makes an instance again" ip -n "$A" link add aftr0 type "$KIND"
check "unload with that one present" module_unload
finish
