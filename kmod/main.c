// SPDX-License-Identifier: GPL-2.0
/*
 * dslite_aftr: a DS-Lite AFTR (RFC 6333). Orders the module's init and
 * unwinds it in reverse.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "binding.h"
#include "device.h"
#include "filter.h"
#include "netlink.h"
#include "tunnel.h"

/*
 * What reaches what sets the order. The genl family's requests and dumps
 * walk the per-namespace instance lists, so the lists come first. An
 * instance sends events through the family until its very end (its last
 * blocks are logged as freed while it dies), so the family comes before
 * the device kind that makes instances and goes after the kind has deleted
 * them all: events sent through an unregistered family would be lost, or
 * reach whichever family got its multicast group ids next. The tunnel6
 * handler hands packets to instances: last in, first out. Exit unwinds in
 * reverse, the caches last, as their exit waits for objects still being
 * freed through RCU.
 */
static int __init aftr_mod_init(void)
{
	int err;

	err = aftr_state_module_init();
	if (err)
		return err;
	err = aftr_filter_module_init();
	if (err)
		goto err_state_caches;
	err = aftr_device_nets_init();
	if (err)
		goto err_filter_cache;
	err = aftr_genl_init();
	if (err)
		goto err_device_nets;
	err = aftr_device_kind_init();
	if (err)
		goto err_genl_family;
	err = aftr_tunnel_init();
	if (err)
		goto err_device_kind;
	return 0;

err_device_kind:
	aftr_device_kind_exit();
err_genl_family:
	aftr_genl_exit();
err_device_nets:
	aftr_device_nets_exit();
err_filter_cache:
	aftr_filter_module_exit();
err_state_caches:
	aftr_state_module_exit();
	return err;
}

static void __exit aftr_mod_exit(void)
{
	aftr_tunnel_exit();
	aftr_device_kind_exit();
	aftr_genl_exit();
	aftr_device_nets_exit();
	aftr_filter_module_exit();
	aftr_state_module_exit();
}

module_init(aftr_mod_init);
module_exit(aftr_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DS-Lite AFTR (RFC 6333)");
MODULE_VERSION("0.1");
MODULE_ALIAS_RTNL_LINK(DSLITE_AFTR_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(DSLITE_AFTR_GENL_NAME);
