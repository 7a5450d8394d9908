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
#include "netlink.h"
#include "tunnel.h"

static int __init aftr_mod_init(void)
{
	int err;

	err = aftr_state_module_init();
	if (err)
		return err;
	err = aftr_device_init();
	if (err)
		goto err_state_caches;
	err = aftr_genl_init();
	if (err)
		goto err_device_kind;
	/* Last: from here on softwire packets reach instances. */
	err = aftr_tunnel_init();
	if (err)
		goto err_genl_family;
	return 0;

err_genl_family:
	aftr_genl_exit();
err_device_kind:
	aftr_device_exit();
err_state_caches:
	aftr_state_module_exit();
	return err;
}

/*
 * The packet handler goes first, so no packet can reach an instance while
 * instances die; then the family, so no request can; then every instance in
 * every namespace; last the caches, whose exit waits for objects still being
 * freed through RCU.
 */
static void __exit aftr_mod_exit(void)
{
	aftr_tunnel_exit();
	aftr_genl_exit();
	aftr_device_exit();
	aftr_state_module_exit();
}

module_init(aftr_mod_init);
module_exit(aftr_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DS-Lite AFTR (RFC 6333)");
MODULE_VERSION("0.1");
MODULE_ALIAS_RTNL_LINK(DSLITE_AFTR_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(DSLITE_AFTR_GENL_NAME);
