/* SPDX-License-Identifier: GPL-2.0 */
/* ipfix.c: the events of "aftrctl monitor" as IPFIX NAT logging (RFC 8158). */
#ifndef AFTRCTL_IPFIX_H
#define AFTRCTL_IPFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#define IPFIX_PORT		"4739"	/* IANA's, RFC 7011 10.3 */
#define IPFIX_REFRESH		600	/* seconds: RFC 6728's templateRefreshTimeout */

/* What an exporter keeps per Observation Domain (RFC 7011 3.1). */
struct ipfix_domain {
	uint32_t id;
	uint32_t seq;			/* data records sent so far */
	uint64_t lost;			/* records never sent: ignoredDataRecordTotalCount */
	bool lost_unsent;		/* it grew since the last message */
	bool templates_sent;
	uint64_t templates_at;		/* when they were last sent, in ms */
	uint32_t messages;		/* messages since, that one included */
};

struct ipfix_exporter {
	const char *dest;		/* "HOST[:PORT]", as given */
	char host[256];			/* ... and its parts */
	char port[6];
	bool tcp;			/* else UDP */
	bool fixed_domain;		/* all in .domain, else one per instance */
	uint32_t domain;
	uint32_t refresh;		/* UDP: templates again after SECS, */
	uint32_t refresh_messages;	/* ... or so many messages (0: never) */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	struct ipfix_domain *domains;
	size_t ndomains;
};

void ipfix_init(struct ipfix_exporter *x);
int ipfix_parse_dest(struct ipfix_exporter *x, const char *dest);
int ipfix_open(struct ipfix_exporter *x);
void ipfix_event(struct ipfix_exporter *x, const struct nlattr **tb);
void ipfix_lost(struct ipfix_exporter *x, uint32_t ifindex, uint64_t lost);
void ipfix_close(struct ipfix_exporter *x);

#endif
