/*
 * rsp-pki: makes test certificates for the SGP.22 RSP PKI and for operator client
 * authentication.
 *
 *   rsp-pki init --out DIR             a complete test PKI on P-256 and brainpoolP256r1
 *   rsp-pki issue --role ROLE ...      one certificate under an existing CI (or EUM) key
 *   rsp-pki operator-ca --out DIR      an operator CA for ES2+ client certificates
 *   rsp-pki operator-client ...        an operator's ES2+ client certificate
 *   rsp-pki show FILE                  what the pki layer reads from a certificate
 *
 * The certificates are for tests only: their keys are written unencrypted.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pki/cert.h"
#include "pki/chain.h"
#include "pki/issue.h"
#include "pki/testpki.h"

#define PROG "rsp-pki"
#define EXIT_USAGE 2
#define PATH_LEN 4096

/* ---- option values ---- */

static int parse_days(const char *cmd, const char *text, unsigned int *days)
{
	char *end = NULL;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value == 0 || value > 36500) {
		fprintf(stderr, "%s %s: invalid --days value '%s': give a whole number of days "
			"from 1 to 36500\n", PROG, cmd, text);
		return -1;
	}
	*days = (unsigned int)value;
	return 0;
}

static int parse_count(const char *cmd, const char *text, unsigned int *count)
{
	char *end = NULL;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value == 0 || value > TESTPKI_MAX_EUICC) {
		fprintf(stderr, "%s %s: invalid --euicc-count value '%s': give a number from 1 to "
			"%u\n", PROG, cmd, text, TESTPKI_MAX_EUICC);
		return -1;
	}
	*count = (unsigned int)value;
	return 0;
}

/* Parses a date YYYY-MM-DD (UTC midnight). */
static int parse_date(const char *cmd, const char *option, const char *text, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0') {
		fprintf(stderr, "%s %s: invalid %s value '%s': expected a date as YYYY-MM-DD\n",
			PROG, cmd, option, text);
		return -1;
	}
	*out = timegm(&tm);
	return 0;
}

static int check_eid(const char *cmd, const char *eid)
{
	if (testpki_eid_check(eid) == PKI_OK)
		return 0;
	fprintf(stderr, "%s %s: invalid EID '%s': expected 32 digits ending in ISO 7064 "
		"mod 97-10 check digits (for example %s)\n", PROG, cmd, eid, TESTPKI_DEFAULT_EID);
	return -1;
}

static int check_host(const char *cmd, const char *option, const char *host)
{
	size_t len = strlen(host), i;

	for (i = 0; i < len; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			break;
	}
	if (len > 0 && len <= 253 && i == len && host[0] != '.' && host[0] != '-')
		return 0;
	fprintf(stderr, "%s %s: invalid %s value '%s': expected a DNS host name of letters, "
		"digits, '-' and '.'\n", PROG, cmd, option, host);
	return -1;
}

static int check_oid(const char *cmd, const char *option, const char *oid)
{
	const char *p = oid;
	int arcs = 0;

	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			break;
		while (*p >= '0' && *p <= '9')
			p++;
		arcs++;
		if (*p == '.' && p[1] != '\0')
			p++;
		else
			break;
	}
	if (*p == '\0' && arcs >= 2 && oid[0] >= '0' && oid[0] <= '2')
		return 0;
	fprintf(stderr, "%s %s: invalid %s value '%s': expected a dotted OID such as 2.999.10\n",
		PROG, cmd, option, oid);
	return -1;
}

/* An operator identifier is a name component of certificates and of file names. */
static int check_operator_id(const char *cmd, const char *id)
{
	size_t len = strlen(id), i;

	for (i = 0; i < len; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			break;
	}
	if (len > 0 && len <= 64 && i == len)
		return 0;
	fprintf(stderr, "%s %s: invalid --operator value '%s': use 1 to 64 letters, digits, "
		"'-', '_' or '.'\n", PROG, cmd, id);
	return -1;
}

static int load_cert(const char *cmd, const char *option, const char *path, struct cert **out)
{
	int rc = cert_load_file(path, out);

	if (rc != PKI_OK)
		fprintf(stderr, "%s %s: cannot load %s certificate %s: %s\n", PROG, cmd, option, path,
			pki_status_str(rc));
	return rc == PKI_OK ? 0 : -1;
}

static int load_key(const char *cmd, const char *option, const char *path,
		    struct issue_key **out)
{
	int rc = issue_key_load_file(path, out);

	if (rc == PKI_E_IO)
		fprintf(stderr, "%s %s: cannot read %s key file %s\n", PROG, cmd, option, path);
	else if (rc != PKI_OK)
		fprintf(stderr, "%s %s: cannot load %s key %s: %s (expected a PEM or DER EC private "
			"key on P-256 or brainpoolP256r1)\n", PROG, cmd, option, path,
			pki_status_str(rc));
	return rc == PKI_OK ? 0 : -1;
}

/* Loads an issuer certificate and its key, and checks that they belong together. */
static int load_issuer(const char *cmd, const char *cert_option, const char *cert_path,
		       const char *key_option, const char *key_path, struct cert **cert,
		       struct issue_key **key)
{
	if (load_cert(cmd, cert_option, cert_path, cert) != 0 ||
	    load_key(cmd, key_option, key_path, key) != 0)
		return -1;
	if (issue_key_matches_cert(*key, *cert) != PKI_OK) {
		fprintf(stderr, "%s %s: key %s does not belong to certificate %s: give the key the "
			"certificate was issued for\n", PROG, cmd, key_path, cert_path);
		return -1;
	}
	return 0;
}

/* ---- init ---- */

static void usage_init(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " init --out DIR [options]\n"
		"Creates a complete SGP.22 test PKI per curve in DIR/nist/ and DIR/brp/: ci, eum,\n"
		"euicc, dpauth, dppb, dptls, dsauth and dstls, each as <name>.der, <name>.pem and\n"
		"<name>.key, plus dptls.chain.pem and dstls.chain.pem (certificate, CI, key).\n"
		"\n"
		"  --out DIR          output directory (created if missing)\n"
		"  --curves LIST      nist, brp or nist,brp (default both)\n"
		"  --eid EID          EID of the first eUICC, 32 digits with valid check digits\n"
		"                     (default %s); the EUM permits its first 8 digits\n"
		"  --euicc-count N    eUICC certificates per curve with consecutive EIDs: euicc,\n"
		"                     euicc-2, ... euicc-N (default 1)\n"
		"  --smdp-host HOST   DNS name in the SM-DP+ TLS certificate (default %s)\n"
		"  --smdp-oid OID     SM-DP+ OID in DPauth, DPpb and DPtls (default %s)\n"
		"  --smds-host HOST   DNS name in the SM-DS TLS certificate (default %s)\n"
		"  --smds-oid OID     SM-DS OID in DSauth and DStls (default %s)\n"
		"  --days N           validity of every certificate in days (default %u)\n",
		TESTPKI_DEFAULT_EID, TESTPKI_DEFAULT_SMDP_HOST, TESTPKI_DEFAULT_SMDP_OID,
		TESTPKI_DEFAULT_SMDS_HOST, TESTPKI_DEFAULT_SMDS_OID, TESTPKI_DEFAULT_DAYS);
}

static int parse_curves(const char *cmd, const char *text, unsigned int *curves)
{
	if (strcmp(text, "nist") == 0)
		*curves = TESTPKI_CURVE_NIST;
	else if (strcmp(text, "brp") == 0)
		*curves = TESTPKI_CURVE_BRP;
	else if (strcmp(text, "nist,brp") == 0 || strcmp(text, "brp,nist") == 0)
		*curves = TESTPKI_CURVE_NIST | TESTPKI_CURVE_BRP;
	else {
		fprintf(stderr, "%s %s: invalid --curves value '%s': use nist, brp or nist,brp\n",
			PROG, cmd, text);
		return -1;
	}
	return 0;
}

static int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "curves", required_argument, NULL, 'c' },
		{ "eid", required_argument, NULL, 'e' },
		{ "euicc-count", required_argument, NULL, 'n' },
		{ "smdp-host", required_argument, NULL, 'H' },
		{ "smdp-oid", required_argument, NULL, 'O' },
		{ "smds-host", required_argument, NULL, 's' },
		{ "smds-oid", required_argument, NULL, 'S' },
		{ "days", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct testpki_options o;
	char err[512];
	int opt, bad = 0;

	memset(&o, 0, sizeof(o));
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.out_dir = optarg; break;
		case 'c': bad |= parse_curves("init", optarg, &o.curves); break;
		case 'e': o.eid = optarg; bad |= check_eid("init", optarg); break;
		case 'n': bad |= parse_count("init", optarg, &o.euicc_count); break;
		case 'H': o.smdp_host = optarg; bad |= check_host("init", "--smdp-host", optarg); break;
		case 'O': o.smdp_oid = optarg; bad |= check_oid("init", "--smdp-oid", optarg); break;
		case 's': o.smds_host = optarg; bad |= check_host("init", "--smds-host", optarg); break;
		case 'S': o.smds_oid = optarg; bad |= check_oid("init", "--smds-oid", optarg); break;
		case 'd': bad |= parse_days("init", optarg, &o.days); break;
		case 'h': usage_init(stdout); return 0;
		default: usage_init(stderr); return EXIT_USAGE;
		}
	}
	if (bad)
		return EXIT_USAGE;
	if (optind < argc) {
		fprintf(stderr, "%s init: unexpected argument '%s'; see " PROG " init --help\n",
			PROG, argv[optind]);
		return EXIT_USAGE;
	}
	if (o.out_dir == NULL) {
		fprintf(stderr, "%s init: missing --out DIR: name the directory for the PKI\n", PROG);
		return EXIT_USAGE;
	}
	if (testpki_create(&o, err, sizeof(err)) != PKI_OK) {
		fprintf(stderr, "%s init: %s\n", PROG, err);
		return 1;
	}
	printf("test PKI written to %s\n", o.out_dir);
	return 0;
}

/* ---- issue ---- */

static void usage_issue(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " issue --role ROLE --out PREFIX [options]\n"
		"Issues one certificate and writes PREFIX.der, PREFIX.pem, PREFIX.key and, for\n"
		"dptls and dstls, PREFIX.chain.pem (certificate, CI certificate, key).\n"
		"\n"
		"  --role ROLE          ci, eum, euicc, dpauth, dppb, dptls, dsauth or dstls\n"
		"  --out PREFIX         output file name without extension\n"
		"  --ci-cert FILE       CI certificate (DER or PEM); required except for euicc\n"
		"  --ci-key FILE        CI private key; required except for euicc (for ci: the key\n"
		"                       to certify again, otherwise a new one is made)\n"
		"  --issuer-cert FILE   EUM certificate issuing an euicc certificate\n"
		"  --issuer-key FILE    EUM private key issuing an euicc certificate\n"
		"  --key FILE           certify this private key instead of making a new one\n"
		"  --curve nist|brp     curve of a new key (default: the issuer's curve)\n"
		"  --host NAME          DNS name of dptls/dstls (default %s / %s)\n"
		"  --oid OID            SubjectAltName registeredID (default %s for the SM-DP+,\n"
		"                       %s for the SM-DS, %s for the CI, %s for the EUM)\n"
		"  --eid EID            EID of an euicc certificate (default %s)\n"
		"  --ein DIGITS         EID prefix an eum certificate permits (default 89086030)\n"
		"  --permitted-eins     eum: carry the EID prefix in the GSMA permittedEins\n"
		"                       extension instead of nameConstraints\n"
		"  --organization NAME  O of eum and euicc certificates (default RSP Test EUM)\n"
		"  --days N             validity in days from yesterday (default %u)\n"
		"  --not-before DATE    start of validity, YYYY-MM-DD (UTC); overrides --days\n"
		"  --not-after DATE     end of validity, YYYY-MM-DD (UTC); with --not-before\n",
		TESTPKI_DEFAULT_SMDP_HOST, TESTPKI_DEFAULT_SMDS_HOST, TESTPKI_DEFAULT_SMDP_OID,
		TESTPKI_DEFAULT_SMDS_OID, TESTPKI_CI_OID, TESTPKI_EUM_OID, TESTPKI_DEFAULT_EID,
		TESTPKI_DEFAULT_DAYS);
}

struct issue_args {
	const char *role, *out, *ci_cert, *ci_key, *issuer_cert, *issuer_key, *key, *curve;
	const char *host, *oid, *eid, *ein, *organization;
	int permitted_eins;
	unsigned int days;
	time_t not_before, not_after;
};

static int parse_role(const char *text, enum cert_role *role)
{
	static const struct {
		const char *name;
		enum cert_role role;
	} roles[] = {
		{ "ci", CERT_ROLE_CI }, { "eum", CERT_ROLE_EUM }, { "euicc", CERT_ROLE_EUICC },
		{ "dpauth", CERT_ROLE_DP_AUTH }, { "dppb", CERT_ROLE_DP_PB },
		{ "dptls", CERT_ROLE_DP_TLS }, { "dsauth", CERT_ROLE_DS_AUTH },
		{ "dstls", CERT_ROLE_DS_TLS },
	};
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (strcmp(text, roles[i].name) == 0) {
			*role = roles[i].role;
			return 0;
		}
	}
	return -1;
}

/* Fills the role's defaults for host, OID, EID and EIN the user did not give. */
static void issue_defaults(struct issue_args *a, enum cert_role role)
{
	int smds = role == CERT_ROLE_DS_AUTH || role == CERT_ROLE_DS_TLS;

	if (a->host == NULL)
		a->host = smds ? TESTPKI_DEFAULT_SMDS_HOST : TESTPKI_DEFAULT_SMDP_HOST;
	if (a->oid == NULL) {
		if (role == CERT_ROLE_CI)
			a->oid = TESTPKI_CI_OID;
		else if (role == CERT_ROLE_EUM)
			a->oid = TESTPKI_EUM_OID;
		else if (role != CERT_ROLE_EUICC)
			a->oid = smds ? TESTPKI_DEFAULT_SMDS_OID : TESTPKI_DEFAULT_SMDP_OID;
	}
	if (a->eid == NULL)
		a->eid = TESTPKI_DEFAULT_EID;
	if (a->ein == NULL)
		a->ein = "89086030";
	if (a->days == 0)
		a->days = TESTPKI_DEFAULT_DAYS;
}

/* O of the EUM and eUICC subjects: printable, and free of the name separators of mbedTLS. */
static int check_organization(const char *org)
{
	size_t len = strlen(org), i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)org[i];

		if (c < 0x20 || c > 0x7e || strchr(",=+\\\"<>;", c) != NULL)
			break;
	}
	if (len > 0 && len <= 64 && i == len)
		return 0;
	fprintf(stderr, "%s issue: invalid --organization value '%s': use 1 to 64 printable "
		"characters without , = + \\ \" < > ;\n", PROG, org);
	return -1;
}

static int check_ein(const char *ein)
{
	size_t len = strlen(ein), i;

	for (i = 0; i < len; i++) {
		if (ein[i] < '0' || ein[i] > '9')
			break;
	}
	if (len > 0 && len <= RSP_EID_DIGITS && i == len)
		return 0;
	fprintf(stderr, "%s issue: invalid --ein value '%s': expected 1 to 32 digits, the EID "
		"prefix of the EUM\n", PROG, ein);
	return -1;
}

/* Picks the subject key: --key, the CI's own key for a CI, or a new one. */
static int issue_subject_key(const struct issue_args *a, enum cert_role role,
			     const struct issue_key *signer_key, struct issue_key **key)
{
	enum pki_curve curve = issue_key_curve(signer_key);
	int rc;

	if (a->key != NULL)
		return load_key("issue", "--key", a->key, key);
	if (role == CERT_ROLE_CI && a->ci_key != NULL)
		return load_key("issue", "--ci-key", a->ci_key, key);
	if (a->curve != NULL) {
		if (strcmp(a->curve, "nist") == 0) {
			curve = PKI_CURVE_P256;
		} else if (strcmp(a->curve, "brp") == 0) {
			curve = PKI_CURVE_BRAINPOOLP256R1;
		} else {
			fprintf(stderr, "%s issue: invalid --curve value '%s': use nist or brp\n",
				PROG, a->curve);
			return -1;
		}
	}
	if (curve == PKI_CURVE_NONE)
		curve = PKI_CURVE_P256;
	if (signer_key != NULL && curve != issue_key_curve(signer_key))
		fprintf(stderr, "%s issue: note: the new key is on %s but the issuer's on %s; SGP.22 "
			"chains use one curve\n", PROG, pki_curve_name(curve),
			pki_curve_name(issue_key_curve(signer_key)));
	rc = issue_key_generate(curve, key);
	if (rc != PKI_OK)
		fprintf(stderr, "%s issue: cannot generate a %s key: %s\n", PROG,
			pki_curve_name(curve), pki_status_str(rc));
	return rc == PKI_OK ? 0 : -1;
}

static int issue_checks(struct issue_args *a, enum cert_role role)
{
	if (a->out == NULL) {
		fprintf(stderr, "%s issue: missing --out PREFIX: name the output files\n", PROG);
		return -1;
	}
	if (role == CERT_ROLE_EUICC && (a->issuer_cert == NULL || a->issuer_key == NULL)) {
		fprintf(stderr, "%s issue: an euicc certificate needs --issuer-cert and --issuer-key "
			"of its EUM\n", PROG);
		return -1;
	}
	if (role != CERT_ROLE_EUICC && role != CERT_ROLE_CI &&
	    (a->ci_cert == NULL || a->ci_key == NULL)) {
		fprintf(stderr, "%s issue: role %s needs --ci-cert and --ci-key of the issuing CI\n",
			PROG, a->role);
		return -1;
	}
	if ((a->not_before != 0) != (a->not_after != 0)) {
		fprintf(stderr, "%s issue: give --not-before and --not-after together\n", PROG);
		return -1;
	}
	if (a->not_before != 0 && a->not_before >= a->not_after) {
		fprintf(stderr, "%s issue: --not-before must come before --not-after\n", PROG);
		return -1;
	}
	issue_defaults(a, role);
	if (role == CERT_ROLE_EUICC && check_eid("issue", a->eid) != 0)
		return -1;
	if (role == CERT_ROLE_EUM && check_ein(a->ein) != 0)
		return -1;
	if (a->organization != NULL && check_organization(a->organization) != 0)
		return -1;
	if (check_host("issue", "--host", a->host) != 0)
		return -1;
	if (a->oid != NULL && check_oid("issue", "--oid", a->oid) != 0)
		return -1;
	return 0;
}

static int run_issue(struct issue_args *a, enum cert_role role)
{
	struct issue_params p;
	struct cert *issuer = NULL, *ci = NULL;
	struct issue_key *issuer_key = NULL, *key = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	char err[512];
	time_t now = time(NULL);
	int rc = 1;

	if (role == CERT_ROLE_EUICC) {
		if (load_issuer("issue", "--issuer-cert", a->issuer_cert, "--issuer-key",
				a->issuer_key, &issuer, &issuer_key) != 0)
			goto out;
	} else if (role != CERT_ROLE_CI) {
		if (load_issuer("issue", "--ci-cert", a->ci_cert, "--ci-key", a->ci_key, &issuer,
				&issuer_key) != 0)
			goto out;
		ci = issuer;
	}
	if (issue_subject_key(a, role, issuer_key, &key) != 0)
		goto out;

	memset(&p, 0, sizeof(p));
	p.profile = ISSUE_PROFILE_RSP;
	p.role = role;
	p.eid = a->eid;
	p.ein = a->ein;
	p.ein_as_permitted_eins = a->permitted_eins;
	p.organization = a->organization;
	p.host = a->host;
	p.oid = a->oid;
	p.not_before = a->not_before != 0 ? a->not_before : now - 86400;
	p.not_after = a->not_after != 0 ? a->not_after : now + (time_t)a->days * 86400;
	p.subject_key = key;
	p.issuer_cert = issuer;
	p.issuer_key = issuer_key;
	rc = issue_certificate(&p, &der, &der_len);
	if (rc != PKI_OK) {
		fprintf(stderr, "%s issue: cannot issue the %s certificate: %s\n", PROG, a->role,
			pki_status_str(rc));
		rc = 1;
		goto out;
	}
	rc = testpki_write_files(a->out, der, der_len, key,
				 role == CERT_ROLE_DP_TLS || role == CERT_ROLE_DS_TLS ? ci : NULL,
				 err, sizeof(err));
	if (rc != PKI_OK) {
		fprintf(stderr, "%s issue: %s\n", PROG, err);
		rc = 1;
		goto out;
	}
	printf("%s certificate written to %s.pem\n", a->role, a->out);
	rc = 0;
out:
	free(der);
	issue_key_free(key);
	issue_key_free(issuer_key);
	cert_free(issuer);
	return rc;
}

static int cmd_issue(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "ci-cert", required_argument, NULL, 'c' },
		{ "ci-key", required_argument, NULL, 'k' },
		{ "issuer-cert", required_argument, NULL, 'C' },
		{ "issuer-key", required_argument, NULL, 'K' },
		{ "key", required_argument, NULL, 'y' },
		{ "curve", required_argument, NULL, 'u' },
		{ "host", required_argument, NULL, 'H' },
		{ "oid", required_argument, NULL, 'O' },
		{ "eid", required_argument, NULL, 'e' },
		{ "ein", required_argument, NULL, 'E' },
		{ "organization", required_argument, NULL, 'g' },
		{ "permitted-eins", no_argument, NULL, 'P' },
		{ "days", required_argument, NULL, 'd' },
		{ "not-before", required_argument, NULL, 'b' },
		{ "not-after", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct issue_args a;
	enum cert_role role = CERT_ROLE_NONE;
	int opt, bad = 0;

	memset(&a, 0, sizeof(a));
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': a.role = optarg; break;
		case 'o': a.out = optarg; break;
		case 'c': a.ci_cert = optarg; break;
		case 'k': a.ci_key = optarg; break;
		case 'C': a.issuer_cert = optarg; break;
		case 'K': a.issuer_key = optarg; break;
		case 'y': a.key = optarg; break;
		case 'u': a.curve = optarg; break;
		case 'H': a.host = optarg; break;
		case 'O': a.oid = optarg; break;
		case 'e': a.eid = optarg; break;
		case 'E': a.ein = optarg; break;
		case 'g': a.organization = optarg; break;
		case 'P': a.permitted_eins = 1; break;
		case 'd': bad |= parse_days("issue", optarg, &a.days); break;
		case 'b': bad |= parse_date("issue", "--not-before", optarg, &a.not_before); break;
		case 'a': bad |= parse_date("issue", "--not-after", optarg, &a.not_after); break;
		case 'h': usage_issue(stdout); return 0;
		default: usage_issue(stderr); return EXIT_USAGE;
		}
	}
	if (bad)
		return EXIT_USAGE;
	if (optind < argc) {
		fprintf(stderr, "%s issue: unexpected argument '%s'; see " PROG " issue --help\n",
			PROG, argv[optind]);
		return EXIT_USAGE;
	}
	if (a.role == NULL || parse_role(a.role, &role) != 0) {
		fprintf(stderr, "%s issue: %s --role: use ci, eum, euicc, dpauth, dppb, dptls, "
			"dsauth or dstls\n", PROG, a.role == NULL ? "missing" : "invalid");
		return EXIT_USAGE;
	}
	if (issue_checks(&a, role) != 0)
		return EXIT_USAGE;
	return run_issue(&a, role);
}

/* ---- operator CA and client certificates ---- */

static void usage_operator_ca(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " operator-ca --out DIR [--days N]\n"
		"Creates a P-256 operator CA for ES2+ client certificates: DIR/ca.der, DIR/ca.pem\n"
		"and DIR/ca.key. The SM-DP+ trusts DIR/ca.pem for ES2+ clients.\n"
		"\n"
		"  --out DIR   output directory (created if missing)\n"
		"  --days N    validity in days (default %u)\n", TESTPKI_DEFAULT_DAYS);
}

static void usage_operator_client(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " operator-client --ca-dir DIR --operator ID --out PREFIX [--days N]\n"
		"Issues an ES2+ client certificate (extended key usage clientAuth) whose subject CN\n"
		"and O are the operator ID, under the operator CA in DIR (from operator-ca). Writes\n"
		"PREFIX.der, PREFIX.pem, PREFIX.key and PREFIX.chain.pem (certificate, CA, key).\n"
		"\n"
		"  --ca-dir DIR     directory with ca.pem and ca.key\n"
		"  --operator ID    operator identifier: 1 to 64 letters, digits, '-', '_', '.'\n"
		"  --out PREFIX     output file name without extension\n"
		"  --days N         validity in days (default %u)\n", TESTPKI_DEFAULT_DAYS);
}

static int write_operator_cert(const char *cmd, struct issue_params *p, const char *prefix,
			       const struct cert *ca)
{
	uint8_t *der = NULL;
	char err[512];
	size_t der_len = 0;
	int rc;

	rc = issue_certificate(p, &der, &der_len);
	if (rc != PKI_OK) {
		fprintf(stderr, "%s %s: cannot issue the certificate: %s\n", PROG, cmd,
			pki_status_str(rc));
		return 1;
	}
	rc = testpki_write_files(prefix, der, der_len, p->subject_key, ca, err, sizeof(err));
	free(der);
	if (rc != PKI_OK) {
		fprintf(stderr, "%s %s: %s\n", PROG, cmd, err);
		return 1;
	}
	printf("certificate written to %s.pem\n", prefix);
	return 0;
}

static int cmd_operator_ca(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "days", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct issue_params p;
	struct issue_key *key = NULL;
	const char *dir = NULL;
	char prefix[PATH_LEN];
	unsigned int days = TESTPKI_DEFAULT_DAYS;
	time_t now = time(NULL);
	int opt, bad = 0, rc;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': dir = optarg; break;
		case 'd': bad |= parse_days("operator-ca", optarg, &days); break;
		case 'h': usage_operator_ca(stdout); return 0;
		default: usage_operator_ca(stderr); return EXIT_USAGE;
		}
	}
	if (bad)
		return EXIT_USAGE;
	if (dir == NULL || optind < argc) {
		fprintf(stderr, "%s operator-ca: %s; see " PROG " operator-ca --help\n", PROG,
			dir == NULL ? "missing --out DIR" : "unexpected argument");
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s operator-ca: cannot create directory %s: %s\n", PROG, dir,
			strerror(errno));
		return 1;
	}
	if ((size_t)snprintf(prefix, sizeof(prefix), "%s/ca", dir) >= sizeof(prefix)) {
		fprintf(stderr, "%s operator-ca: directory name too long: %s\n", PROG, dir);
		return EXIT_USAGE;
	}
	if (issue_key_generate(PKI_CURVE_P256, &key) != PKI_OK) {
		fprintf(stderr, "%s operator-ca: cannot generate a P-256 key\n", PROG);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	p.profile = ISSUE_PROFILE_OPERATOR_CA;
	p.not_before = now - 86400;
	p.not_after = now + (time_t)days * 86400;
	p.subject_key = key;
	rc = write_operator_cert("operator-ca", &p, prefix, NULL);
	issue_key_free(key);
	return rc;
}

static int cmd_operator_client(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "operator", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "days", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ca_dir = NULL, *id = NULL, *out = NULL;
	char ca_cert_path[PATH_LEN], ca_key_path[PATH_LEN], subject[160];
	struct issue_params p;
	struct cert *ca = NULL;
	struct issue_key *ca_key = NULL, *key = NULL;
	unsigned int days = TESTPKI_DEFAULT_DAYS;
	time_t now = time(NULL);
	int opt, bad = 0, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': ca_dir = optarg; break;
		case 'i': id = optarg; bad |= check_operator_id("operator-client", optarg); break;
		case 'o': out = optarg; break;
		case 'd': bad |= parse_days("operator-client", optarg, &days); break;
		case 'h': usage_operator_client(stdout); return 0;
		default: usage_operator_client(stderr); return EXIT_USAGE;
		}
	}
	if (bad)
		return EXIT_USAGE;
	if (ca_dir == NULL || id == NULL || out == NULL || optind < argc) {
		fprintf(stderr, "%s operator-client: --ca-dir, --operator and --out are required; "
			"see " PROG " operator-client --help\n", PROG);
		return EXIT_USAGE;
	}
	if ((size_t)snprintf(ca_cert_path, sizeof(ca_cert_path), "%s/ca.pem", ca_dir) >=
	    sizeof(ca_cert_path) ||
	    (size_t)snprintf(ca_key_path, sizeof(ca_key_path), "%s/ca.key", ca_dir) >=
	    sizeof(ca_key_path)) {
		fprintf(stderr, "%s operator-client: directory name too long: %s\n", PROG, ca_dir);
		return EXIT_USAGE;
	}
	if (load_issuer("operator-client", "CA", ca_cert_path, "CA", ca_key_path, &ca,
			&ca_key) != 0)
		goto out;
	if (issue_key_generate(PKI_CURVE_P256, &key) != PKI_OK) {
		fprintf(stderr, "%s operator-client: cannot generate a P-256 key\n", PROG);
		goto out;
	}
	snprintf(subject, sizeof(subject), "O=%s,CN=%s", id, id);
	memset(&p, 0, sizeof(p));
	p.profile = ISSUE_PROFILE_OPERATOR_CLIENT;
	p.subject = subject;
	p.not_before = now - 86400;
	p.not_after = now + (time_t)days * 86400;
	p.subject_key = key;
	p.issuer_cert = ca;
	p.issuer_key = ca_key;
	rc = write_operator_cert("operator-client", &p, out, ca);
out:
	issue_key_free(key);
	issue_key_free(ca_key);
	cert_free(ca);
	return rc;
}

/* ---- show ---- */

static void print_hex(const char *label, const uint8_t *bytes, size_t len)
{
	size_t i;

	printf("%-16s", label);
	for (i = 0; i < len; i++)
		printf("%02X", bytes[i]);
	printf("%s\n", len == 0 ? "(none)" : "");
}

static void print_time(const char *label, time_t t)
{
	char text[64];
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL && strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC",
						  &tm) > 0)
		printf("%-16s%s\n", label, text);
}

static int cmd_show(int argc, char **argv)
{
	struct cert *cert = NULL;
	size_t i;

	if (argc != 2 || strcmp(argv[1], "--help") == 0) {
		printf("Usage: " PROG " show FILE\n"
		       "Prints what the pki layer reads from a certificate (DER or PEM): role, curve,\n"
		       "key identifiers, validity, EID, SubjectAltName and the EUM's EID range.\n");
		return argc == 2 ? 0 : EXIT_USAGE;
	}
	if (load_cert("show", "the", argv[1], &cert) != 0)
		return 1;
	printf("%-16s%s\n", "role", cert_role_name(cert->role));
	printf("%-16s%s\n", "curve", pki_curve_name(cert->curve));
	print_hex("SKI", cert->ski, cert->ski_len);
	print_hex("AKI", cert->aki, cert->aki_len);
	printf("%-16s0x%02X%s\n", "key usage", cert->key_usage, cert->is_ca ? " (CA)" : "");
	print_time("not before", cert->not_before);
	print_time("not after", cert->not_after);
	if (cert->serial_number[0] != '\0')
		printf("%-16s%s\n", "serialNumber", cert->serial_number);
	if (cert->san_oid[0] != '\0')
		printf("%-16s%s\n", "SAN OID", cert->san_oid);
	if (cert->san_dns[0] != '\0')
		printf("%-16s%s\n", "SAN DNS", cert->san_dns);
	for (i = 0; i < cert->ein_prefix_count; i++)
		printf("%-16s%s*\n", "permitted EIDs", cert->ein_prefixes[i]);
	cert_free(cert);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " COMMAND [options]\n"
		"Makes test certificates for the SGP.22 RSP PKI and for ES2+ operator clients.\n"
		"\n"
		"Commands:\n"
		"  init              create a complete test PKI on P-256 and brainpoolP256r1\n"
		"  issue             issue one certificate under an existing CI or EUM\n"
		"  operator-ca       create an operator CA for ES2+ client certificates\n"
		"  operator-client   issue an operator's ES2+ client certificate\n"
		"  show              print what the pki layer reads from a certificate\n"
		"\n"
		"Run " PROG " COMMAND --help for the options of a command.\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "init", cmd_init },
		{ "issue", cmd_issue },
		{ "operator-ca", cmd_operator_ca },
		{ "operator-client", cmd_operator_client },
		{ "show", cmd_show },
	};
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'; run " PROG " --help for the list\n", PROG,
		argv[1]);
	return EXIT_USAGE;
}
