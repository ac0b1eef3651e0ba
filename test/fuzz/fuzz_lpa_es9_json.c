/*
 * Fuzz target: the test LPA's readers of ES9+ JSON responses (test/euicc/es9_json.h):
 * InitiateAuthentication, AuthenticateClient, GetBoundProfilePackage and header-only
 * responses. Every input goes through all four.
 *
 * Invariants: a response read as a success carries a transactionId of 1 to 16 bytes and
 * every binary field as one DER TLV of its tag. Status strings are NUL-terminated, and a
 * malformed body is described in the error buffer. The _clear functions release everything
 * on every outcome, which LeakSanitizer checks.
 */
#include <string.h>

#include "asn1/der.h"
#include "test/euicc/es9_json.h"
#include "test/fuzz/fuzz.h"

static void check_status(const struct lpa_status_data *st)
{
	FUZZ_CHECK_STRING(st->status);
	FUZZ_CHECK_STRING(st->subject_code);
	FUZZ_CHECK_STRING(st->reason_code);
	FUZZ_CHECK_STRING(st->subject_identifier);
	FUZZ_CHECK_STRING(st->message);
}

/* error starts without a NUL, so an unwritten message shows. */
static void check_outcome(int rc, const struct lpa_status_data *st, const char *error,
			  size_t error_size)
{
	FUZZ_CHECK(rc == LPA_PARSE_OK || rc == LPA_PARSE_FAILED || rc == LPA_PARSE_INVALID);
	if (rc == LPA_PARSE_INVALID) {
		FUZZ_CHECK(memchr(error, '\0', error_size) != NULL);
		FUZZ_CHECK(error[0] != '\0');
	} else {
		check_status(st);
	}
	if (rc == LPA_PARSE_OK)
		FUZZ_CHECK(strcmp(st->status, "Executed-Success") == 0 ||
			   strcmp(st->status, "Executed-WithWarning") == 0);
}

static void check_tid(const struct lpa_tid *tid)
{
	FUZZ_CHECK(tid->len >= 1 && tid->len <= RSP_TRANSACTION_ID_LEN);
}

static void check_blob(const struct lpa_blob *b, uint32_t tag)
{
	struct der_tlv tlv;

	FUZZ_CHECK(b->data != NULL);
	FUZZ_CHECK(der_read_exact(b->data, b->len, tag, &tlv) == DER_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct lpa_initiate_auth_response ia;
	struct lpa_authenticate_client_response ac;
	struct lpa_get_bpp_response gb;
	struct lpa_status_data st;
	char error[256];
	int rc;

	memset(error, 'x', sizeof(error));
	rc = lpa_es9_parse_initiate_auth(body, size, &ia, &st, error, sizeof(error));
	check_outcome(rc, &st, error, sizeof(error));
	if (rc == LPA_PARSE_OK) {
		check_tid(&ia.transaction_id);
		check_blob(&ia.server_signed1, 0x30);
		check_blob(&ia.server_signature1, 0x5F37);
		check_blob(&ia.ci_pkid, 0x04);
		check_blob(&ia.server_certificate, 0x30);
		FUZZ_CHECK(ia.server_certificate.len <= RSP_MAX_CERT_DER);
	}
	lpa_initiate_auth_response_clear(&ia);

	memset(error, 'x', sizeof(error));
	rc = lpa_es9_parse_authenticate_client(body, size, &ac, &st, error, sizeof(error));
	check_outcome(rc, &st, error, sizeof(error));
	if (rc == LPA_PARSE_OK) {
		check_tid(&ac.transaction_id);
		check_blob(&ac.profile_metadata, 0xBF25);
		check_blob(&ac.smdp_signed2, 0x30);
		check_blob(&ac.smdp_signature2, 0x5F37);
		check_blob(&ac.smdp_certificate, 0x30);
		FUZZ_CHECK(ac.smdp_certificate.len <= RSP_MAX_CERT_DER);
	}
	lpa_authenticate_client_response_clear(&ac);

	memset(error, 'x', sizeof(error));
	rc = lpa_es9_parse_get_bpp(body, size, &gb, &st, error, sizeof(error));
	check_outcome(rc, &st, error, sizeof(error));
	if (rc == LPA_PARSE_OK) {
		check_tid(&gb.transaction_id);
		check_blob(&gb.bpp, 0xBF36);
	}
	lpa_get_bpp_response_clear(&gb);

	memset(error, 'x', sizeof(error));
	rc = lpa_es9_parse_header_only(body, size, &st, error, sizeof(error));
	check_outcome(rc, &st, error, sizeof(error));
	return 0;
}
