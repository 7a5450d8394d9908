// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway module that takes two locks in one order, then in the other,
 * when loaded. Nothing deadlocks (one thread), but lockdep sees the cycle:
 * the debug runner's self-test (selftests/vm/debug_reports.sh) loads it to
 * show that a lockdep report fails a guest run on the debug kernel.
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(first);
static DEFINE_MUTEX(second);

static int __init vmtest_lockdep_init(void)
{
	mutex_lock(&first);
	mutex_lock(&second);
	mutex_unlock(&second);
	mutex_unlock(&first);

	mutex_lock(&second);
	mutex_lock(&first);
	mutex_unlock(&first);
	mutex_unlock(&second);
	return 0;
}

static void __exit vmtest_lockdep_exit(void)
{
}

module_init(vmtest_lockdep_init);
module_exit(vmtest_lockdep_exit);
MODULE_DESCRIPTION("Deliberate lock order inversion at load, to test the test runner");
MODULE_LICENSE("GPL");
