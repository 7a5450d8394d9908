// SPDX-License-Identifier: GPL-2.0
/*
 * Files of commands (-batch) and of statements (config): read one at a
 * time, split into words as a shell would. Blanks separate words; '...'
 * and "..." group them (in "...", \" and \\ stand for " and \); outside
 * quotes a backslash keeps the next character as it is, and # starts a
 * comment to the end of the line; a backslash at the end of a line joins
 * the next one to it. Errors name the file and the line a statement
 * starts on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl.h"

int reader_open(struct reader *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	if (!r->f)
		return usage_error("cannot open \"%s\": %s", name, strerror(errno));
	return 0;
}

void reader_close(struct reader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	free(r->text);
	free(r->out);
	free(r->line_buf);
	location_set(NULL, 0);
}

#define SPLIT_MORE	(-2)

/*
 * The words of @s, written into @out (as long as @s) and pointed to by
 * @words: how many, -1 after an error, or SPLIT_MORE when @s ends with a
 * backslash-newline (or a backslash, at the end of the file unless @eof):
 * the statement goes on in the next line.
 */
static int split(const char *s, char *out, char **words, int max, bool eof)
{
	enum { BLANK, WORD, SQUOTE, DQUOTE } st = BLANK;
	int n = 0;

	for (; *s; s++) {
		if (*s == '\\' && st != SQUOTE && (s[1] == '\n' || !s[1])) {
			if ((!s[1] || !s[2]) && !eof)
				return SPLIT_MORE;
			if (s[1])
				s++;
			continue;
		}
		if (st == SQUOTE) {
			if (*s == '\'')
				st = WORD;
			else
				*out++ = *s;
			continue;
		}
		if (st == DQUOTE) {
			if (*s == '"') {
				st = WORD;
				continue;
			}
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*out++ = *s;
			continue;
		}
		if (strchr(" \t\r\n", *s)) {
			if (st == WORD)
				*out++ = '\0';
			st = BLANK;
			continue;
		}
		if (*s == '#') {
			s += strcspn(s, "\n") - 1;	/* the comment ends at the newline */
			continue;
		}
		if (st == BLANK) {
			if (n == max) {
				usage_error("too many words");
				return -1;
			}
			words[n++] = out;
			st = WORD;
		}
		if (*s == '\'')
			st = SQUOTE;
		else if (*s == '"')
			st = DQUOTE;
		else
			*out++ = *s == '\\' ? *++s : *s;
	}
	if (st == SQUOTE || st == DQUOTE) {
		usage_error("a quote is not closed: %s", st == SQUOTE ? "'" : "\"");
		return -1;
	}
	if (st == WORD)
		*out = '\0';
	return n;
}

/* Appends the next line of the file to the statement; false at its end. */
static bool read_line(struct reader *r)
{
	ssize_t n = getline(&r->line_buf, &r->line_cap, r->f);
	char *p;

	if (n < 0)
		return false;
	r->line++;
	if (n >= 2 && !strcmp(r->line_buf + n - 2, "\r\n"))
		strcpy(r->line_buf + --n - 1, "\n");	/* CRLF: the \r is no word's */
	p = realloc(r->text, r->len + (size_t)n + 1);
	if (!p || !(r->out = realloc(r->out, r->len + (size_t)n + 1))) {
		perror("aftrctl");
		exit(EXIT_KERNEL);
	}
	r->text = p;
	memcpy(r->text + r->len, r->line_buf, (size_t)n + 1);
	r->len += (size_t)n;
	return true;
}

/*
 * The next statement's words: how many, 0 at the end of the file, or -1
 * after an error (printed; the next call goes on after the statement).
 * While it runs, errors name its file and first line.
 */
int reader_next(struct reader *r, char **words, int max)
{
	bool eof = false;
	int n;

	for (;;) {
		r->len = 0;
		r->start = r->line + 1;
		if (!read_line(r))
			return 0;
		location_set(r->name, r->start);
		while ((n = split(r->text, r->out, words, max, eof)) == SPLIT_MORE)
			eof = !read_line(r);
		if (n)
			return n;
	}
}
