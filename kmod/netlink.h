/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "dslite_aftr": configuration and dumps. */
#ifndef _DSLITE_AFTR_NETLINK_H
#define _DSLITE_AFTR_NETLINK_H

int aftr_genl_init(void);
void aftr_genl_exit(void);

#endif /* _DSLITE_AFTR_NETLINK_H */
