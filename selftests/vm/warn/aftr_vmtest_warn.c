// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway module that WARNs when loaded. The runner's self-test
 * (selftests/host_vm_warn.sh) loads it to show that a kernel warning fails a
 * guest run even when the command inside succeeded.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init vmtest_warn_init(void)
{
	WARN(1, "aftr_vmtest_warn: deliberate warning for the runner's self-test\n");
	return 0;
}

static void __exit vmtest_warn_exit(void)
{
}

module_init(vmtest_warn_init);
module_exit(vmtest_warn_exit);
MODULE_DESCRIPTION("Deliberate WARN at load, to test the test runner");
MODULE_LICENSE("GPL");
