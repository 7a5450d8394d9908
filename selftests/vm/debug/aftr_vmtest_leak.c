// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway module that allocates memory at load and forgets it. The
 * debug runner's self-test (selftests/vm/debug_reports.sh) loads it to show
 * that kmemleak's scan after the command fails a guest run on the debug
 * kernel. Several objects: the last pointer may stay behind in a register
 * or a cached kernel stack, which kmemleak scans, and that one object is
 * then not reported (it happened once).
 */
#include <linux/module.h>
#include <linux/slab.h>

#define LEAKS 8

static int __init vmtest_leak_init(void)
{
	int i, n = 0;

	for (i = 0; i < LEAKS; i++)
		n += kmalloc(96, GFP_KERNEL) != NULL;
	pr_info("aftr_vmtest_leak: forgetting %d objects of 96 bytes\n", n);
	return 0;
}

static void __exit vmtest_leak_exit(void)
{
}

module_init(vmtest_leak_init);
module_exit(vmtest_leak_exit);
MODULE_DESCRIPTION("Deliberate memory leak at load, to test the test runner");
MODULE_LICENSE("GPL");
