// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink side of static mappings; binding.c and pool.c keep them.
 */
#include <linux/rtnetlink.h>

#include "b4.h"
#include "binding.h"
#include "det.h"
#include "netlink.h"
#include "static.h"

static int key_out_parse(struct genl_info *info, struct aftr_key_out *out)
{
	struct nlattr *proto = info->attrs[DSLITE_AFTR_A_PROTO];
	struct nlattr *addr = info->attrs[DSLITE_AFTR_A_OUTER_ADDR];
	struct nlattr *port = info->attrs[DSLITE_AFTR_A_OUTER_PORT];

	if (!proto || !addr || !port) {
		NL_SET_ERR_MSG_MOD(info->extack, "PROTO, OUTER_ADDR and OUTER_PORT required");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->proto = nla_get_u8(proto);
	out->addr = nla_get_in_addr(addr);
	out->port = htons(nla_get_u16(port));
	if (out->proto != IPPROTO_TCP && out->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(info->extack, proto, "PROTO must be TCP (6) or UDP (17)");
		return -EINVAL;
	}
	return 0;
}

static int key_in_parse(struct genl_info *info, struct aftr_key_in *in)
{
	struct nlattr *b4 = info->attrs[DSLITE_AFTR_A_B4_ADDR];
	struct nlattr *addr = info->attrs[DSLITE_AFTR_A_INNER_ADDR];
	struct nlattr *port = info->attrs[DSLITE_AFTR_A_INNER_PORT];

	if (!b4 || !addr || !port) {
		NL_SET_ERR_MSG_MOD(info->extack, "B4_ADDR, INNER_ADDR and INNER_PORT required");
		return -EINVAL;
	}
	memset(in, 0, sizeof(*in));
	in->b4 = nla_get_in6_addr(b4);
	in->addr = nla_get_in_addr(addr);
	in->port = htons(nla_get_u16(port));
	if (ipv4_is_multicast(in->addr) || ipv4_is_lbcast(in->addr) ||
	    ipv4_is_zeronet(in->addr) || ipv4_is_loopback(in->addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, addr, "INNER_ADDR can't be a host's");
		return -EINVAL;
	}
	return 0;
}

int aftr_static_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	const struct aftr_addr6_set *eps = rtnl_dereference(ad->endpoints);
	struct aftr_key_out out;
	struct aftr_key_in in;
	int err;

	err = key_out_parse(info, &out) ?: key_in_parse(info, &in);
	if (err)
		return err;
	in.proto = out.proto;
	if (!eps || !eps->n) {
		NL_SET_ERR_MSG_MOD(info->extack, "the instance has no endpoint yet");
		return -EINVAL;
	}
	if (!aftr_b4_allowed(ad, &in.b4)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DSLITE_AFTR_A_B4_ADDR],
				    "B4_ADDR is not in an allowed prefix");
		return -EINVAL;
	}
	if (aftr_det_b4_len(ad, &in.b4)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DSLITE_AFTR_A_B4_ADDR],
				    "B4_ADDR is in a deterministic rule, whose ports are its range");
		return -EINVAL;
	}
	/* Until the B4 sends, replies leave from the first endpoint. */
	return aftr_binding_add_static(ad, &in, &out, &eps->addr[0], info->extack);
}

int aftr_static_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_key_out out;
	int err;

	err = key_out_parse(info, &out);
	if (err)
		return err;
	err = aftr_binding_del_static(info->user_ptr[0], &out);
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "no static mapping of this outer port");
	return err;
}

static int static_fill(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct aftr_binding *b)
{
	void *hdr;

	hdr = aftr_genl_dump_put(skb, cb, DSLITE_AFTR_CMD_STATIC_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (aftr_genl_put_binding(skb, b)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Resumes at the mapping after the last one sent: O(chunk), whatever else is bound. */
int aftr_static_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long idx = cb->args[0];
	struct aftr_binding *b;
	struct aftr_dev *ad;

	rtnl_lock();
	ad = aftr_genl_dump_dev(skb, cb);
	if (IS_ERR(ad)) {
		rtnl_unlock();
		return PTR_ERR(ad);
	}
	rcu_read_lock();
	while ((b = aftr_binding_static_next(ad, &idx)) && !static_fill(skb, cb, b))
		idx++;
	rcu_read_unlock();
	rtnl_unlock();
	cb->args[0] = idx;
	return skb->len;
}
