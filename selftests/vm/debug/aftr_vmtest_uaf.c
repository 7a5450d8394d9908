// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway module that reads freed memory when loaded. The debug
 * runner's self-test (selftests/vm/debug_reports.sh) loads it to show that a
 * KASAN report fails a guest run on the debug kernel.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/slab.h>

static int __init vmtest_uaf_init(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	/* Or the compiler, seeing the kfree(), may drop the read. */
	OPTIMIZER_HIDE_VAR(p);
	pr_info("aftr_vmtest_uaf: read after free: %d\n", READ_ONCE(p[8]));
	return 0;
}

static void __exit vmtest_uaf_exit(void)
{
}

module_init(vmtest_uaf_init);
module_exit(vmtest_uaf_exit);
MODULE_DESCRIPTION("Deliberate use-after-free at load, to test the test runner");
MODULE_LICENSE("GPL");
