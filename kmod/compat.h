/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels we build against (Debian's 6.1 and 6.12),
 * kept here so that no logic file tests LINUX_VERSION_CODE.
 */
#ifndef _DSLITE_AFTR_COMPAT_H
#define _DSLITE_AFTR_COMPAT_H

#include <linux/version.h>

#endif /* _DSLITE_AFTR_COMPAT_H */
