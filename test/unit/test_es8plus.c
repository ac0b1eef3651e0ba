/*
 * ES8+ Bound Profile Package builder: the StoreMetadataRequest bytes, the BPP layout and segment
 * sizes, the InitialiseSecureChannel signature, decryption of the profile segments with keys
 * the eUICC side derives itself, re-issuing a BPP under a new transactionId, and every truncated
 * prefix of a stored BPP rejected by the re-issuing parser.
 */
#include "test/harness.h"

#include "asn1/der.h"
#include "common/crypto.h"
#include "common/ident.h"
#include "smdpplus/bsp.h"
#include "smdpplus/es8plus.h"

#define ICCID "8949000000000000018"
#define UPP_LEN 3000

static const uint8_t tid[16] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				  0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F };
static const uint8_t eid[16] = { 0x89, 0x08, 0x60, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x92 };

struct fixture {
	struct crypto_privkey *dppb, *euicc_ot;
	uint8_t dppb_point[CRYPTO_POINT_LEN], euicc_otpk[CRYPTO_POINT_LEN];
	uint8_t smdp_otpk[CRYPTO_POINT_LEN];
	uint8_t upp[UPP_LEN];
	struct der_buf metadata, bpp;
};

static void fixture_free(struct fixture *f)
{
	crypto_privkey_free(f->dppb);
	crypto_privkey_free(f->euicc_ot);
	der_buf_free(&f->metadata);
	der_buf_free(&f->bpp);
}

static int fixture_build(struct fixture *f)
{
	struct bpp_request req;

	memset(f, 0, sizeof(*f));
	der_buf_init(&f->metadata, 512);
	der_buf_init(&f->bpp, BPP_MAX_LEN);
	for (size_t i = 0; i < UPP_LEN; i++)
		f->upp[i] = (uint8_t)(i * 7 + 3);
	if (crypto_ecdh_keypair(CRYPTO_CURVE_P256, &f->dppb, f->dppb_point) != CRYPTO_OK ||
	    crypto_ecdh_keypair(CRYPTO_CURVE_P256, &f->euicc_ot, f->euicc_otpk) != CRYPTO_OK ||
	    bpp_store_metadata(ICCID, "Test SP", "Test profile", &f->metadata) != BPP_OK)
		return -1;
	req = (struct bpp_request){
		.dppb_key = f->dppb,
		.transaction_id = tid,
		.transaction_id_len = sizeof(tid),
		.euicc_otpk = f->euicc_otpk,
		.euicc_otpk_len = sizeof(f->euicc_otpk),
		.eid = eid,
		.metadata = f->metadata.data,
		.metadata_len = f->metadata.len,
		.upp = f->upp,
		.upp_len = sizeof(f->upp),
	};
	return bpp_build(&req, &f->bpp, f->smdp_otpk);
}

/* Verifies smdpSign of a BF23 as an eUICC does. */
static int verify_init_secure_channel(const struct der_tlv *isc, const uint8_t *dppb_point,
				      const uint8_t *euicc_otpk)
{
	struct der_buf tbs;
	struct der_tlv child, sig = { 0 };
	struct der_iter it;
	struct crypto_pubkey *key = NULL;
	int rc = -1;

	der_buf_init(&tbs, 1024);
	der_iter_init(&it, isc);
	while (der_iter_next(&it, &child) == 1) {
		if (child.tag == 0x5F37)
			sig = child;
		else
			der_put_raw(&tbs, child.raw, child.raw_len);
	}
	der_put_tlv(&tbs, 0x5F49, euicc_otpk, CRYPTO_POINT_LEN);
	if (sig.len == CRYPTO_SIG_LEN &&
	    crypto_pubkey_from_point(CRYPTO_CURVE_P256, dppb_point, CRYPTO_POINT_LEN, &key) ==
		    CRYPTO_OK &&
	    crypto_verify(key, tbs.data, tbs.len, sig.value, sig.len) == CRYPTO_OK)
		rc = 0;
	crypto_pubkey_free(key);
	der_buf_free(&tbs);
	return rc;
}

static void test_store_metadata_bytes(void)
{
	static const uint8_t expected[] = {
		0xBF, 0x25, 0x18, 0x5A, 0x0A, 0x98, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x10, 0xF8, 0x91, 0x02, 'S', 'P', 0x92, 0x06, 'P', 'r', 'o', 'f', 'i', 'l',
	};
	struct der_buf b;

	der_buf_init(&b, 256);
	REQUIRE(bpp_store_metadata(ICCID, "SP", "Profil", &b) == BPP_OK);
	CHECK_INT(b.len, sizeof(expected));
	CHECK_MEM(b.data, expected, sizeof(expected));
	der_buf_free(&b);
}

static void test_store_metadata_rejects_bad_values(void)
{
	struct der_buf b;

	der_buf_init(&b, 256);
	CHECK_INT(bpp_store_metadata("8949000000000000019", "SP", "P", &b), BPP_E_INVALID);
	CHECK_INT(bpp_store_metadata(ICCID, "123456789012345678901234567890123", "P", &b),
		  BPP_E_INVALID);
	der_buf_free(&b);
}

static void test_bpp_layout(void)
{
	struct fixture f;
	struct der_tlv top, part, seg;
	struct der_iter it, segs;
	uint32_t tags[8];
	size_t n = 0;

	REQUIRE(fixture_build(&f) == BPP_OK);
	REQUIRE(der_read_exact(f.bpp.data, f.bpp.len, 0xBF36, &top) == DER_OK);
	der_iter_init(&it, &top);
	while (n < 8 && der_iter_next(&it, &part) == 1) {
		tags[n++] = part.tag;
		if (part.tag == 0xBF23) {
			struct der_tlv otpk;

			CHECK(der_find(&part, 0x5F49, &otpk) == DER_OK &&
			      memcmp(otpk.value, f.smdp_otpk, CRYPTO_POINT_LEN) == 0);
			CHECK_INT(verify_init_secure_channel(&part, f.dppb_point, f.euicc_otpk), 0);
			continue;
		}
		der_iter_init(&segs, &part);
		while (der_iter_next(&segs, &seg) == 1) {
			CHECK(seg.raw_len <= RSP_MAX_SEGMENT_TLV);
			if (part.tag == 0xA0)
				CHECK_INT(seg.tag, 0x87);
			else if (part.tag == 0xA1)
				CHECK_INT(seg.tag, 0x88);
			else
				CHECK_INT(seg.tag, 0x86);
		}
	}
	CHECK_INT(n, 4);
	CHECK_INT(tags[0], 0xBF23);
	CHECK_INT(tags[1], 0xA0);
	CHECK_INT(tags[2], 0xA1);
	CHECK_INT(tags[3], 0xA3);
	fixture_free(&f);
}

/* Decrypts the 86 segments with keys derived on the eUICC side and compares with the UPP. */
static void test_bpp_decrypts_to_profile(void)
{
	static const uint8_t host_id[] = BPP_HOST_ID;
	struct fixture f;
	struct der_tlv top, part, seg;
	struct der_iter it, segs;
	uint8_t shs[CRYPTO_SHARED_LEN], out[UPP_LEN + 1024];
	struct bsp_keys keys;
	uint32_t counter = 1;
	size_t out_len = 0;

	REQUIRE(fixture_build(&f) == BPP_OK);
	REQUIRE(crypto_ecdh_shared(f.euicc_ot, f.smdp_otpk, CRYPTO_POINT_LEN, shs) == CRYPTO_OK);
	REQUIRE(bsp_derive_keys(shs, sizeof(shs), host_id, sizeof(host_id) - 1, eid, &keys) ==
		BSP_OK);
	REQUIRE(der_read_exact(f.bpp.data, f.bpp.len, 0xBF36, &top) == DER_OK);
	der_iter_init(&it, &top);
	while (der_iter_next(&it, &part) == 1) {
		if (part.tag == 0xBF23)
			continue;
		der_iter_init(&segs, &part);
		while (der_iter_next(&segs, &seg) == 1) {
			uint8_t block[16] = { 0 }, icv[16];
			size_t clen = seg.len - 8;

			if (seg.tag == 0x86) {
				block[12] = (uint8_t)(counter >> 24);
				block[13] = (uint8_t)(counter >> 16);
				block[14] = (uint8_t)(counter >> 8);
				block[15] = (uint8_t)counter;
				REQUIRE(clen % 16 == 0);
				REQUIRE(out_len + clen <= sizeof(out));
				REQUIRE(crypto_aes128_ecb_encrypt(keys.s_enc, block, icv) == CRYPTO_OK);
				REQUIRE(crypto_aes128_cbc_decrypt(keys.s_enc, icv, seg.value, clen,
								  out + out_len) == CRYPTO_OK);
				/* Remove the 80 00.. padding. */
				while (clen > 0 && out[out_len + clen - 1] == 0x00)
					clen--;
				REQUIRE(clen > 0);
				REQUIRE(out[out_len + clen - 1] == 0x80);
				out_len += clen - 1;
			}
			counter++;
		}
	}
	CHECK_INT(out_len, UPP_LEN);
	CHECK_MEM(out, f.upp, UPP_LEN);
	crypto_zeroize(&keys, sizeof(keys));
	fixture_free(&f);
}

static void test_rebind_keeps_segments(void)
{
	static const uint8_t tid2[16] = { 0xAA };
	struct fixture f;
	struct der_buf again;
	struct der_tlv a, b, isc, t, pa, pb;
	struct der_iter ia, ib;

	REQUIRE(fixture_build(&f) == BPP_OK);
	der_buf_init(&again, BPP_MAX_LEN);
	REQUIRE(bpp_rebind_transaction(f.bpp.data, f.bpp.len, f.dppb, tid2, sizeof(tid2),
				       f.euicc_otpk, CRYPTO_POINT_LEN, &again) == BPP_OK);
	REQUIRE(der_read_exact(again.data, again.len, 0xBF36, &b) == DER_OK);
	REQUIRE(der_read_exact(f.bpp.data, f.bpp.len, 0xBF36, &a) == DER_OK);
	CHECK_INT(again.len, f.bpp.len);
	der_iter_init(&ib, &b);
	REQUIRE(der_iter_next(&ib, &isc) == 1);
	CHECK_INT(isc.tag, 0xBF23);
	REQUIRE(der_find(&isc, 0x80, &t) == DER_OK);
	REQUIRE(t.len == 16);
	CHECK_MEM(t.value, tid2, 16);
	CHECK_INT(verify_init_secure_channel(&isc, f.dppb_point, f.euicc_otpk), 0);
	der_iter_init(&ia, &a);
	REQUIRE(der_iter_next(&ia, &pa) == 1);
	while (der_iter_next(&ia, &pa) == 1) {
		REQUIRE(der_iter_next(&ib, &pb) == 1);
		REQUIRE(pa.raw_len == pb.raw_len);
		CHECK_MEM(pa.raw, pb.raw, pa.raw_len);
	}
	der_buf_free(&again);
	fixture_free(&f);
}

static void test_rebind_rejects_truncated(void)
{
	struct fixture f;

	REQUIRE(fixture_build(&f) == BPP_OK);
	for (size_t len = 0; len < f.bpp.len; len++) {
		struct der_buf out;

		der_buf_init(&out, BPP_MAX_LEN);
		if (bpp_rebind_transaction(f.bpp.data, len, f.dppb, tid, sizeof(tid), f.euicc_otpk,
					   CRYPTO_POINT_LEN, &out) != BPP_E_INVALID)
			CHECK(!"a truncated BPP was accepted");
		der_buf_free(&out);
	}
	fixture_free(&f);
}

static void test_build_rejects_bad_arguments(void)
{
	struct fixture f;
	struct bpp_request req = { 0 };
	uint8_t otpk[CRYPTO_POINT_LEN];

	REQUIRE(fixture_build(&f) == BPP_OK);
	req = (struct bpp_request){ .dppb_key = f.dppb, .transaction_id = tid,
				    .transaction_id_len = sizeof(tid), .euicc_otpk = f.euicc_otpk,
				    .euicc_otpk_len = 33, .eid = eid, .metadata = f.metadata.data,
				    .metadata_len = f.metadata.len, .upp = f.upp, .upp_len = 10 };
	CHECK_INT(bpp_build(&req, &f.bpp, otpk), BPP_E_INVALID);
	req.euicc_otpk_len = CRYPTO_POINT_LEN;
	req.upp_len = 0;
	CHECK_INT(bpp_build(&req, &f.bpp, otpk), BPP_E_INVALID);
	/* A point not on the curve fails the key agreement. */
	memset(otpk, 0x04, sizeof(otpk));
	req.upp_len = 10;
	req.euicc_otpk = otpk;
	CHECK_INT(bpp_build(&req, &f.bpp, f.smdp_otpk), BPP_E_CRYPTO);
	fixture_free(&f);
}

int main(void)
{
	test_program = "test_es8plus";
	if (crypto_init() != CRYPTO_OK) {
		printf("FAIL test_es8plus/init: crypto_init failed\n");
		return 1;
	}
	RUN(test_store_metadata_bytes);
	RUN(test_store_metadata_rejects_bad_values);
	RUN(test_bpp_layout);
	RUN(test_bpp_decrypts_to_profile);
	RUN(test_rebind_keeps_segments);
	RUN(test_rebind_rejects_truncated);
	RUN(test_build_rejects_bad_arguments);
	crypto_cleanup();
	return test_finish();
}
