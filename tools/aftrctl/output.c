// SPDX-License-Identifier: GPL-2.0
/*
 * One printing path for text and JSON. Every field is printed once, with
 * both its text format (one "%s", NULL for JSON only) and its JSON key
 * (NULL for text only). Text is not buffered, so dumps stream. JSON is
 * held until the command succeeds: a command that fails prints nothing on
 * standard output, never a part of a document a script would parse.
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

/* Where output goes: standard output, or with -j the command's spool. */
static struct {
	FILE *f;		/* NULL: standard output */
	char *buf;
	size_t size;
	int depth;		/* commands run by commands (config apply) */
} spool;

static FILE *dst(void)
{
	return spool.f ? spool.f : stdout;
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
		fprintf(dst(), fmt, "-");
}

static void indent(void)
{
	if (opt_pretty && js.depth)
		fprintf(dst(), "\n%*s", js.depth * 4, "");
}

static void json_string(const char *s)
{
	fputc('"', dst());
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(dst(), "\\%c", c);
		else if (c < 0x20)
			fprintf(dst(), "\\u%04x", c);
		else
			fputc(c, dst());
	}
	fputc('"', dst());
}

/* Separator, indentation and key before a JSON member or element. */
static void json_member(const char *key)
{
	if (js.depth && js.has_items[js.depth - 1])
		fputc(',', dst());
	if (js.depth)
		js.has_items[js.depth - 1] = true;
	indent();
	if (key && !js.is_array[js.depth - 1]) {
		json_string(key);
		fputs(opt_pretty ? ": " : ":", dst());
	}
}

static void json_open(const char *key, char bracket)
{
	if (!opt_json)
		return;
	if (js.depth == MAX_DEPTH)
		abort();	/* our own nesting is shallow: a bug, not input */
	json_member(key);
	fputc(bracket, dst());
	js.is_array[js.depth] = bracket == '[';
	js.has_items[js.depth++] = false;
}

static void json_close(char bracket)
{
	if (!opt_json || !js.depth)
		return;
	js.depth--;
	if (opt_pretty && js.has_items[js.depth])
		fprintf(dst(), "\n%*s", js.depth * 4, "");
	fputc(bracket, dst());
	if (!js.depth)
		fputc('\n', dst());
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
		fprintf(dst(), fmt, val);
	}
}

/* A number already written out ("62.5"): JSON has it without quotes. */
void out_number(const char *key, const char *fmt, const char *val)
{
	if (json_wants(key)) {
		json_member(key);
		fputs(val, dst());
	} else if (!opt_json && fmt) {
		fprintf(dst(), fmt, val);
	}
}

void out_uint(const char *key, const char *fmt, uint64_t val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	out_number(key, fmt, buf);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (opt_json)
		return;
	va_start(ap, fmt);
	vfprintf(dst(), fmt, ap);
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

static void spool_open(void)
{
	spool.f = open_memstream(&spool.buf, &spool.size);
	if (!spool.f) {
		perror("aftrctl");
		exit(EXIT_KERNEL);
	}
}

/* Closes the spool; its contents go to standard output if @keep. */
static void spool_close(bool keep)
{
	fclose(spool.f);
	if (keep)
		fwrite(spool.buf, 1, spool.size, stdout);
	free(spool.buf);
	spool.f = NULL;
	spool.buf = NULL;
	fflush(stdout);
}

/* A command starts: with -j, what it prints is held. */
void out_begin(void)
{
	if (!spool.depth++ && opt_json)
		spool_open();
}

/* What was printed so far is final (a monitor's event): out with it. */
void out_flush(void)
{
	if (spool.f) {
		spool_close(true);
		spool_open();
	}
	fflush(stdout);
}

/*
 * A command ended with exit code @ret: its JSON is printed if it succeeded,
 * dropped if not. Flushed, so batch output keeps its order.
 */
void out_end(int ret)
{
	if (--spool.depth)
		return;
	if (spool.f)
		spool_close(!ret);
	memset(&js, 0, sizeof(js));	/* a failed command may leave JSON open */
	fflush(stdout);
}
