/*
 * Fuzz target: rsp_codec_decode (asn1/rsp_codec.h) on the SGP.22 messages the SM-DP+ receives
 * from an LPA or builds and reads back:
 *   EUICCInfo1 (BF20)                 ES9+ InitiateAuthentication
 *   AuthenticateServerResponse (BF38) ES9+ AuthenticateClient
 *   PrepareDownloadResponse (BF21)    ES9+ GetBoundProfilePackage
 *   PendingNotification (BF37, BF2F)  ES9+ HandleNotification
 *   CancelSessionResponse (BF41)      ES9+ CancelSession
 *   BoundProfilePackage (BF36)        ES8+, as stored by the SM-DP+
 *
 * Every input is decoded as each type. Invariants: a decoded value, which passed the
 * constraint check, encodes again; and encoding is idempotent: decoding the encoding and
 * encoding again gives the same bytes. The input itself need not come back, because asn1c
 * drops unknown extension components and the encoder leaves out DEFAULT values.
 */
#include <string.h>

#include "asn1/rsp_codec.h"
#include "test/fuzz/fuzz.h"

#include "AuthenticateServerResponse.h"
#include "BoundProfilePackage.h"
#include "CancelSessionResponse.h"
#include "EUICCInfo1.h"
#include "PendingNotification.h"
#include "PrepareDownloadResponse.h"

/* Maximum size of an encoding. A re-encoding is about as long as its input, and the inputs
 * libFuzzer makes stay far below this. */
#define ENCODE_MAX (2 * 1024 * 1024)

static asn_TYPE_descriptor_t *const types[] = {
	&asn_DEF_EUICCInfo1,
	&asn_DEF_AuthenticateServerResponse,
	&asn_DEF_PrepareDownloadResponse,
	&asn_DEF_PendingNotification,
	&asn_DEF_CancelSessionResponse,
	&asn_DEF_BoundProfilePackage,
};

static void check_type(asn_TYPE_descriptor_t *td, const uint8_t *data, size_t size)
{
	void *value = NULL, *again = NULL;
	uint8_t *der = NULL, *der2 = NULL;
	size_t der_len = 0, der2_len = 0;
	int rc;

	rc = rsp_codec_decode(td, data, size, &value);
	if (rc != RSP_CODEC_OK) {
		FUZZ_CHECK(value == NULL);
		FUZZ_CHECK(rc < 0 && rc >= RSP_CODEC_E_INVALID);
		return;
	}
	FUZZ_CHECK(value != NULL);

	rc = rsp_codec_encode(td, value, ENCODE_MAX, &der, &der_len);
	if (rc != RSP_CODEC_OK)
		fprintf(stderr, "%s: decoded value does not encode: %s\n", td->name,
			rsp_codec_strerror(rc));
	FUZZ_CHECK(rc == RSP_CODEC_OK);

	rc = rsp_codec_decode(td, der, der_len, &again);
	if (rc != RSP_CODEC_OK)
		fprintf(stderr, "%s: own encoding does not decode: %s\n", td->name,
			rsp_codec_strerror(rc));
	FUZZ_CHECK(rc == RSP_CODEC_OK);
	FUZZ_CHECK(rsp_codec_encode(td, again, ENCODE_MAX, &der2, &der2_len) == RSP_CODEC_OK);
	FUZZ_CHECK(der2_len == der_len);
	FUZZ_CHECK(memcmp(der2, der, der_len) == 0);

	free(der);
	free(der2);
	rsp_codec_free(td, again);
	rsp_codec_free(td, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		check_type(types[i], data, size);
	return 0;
}
