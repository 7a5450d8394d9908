// SPDX-License-Identifier: GPL-2.0
/*
 * aftrctl: configure and inspect dslite_aftr instances.
 *
 *	aftrctl [OPTIONS] OBJECT { COMMAND | help }
 *
 * main.c reads the options, enters the namespace, and runs one command or
 * a batch file; each object lives in its own file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aftrctl.h"

bool opt_json, opt_pretty, opt_stats;

/* Where the command being run comes from, for error messages. */
static const char *batch_name;
static unsigned long batch_line;

void location_set(const char *name, unsigned long line)
{
	batch_name = name;
	batch_line = line;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(prefix, stderr);
	if (batch_name)
		fprintf(stderr, "%s:%lu: ", batch_name, batch_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Error: ", fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int kernel_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Error: ", fmt, ap);
	va_end(ap);
	return EXIT_KERNEL;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Warning: ", fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fputs("Usage: aftrctl [OPTIONS] OBJECT { COMMAND | help }\n"
	      "       aftrctl [OPTIONS] -batch FILE [-force]\n"
	      "where  OBJECT := { dev | b4 | pool | det | static | exempt | binding | stats |\n"
	      "                   monitor | config }\n"
	      "       OPTIONS := { -j[son] | -p[retty] | -s[tats] | -n[etns] NETNS |\n"
	      "                    -o[utput] { text | json | prometheus } | -V[ersion] | -h[elp] }\n"
	      "Options take one dash or two (--version, --help); -- ends them.\n", f);
}

static int do_help(struct args *a)
{
	(void)a;
	usage(stdout);
	return EXIT_OK;
}

static const struct command objects[] = {
	{ "dev", do_dev },
	{ "d", do_dev },	/* as before "det" came: an exact match beats prefixes */
	{ "b4", do_b4 },
	{ "pool", do_pool },
	{ "binding", do_binding },
	{ "stats", do_stats },
	{ "det", do_det },
	{ "static", do_static },
	{ "exempt", do_exempt },
	{ "monitor", do_monitor },
	{ "config", do_config },
	{ "help", do_help },
};

int run_words(int argc, char **argv)
{
	struct args a = { argc, argv };
	const char *word = args_next(&a);
	int i, ret;

	if (!word) {
		usage(stderr);
		return EXIT_USAGE;
	}
	i = LOOKUP(word, objects, "object");
	if (i < 0)
		return EXIT_USAGE;
	if (opt_prometheus && objects[i].fn != do_stats)
		return usage_error("-o prometheus goes with \"stats\" only");
	out_begin();
	ret = objects[i].fn(&a);
	out_end(ret);
	return ret;
}

/* Run each command of @name; stop at the first failure unless @force. */
static int run_batch(const char *name, bool force)
{
	struct reader r;
	char *words[256];
	int n, ret, worst = EXIT_OK;

	if (reader_open(&r, name))
		return EXIT_USAGE;
	while ((n = reader_next(&r, words, ARRAY_SIZE(words)))) {
		ret = n < 0 ? EXIT_USAGE : run_words(n, words);
		if (ret > worst)
			worst = ret;
		if (ret && !force)
			break;
	}
	reader_close(&r);
	return worst;
}

/* Like "ip -n NAME": the namespace that "ip netns add NAME" created. */
static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > 200)
		return usage_error("\"%s\" is not a valid netns name", name);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return usage_error("cannot open netns \"%s\": %s", name, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0) {
		int err = errno;

		close(fd);
		return usage_error("cannot enter netns \"%s\": %s", name, strerror(err));
	}
	close(fd);
	return 0;
}

/*
 * -V: our version, and the loaded module's (MODULE_VERSION, which the
 * kernel shows in sysfs): the two come in different packages.
 */
static int print_version(void)
{
	const char *path = "/sys/module/" DSLITE_AFTR_GENL_NAME "/version";
	char ver[64];
	FILE *f;

	printf("aftrctl %s (generic netlink family %s, version %d)\n",
	       AFTRCTL_VERSION, DSLITE_AFTR_GENL_NAME, DSLITE_AFTR_GENL_VERSION);
	f = fopen(path, "r");
	if (f && fgets(ver, sizeof(ver), f)) {
		ver[strcspn(ver, "\n")] = '\0';
		printf("%s module %s\n", DSLITE_AFTR_GENL_NAME, ver);
	} else {
		printf("%s module not loaded\n", DSLITE_AFTR_GENL_NAME);
	}
	if (f)
		fclose(f);
	return EXIT_OK;
}

enum option { OPT_JSON, OPT_PRETTY, OPT_STATS, OPT_NETNS, OPT_BATCH, OPT_FORCE,
	      OPT_VERSION, OPT_GNU_VERSION, OPT_HELP, OPT_OUTPUT };

static const char *const options[] = {
	[OPT_JSON] = "json",
	[OPT_PRETTY] = "pretty",
	[OPT_STATS] = "stats",
	[OPT_NETNS] = "netns",
	[OPT_BATCH] = "batch",
	[OPT_FORCE] = "force",
	[OPT_VERSION] = "Version",
	[OPT_GNU_VERSION] = "version",	/* --version, as GNU tools take it */
	[OPT_HELP] = "help",
	[OPT_OUTPUT] = "output",
};

int main(int argc, char **argv)
{
	const char *batch = NULL, *netns = NULL, *format;
	struct args a = { argc - 1, argv + 1 };
	bool force = false;
	const char *opt;
	int ret;

	while ((opt = args_peek(&a)) && opt[0] == '-' && opt[1]) {
		args_next(&a);
		if (!strcmp(opt, "--"))
			break;		/* the end of the options */
		opt += opt[1] == '-' ? 2 : 1;	/* --json works too */
		switch (LOOKUP_WORD(opt, options, "option")) {
		case OPT_JSON:
			opt_json = true;
			break;
		case OPT_PRETTY:
			opt_json = opt_pretty = true;
			break;
		case OPT_STATS:
			opt_stats = true;
			break;
		case OPT_NETNS:
			if (args_value(&a, "-netns", &netns))
				return EXIT_USAGE;
			break;
		case OPT_BATCH:
			if (args_value(&a, "-batch", &batch))
				return EXIT_USAGE;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_VERSION:
		case OPT_GNU_VERSION:
			return print_version();
		case OPT_HELP:
			usage(stdout);
			return EXIT_OK;
		case OPT_OUTPUT:
			if (args_value(&a, "-output", &format) || out_set_format(format))
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (batch && a.argc)
		return usage_error("-batch takes no command on the command line");
	if (force && !batch)
		return usage_error("-force goes with -batch");
	if (netns && enter_netns(netns))
		return EXIT_USAGE;
	ret = batch ? run_batch(batch, force) : run_words(a.argc, a.argv);
	nl_close();
	return ret;
}
