// SPDX-License-Identifier: GPL-2.0
/*
 * The events of "aftrctl monitor ipfix" as IPFIX messages (RFC 7011) made
 * of RFC 8158's NAT logging Information Elements, for a collector such as
 * pmacct's nfacctd.
 *
 * A message goes out per event: events are rare next to packets, and a
 * record held back to fill a message would reach the log late. Each shape
 * of event has a template; its natEvent value is from IANA's "NAT Event
 * Type" registry (RFC 8158), and sourceIPv6Address is the B4's address,
 * which names the subscriber behind a DS-Lite NAT as RFC 8158 has it. No
 * destination is ever exported (CGN-6): the kernel sends none.
 *
 * Templates are scoped by Observation Domain, one per instance (its
 * ifindex) unless the operator names one. They go with a domain's first
 * message; over UDP again every "template-refresh" seconds or so many
 * messages, for a collector that restarted has forgotten them (RFC 7011
 * 8.4); over TCP once per connection, which a collector keeps.
 *
 * Events the kernel numbered but this monitor never read (its socket
 * overflowed), and records that could not be sent, are what IANA's
 * ignoredDataRecordTotalCount (164) counts: an options record scoped by
 * observationDomainId, like RFC 7011 4's reliability statistics, carries
 * the total so far whenever it grows.
 */
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "aftrctl.h"
#include "ipfix.h"

#define IPFIX_VERSION		10
#define SET_TEMPLATE		2
#define SET_OPTIONS_TEMPLATE	3
#define HEADER_LEN		16
#define MSG_SIZE		1024	/* more than templates and two records */

/* IANA's "NAT Event Type" values (natEvent, RFC 8158) this AFTR has. */
enum nat_event {
	NAT_ADDRESSES_EXHAUSTED = 3,
	NAT44_SESSION_CREATE = 4,
	NAT44_SESSION_DELETE = 5,
	NAT_PORTS_EXHAUSTED = 12,
	NAT_QUOTA_EXCEEDED = 13,
	NAT_PORT_BLOCK_ALLOC = 16,
	NAT_PORT_BLOCK_FREE = 17,
};

/* natQuotaExceededEvent "Maximum entries per user": a B4's bindings or blocks. */
#define QUOTA_ENTRIES_PER_USER	3

/* Where the value of an element comes from. */
enum source { SRC_ATTR, SRC_TIME, SRC_NAT_EVENT, SRC_QUOTA, SRC_DOMAIN, SRC_LOST };

struct ie {
	uint16_t id;			/* IANA Information Element */
	uint16_t len;
	enum source src;
	uint16_t attr;			/* SRC_ATTR: the event's attribute */
};

static const struct ie
	ie_time = { 323, 8, SRC_TIME, 0 },		/* observationTimeMilliseconds */
	ie_nat_event = { 230, 1, SRC_NAT_EVENT, 0 },	/* natEvent */
	ie_quota = { 466, 4, SRC_QUOTA, 0 },		/* natQuotaExceededEvent */
	ie_b4 = { 27, 16, SRC_ATTR, DSLITE_AFTR_A_B4_ADDR },	/* sourceIPv6Address */
	ie_proto = { 4, 1, SRC_ATTR, DSLITE_AFTR_A_PROTO },	/* protocolIdentifier */
	ie_inner = { 8, 4, SRC_ATTR, DSLITE_AFTR_A_INNER_ADDR },	/* sourceIPv4Address */
	ie_inner_port = { 7, 2, SRC_ATTR, DSLITE_AFTR_A_INNER_PORT },	/* sourceTransportPort */
	ie_outer = { 225, 4, SRC_ATTR, DSLITE_AFTR_A_OUTER_ADDR },	/* postNATSourceIPv4Address */
	ie_outer_port = { 227, 2, SRC_ATTR, DSLITE_AFTR_A_OUTER_PORT },	/* postNAPTSourceTransportPort */
	ie_port_min = { 361, 2, SRC_ATTR, DSLITE_AFTR_A_PORT_MIN },	/* portRangeStart */
	ie_port_max = { 362, 2, SRC_ATTR, DSLITE_AFTR_A_PORT_MAX },	/* portRangeEnd */
	ie_domain = { 149, 4, SRC_DOMAIN, 0 },		/* observationDomainId */
	ie_lost = { 164, 8, SRC_LOST, 0 };		/* ignoredDataRecordTotalCount */

enum template_id { T_SESSION = 256, T_BLOCK, T_QUOTA, T_PORTS, T_ADDRESSES, T_LOST };

static const struct template {
	uint16_t id;
	uint16_t scope;			/* an options template's scope fields */
	const struct ie *ie[9];		/* up to the first NULL */
} templates[] = {
	{ T_SESSION, 0, { &ie_time, &ie_nat_event, &ie_b4, &ie_proto, &ie_inner,
			  &ie_inner_port, &ie_outer, &ie_outer_port } },
	{ T_BLOCK, 0, { &ie_time, &ie_nat_event, &ie_b4, &ie_outer, &ie_port_min,
			&ie_port_max } },
	{ T_QUOTA, 0, { &ie_time, &ie_nat_event, &ie_quota, &ie_b4, &ie_proto, &ie_inner,
			&ie_inner_port, &ie_outer } },
	{ T_PORTS, 0, { &ie_time, &ie_nat_event, &ie_b4, &ie_proto, &ie_inner,
			&ie_inner_port, &ie_outer } },
	{ T_ADDRESSES, 0, { &ie_time, &ie_nat_event, &ie_b4, &ie_proto, &ie_inner,
			    &ie_inner_port } },
	{ T_LOST, 1, { &ie_domain, &ie_time, &ie_lost } },
};

/*
 * How each event is exported. A refused B4 that has an external address
 * ran out of ports on it; one that has none found no address.
 */
static const struct export {
	uint8_t event;			/* enum dslite_aftr_event */
	bool outer;			/* with OUTER_ADDR, or without */
	uint8_t nat_event;
	uint16_t template;
} exports[] = {
	{ DSLITE_AFTR_EVENT_BINDING_CREATE, true, NAT44_SESSION_CREATE, T_SESSION },
	{ DSLITE_AFTR_EVENT_BINDING_EXPIRE, true, NAT44_SESSION_DELETE, T_SESSION },
	{ DSLITE_AFTR_EVENT_BLOCK_ALLOC, true, NAT_PORT_BLOCK_ALLOC, T_BLOCK },
	{ DSLITE_AFTR_EVENT_BLOCK_FREE, true, NAT_PORT_BLOCK_FREE, T_BLOCK },
	{ DSLITE_AFTR_EVENT_QUOTA, true, NAT_QUOTA_EXCEEDED, T_QUOTA },
	{ DSLITE_AFTR_EVENT_POOL_EXHAUSTED, true, NAT_PORTS_EXHAUSTED, T_PORTS },
	{ DSLITE_AFTR_EVENT_POOL_EXHAUSTED, false, NAT_ADDRESSES_EXHAUSTED, T_ADDRESSES },
};

/* The values of one record. */
struct values {
	const struct nlattr **tb;	/* the event's attributes */
	uint64_t ms;
	uint8_t nat_event;
	uint32_t domain;
	uint64_t lost;
};

struct msg {
	uint8_t buf[MSG_SIZE];
	size_t len;
	size_t set;			/* where the open set starts */
};

static void put(struct msg *m, const void *p, size_t n)
{
	assert(m->len + n <= sizeof(m->buf));	/* MSG_SIZE fits every message */
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static void put16(struct msg *m, uint16_t v)
{
	v = htons(v);
	put(m, &v, sizeof(v));
}

static void put32(struct msg *m, uint32_t v)
{
	v = htonl(v);
	put(m, &v, sizeof(v));
}

static void put64(struct msg *m, uint64_t v)
{
	v = htobe64(v);
	put(m, &v, sizeof(v));
}

static void set_begin(struct msg *m, uint16_t id)
{
	m->set = m->len;
	put16(m, id);
	put16(m, 0);		/* the length, once known */
}

static void set_end(struct msg *m)
{
	uint16_t len = htons((uint16_t)(m->len - m->set));

	memcpy(m->buf + m->set + 2, &len, sizeof(len));
}

static size_t ie_count(const struct template *t)
{
	size_t n = 0;

	while (n < ARRAY_SIZE(t->ie) && t->ie[n])
		n++;
	return n;
}

static const struct template *template_of(uint16_t id)
{
	return &templates[id - T_SESSION];
}

/* The set of the templates, or of the options templates (RFC 7011 3.4). */
static void put_template_set(struct msg *m, bool options)
{
	const struct template *t;
	size_t i, n;

	set_begin(m, options ? SET_OPTIONS_TEMPLATE : SET_TEMPLATE);
	for (t = templates; t < templates + ARRAY_SIZE(templates); t++) {
		if (!t->scope != !options)
			continue;
		n = ie_count(t);
		put16(m, t->id);
		put16(m, (uint16_t)n);
		if (options)
			put16(m, t->scope);
		for (i = 0; i < n; i++) {
			put16(m, t->ie[i]->id);
			put16(m, t->ie[i]->len);
		}
	}
	set_end(m);
}

/*
 * Netlink has ports as host-order u16; addresses and the protocol come as
 * the bytes IPFIX wants.
 */
static void put_value(struct msg *m, const struct ie *ie, const struct values *v)
{
	switch (ie->src) {
	case SRC_ATTR:
		if (ie->len == 2)
			put16(m, mnl_attr_get_u16(v->tb[ie->attr]));
		else
			put(m, mnl_attr_get_payload(v->tb[ie->attr]), ie->len);
		break;
	case SRC_TIME:
		put64(m, v->ms);
		break;
	case SRC_NAT_EVENT:
		put(m, &v->nat_event, 1);
		break;
	case SRC_QUOTA:
		put32(m, QUOTA_ENTRIES_PER_USER);
		break;
	case SRC_DOMAIN:
		put32(m, v->domain);
		break;
	case SRC_LOST:
		put64(m, v->lost);
		break;
	}
}

/* A data set of one record. */
static void put_record(struct msg *m, const struct template *t, const struct values *v)
{
	size_t i, n = ie_count(t);

	set_begin(m, t->id);
	for (i = 0; i < n; i++)
		put_value(m, t->ie[i], v);
	set_end(m);
}

static void put_header(struct msg *m, const struct ipfix_domain *d)
{
	size_t len = m->len;

	m->len = 0;
	put16(m, IPFIX_VERSION);
	put16(m, (uint16_t)len);
	put32(m, (uint32_t)time(NULL));		/* export time */
	put32(m, d->seq);		/* data records sent before this message */
	put32(m, d->id);
	m->len = len;
}

/* Milliseconds: whole seconds would refresh up to a second early. */
static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void ipfix_init(struct ipfix_exporter *x)
{
	memset(x, 0, sizeof(*x));
	x->refresh = IPFIX_REFRESH;
	x->fd = -1;
}

/* "HOST", "HOST:PORT", "[IPV6]:PORT"; an IPv6 address alone is a host. */
int ipfix_parse_dest(struct ipfix_exporter *x, const char *dest)
{
	const char *host = dest, *end = strrchr(dest, ':'), *port = IPFIX_PORT;
	uint32_t num;

	x->dest = dest;
	if (dest[0] == '[') {
		host++;
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			return usage_error("collector \"%s\" is not HOST[:PORT] or [IPV6]:PORT",
					   dest);
		if (end[1])
			port = end + 2;
	} else if (end && strchr(dest, ':') == end) {
		port = end + 1;
	} else {
		end = dest + strlen(dest);
	}
	if (end == host || (size_t)(end - host) >= sizeof(x->host))
		return usage_error("collector \"%s\" has no host, or a too long one", dest);
	if (parse_u32(port, 1, 65535, "collector port", &num))
		return EXIT_USAGE;
	snprintf(x->host, sizeof(x->host), "%.*s", (int)(end - host), host);
	snprintf(x->port, sizeof(x->port), "%" PRIu32, num);
	return 0;
}

static int resolve(struct ipfix_exporter *x)
{
	struct addrinfo hints = {
		.ai_socktype = x->tcp ? SOCK_STREAM : SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV,
	}, *ai;
	int err;

	err = getaddrinfo(x->host, x->port, &hints, &ai);
	if (err)
		return usage_error("cannot resolve collector \"%s\": %s", x->host,
				   gai_strerror(err));
	memcpy(&x->addr, ai->ai_addr, ai->ai_addrlen);
	x->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/*
 * A new transport session: over TCP its domains start afresh, sequence
 * numbers and templates, as RFC 7011 scopes both by session. -1 and errno
 * on failure.
 */
static int transport_connect(struct ipfix_exporter *x)
{
	size_t i;

	x->fd = socket(x->addr.ss_family, (x->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		return -1;
	if (connect(x->fd, (struct sockaddr *)&x->addr, x->addrlen) < 0) {
		close(x->fd);
		x->fd = -1;
		return -1;
	}
	for (i = 0; x->tcp && i < x->ndomains; i++) {
		x->domains[i].seq = 0;
		x->domains[i].templates_sent = false;
	}
	return 0;
}

int ipfix_open(struct ipfix_exporter *x)
{
	if (resolve(x))
		return EXIT_USAGE;
	if (transport_connect(x) < 0)
		return usage_error("cannot reach collector %s: %s", x->dest, strerror(errno));
	return 0;
}

void ipfix_close(struct ipfix_exporter *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	free(x->domains);
	x->domains = NULL;
	x->ndomains = 0;
}

static bool send_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * UDP: a send may fail for an ICMP error that an earlier one caused (the
 * collector was down), so once more. TCP: the connection is closed, and
 * the next message makes a new one.
 */
static bool transmit(struct ipfix_exporter *x, const struct msg *m)
{
	if (x->fd >= 0 && send_all(x->fd, m->buf, m->len))
		return true;
	if (!x->tcp)
		return x->fd >= 0 && send_all(x->fd, m->buf, m->len);
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	return false;
}

static bool templates_due(const struct ipfix_exporter *x, const struct ipfix_domain *d,
			  uint64_t now)
{
	if (!d->templates_sent)
		return true;
	if (x->tcp)
		return false;
	return now - d->templates_at >= (uint64_t)x->refresh * 1000 ||
	       (x->refresh_messages && d->messages >= x->refresh_messages);
}

/*
 * A message to domain @d: its templates if due, the count of lost records
 * if it grew, and the record @v of template @t if any. A record that
 * cannot be sent is counted lost, and reported with the next message.
 */
static void export(struct ipfix_exporter *x, struct ipfix_domain *d, const struct template *t,
		   const struct values *v)
{
	struct values lost = { .ms = log_now_ns() / 1000000, .domain = d->id };
	struct msg m = { .len = HEADER_LEN };
	uint64_t now = monotonic_ms();
	uint32_t records = 0;
	bool templates;

	if (x->fd < 0 && transport_connect(x) < 0)
		goto fail;
	templates = templates_due(x, d, now);
	if (templates) {
		put_template_set(&m, false);
		put_template_set(&m, true);
	}
	if (d->lost_unsent) {
		lost.lost = d->lost;
		put_record(&m, template_of(T_LOST), &lost);
		records++;
	}
	if (t) {
		put_record(&m, t, v);
		records++;
	}
	put_header(&m, d);
	if (!transmit(x, &m))
		goto fail;
	d->seq += records;
	d->lost_unsent = false;
	if (templates) {
		d->templates_sent = true;
		d->templates_at = now;
		d->messages = 0;
	}
	d->messages++;
	return;
fail:
	warning("cannot export to collector %s: %s", x->dest, strerror(errno));
	if (t) {
		d->lost++;
		d->lost_unsent = true;
	}
}

/* The domain of events of instance @ifindex; NULL when out of memory. */
static struct ipfix_domain *domain_of(struct ipfix_exporter *x, uint32_t ifindex)
{
	uint32_t id = x->fixed_domain ? x->domain : ifindex;
	struct ipfix_domain *d;
	size_t i;

	for (i = 0; i < x->ndomains; i++) {
		if (x->domains[i].id == id)
			return &x->domains[i];
	}
	d = realloc(x->domains, (x->ndomains + 1) * sizeof(*d));
	if (!d)
		return NULL;
	x->domains = d;
	d = &x->domains[x->ndomains++];
	memset(d, 0, sizeof(*d));
	d->id = id;
	return d;
}

/* How @tb is exported: NULL for an event that has no template here. */
static const struct export *export_of(const struct nlattr **tb)
{
	uint8_t event = mnl_attr_get_u8(tb[DSLITE_AFTR_A_EVENT]);
	const struct template *t;
	size_t i, j, n;

	for (i = 0; i < ARRAY_SIZE(exports); i++) {
		if (exports[i].event != event || exports[i].outer != !!tb[DSLITE_AFTR_A_OUTER_ADDR])
			continue;
		t = template_of(exports[i].template);
		n = ie_count(t);
		for (j = 0; j < n && (t->ie[j]->src != SRC_ATTR || tb[t->ie[j]->attr]); j++)
			;
		return j == n ? &exports[i] : NULL;
	}
	return NULL;
}

/* An event of the kernel's, with EVENT and IFINDEX (monitor.c checked). */
void ipfix_event(struct ipfix_exporter *x, const struct nlattr **tb)
{
	const struct nlattr *ts = tb[DSLITE_AFTR_A_TIMESTAMP_NS];
	const struct export *e = export_of(tb);
	struct values v = { .tb = tb };
	struct ipfix_domain *d;

	if (!e) {
		warning("event %u has no IPFIX template: not exported",
			mnl_attr_get_u8(tb[DSLITE_AFTR_A_EVENT]));
		return;
	}
	d = domain_of(x, mnl_attr_get_u32(tb[DSLITE_AFTR_A_IFINDEX]));
	if (!d) {
		warning("out of memory: an event was not exported");
		return;
	}
	v.ms = (ts ? mnl_attr_get_u64(ts) : log_now_ns()) / 1000000;
	v.nat_event = e->nat_event;
	export(x, d, template_of(e->template), &v);
}

/* @lost events of instance @ifindex never reached this monitor. */
void ipfix_lost(struct ipfix_exporter *x, uint32_t ifindex, uint64_t lost)
{
	struct ipfix_domain *d = domain_of(x, ifindex);

	if (!d) {
		warning("out of memory: %" PRIu64 " lost events were not reported", lost);
		return;
	}
	d->lost += lost;
	d->lost_unsent = true;
	export(x, d, NULL, NULL);
}
