/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "dslite_aftr": configuration and dumps. */
#ifndef _DSLITE_AFTR_NETLINK_H
#define _DSLITE_AFTR_NETLINK_H

struct aftr_dev;

int aftr_genl_init(void);
void aftr_genl_exit(void);

/* Ends the dumps walking @ad's tables, before they go. Under RTNL. */
void aftr_genl_dev_gone(struct aftr_dev *ad);

#endif /* _DSLITE_AFTR_NETLINK_H */
