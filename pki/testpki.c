/*
 * The test RSP PKI on disk: one CI per curve with an EUM, eUICCs and the SM-DP+ and SM-DS
 * certificates under it, shaped like the SGP.26 test certificates (see pki/issue.c).
 */
#include "pki/testpki.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#define PEM_CERT_MAX 4096
#define PEM_KEY_MAX  1024
#define PATH_MAX_LEN 4096

static void set_error(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_error(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
}

/* ---- EIDs ---- */

/* The remainder of a decimal digit string modulo 97. */
static unsigned int mod97(const char *digits, size_t len)
{
	unsigned int r = 0;
	size_t i;

	for (i = 0; i < len; i++)
		r = (r * 10 + (unsigned int)(digits[i] - '0')) % 97;
	return r;
}

static int is_eid_syntax(const char *eid)
{
	size_t i;

	if (eid == NULL || strlen(eid) != RSP_EID_DIGITS)
		return 0;
	for (i = 0; i < RSP_EID_DIGITS; i++) {
		if (eid[i] < '0' || eid[i] > '9')
			return 0;
	}
	return 1;
}

int testpki_eid_check(const char *eid)
{
	if (!is_eid_syntax(eid))
		return PKI_E_INVALID_ARG;
	return mod97(eid, RSP_EID_DIGITS) == 1 ? PKI_OK : PKI_E_INVALID_ARG;
}

int testpki_eid_offset(const char *eid, unsigned int offset, char out[RSP_EID_DIGITS + 1])
{
	char digits[RSP_EID_DIGITS + 3];
	unsigned int carry = offset, check;
	int i;

	if (!is_eid_syntax(eid) || out == NULL)
		return PKI_E_INVALID_ARG;
	memcpy(digits, eid, RSP_EID_DIGITS - 2);
	for (i = RSP_EID_DIGITS - 3; i >= 0 && carry != 0; i--) {
		unsigned int d = (unsigned int)(digits[i] - '0') + carry;

		digits[i] = (char)('0' + d % 10);
		carry = d / 10;
	}
	if (carry != 0 || memcmp(digits, eid, TESTPKI_EIN_DIGITS) != 0)
		return PKI_E_INVALID_ARG;

	/* ISO 7064 mod 97-10: the check digits are 98 - (number * 100 mod 97). */
	digits[RSP_EID_DIGITS - 2] = '0';
	digits[RSP_EID_DIGITS - 1] = '0';
	check = 98 - mod97(digits, RSP_EID_DIGITS);
	digits[RSP_EID_DIGITS - 2] = (char)('0' + check / 10);
	digits[RSP_EID_DIGITS - 1] = (char)('0' + check % 10);
	memcpy(out, digits, RSP_EID_DIGITS);
	out[RSP_EID_DIGITS] = '\0';
	return PKI_OK;
}

/* ---- files ---- */

/* Writes a file in one go; private keys get mode 0600. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
		      size_t err_size)
{
	int fd;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		set_error(err, err_size, "cannot create %s: %s", path, strerror(errno));
		return PKI_E_IO;
	}
	/* An existing file keeps its mode through O_TRUNC; a key file must not stay readable. */
	if (fchmod(fd, mode) != 0) {
		set_error(err, err_size, "cannot set the mode of %s: %s", path, strerror(errno));
		close(fd);
		return PKI_E_IO;
	}
	n = write(fd, data, len);
	if (n < 0 || (size_t)n != len) {
		set_error(err, err_size, "cannot write %s: %s", path,
			  n < 0 ? strerror(errno) : "short write");
		close(fd);
		return PKI_E_IO;
	}
	if (close(fd) != 0) {
		set_error(err, err_size, "cannot write %s: %s", path, strerror(errno));
		return PKI_E_IO;
	}
	return PKI_OK;
}

static int make_path(char *path, size_t size, const char *prefix, const char *suffix, char *err,
		     size_t err_size)
{
	int n = snprintf(path, size, "%s%s", prefix, suffix);

	if (n < 0 || (size_t)n >= size) {
		set_error(err, err_size, "path too long: %s%s", prefix, suffix);
		return PKI_E_INVALID_ARG;
	}
	return PKI_OK;
}

int testpki_write_files(const char *prefix, const uint8_t *der, size_t der_len,
			const struct issue_key *key, const struct cert *chain_ci, char *err,
			size_t err_size)
{
	char path[PATH_MAX_LEN];
	char *cert_pem = NULL, *key_pem = NULL, *chain = NULL, *ci_pem = NULL;
	size_t chain_len;
	int rc = PKI_E_NOMEM;

	cert_pem = malloc(PEM_CERT_MAX);
	ci_pem = malloc(PEM_CERT_MAX);
	key_pem = malloc(PEM_KEY_MAX);
	chain = malloc(2 * PEM_CERT_MAX + PEM_KEY_MAX);
	if (cert_pem == NULL || ci_pem == NULL || key_pem == NULL || chain == NULL) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	rc = issue_cert_to_pem(der, der_len, cert_pem, PEM_CERT_MAX);
	if (rc == PKI_OK)
		rc = issue_key_write_pem(key, key_pem, PEM_KEY_MAX);
	if (rc != PKI_OK) {
		set_error(err, err_size, "cannot encode the certificate or key of %s as PEM", prefix);
		goto out;
	}

	rc = make_path(path, sizeof(path), prefix, ".der", err, err_size);
	if (rc == PKI_OK)
		rc = write_file(path, der, der_len, 0644, err, err_size);
	if (rc == PKI_OK)
		rc = make_path(path, sizeof(path), prefix, ".pem", err, err_size);
	if (rc == PKI_OK)
		rc = write_file(path, cert_pem, strlen(cert_pem), 0644, err, err_size);
	if (rc == PKI_OK)
		rc = make_path(path, sizeof(path), prefix, ".key", err, err_size);
	if (rc == PKI_OK)
		rc = write_file(path, key_pem, strlen(key_pem), 0600, err, err_size);
	if (rc != PKI_OK || chain_ci == NULL)
		goto out;

	rc = issue_cert_to_pem(chain_ci->der, chain_ci->der_len, ci_pem, PEM_CERT_MAX);
	if (rc != PKI_OK) {
		set_error(err, err_size, "cannot encode the CI certificate of %s as PEM", prefix);
		goto out;
	}
	chain_len = (size_t)snprintf(chain, 2 * PEM_CERT_MAX + PEM_KEY_MAX, "%s%s%s", cert_pem,
				     ci_pem, key_pem);
	rc = make_path(path, sizeof(path), prefix, ".chain.pem", err, err_size);
	if (rc == PKI_OK)
		rc = write_file(path, chain, chain_len, 0600, err, err_size);
out:
	if (key_pem != NULL)
		mbedtls_platform_zeroize(key_pem, PEM_KEY_MAX);
	if (chain != NULL)
		mbedtls_platform_zeroize(chain, 2 * PEM_CERT_MAX + PEM_KEY_MAX);
	free(chain);
	free(key_pem);
	free(ci_pem);
	free(cert_pem);
	return rc;
}

/* ---- the PKI of one curve ---- */

struct curve_run {
	const struct testpki_options *options;
	enum pki_curve curve;
	char dir[PATH_MAX_LEN];
	time_t not_before, not_after;
	char *err;
	size_t err_size;
};

/*
 * Issues one certificate with a new key under issuer (NULL: self-signed CI) and writes it as
 * DIR/<name>.*. *cert_out and *key_out, when not NULL, receive the parsed certificate and the
 * key for issuing further certificates.
 */
static int issue_to_files(struct curve_run *run, struct issue_params *params, const char *name,
			  const struct cert *chain_ci, struct cert **cert_out,
			  struct issue_key **key_out)
{
	char prefix[PATH_MAX_LEN];
	struct issue_key *key = NULL;
	struct cert *cert = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc;

	rc = make_path(prefix, sizeof(prefix), run->dir, name, run->err, run->err_size);
	if (rc != PKI_OK)
		goto out;
	rc = issue_key_generate(run->curve, &key);
	if (rc != PKI_OK) {
		set_error(run->err, run->err_size, "cannot generate a %s key for %s",
			  pki_curve_name(run->curve), prefix);
		goto out;
	}
	params->subject_key = key;
	params->not_before = run->not_before;
	params->not_after = run->not_after;
	rc = issue_certificate(params, &der, &der_len);
	if (rc == PKI_OK)
		rc = cert_parse(der, der_len, &cert);
	if (rc != PKI_OK) {
		set_error(run->err, run->err_size, "cannot issue %s: %s", prefix,
			  pki_status_str(rc));
		goto out;
	}
	rc = testpki_write_files(prefix, der, der_len, key, chain_ci, run->err, run->err_size);
	if (rc != PKI_OK)
		goto out;
	if (cert_out != NULL) {
		*cert_out = cert;
		cert = NULL;
	}
	if (key_out != NULL) {
		*key_out = key;
		key = NULL;
	}
out:
	free(der);
	cert_free(cert);
	issue_key_free(key);
	return rc;
}

static int make_dir(const char *path, char *err, size_t err_size)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		set_error(err, err_size, "cannot create directory %s: %s", path, strerror(errno));
		return PKI_E_IO;
	}
	return PKI_OK;
}

/* The eUICC certificates: euicc, euicc-2, ... with consecutive EIDs. */
static int issue_euiccs(struct curve_run *run, const struct cert *eum,
			const struct issue_key *eum_key)
{
	const struct testpki_options *o = run->options;
	unsigned int count = o->euicc_count != 0 ? o->euicc_count : 1, i;
	int rc = PKI_OK;

	for (i = 0; i < count && rc == PKI_OK; i++) {
		struct issue_params p = { .profile = ISSUE_PROFILE_RSP, .role = CERT_ROLE_EUICC };
		char eid[RSP_EID_DIGITS + 1], name[32];

		rc = testpki_eid_offset(o->eid, i, eid);
		if (rc != PKI_OK) {
			set_error(run->err, run->err_size,
				  "EID %s plus %u leaves the EIN %.8s: choose a smaller --euicc-count",
				  o->eid, i, o->eid);
			break;
		}
		if (i == 0)
			snprintf(name, sizeof(name), "/euicc");
		else
			snprintf(name, sizeof(name), "/euicc-%u", i + 1);
		p.eid = eid;
		p.issuer_cert = eum;
		p.issuer_key = eum_key;
		rc = issue_to_files(run, &p, name, NULL, NULL, NULL);
	}
	return rc;
}

/* The SM-DP+ and SM-DS certificates, all issued by the CI. */
static int issue_servers(struct curve_run *run, const struct cert *ci,
			 const struct issue_key *ci_key)
{
	static const struct {
		enum cert_role role;
		const char *name;
		int smds, tls;
	} servers[] = {
		{ CERT_ROLE_DP_AUTH, "/dpauth", 0, 0 },
		{ CERT_ROLE_DP_PB, "/dppb", 0, 0 },
		{ CERT_ROLE_DP_TLS, "/dptls", 0, 1 },
		{ CERT_ROLE_DS_AUTH, "/dsauth", 1, 0 },
		{ CERT_ROLE_DS_TLS, "/dstls", 1, 1 },
	};
	const struct testpki_options *o = run->options;
	size_t i;
	int rc = PKI_OK;

	for (i = 0; i < sizeof(servers) / sizeof(servers[0]) && rc == PKI_OK; i++) {
		struct issue_params p = { .profile = ISSUE_PROFILE_RSP, .role = servers[i].role };

		p.host = servers[i].smds ? o->smds_host : o->smdp_host;
		p.oid = servers[i].smds ? o->smds_oid : o->smdp_oid;
		p.issuer_cert = ci;
		p.issuer_key = ci_key;
		rc = issue_to_files(run, &p, servers[i].name, servers[i].tls ? ci : NULL, NULL, NULL);
	}
	return rc;
}

static int create_curve(struct curve_run *run)
{
	struct issue_params p;
	struct cert *ci = NULL, *eum = NULL;
	struct issue_key *ci_key = NULL, *eum_key = NULL;
	char ein[TESTPKI_EIN_DIGITS + 1];
	int rc;

	rc = make_dir(run->dir, run->err, run->err_size);
	if (rc != PKI_OK)
		goto out;

	memset(&p, 0, sizeof(p));
	p.profile = ISSUE_PROFILE_RSP;
	p.role = CERT_ROLE_CI;
	p.oid = TESTPKI_CI_OID;
	rc = issue_to_files(run, &p, "/ci", NULL, &ci, &ci_key);
	if (rc != PKI_OK)
		goto out;

	memcpy(ein, run->options->eid, TESTPKI_EIN_DIGITS);
	ein[TESTPKI_EIN_DIGITS] = '\0';
	memset(&p, 0, sizeof(p));
	p.profile = ISSUE_PROFILE_RSP;
	p.role = CERT_ROLE_EUM;
	p.ein = ein;
	p.oid = TESTPKI_EUM_OID;
	p.issuer_cert = ci;
	p.issuer_key = ci_key;
	rc = issue_to_files(run, &p, "/eum", NULL, &eum, &eum_key);
	if (rc != PKI_OK)
		goto out;

	rc = issue_euiccs(run, eum, eum_key);
	if (rc == PKI_OK)
		rc = issue_servers(run, ci, ci_key);
out:
	issue_key_free(eum_key);
	issue_key_free(ci_key);
	cert_free(eum);
	cert_free(ci);
	return rc;
}

int testpki_create(const struct testpki_options *options, char *err, size_t err_size)
{
	static const struct {
		unsigned int bit;
		enum pki_curve curve;
		const char *dir;
	} curves[] = {
		{ TESTPKI_CURVE_NIST, PKI_CURVE_P256, "/nist" },
		{ TESTPKI_CURVE_BRP, PKI_CURVE_BRAINPOOLP256R1, "/brp" },
	};
	struct testpki_options o;
	struct curve_run run;
	size_t i;
	int rc;

	if (options == NULL || options->out_dir == NULL) {
		set_error(err, err_size, "no output directory given");
		return PKI_E_INVALID_ARG;
	}
	o = *options;
	if (o.curves == 0)
		o.curves = TESTPKI_CURVE_NIST | TESTPKI_CURVE_BRP;
	if (o.eid == NULL)
		o.eid = TESTPKI_DEFAULT_EID;
	if (o.smdp_host == NULL)
		o.smdp_host = TESTPKI_DEFAULT_SMDP_HOST;
	if (o.smdp_oid == NULL)
		o.smdp_oid = TESTPKI_DEFAULT_SMDP_OID;
	if (o.smds_host == NULL)
		o.smds_host = TESTPKI_DEFAULT_SMDS_HOST;
	if (o.smds_oid == NULL)
		o.smds_oid = TESTPKI_DEFAULT_SMDS_OID;
	if (o.days == 0)
		o.days = TESTPKI_DEFAULT_DAYS;
	if (o.now == 0)
		o.now = time(NULL);

	if (testpki_eid_check(o.eid) != PKI_OK) {
		set_error(err, err_size,
			  "invalid EID %s: expected 32 digits with ISO 7064 mod 97-10 check digits",
			  o.eid);
		return PKI_E_INVALID_ARG;
	}
	if (o.euicc_count > TESTPKI_MAX_EUICC) {
		set_error(err, err_size, "eUICC count %u too large: at most %u", o.euicc_count,
			  TESTPKI_MAX_EUICC);
		return PKI_E_INVALID_ARG;
	}
	rc = make_dir(o.out_dir, err, err_size);
	if (rc != PKI_OK)
		return rc;

	memset(&run, 0, sizeof(run));
	run.options = &o;
	run.not_before = o.now - 86400; /* tolerates clocks a day behind */
	run.not_after = o.now + (time_t)o.days * 86400;
	run.err = err;
	run.err_size = err_size;
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		if (!(o.curves & curves[i].bit))
			continue;
		run.curve = curves[i].curve;
		rc = make_path(run.dir, sizeof(run.dir), o.out_dir, curves[i].dir, err, err_size);
		if (rc == PKI_OK)
			rc = create_curve(&run);
		if (rc != PKI_OK)
			return rc;
	}
	return PKI_OK;
}
