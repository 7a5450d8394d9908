// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway module that allocates memory at load and forgets it. The
 * debug runner's self-test (selftests/vm/debug_reports.sh) loads it to show
 * that kmemleak's scan after the command fails a guest run on the debug
 * kernel.
 */
#include <linux/module.h>
#include <linux/slab.h>

static int __init vmtest_leak_init(void)
{
	void *p = kmalloc(96, GFP_KERNEL);

	pr_info("aftr_vmtest_leak: forgetting %s\n", p ? "96 bytes" : "nothing");
	return 0;
}

static void __exit vmtest_leak_exit(void)
{
}

module_init(vmtest_leak_init);
module_exit(vmtest_leak_exit);
MODULE_DESCRIPTION("Deliberate memory leak at load, to test the test runner");
MODULE_LICENSE("GPL");
