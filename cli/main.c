/*
 * rspctl, the operator command line of the SM-DP+: profiles in the inventory, download orders
 * over ES2+, activation codes and their QR codes, and batch issuance.
 *
 *   rspctl <group> <command> [options]
 *   rspctl <group> <command> --help
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/crypto.h"
#include "common/log.h"

static const struct cli_group *const groups[] = {
	&cli_profile_group,
	&cli_order_group,
	&cli_code_group,
	&cli_batch_group,
};
#define GROUP_COUNT (sizeof(groups) / sizeof(groups[0]))

static void print_overview(FILE *out)
{
	fputs("usage: rspctl <group> <command> [options]\n"
	      "       rspctl <group> <command> --help\n\n", out);
	for (size_t i = 0; i < GROUP_COUNT; i++) {
		fprintf(out, "%s: %s\n", groups[i]->name, groups[i]->summary);
		for (const struct cli_command *c = groups[i]->commands; c->name; c++)
			fprintf(out, "  rspctl %s %-9s %s\n", groups[i]->name, c->name, c->summary);
	}
	fputs("\nExit status: 0 success, 1 failure, 2 invalid usage or input, 3 finished with\n"
	      "some items failed (folder import, batch).\n", out);
}

static void print_group(const struct cli_group *g)
{
	printf("usage: rspctl %s <command> [options]\n\n%s.\n\n", g->name, g->summary);
	for (const struct cli_command *c = g->commands; c->name; c++)
		printf("  %-9s %s\n", c->name, c->summary);
}

static const struct cli_group *find_group(const char *name)
{
	for (size_t i = 0; i < GROUP_COUNT; i++) {
		if (strcmp(groups[i]->name, name) == 0)
			return groups[i];
	}
	return NULL;
}

static int run(int argc, char **argv)
{
	const struct cli_group *g;
	char label[64];

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		print_overview(stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	g = find_group(argv[1]);
	if (!g) {
		cli_error("unknown command group '%s': use profile, order, code or batch "
			  "(see 'rspctl --help')", argv[1]);
		return CLI_EXIT_USAGE;
	}
	if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
		print_group(g);
		return argc < 3 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (const struct cli_command *c = g->commands; c->name; c++) {
		if (strcmp(c->name, argv[2]) != 0)
			continue;
		/* getopt_long names the program by argv[0] in its messages. */
		snprintf(label, sizeof(label), "rspctl %s %s", g->name, c->name);
		argv[2] = label;
		return c->run(c, argc - 2, argv + 2);
	}
	cli_error("unknown command 'rspctl %s %s' (see 'rspctl %s --help')", g->name, argv[2],
		  g->name);
	return CLI_EXIT_USAGE;
}

/* The libraries log through common/log on stderr. A command reports a failure as one line of
 * its own (quoting the libraries' last message where it helps), so their output is captured,
 * unless RSPCTL_LOG names a level (error, warn, info, debug) for troubleshooting. */
static void set_logging(void)
{
	const char *env = getenv("RSPCTL_LOG");
	enum log_level level;

	if (env && log_level_parse(env, &level) == 0) {
		log_set_level(level);
		cli_stderr = stderr;
		return;
	}
	log_set_level(LOG_LEVEL_ERROR);
	cli_capture_library_output();
}

int main(int argc, char **argv)
{
	int rc;

	set_logging();
	if (crypto_init() != CRYPTO_OK) {
		cli_error("cannot seed the random generator");
		return CLI_EXIT_FAILURE;
	}
	rc = run(argc, argv);
	crypto_cleanup();
	cli_release_library_output();
	return rc;
}
