// SPDX-License-Identifier: GPL-2.0
/*
 * One printing path for text and JSON. Every field is printed once, with
 * both its text format (one "%s", NULL for JSON only) and its JSON key
 * (NULL for text only); nothing is buffered, so dumps stream.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl.h"

#define MAX_DEPTH 8

bool opt_prometheus;

static const char *const formats[] = { "text", "json", "prometheus" };

/* -o FORMAT: "json" is -j; "prometheus" is for "stats" (metrics.c) only. */
int out_set_format(const char *name)
{
	int i = LOOKUP_WORD(name, formats, "output format");

	if (i < 0)
		return -1;
	opt_json = i == 1;
	opt_pretty = opt_pretty && opt_json;
	opt_prometheus = i == 2;
	return 0;
}

static struct {
	int depth;
	bool has_items[MAX_DEPTH];	/* per open object/array */
	bool is_array[MAX_DEPTH];
} js;

/* Array elements have no key; elsewhere a NULL key means text only. */
static bool json_wants(const char *key)
{
	return opt_json && (key || (js.depth && js.is_array[js.depth - 1]));
}

static void missing(const char *fmt)
{
	if (!opt_json && fmt)
		printf(fmt, "-");
}

static void indent(void)
{
	if (opt_pretty && js.depth)
		printf("\n%*s", js.depth * 4, "");
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Separator, indentation and key before a JSON member or element. */
static void json_member(const char *key)
{
	if (js.depth && js.has_items[js.depth - 1])
		putchar(',');
	if (js.depth)
		js.has_items[js.depth - 1] = true;
	indent();
	if (key && !js.is_array[js.depth - 1]) {
		json_string(key);
		fputs(opt_pretty ? ": " : ":", stdout);
	}
}

static void json_open(const char *key, char bracket)
{
	if (!opt_json)
		return;
	if (js.depth == MAX_DEPTH)
		abort();	/* our own nesting is shallow: a bug, not input */
	json_member(key);
	putchar(bracket);
	js.is_array[js.depth] = bracket == '[';
	js.has_items[js.depth++] = false;
}

static void json_close(char bracket)
{
	if (!opt_json || !js.depth)
		return;
	js.depth--;
	if (opt_pretty && js.has_items[js.depth])
		printf("\n%*s", js.depth * 4, "");
	putchar(bracket);
	if (!js.depth)
		putchar('\n');
}

void out_obj_begin(const char *key)
{
	json_open(key, '{');
}

void out_obj_end(void)
{
	json_close('}');
}

void out_arr_begin(const char *key)
{
	json_open(key, '[');
}

void out_arr_end(void)
{
	json_close(']');
}

void out_str(const char *key, const char *fmt, const char *val)
{
	if (json_wants(key)) {
		json_member(key);
		json_string(val);
	} else if (!opt_json && fmt) {
		printf(fmt, val);
	}
}

/* A number already written out ("62.5"): JSON has it without quotes. */
void out_number(const char *key, const char *fmt, const char *val)
{
	if (json_wants(key)) {
		json_member(key);
		fputs(val, stdout);
	} else if (!opt_json && fmt) {
		printf(fmt, val);
	}
}

void out_uint(const char *key, const char *fmt, uint64_t val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	if (json_wants(key)) {
		json_member(key);
		fputs(buf, stdout);
	} else if (!opt_json && fmt) {
		printf(fmt, buf);
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (opt_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Attributes the kernel sent; a missing one prints as "-" in text. */
void out_addr6(const char *key, const char *fmt, const struct nlattr *attr)
{
	char buf[INET6_ADDRSTRLEN];

	if (!attr) {
		missing(fmt);
		return;
	}
	inet_ntop(AF_INET6, mnl_attr_get_payload(attr), buf, sizeof(buf));
	out_str(key, fmt, buf);
}

void out_addr4(const char *key, const char *fmt, const struct nlattr *attr)
{
	char buf[INET_ADDRSTRLEN];

	if (!attr) {
		missing(fmt);
		return;
	}
	inet_ntop(AF_INET, mnl_attr_get_payload(attr), buf, sizeof(buf));
	out_str(key, fmt, buf);
}

void out_attr_str(const char *key, const char *fmt, const struct nlattr *attr)
{
	if (attr)
		out_str(key, fmt, mnl_attr_get_str(attr));
	else
		missing(fmt);
}

/* A nest of enum dslite_aftr_prefix_attr, as "ADDR/LEN". */
void out_prefix(const char *key, const char *fmt, const struct nlattr *nest)
{
	char buf[INET6_ADDRSTRLEN + 4];

	if (nl_prefix_str(nest, buf, sizeof(buf)))
		out_str(key, fmt, buf);
	else
		missing(fmt);
}

void out_attr_u32(const char *key, const char *fmt, const struct nlattr *attr)
{
	if (attr)
		out_uint(key, fmt, mnl_attr_get_u32(attr));
	else
		missing(fmt);
}

void out_attr_u16(const char *key, const char *fmt, const struct nlattr *attr)
{
	if (attr)
		out_uint(key, fmt, mnl_attr_get_u16(attr));
	else
		missing(fmt);
}

/* Flush at the end of each command, so batch output keeps its order. */
void out_end(void)
{
	fflush(stdout);
}
