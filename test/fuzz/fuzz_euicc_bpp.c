/*
 * Fuzz target: the test eUICC's loader of Bound Profile Packages, euicc_load_bpp
 * (test/euicc/euicc.h), which parses the BPP, checks InitialiseSecureChannel, opens the
 * SCP03t segments and decodes the reassembled profile as SAIP.
 *
 * At start the target creates a test PKI in a temporary folder under $TMPDIR, loads a test
 * eUICC and runs it to the point where it waits for a BPP (test/fuzz/session.h), then deletes
 * the folder. The first input byte chooses the mode. After an even byte, the rest goes to
 * the eUICC as it is, which exercises the BPP structure checks up to the signature check.
 * After an odd byte, the rest is a plain BPP (test/fuzz/session.h) that the target seals
 * first. Sealing adds smdpSign and encrypts and MACs the segments with the session keys, so
 * inputs reach ConfigureISDP, StoreMetadata, ReplaceSessionKeys and the profile decoding.
 *
 * Invariants: the eUICC always returns a ProfileInstallationResult that decodes as its
 * ASN.1 type; a success comes with a profile that reads as SAIP and whose header ICCID equals
 * the StoreMetadata ICCID; a failure names a BPP command and an error reason.
 */
#include <limits.h>
#include <string.h>

#include "asn1/rsp_codec.h"
#include "pki/testpki.h"
#include "saip/saip.h"
#include "test/fuzz/fuzz.h"
#include "test/fuzz/session.h"

#include "ProfileInstallationResult.h"

static struct fuzz_session session;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX];
	int rc;

	(void)argc;
	(void)argv;
	if (crypto_init() != CRYPTO_OK) {
		fprintf(stderr, "fuzz_euicc_bpp: crypto_init failed\n");
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/fuzz_euicc_bpp.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "fuzz_euicc_bpp: failed to create a folder %s: set TMPDIR\n", dir);
		exit(1);
	}
	rc = fuzz_session_init(&session, dir, TESTPKI_CURVE_NIST);
	fuzz_remove_tree(dir);
	if (rc != 0 || fuzz_session_prepare(&session) != 0) {
		fprintf(stderr, "fuzz_euicc_bpp: the test eUICC failed to reach PrepareDownload\n");
		exit(1);
	}
	return 0;
}

static void check_result(const struct euicc_install_result *r)
{
	struct saip_info info;

	FUZZ_CHECK_STRING(r->detail);
	FUZZ_CHECK_STRING(r->iccid);
	if (!r->success) {
		FUZZ_CHECK(r->bpp_command >= EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL &&
			   r->bpp_command <= EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS);
		FUZZ_CHECK(r->error_reason > 0);
		return;
	}
	FUZZ_CHECK(r->error_reason == 0);
	FUZZ_CHECK(r->profile != NULL);
	FUZZ_CHECK(saip_read(r->profile, r->profile_len, &info) == SAIP_OK);
	FUZZ_CHECK(strcmp(info.iccid, r->iccid) == 0);
}

static void check_pir(const struct der_buf *pir)
{
	void *value = NULL;

	FUZZ_CHECK(pir->status == DER_OK);
	FUZZ_CHECK(rsp_codec_decode(&asn_DEF_ProfileInstallationResult, pir->data, pir->len,
				    &value) == RSP_CODEC_OK);
	rsp_codec_free(&asn_DEF_ProfileInstallationResult, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct euicc_install_result r;
	struct der_buf sealed, pir;
	const uint8_t *bpp;
	size_t bpp_len;
	int rc;

	if (size == 0)
		return 0;
	bpp = data + 1;
	bpp_len = size - 1;
	der_buf_init(&sealed, EUICC_MAX_BPP);
	der_buf_init(&pir, EUICC_MAX_RESPONSE);
	if ((data[0] & 1) && fuzz_session_seal(&session, bpp, bpp_len, &sealed) == 0) {
		bpp = sealed.data;
		bpp_len = sealed.len;
	}

	rc = euicc_load_bpp(session.euicc, bpp, bpp_len, session.metadata.data,
			    session.metadata.len, NULL, 0, &pir, &r);
	FUZZ_CHECK(rc == EUICC_OK);
	check_result(&r);
	check_pir(&pir);

	/* A successful installation ends the session: start the next one. */
	if (r.success)
		FUZZ_CHECK(fuzz_session_prepare(&session) == 0);
	der_buf_free(&sealed);
	der_buf_free(&pir);
	return 0;
}
