/* SPDX-License-Identifier: GPL-2.0 */
/* aftrctl: what the object files share. */
#ifndef AFTRCTL_H
#define AFTRCTL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/dslite_aftr.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, as ip(8) uses them. */
enum {
	EXIT_OK,
	EXIT_USAGE,	/* bad command line or input file */
	EXIT_KERNEL,	/* the kernel refused, or could not be reached */
};

/* Global options (-j, -p, -s; -o prometheus, in output.c). */
extern bool opt_json, opt_pretty, opt_stats, opt_prometheus;

/* main.c */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kernel_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Errors name FILE:LINE while set; NULL clears it. */
void location_set(const char *name, unsigned long line);
/* Runs one command given as words, as from the command line. */
int run_words(int argc, char **argv);

/* reader.c: files of commands or statements, a statement at a time */
struct reader {
	FILE *f;
	const char *name;
	unsigned long line;	/* lines read so far */
	unsigned long start;	/* the line the statement starts on */
	char *text, *out, *line_buf;
	size_t len, line_cap;
};

int reader_open(struct reader *r, const char *name);
int reader_next(struct reader *r, char **words, int max);
void reader_close(struct reader *r);

/* args.c: walking the words of one command, and checking them */
struct args {
	int argc;
	char **argv;
};

struct command {
	const char *name;
	int (*fn)(struct args *a);	/* NULL: print the usage ("help") */
};

const char *args_peek(const struct args *a);
const char *args_next(struct args *a);
int args_value(struct args *a, const char *keyword, const char **val);
int lookup(const char *word, const void *table, size_t n, size_t stride, const char *what);
#define LOOKUP(word, table, what) \
	lookup(word, &(table)[0].name, ARRAY_SIZE(table), sizeof((table)[0]), what)
#define LOOKUP_WORD(word, words, what) \
	lookup(word, &(words)[0], ARRAY_SIZE(words), sizeof((words)[0]), what)
int run_command(struct args *a, const struct command *cmds, size_t n, const char *what,
		void (*usage)(void));

bool is_address(const char *word);
/* What args_keyword() returns when the word named the device. */
#define KW_DEVICE INT_MAX
int args_keyword(struct args *a, const char *word, const char *const *keywords, size_t n,
		 const char **ifname);
#define ARGS_KEYWORD(a, word, keywords, ifname) \
	args_keyword(a, word, &(keywords)[0], ARRAY_SIZE(keywords), ifname)
int parse_dev_filter(struct args *a, const char **ifname);
int parse_u32(const char *s, uint32_t min, uint32_t max, const char *what, uint32_t *out);
int parse_ifname(const char *s, const char **out);
int parse_addr6(const char *s, const char *what, struct in6_addr *out);
int parse_prefix6(const char *s, struct in6_addr *addr, uint8_t *len);
int parse_prefix4(const char *s, struct in_addr *addr, uint8_t *len);
int check_pool(const char *s, struct in_addr addr, uint8_t len);
int parse_exempt(const char *s, struct in_addr *addr, uint8_t *len);
int parse_ports(const char *s, uint16_t *min, uint16_t *max);
int parse_addr_port(const char *s, const char *what, uint32_t min_port, bool port_optional,
		    struct in_addr *addr, int *port);
int parse_proto(const char *s, uint8_t *proto);
bool prefix_equal(const struct in6_addr *a, const struct in6_addr *b, unsigned int len);
const char *proto_name(uint8_t proto);

/* nl.c: one generic netlink conversation at a time */
typedef int (*nl_msg_cb)(const struct nlattr **tb, void *data);

struct nlmsghdr *nl_request(uint8_t cmd, uint16_t flags);
int nl_talk(struct nlmsghdr *req, nl_msg_cb cb, void *data);
int nl_parse_prefix(const struct nlattr *nest, const struct nlattr **tb);
/* A nest of the main attribute set (a port-range) into @tb. */
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb);
/*
 * In a reply an nl_talk() callback is given, the next attribute of
 * @attr's type after it, or NULL: @tb holds the first of a list.
 */
const struct nlattr *nl_next_same(const struct nlattr *attr);
bool nl_prefix_str(const struct nlattr *nest, char *buf, size_t size);
void nl_put_dev(struct nlmsghdr *req, uint32_t ifindex, const char *ifname);
/* B4_ALLOW/DENY, EXEMPT_ADD/DEL: "[dev] DEV PREFIX" of family @af, sent. */
int prefix_change(struct args *a, uint8_t cmd, int af);
/* An unsigned attribute of 1, 2 or 4 bytes (checked by the parser). */
uint32_t nl_get_uint(const struct nlattr *attr);
void nl_close(void);
/*
 * While @cb is set, requests are not sent: nl_talk() hands @cb the command
 * and attributes of each, and succeeds (config.c reads files this way).
 */
typedef int (*nl_capture_cb)(uint8_t cmd, const struct nlattr **tb, void *data);
void nl_capture(nl_capture_cb cb, void *data);
bool nl_capturing(void);
struct nl_listener {
	nl_msg_cb cb;			/* each event */
	void (*lost)(void *data);	/* events were dropped */
	void (*tick)(void *data);	/* NULL, or run every interval_ms */
	unsigned int interval_ms;
	void *data;
};
int nl_listen(const struct nl_listener *l);

/* Instances a command acts on: the one named, or all of them. */
struct dev_ref {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
};

int for_each_dev(const char *ifname, const char *header,
		 int (*fn)(const struct dev_ref *dev, void *data), void *data);
/* A setting's value as dev set takes it back: a number, or "on", "pipe"... */
const char *dev_setting_str(uint16_t attr, uint32_t val, char *buf, size_t size);

/* output.c: one printing path for text and JSON */
int out_set_format(const char *name);
void out_obj_begin(const char *key);
void out_obj_end(void);
void out_arr_begin(const char *key);
void out_arr_end(void);
void out_str(const char *key, const char *fmt, const char *val);
void out_number(const char *key, const char *fmt, const char *val);
void out_uint(const char *key, const char *fmt, uint64_t val);
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_addr6(const char *key, const char *fmt, const struct nlattr *attr);
void out_addr4(const char *key, const char *fmt, const struct nlattr *attr);
void out_attr_str(const char *key, const char *fmt, const struct nlattr *attr);
void out_prefix(const char *key, const char *fmt, const struct nlattr *nest);
void out_attr_u32(const char *key, const char *fmt, const struct nlattr *attr);
void out_attr_u16(const char *key, const char *fmt, const struct nlattr *attr);
void out_begin(void);
void out_flush(void);
void out_end(int ret);

/* log.c: one event as the logs of "monitor" carry it, and where it goes */
struct log_record {
	const char *event;		/* "block-alloc" */
	uint64_t ns;			/* event time, since the epoch */
	char time[40];			/* the same in RFC 3339, UTC */
	int priority;			/* syslog facility | severity */
	size_t n;
	struct {
		const char *key;	/* as in JSON: "b4-addr" */
		char value[INET6_ADDRSTRLEN + 4];
		bool number;		/* a JSON number, else a string */
	} field[12];
};

struct log_sink {
	const char *path;		/* a Unix datagram socket; NULL: stdout */
	int fd;
};

uint64_t log_now_ns(void);		/* CLOCK_REALTIME, as events have it */
void log_record_init(struct log_record *r, const char *event, uint64_t ns, bool alarm);
void log_record_add(struct log_record *r, const char *key, const char *value);
void log_record_add_number(struct log_record *r, const char *key, const char *value);
void log_msg(const struct log_record *r, char *buf, size_t size);
void log_append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_sink_open(struct log_sink *s, const char *path);
void log_sink_send(struct log_sink *s, const char *buf, size_t len);
void log_sink_close(struct log_sink *s);

/* syslog.c */
struct syslog_form {
	bool rfc5424;			/* else RFC 3164, for local sockets */
	const char *sd_id;		/* RFC 5424 structured data; NULL: none */
	char host[256];
};

int syslog_parse_sd_id(const char *s);
void syslog_send(const struct syslog_form *f, struct log_sink *s, const struct log_record *r);

/* journal.c */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
void journal_send(struct log_sink *s, const struct log_record *r);

/* threshold.c: pool utilisation thresholds, read by "monitor" */
enum pool_watch_kw { WATCH_THRESHOLD, WATCH_HYSTERESIS, WATCH_INTERVAL };

struct pool_watch {
	uint32_t threshold[8];		/* percent */
	size_t n;
	uint32_t hysteresis;		/* percentage points */
	uint32_t interval;		/* seconds between reads */
	const char *ifname;		/* NULL: every instance */
	void (*emit)(const struct log_record *r, void *data);
	void *data;
	struct pool_state *states;
	size_t nstates;
};

void pool_watch_init(struct pool_watch *w);
int pool_watch_parse(struct pool_watch *w, struct args *a, enum pool_watch_kw kw);
void pool_watch_tick(struct pool_watch *w);
void pool_watch_free(struct pool_watch *w);

/* One file per object. */
int do_dev(struct args *a);
int do_b4(struct args *a);
int do_pool(struct args *a);
int do_binding(struct args *a);
int do_stats(struct args *a);
int do_det(struct args *a);
int do_static(struct args *a);
int do_monitor(struct args *a);
int do_config(struct args *a);
int do_exempt(struct args *a);
void stats_print(const struct nlattr *nest);
const char *stat_name(size_t i);
int metrics_print(const char *ifname);

#endif /* AFTRCTL_H */
