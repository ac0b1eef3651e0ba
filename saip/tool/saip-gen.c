/*
 * saip-gen: writes a SAIP profile package for one USIM subscriber, or shows what a package
 * contains.
 *
 *   saip-gen --iccid DIGITS --imsi DIGITS --ki HEX --opc HEX [--type NAME] --out FILE
 *   saip-gen --show FILE
 *
 * Exit status: 0 on success, 1 when the operation fails (unreadable file, invalid package),
 * 2 for an invalid command line or parameter value.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "saip/saip.h"

#define PROG "saip-gen"
#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage:\n"
	"  saip-gen --iccid DIGITS --imsi DIGITS --ki HEX --opc HEX [options] --out FILE\n"
	"  saip-gen --show FILE\n"
	"\n"
	"Writes a SAIP 2.3 profile package (DER) for one USIM with Milenage, or checks a\n"
	"package and prints its header, identifiers and Profile Elements.\n"
	"\n"
	"  --iccid DIGITS      ICCID, 19 or 20 digits ending with the Luhn check digit\n"
	"  --imsi DIGITS       IMSI, 6 to 15 digits (MCC, MNC, MSIN)\n"
	"  --ki HEX            subscriber key K, 32 hex digits\n"
	"  --opc HEX           Milenage OPc, 32 hex digits\n"
	"  --type NAME         profile type in the header\n"
	"                      (default \"" SAIP_DEFAULT_PROFILE_TYPE "\")\n"
	"  --mnc-digits N      MNC length stored in EF.AD, 2 or 3 (default 2)\n"
	"  --pin1, --pin2 DIGITS  PINs, 4 to 8 digits (default " SAIP_DEFAULT_PIN1 ")\n"
	"  --puk1, --puk2 DIGITS  PUKs, 8 digits\n"
	"                      (defaults " SAIP_DEFAULT_PUK1 ", " SAIP_DEFAULT_PUK2 ")\n"
	"  --adm1 DIGITS       ADM1 key, 8 digits (default " SAIP_DEFAULT_ADM1 ")\n"
	"  --out FILE          file to write; created with mode 0600 because it contains the keys\n"
	"  --show FILE         check FILE and print its summary\n"
	"  --help              print this help\n"
	"\n"
	"The default PIN, PUK and ADM1 values are public test values: set your own for real\n"
	"subscribers. Exit status: 0 success, 1 operation failed, 2 invalid arguments.\n";

enum option_id {
	OPT_ICCID = 256, OPT_IMSI, OPT_KI, OPT_OPC, OPT_TYPE, OPT_MNC_DIGITS, OPT_PIN1, OPT_PIN2,
	OPT_PUK1, OPT_PUK2, OPT_ADM1, OPT_OUT, OPT_SHOW, OPT_HELP,
};

static const struct option options[] = {
	{"iccid", required_argument, NULL, OPT_ICCID},
	{"imsi", required_argument, NULL, OPT_IMSI},
	{"ki", required_argument, NULL, OPT_KI},
	{"opc", required_argument, NULL, OPT_OPC},
	{"type", required_argument, NULL, OPT_TYPE},
	{"mnc-digits", required_argument, NULL, OPT_MNC_DIGITS},
	{"pin1", required_argument, NULL, OPT_PIN1},
	{"pin2", required_argument, NULL, OPT_PIN2},
	{"puk1", required_argument, NULL, OPT_PUK1},
	{"puk2", required_argument, NULL, OPT_PUK2},
	{"adm1", required_argument, NULL, OPT_ADM1},
	{"out", required_argument, NULL, OPT_OUT},
	{"show", required_argument, NULL, OPT_SHOW},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Prints why a parameter was rejected, naming the value and the fix. Keys and codes are
 * secrets, so only their length is shown. */
static void report_param_error(int rc, const struct saip_params *p)
{
	switch (rc) {
	case SAIP_E_PARAM_ICCID:
		fprintf(stderr, PROG ": invalid --iccid '%s': expected 19 or 20 decimal digits\n",
			p->iccid);
		break;
	case SAIP_E_PARAM_ICCID_CHECK_DIGIT: {
		char payload[RSP_ICCID_MAX_DIGITS + 1];
		size_t n = strlen(p->iccid) - 1;
		int digit;

		memcpy(payload, p->iccid, n);
		payload[n] = '\0';
		digit = saip_iccid_check_digit(payload);
		fprintf(stderr, PROG ": invalid --iccid '%s': wrong Luhn check digit; the ICCID "
			"with the right one is %s%c\n", p->iccid, payload, digit);
		break;
	}
	case SAIP_E_PARAM_IMSI:
		fprintf(stderr, PROG ": invalid --imsi '%s': expected 6 to 15 decimal digits\n",
			p->imsi);
		break;
	case SAIP_E_PARAM_KI:
		fprintf(stderr, PROG ": invalid --ki (%zu characters): expected 32 hex digits\n",
			strlen(p->ki));
		break;
	case SAIP_E_PARAM_OPC:
		fprintf(stderr, PROG ": invalid --opc (%zu characters): expected 32 hex digits\n",
			strlen(p->opc));
		break;
	case SAIP_E_PARAM_PROFILE_TYPE:
		fprintf(stderr, PROG ": invalid --type '%s': expected 1 to 100 printable UTF-8 "
			"characters\n", p->profile_type);
		break;
	case SAIP_E_PARAM_MNC_DIGITS:
		fprintf(stderr, PROG ": invalid --mnc-digits %u: expected 2 or 3\n", p->mnc_digits);
		break;
	case SAIP_E_PARAM_PIN:
		fprintf(stderr, PROG ": invalid --pin1 or --pin2: expected 4 to 8 decimal "
			"digits\n");
		break;
	case SAIP_E_PARAM_PUK:
		fprintf(stderr, PROG ": invalid --puk1 or --puk2: expected 8 decimal digits\n");
		break;
	case SAIP_E_PARAM_ADM:
		fprintf(stderr, PROG ": invalid --adm1: expected 8 decimal digits\n");
		break;
	default:
		fprintf(stderr, PROG ": %s\n", saip_strerror(rc));
		break;
	}
}

static bool is_param_error(int rc)
{
	return rc <= SAIP_E_PARAM_ICCID && rc >= SAIP_E_PARAM_ADM;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
	size_t done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0) {
		fprintf(stderr, PROG ": failed to create '%s': %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": failed to write '%s': %s\n", path,
				strerror(errno));
			close(fd);
			return EXIT_FAILED;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0) {
		fprintf(stderr, PROG ": failed to write '%s': %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_SUCCESS;
}

static int generate(const struct saip_params *params, const char *out_path)
{
	uint8_t *pkg = NULL;
	size_t len = 0;
	int rc;

	rc = saip_generate(params, &pkg, &len);
	if (rc != SAIP_OK) {
		report_param_error(rc, params);
		return is_param_error(rc) ? EXIT_USAGE : EXIT_FAILED;
	}
	rc = write_file(out_path, pkg, len);
	saip_package_free(pkg, len);
	if (rc == EXIT_SUCCESS)
		printf("wrote %s (%zu bytes, ICCID %s)\n", out_path, len, params->iccid);
	return rc;
}

/* Reads a whole file of at most RSP_MAX_PROFILE_PACKAGE bytes; *data is malloc'ed. */
static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n;
	int rc = EXIT_FAILED;

	if (!f) {
		fprintf(stderr, PROG ": failed to open '%s': %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	buf = malloc(RSP_MAX_PROFILE_PACKAGE + 1);
	if (!buf) {
		fprintf(stderr, PROG ": out of memory reading '%s'\n", path);
		goto out;
	}
	n = fread(buf, 1, RSP_MAX_PROFILE_PACKAGE + 1, f);
	if (ferror(f)) {
		fprintf(stderr, PROG ": failed to read '%s': %s\n", path, strerror(errno));
		goto out;
	}
	if (n > RSP_MAX_PROFILE_PACKAGE) {
		fprintf(stderr, PROG ": '%s' is larger than the maximum package size of %d "
			"bytes\n", path, RSP_MAX_PROFILE_PACKAGE);
		goto out;
	}
	*data = buf;
	*len = n;
	buf = NULL;
	rc = EXIT_SUCCESS;
out:
	free(buf);
	fclose(f);
	return rc;
}

static const char *algorithm_name(unsigned id)
{
	switch (id) {
	case 0:
		return "none";
	case SAIP_ALGORITHM_MILENAGE:
		return "milenage";
	case SAIP_ALGORITHM_TUAK:
		return "tuak";
	case SAIP_ALGORITHM_USIM_TEST:
		return "usim-test-algorithm";
	default:
		return "unknown";
	}
}

static void print_info(const char *path, size_t len, const struct saip_info *info)
{
	const char *sep = "";

	printf("file:          %s (%zu bytes)\n", path, len);
	printf("SAIP version:  %u.%u\n", info->major_version, info->minor_version);
	printf("profile type:  %s\n", info->profile_type[0] ? info->profile_type : "(none)");
	printf("ICCID:         %s\n", info->iccid);
	printf("EF.ICCID:      %s\n", info->ef_iccid[0] ? info->ef_iccid : "(not set)");
	printf("IMSI:          %s\n", info->imsi[0] ? info->imsi : "(not set)");
	printf("AKA algorithm: %s\n", algorithm_name(info->aka_algorithm));
	printf("elements:      %zu (", info->element_count);
	for (unsigned t = 0; t < SAIP_PE_TYPE_COUNT; t++) {
		if (info->type_count[t] == 0)
			continue;
		printf("%s%s %zu", sep, saip_pe_name(t), info->type_count[t]);
		sep = ", ";
	}
	printf(")\n");
}

static int show(const char *path)
{
	struct saip_info info;
	uint8_t *pkg = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(path, &pkg, &len);
	if (rc != EXIT_SUCCESS)
		return rc;
	rc = saip_read(pkg, len, &info);
	if (rc != SAIP_OK) {
		fprintf(stderr, PROG ": '%s' is not a valid SAIP profile package: %s "
			"(element %zu counted from 1, byte offset %zu)\n", path, saip_strerror(rc),
			info.error_element + 1, info.error_offset);
		rc = EXIT_FAILED;
	} else {
		print_info(path, len, &info);
		rc = EXIT_SUCCESS;
	}
	saip_package_free(pkg, len);
	return rc;
}

static bool parse_mnc_digits(const char *text, unsigned *out)
{
	if (strcmp(text, "2") == 0 || strcmp(text, "3") == 0) {
		*out = (unsigned)(text[0] - '0');
		return true;
	}
	return false;
}

/* Returns the first option that generating needs and the command line lacks, or NULL. */
static const char *missing_option(const struct saip_params *p, const char *out_path)
{
	if (!p->iccid)
		return "--iccid";
	if (!p->imsi)
		return "--imsi";
	if (!p->ki)
		return "--ki";
	if (!p->opc)
		return "--opc";
	if (!out_path)
		return "--out";
	return NULL;
}

int main(int argc, char **argv)
{
	struct saip_params params;
	const char *out_path = NULL, *show_path = NULL, *missing;
	int opt;

	memset(&params, 0, sizeof(params));
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_ICCID:
			params.iccid = optarg;
			break;
		case OPT_IMSI:
			params.imsi = optarg;
			break;
		case OPT_KI:
			params.ki = optarg;
			break;
		case OPT_OPC:
			params.opc = optarg;
			break;
		case OPT_TYPE:
			params.profile_type = optarg;
			break;
		case OPT_PIN1:
			params.pin1 = optarg;
			break;
		case OPT_PIN2:
			params.pin2 = optarg;
			break;
		case OPT_PUK1:
			params.puk1 = optarg;
			break;
		case OPT_PUK2:
			params.puk2 = optarg;
			break;
		case OPT_ADM1:
			params.adm1 = optarg;
			break;
		case OPT_OUT:
			out_path = optarg;
			break;
		case OPT_SHOW:
			show_path = optarg;
			break;
		case OPT_MNC_DIGITS:
			if (!parse_mnc_digits(optarg, &params.mnc_digits)) {
				fprintf(stderr,
					PROG ": invalid --mnc-digits '%s': expected 2 or 3\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try 'saip-gen --help' for the options.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'; try 'saip-gen --help'\n",
			argv[optind]);
		return EXIT_USAGE;
	}

	if (show_path) {
		if (out_path || params.iccid || params.imsi || params.ki || params.opc) {
			fprintf(stderr, PROG ": --show takes no other options; run it alone\n");
			return EXIT_USAGE;
		}
		return show(show_path);
	}

	missing = missing_option(&params, out_path);
	if (missing) {
		fprintf(stderr, PROG ": missing %s; generating needs --iccid, --imsi, --ki, "
			"--opc and --out (see --help)\n", missing);
		return EXIT_USAGE;
	}
	return generate(&params, out_path);
}
