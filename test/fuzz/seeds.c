/*
 * fuzz-seeds: writes the seed corpora of the fuzz targets from the project's own output.
 *
 *   fuzz-seeds OUT_DIR
 *
 * It creates a test PKI in OUT_DIR/pki (pki/testpki.h, both curves), runs a test eUICC through
 * a profile download against the test SM-DP+ of test/fuzz/session.h, and writes one folder
 * per target, OUT_DIR/<target>, with valid inputs: certificates, the eUICC's ES10b responses
 * and the Bound Profile Package, SAIP packages from saip_generate, activation codes from
 * actcode_format, ES9+ and ES2+ request bodies, ES9+ responses and CSV files. The files are
 * the same on every run except where keys, signatures and challenges are random.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/csv.h"
#include "common/actcode.h"
#include "common/crypto.h"
#include "common/json.h"
#include "common/status.h"
#include "pki/testpki.h"
#include "saip/saip.h"
#include "smdpplus/es8plus.h"
#include "test/fuzz/session.h"

static const char *out_dir;
static int failures;

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "fuzz-seeds: failed to create %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void write_seed(const char *target, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	if (!data || len == 0) {
		fprintf(stderr, "fuzz-seeds: %s/%s is empty\n", target, name);
		failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz-seeds: failed to write %s\n", path);
		exit(1);
	}
}

/* Writes a DER seed for its decoder target and for the DER reader. */
static void write_der(const char *target, const char *name, const struct der_buf *b)
{
	if (b->status != DER_OK) {
		fprintf(stderr, "fuzz-seeds: %s was not built\n", name);
		failures++;
		return;
	}
	write_seed(target, name, b->data, b->len);
	write_seed("der", name, b->data, b->len);
}

static void write_json(const char *target, const char *name, cJSON *obj)
{
	size_t len = 0;
	char *text = obj ? json_print(obj, &len) : NULL;

	write_seed(target, name, text, len);
	cJSON_free(text);
	cJSON_Delete(obj);
}

/* Copies the .der certificates of one curve of the test PKI. */
static void certificate_seeds(const char *curve)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	struct dirent *entry;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/pki/%s", out_dir, curve);
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "fuzz-seeds: failed to open %s\n", path);
		exit(1);
	}
	while ((entry = readdir(dir)) != NULL) {
		size_t n = strlen(entry->d_name);
		struct der_buf b;
		FILE *f;

		if (n < 5 || strcmp(entry->d_name + n - 4, ".der") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/pki/%s/%s", out_dir, curve, entry->d_name);
		snprintf(name, sizeof(name), "%s-%s", curve, entry->d_name);
		der_buf_init(&b, RSP_MAX_CERT_DER);
		f = fopen(path, "rb");
		if (f) {
			uint8_t buf[RSP_MAX_CERT_DER];
			size_t len = fread(buf, 1, sizeof(buf), f);

			der_put_raw(&b, buf, len);
			fclose(f);
		}
		write_der("cert", name, &b);
		der_buf_free(&b);
	}
	closedir(dir);
}

static void saip_seeds(const struct fuzz_session *s)
{
	struct saip_params params;
	uint8_t *pkg = NULL;
	size_t len = 0;

	write_seed("saip", "usim-milenage", s->profile, s->profile_len);
	write_seed("der", "saip-usim-milenage", s->profile, s->profile_len);

	memset(&params, 0, sizeof(params));
	params.iccid = "8999990000000000007";
	params.imsi = "310260123456789";
	params.ki = "FFEEDDCCBBAA99887766554433221100";
	params.opc = "00112233445566778899AABBCCDDEEFF";
	params.profile_type = "operational";
	params.mnc_digits = 3;
	params.pin1 = "12345678";
	if (saip_generate(&params, &pkg, &len) == SAIP_OK)
		write_seed("saip", "usim-mnc3", pkg, len);
	else
		failures++;
	saip_package_free(pkg, len);
}

static void actcode_seeds(void)
{
	static const struct {
		const char *address, *matching_id, *oid;
		bool cc_required, with_prefix;
		unsigned fields;
	} codes[] = {
		{ "smdpplus.test", "ABCDE-12345-FGHIJ-67890", "", false, true, 2 },
		{ "smdp.example.com", "K9ZQ2-7XW4M", "1.3.6.1.4.1.31746", false, true, 3 },
		{ "smdp.example.com", "MATCHING-ID-1", "2.999.10", true, false, 4 },
		{ "rsp.operator.example", "", "", true, true, 4 },
		{ "rsp.operator.example", "lower-case-token", "", false, false, 3 },
	};
	char text[ACTCODE_MAX_LEN + 1], name[32];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct actcode ac;

		memset(&ac, 0, sizeof(ac));
		snprintf(ac.smdp_address, sizeof(ac.smdp_address), "%s", codes[i].address);
		snprintf(ac.matching_id, sizeof(ac.matching_id), "%s", codes[i].matching_id);
		snprintf(ac.smdp_oid, sizeof(ac.smdp_oid), "%s", codes[i].oid);
		ac.cc_required = codes[i].cc_required;
		ac.fields = codes[i].fields;
		if (actcode_format(&ac, codes[i].with_prefix, text, sizeof(text)) != ACTCODE_OK) {
			failures++;
			continue;
		}
		snprintf(name, sizeof(name), "code-%zu", i);
		write_seed("actcode", name, text, strlen(text));
	}
	/* The prefix in lower case, which the parser accepts too. */
	snprintf(text, sizeof(text), "lpa:1$smdpplus.test$ABCDE-12345");
	write_seed("actcode", "lower-case-prefix", text, strlen(text));
}

static cJSON *json_with_tid(const struct fuzz_session *s)
{
	cJSON *obj = cJSON_CreateObject();

	if (obj && json_add_hex(obj, "transactionId", s->tid, sizeof(s->tid)) != JSON_OK) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static cJSON *es2_request(void)
{
	cJSON *obj = cJSON_CreateObject();

	if (obj && json_add_request_header(obj, "operator.test", "call-1") != JSON_OK) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* ES9+ and ES2+ request bodies, as the SM-DP+ receives them. */
static void request_seeds(const struct fuzz_session *s, const struct der_buf *pir,
			  const struct der_buf *cancel)
{
	static const uint8_t challenge[RSP_CHALLENGE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8,
							     9, 10, 11, 12, 13, 14, 15, 16 };
	cJSON *obj;

	obj = cJSON_CreateObject();
	if (obj && (json_add_string(obj, "smdpAddress", FUZZ_SMDP_ADDRESS) ||
		    json_add_base64(obj, "euiccChallenge", challenge, sizeof(challenge)) ||
		    json_add_base64(obj, "euiccInfo1", s->info1.data, s->info1.len)))
		failures++;
	write_json("json", "initiateAuthentication", obj);

	obj = json_with_tid(s);
	if (obj && json_add_base64(obj, "authenticateServerResponse", s->auth_response.data,
				   s->auth_response.len))
		failures++;
	write_json("json", "authenticateClient", obj);

	obj = json_with_tid(s);
	if (obj && json_add_base64(obj, "prepareDownloadResponse", s->prepare_response.data,
				   s->prepare_response.len))
		failures++;
	write_json("json", "getBoundProfilePackage", obj);

	obj = cJSON_CreateObject();
	if (obj && json_add_base64(obj, "pendingNotification", pir->data, pir->len))
		failures++;
	write_json("json", "handleNotification", obj);

	obj = json_with_tid(s);
	if (obj && json_add_base64(obj, "cancelSessionResponse", cancel->data, cancel->len))
		failures++;
	write_json("json", "cancelSession", obj);

	obj = es2_request();
	if (obj && (json_add_string(obj, "eid", "89086030000000000000000000000192") ||
		    json_add_string(obj, "iccid", "8949449999999900014") ||
		    json_add_string(obj, "profileType", "demo")))
		failures++;
	write_json("json", "downloadOrder", obj);

	obj = es2_request();
	if (obj && (json_add_string(obj, "iccid", "8949449999999900014") ||
		    json_add_string(obj, "matchingId", FUZZ_MATCHING_ID) ||
		    !cJSON_AddBoolToObject(obj, "releaseFlag", 1)))
		failures++;
	write_json("json", "confirmOrder", obj);

	write_json("json", "failedResponse", status_response(RSP_E_FIELD_MISSING, "transactionId"));
}

/* ES9+ response bodies, as the test LPA receives them. */
static void response_seeds(const struct fuzz_session *s, const struct der_buf *bpp)
{
	struct der_buf pkid;
	cJSON *obj;

	der_buf_init(&pkid, 64);
	der_put_tlv(&pkid, 0x04, s->ci_pkid, s->ci_pkid_len);
	obj = json_response_success();
	if (obj && (json_add_hex(obj, "transactionId", s->tid, sizeof(s->tid)) ||
		    json_add_base64(obj, "serverSigned1", s->server_signed1.data,
				    s->server_signed1.len) ||
		    json_add_base64(obj, "serverSignature1", s->server_signature1.data,
				    s->server_signature1.len) ||
		    json_add_base64(obj, "euiccCiPKIdToBeUsed", pkid.data, pkid.len) ||
		    json_add_base64(obj, "serverCertificate", s->auth_der, s->auth_len)))
		failures++;
	write_json("lpa_es9_json", "initiateAuthentication", obj);

	obj = json_response_success();
	if (obj && (json_add_hex(obj, "transactionId", s->tid, sizeof(s->tid)) ||
		    json_add_base64(obj, "profileMetadata", s->metadata.data, s->metadata.len) ||
		    json_add_base64(obj, "smdpSigned2", s->smdp_signed2.data,
				    s->smdp_signed2.len) ||
		    json_add_base64(obj, "smdpSignature2", s->smdp_signature2.data,
				    s->smdp_signature2.len) ||
		    json_add_base64(obj, "smdpCertificate", s->pb_der, s->pb_len)))
		failures++;
	write_json("lpa_es9_json", "authenticateClient", obj);

	obj = json_response_success();
	if (obj && (json_add_hex(obj, "transactionId", s->tid, sizeof(s->tid)) ||
		    json_add_base64(obj, "boundProfilePackage", bpp->data, bpp->len)))
		failures++;
	write_json("lpa_es9_json", "getBoundProfilePackage", obj);

	write_json("lpa_es9_json", "failed", status_response(RSP_E_FIELD_INVALID, "smdpAddress"));
	write_json("lpa_es9_json", "cancelSession", json_response_success());
	der_buf_free(&pkid);
}

static void csv_seeds(void)
{
	static const char *const input_header[] = { "iccid", "eid", "profileType" };
	static const char *const input_row[] = { "8949449999999900014",
						 "89086030000000000000000000000192", "demo" };
	static const char *const output_row[] = {
		"8949449999999900014", "", "ABCDE-12345", "LPA:1$smdpplus.test$ABCDE-12345",
		"codes/8949449999999900014.png",
	};
	static const char *const quoted_row[] = { "with, comma", "with \"quote\"", " spaced ",
						  "line\nbreak" };
	char *text = NULL, line_text[64];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		exit(1);
	cli_csv_write_record(f, input_header, 3);
	cli_csv_write_record(f, input_row, 3);
	cli_csv_write_record(f, output_row, 5);
	cli_csv_write_record(f, quoted_row, 4);
	fclose(f);
	write_seed("cli_csv", "batch", text, len);
	free(text);
	snprintf(line_text, sizeof(line_text), "iccid,profileType\n8949449999999900014,demo\n");
	write_seed("cli_csv", "lf-lines", line_text, strlen(line_text));
}

/* The eUICC's responses, a real BPP, and the plain BPPs of the euicc_bpp target. */
static void download_seeds(struct fuzz_session *s)
{
	struct euicc_install_result result;
	struct bpp_request req;
	struct der_buf bpp, pir, cancel, plain, framed;
	uint8_t smdp_otpk[CRYPTO_POINT_LEN];
	int es10_error = 0;

	der_buf_init(&bpp, BPP_MAX_LEN);
	der_buf_init(&pir, EUICC_MAX_RESPONSE);
	der_buf_init(&cancel, EUICC_MAX_RESPONSE);
	der_buf_init(&plain, BPP_MAX_LEN);
	der_buf_init(&framed, BPP_MAX_LEN + 1);

	if (fuzz_session_prepare(s) != 0) {
		fprintf(stderr, "fuzz-seeds: the test eUICC failed to reach PrepareDownload\n");
		exit(1);
	}
	write_der("rsp_codec", "EUICCInfo1", &s->info1);
	write_der("rsp_codec", "AuthenticateServerResponse", &s->auth_response);
	write_der("rsp_codec", "PrepareDownloadResponse", &s->prepare_response);

	memset(&req, 0, sizeof(req));
	req.dppb_key = s->pb_key;
	req.transaction_id = s->tid;
	req.transaction_id_len = sizeof(s->tid);
	req.euicc_otpk = s->euicc_otpk;
	req.euicc_otpk_len = sizeof(s->euicc_otpk);
	req.eid = s->eid;
	req.metadata = s->metadata.data;
	req.metadata_len = s->metadata.len;
	req.upp = s->profile;
	req.upp_len = s->profile_len;
	if (bpp_build(&req, &bpp, smdp_otpk) != BPP_OK ||
	    euicc_load_bpp(s->euicc, bpp.data, bpp.len, s->metadata.data, s->metadata.len,
			   s->profile, s->profile_len, &pir, &result) != EUICC_OK ||
	    !result.success) {
		fprintf(stderr, "fuzz-seeds: the test eUICC failed to install the BPP: %s\n",
			result.detail);
		failures++;
	}
	write_der("rsp_codec", "BoundProfilePackage", &bpp);
	write_der("rsp_codec", "ProfileInstallationResult", &pir);
	response_seeds(s, &bpp);

	/* Raw mode of the euicc_bpp target: mode byte 0, then the BPP as sent. */
	der_put_raw(&framed, "\x00", 1);
	der_put_raw(&framed, bpp.data, bpp.len);
	write_seed("euicc_bpp", "raw", framed.data, framed.len);
	for (int with_rsk = 0; with_rsk <= 1; with_rsk++) {
		plain.len = 0;
		framed.len = 0;
		der_put_raw(&framed, "\x01", 1);
		if (fuzz_session_plain_bpp(s, with_rsk, &plain) != 0) {
			failures++;
			continue;
		}
		der_put_raw(&framed, plain.data, plain.len);
		write_seed("euicc_bpp", with_rsk ? "plain-rsk" : "plain", framed.data, framed.len);
	}

	/* CancelSessionResponse: its Ok alternative in a session, its error outside one. */
	if (fuzz_session_prepare(s) != 0 ||
	    euicc_cancel_session(s->euicc, EUICC_CANCEL_POSTPONED, &cancel, &es10_error) !=
		    EUICC_OK)
		failures++;
	write_der("rsp_codec", "CancelSessionResponse", &cancel);
	request_seeds(s, &pir, &cancel);
	cancel.len = 0;
	if (euicc_cancel_session(s->euicc, EUICC_CANCEL_POSTPONED, &cancel, &es10_error) !=
	    EUICC_OK)
		failures++;
	write_der("rsp_codec", "CancelSessionResponse-error", &cancel);

	/* AuthenticateServerResponse with its error alternative. */
	if (fuzz_session_authenticate(s, true) != 0)
		failures++;
	write_der("rsp_codec", "AuthenticateServerResponse-error", &s->auth_response);

	der_buf_free(&bpp);
	der_buf_free(&pir);
	der_buf_free(&cancel);
	der_buf_free(&plain);
	der_buf_free(&framed);
}

int main(int argc, char **argv)
{
	struct fuzz_session session;
	char pki_dir[PATH_MAX];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-seeds OUT_DIR\n");
		return 2;
	}
	out_dir = argv[1];
	make_dir(out_dir);
	if (crypto_init() != CRYPTO_OK) {
		fprintf(stderr, "fuzz-seeds: crypto_init failed\n");
		return 1;
	}
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", out_dir);
	if (fuzz_remove_tree(pki_dir) != 0 && errno != ENOENT) {
		fprintf(stderr, "fuzz-seeds: cannot remove the old %s\n", pki_dir);
		return 1;
	}
	rc = fuzz_session_init(&session, pki_dir, TESTPKI_CURVE_NIST | TESTPKI_CURVE_BRP);
	if (rc != 0)
		return 1;
	certificate_seeds("nist");
	certificate_seeds("brp");
	saip_seeds(&session);
	download_seeds(&session);
	actcode_seeds();
	csv_seeds();
	fuzz_session_free(&session);
	crypto_cleanup();
	if (failures) {
		fprintf(stderr, "fuzz-seeds: %d seeds could not be made\n", failures);
		return 1;
	}
	return 0;
}
