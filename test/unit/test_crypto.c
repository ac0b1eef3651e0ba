/*
 * Unit tests of common/crypto: the ECKA known-answer vector from a third-party SM-DP+
 * trace, standard AES, CMAC and SHA-256 test vectors, ECDSA and ECDH on both SGP.22 curves, key loading,
 * invalid points and signatures, and concurrent use of shared keys.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/crypto.h"
#include "common/ident.h"
#include "test/harness.h"
#include "test/unit/vectors.h"

static const enum crypto_curve curves[] = { CRYPTO_CURVE_P256, CRYPTO_CURVE_BRAINPOOLP256R1 };

/* Test keys made for this file with OpenSSL. They protect nothing. */
static const char pem_p256_sec1[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHcCAQEEIEcafJo8OGJkh1Dizpr5LVj+WUg8mARK3dRm/3nDeKmzoAoGCCqGSM49\n"
	"AwEHoUQDQgAEeGDJSBLSUmSvaInbFkPKrfpAczdhI+67D871QG0yTr0vT4puvlKn\n"
	"FZ+Dlmp6y85UUOXGOHp7+Epq6Sq3pmabsw==\n"
	"-----END EC PRIVATE KEY-----\n";
static const char point_p256_sec1[] =
	"047860C94812D25264AF6889DB1643CAADFA4073376123EEBB0FCEF5406D324EBD"
	"2F4F8A6EBE52A7159F83966A7ACBCE5450E5C6387A7BF84A6AE92AB7A6669BB3";

static const char pem_bp256_pkcs8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGIAgEAMBQGByqGSM49AgEGCSskAwMCCAEBBwRtMGsCAQEEIIApkALHvEd1+5vI\n"
	"UbG5B9tRoUzoFPTjv8omfxaHxPmAoUQDQgAEhvsR491+gankgls5t+Lp/iIAtVFr\n"
	"U7TnGtDvDH2MvbxQR94ZGv4Xx2r7mMpi7k9486/tj0RU5plguBxK2Y0DkA==\n"
	"-----END PRIVATE KEY-----\n";
static const char point_bp256_pkcs8[] =
	"0486FB11E3DD7E81A9E4825B39B7E2E9FE2200B5516B53B4E71AD0EF0C7D8CBDBC"
	"5047DE191AFE17C76AFB98CA62EE4F78F3AFED8F4454E69960B81C4AD98D0390";

static const char pem_p384[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAFhm9cvKx8BrhRr6oE\n"
	"RWblzjc3VyZllVR3dIVzKLA6jlBmbwgPrH001rwF+JnW59ChZANiAATSM/C5vlPL\n"
	"nKiapaPAtJG9S/Nuxu7bVdEk+sB7vE/E5GWxDtg5yBUeSJ3rl5SnUblQfEVf8Hge\n"
	"WQXIKrIBuUmCMxzQkC+Hh9So4lpb4lHVe2B1AWYscqYmTmgXTqxPFZU=\n"
	"-----END PRIVATE KEY-----\n";

/* Decodes a hex constant into out. Returns its length, or 0 when it does not fit. */
static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;

	if (ident_hex_decode(hex, strlen(hex), out, size, &n) != IDENT_OK)
		return 0;
	return n;
}

/* Makes a fresh key pair and its public key on curve. */
static int make_pair(enum crypto_curve curve, struct crypto_privkey **priv,
		     struct crypto_pubkey **pub)
{
	uint8_t point[CRYPTO_POINT_LEN];
	int ret = crypto_ecdh_keypair(curve, priv, point);

	if (ret != CRYPTO_OK)
		return ret;
	return crypto_pubkey_from_point(curve, point, sizeof(point), pub);
}

/* ---- known-answer vectors ---- */

static void test_ecka_known_answer(void)
{
	uint8_t euicc_point[CRYPTO_POINT_LEN], dp_point[CRYPTO_POINT_LEN], scalar[32];
	uint8_t shs[CRYPTO_SHARED_LEN], point[CRYPTO_POINT_LEN], shared[CRYPTO_SHARED_LEN];
	struct crypto_privkey *key = NULL;
	int found = 0;
	char line[512];
	FILE *f = vectors_open("ecka_p256_mode51.txt");

	if (!f)
		SKIP("vector file ecka_p256_mode51.txt not found (set RSP_SHARED)");
	while (vectors_next_line(f, line, sizeof(line)) > 0) {
		const char *key_name, *value;
		size_t n = 0;

		if (!vectors_split(line, &key_name, &value))
			continue;
		if (strncmp(key_name, "otPK.EUICC", 10) == 0) {
			CHECK(ident_hex_decode(value, strlen(value), euicc_point, sizeof(euicc_point),
					       &n) == IDENT_OK && n == sizeof(euicc_point));
			found |= 1;
		} else if (strncmp(key_name, "otSK.DP", 7) == 0) {
			CHECK(ident_hex_decode(value, strlen(value), scalar, sizeof(scalar), &n) ==
				      IDENT_OK && n == sizeof(scalar));
			found |= 2;
		} else if (strncmp(key_name, "otPK.DP", 7) == 0) {
			CHECK(ident_hex_decode(value, strlen(value), dp_point, sizeof(dp_point), &n) ==
				      IDENT_OK && n == sizeof(dp_point));
			found |= 4;
		} else if (strncmp(key_name, "ShS", 3) == 0) {
			CHECK(ident_hex_decode(value, strlen(value), shs, sizeof(shs), &n) ==
				      IDENT_OK && n == sizeof(shs));
			found |= 8;
		}
	}
	fclose(f);
	REQUIRE(found == 15);

	REQUIRE(crypto_privkey_from_scalar(CRYPTO_CURVE_P256, scalar, sizeof(scalar), &key) ==
		CRYPTO_OK);
	CHECK_INT(crypto_privkey_curve(key), CRYPTO_CURVE_P256);
	CHECK_INT(crypto_privkey_public_point(key, point), CRYPTO_OK);
	CHECK_MEM(point, dp_point, sizeof(point));
	CHECK_INT(crypto_ecdh_shared(key, euicc_point, sizeof(euicc_point), shared), CRYPTO_OK);
	CHECK_MEM(shared, shs, sizeof(shs));
	crypto_privkey_free(key);
}

static void test_sha256_known_answer(void)
{
	uint8_t digest[CRYPTO_SHA256_LEN], expected[CRYPTO_SHA256_LEN];

	/* FIPS 180-2 example "abc" */
	REQUIRE(unhex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		      expected, sizeof(expected)) == sizeof(expected));
	crypto_sha256((const uint8_t *)"abc", 3, digest);
	CHECK_MEM(digest, expected, sizeof(digest));

	REQUIRE(unhex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		      expected, sizeof(expected)) == sizeof(expected));
	crypto_sha256(NULL, 0, digest);
	CHECK_MEM(digest, expected, sizeof(digest));
}

static void test_aes_known_answers(void)
{
	uint8_t key[16], iv[16], in[16], expected[16], out[16], back[16];

	/* FIPS-197 appendix C.1 */
	REQUIRE(unhex("000102030405060708090A0B0C0D0E0F", key, sizeof(key)) == 16);
	REQUIRE(unhex("00112233445566778899AABBCCDDEEFF", in, sizeof(in)) == 16);
	REQUIRE(unhex("69C4E0D86A7B0430D8CDB78070B4C55A", expected, sizeof(expected)) == 16);
	CHECK_INT(crypto_aes128_ecb_encrypt(key, in, out), CRYPTO_OK);
	CHECK_MEM(out, expected, 16);

	/* NIST SP 800-38A F.2.1, first block */
	REQUIRE(unhex("2B7E151628AED2A6ABF7158809CF4F3C", key, sizeof(key)) == 16);
	REQUIRE(unhex("000102030405060708090A0B0C0D0E0F", iv, sizeof(iv)) == 16);
	REQUIRE(unhex("6BC1BEE22E409F96E93D7E117393172A", in, sizeof(in)) == 16);
	REQUIRE(unhex("7649ABAC8119B246CEE98E9B12E9197D", expected, sizeof(expected)) == 16);
	CHECK_INT(crypto_aes128_cbc_encrypt(key, iv, in, 16, out), CRYPTO_OK);
	CHECK_MEM(out, expected, 16);
	CHECK_INT(crypto_aes128_cbc_decrypt(key, iv, out, 16, back), CRYPTO_OK);
	CHECK_MEM(back, in, 16);
}

static void test_cmac_known_answers(void)
{
	uint8_t key[16], msg[16], expected[16], out[16];

	/* RFC 4493 section 4, examples 1 and 2 */
	REQUIRE(unhex("2B7E151628AED2A6ABF7158809CF4F3C", key, sizeof(key)) == 16);
	REQUIRE(unhex("BB1D6929E95937287FA37D129B756746", expected, sizeof(expected)) == 16);
	CHECK_INT(crypto_aes128_cmac(key, NULL, 0, out), CRYPTO_OK);
	CHECK_MEM(out, expected, 16);

	REQUIRE(unhex("6BC1BEE22E409F96E93D7E117393172A", msg, sizeof(msg)) == 16);
	REQUIRE(unhex("070A16B46B4D4144F79BDD9DD04A287C", expected, sizeof(expected)) == 16);
	CHECK_INT(crypto_aes128_cmac(key, msg, sizeof(msg), out), CRYPTO_OK);
	CHECK_MEM(out, expected, 16);
}

static void test_cbc_in_place_and_bad_length(void)
{
	uint8_t key[16] = { 1 }, iv[16] = { 2 }, buf[48], orig[48];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	memcpy(orig, buf, sizeof(buf));
	CHECK_INT(crypto_aes128_cbc_encrypt(key, iv, buf, sizeof(buf), buf), CRYPTO_OK);
	CHECK(memcmp(buf, orig, sizeof(buf)) != 0);
	CHECK_INT(crypto_aes128_cbc_decrypt(key, iv, buf, sizeof(buf), buf), CRYPTO_OK);
	CHECK_MEM(buf, orig, sizeof(buf));
	CHECK_INT(crypto_aes128_cbc_encrypt(key, iv, buf, 15, buf), CRYPTO_E_INVALID);
	CHECK_INT(crypto_aes128_cbc_decrypt(key, iv, buf, 17, buf), CRYPTO_E_INVALID);
}

/* ---- ECDSA ---- */

static void test_sign_verify_both_curves(void)
{
	static const uint8_t msg[] = "euiccSigned1 bytes";

	for (size_t c = 0; c < sizeof(curves) / sizeof(curves[0]); c++) {
		struct crypto_privkey *priv = NULL;
		struct crypto_pubkey *pub = NULL;
		uint8_t sig[CRYPTO_SIG_LEN], sig2[CRYPTO_SIG_LEN];

		REQUIRE(make_pair(curves[c], &priv, &pub) == CRYPTO_OK);
		CHECK_INT(crypto_pubkey_curve(pub), curves[c]);
		CHECK_INT(crypto_sign(priv, msg, sizeof(msg), sig), CRYPTO_OK);
		CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, sizeof(sig)), CRYPTO_OK);
		/* ECDSA with a random k: two signatures differ, both verify */
		CHECK_INT(crypto_sign(priv, msg, sizeof(msg), sig2), CRYPTO_OK);
		CHECK(memcmp(sig, sig2, sizeof(sig)) != 0);
		CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig2, sizeof(sig2)), CRYPTO_OK);
		/* an empty message is a message too */
		CHECK_INT(crypto_sign(priv, NULL, 0, sig), CRYPTO_OK);
		CHECK_INT(crypto_verify(pub, NULL, 0, sig, sizeof(sig)), CRYPTO_OK);
		crypto_privkey_free(priv);
		crypto_pubkey_free(pub);
	}
}

static void test_verify_rejects_tampering(void)
{
	static const uint8_t msg[] = "serverSigned1";
	uint8_t other[sizeof(msg)];

	for (size_t c = 0; c < sizeof(curves) / sizeof(curves[0]); c++) {
		struct crypto_privkey *priv = NULL;
		struct crypto_pubkey *pub = NULL, *wrong = NULL;
		struct crypto_privkey *wrong_priv = NULL;
		uint8_t sig[CRYPTO_SIG_LEN], bad[CRYPTO_SIG_LEN];

		REQUIRE(make_pair(curves[c], &priv, &pub) == CRYPTO_OK);
		REQUIRE(make_pair(curves[c], &wrong_priv, &wrong) == CRYPTO_OK);
		REQUIRE(crypto_sign(priv, msg, sizeof(msg), sig) == CRYPTO_OK);

		/* one bit flipped in r, in s, and in the message */
		memcpy(bad, sig, sizeof(sig));
		bad[5] ^= 0x01;
		CHECK_INT(crypto_verify(pub, msg, sizeof(msg), bad, sizeof(bad)), CRYPTO_E_VERIFY);
		memcpy(bad, sig, sizeof(sig));
		bad[CRYPTO_SIG_LEN - 1] ^= 0x80;
		CHECK_INT(crypto_verify(pub, msg, sizeof(msg), bad, sizeof(bad)), CRYPTO_E_VERIFY);
		memcpy(other, msg, sizeof(msg));
		other[0] ^= 0x20;
		CHECK_INT(crypto_verify(pub, other, sizeof(other), sig, sizeof(sig)),
			  CRYPTO_E_VERIFY);

		/* another key, then r = s = 0, then r and s all ones (above the group order) */
		CHECK_INT(crypto_verify(wrong, msg, sizeof(msg), sig, sizeof(sig)), CRYPTO_E_VERIFY);
		memset(bad, 0, sizeof(bad));
		CHECK_INT(crypto_verify(pub, msg, sizeof(msg), bad, sizeof(bad)), CRYPTO_E_VERIFY);
		memset(bad, 0xFF, sizeof(bad));
		CHECK_INT(crypto_verify(pub, msg, sizeof(msg), bad, sizeof(bad)), CRYPTO_E_VERIFY);

		crypto_privkey_free(priv);
		crypto_privkey_free(wrong_priv);
		crypto_pubkey_free(pub);
		crypto_pubkey_free(wrong);
	}
}

static void test_verify_rejects_wrong_length(void)
{
	static const uint8_t msg[] = "m";
	struct crypto_privkey *priv = NULL;
	struct crypto_pubkey *pub = NULL;
	uint8_t sig[CRYPTO_SIG_LEN + 8] = { 0 };

	REQUIRE(make_pair(CRYPTO_CURVE_P256, &priv, &pub) == CRYPTO_OK);
	REQUIRE(crypto_sign(priv, msg, sizeof(msg), sig) == CRYPTO_OK);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, 0), CRYPTO_E_INVALID);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, 63), CRYPTO_E_INVALID);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, 65), CRYPTO_E_INVALID);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, 72), CRYPTO_E_INVALID);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), NULL, 64), CRYPTO_E_INVALID);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, 64), CRYPTO_OK);
	crypto_privkey_free(priv);
	crypto_pubkey_free(pub);
}

static void test_signature_from_other_curve_fails(void)
{
	static const uint8_t msg[] = "m";
	struct crypto_privkey *p256 = NULL, *bp = NULL;
	struct crypto_pubkey *p256_pub = NULL, *bp_pub = NULL;
	uint8_t sig[CRYPTO_SIG_LEN];

	REQUIRE(make_pair(CRYPTO_CURVE_P256, &p256, &p256_pub) == CRYPTO_OK);
	REQUIRE(make_pair(CRYPTO_CURVE_BRAINPOOLP256R1, &bp, &bp_pub) == CRYPTO_OK);
	REQUIRE(crypto_sign(p256, msg, sizeof(msg), sig) == CRYPTO_OK);
	CHECK_INT(crypto_verify(bp_pub, msg, sizeof(msg), sig, sizeof(sig)), CRYPTO_E_VERIFY);
	crypto_privkey_free(p256);
	crypto_privkey_free(bp);
	crypto_pubkey_free(p256_pub);
	crypto_pubkey_free(bp_pub);
}

/* ---- points and keys ---- */

static void test_point_not_on_curve(void)
{
	for (size_t c = 0; c < sizeof(curves) / sizeof(curves[0]); c++) {
		struct crypto_privkey *priv = NULL;
		struct crypto_pubkey *pub = NULL;
		uint8_t point[CRYPTO_POINT_LEN], bad[CRYPTO_POINT_LEN], shared[CRYPTO_SHARED_LEN];

		REQUIRE(crypto_ecdh_keypair(curves[c], &priv, point) == CRYPTO_OK);

		memcpy(bad, point, sizeof(bad));
		bad[CRYPTO_POINT_LEN - 1] ^= 0x01; /* Y changed: off the curve */
		CHECK_INT(crypto_pubkey_from_point(curves[c], bad, sizeof(bad), &pub),
			  CRYPTO_E_INVALID);
		CHECK(pub == NULL);
		CHECK_INT(crypto_ecdh_shared(priv, bad, sizeof(bad), shared), CRYPTO_E_INVALID);

		memcpy(bad, point, sizeof(bad));
		bad[0] = 0x02; /* compressed form is not accepted */
		CHECK_INT(crypto_pubkey_from_point(curves[c], bad, sizeof(bad), &pub),
			  CRYPTO_E_INVALID);
		CHECK_INT(crypto_pubkey_from_point(curves[c], point, 33, &pub), CRYPTO_E_INVALID);
		CHECK_INT(crypto_pubkey_from_point(curves[c], point, 64, &pub), CRYPTO_E_INVALID);
		CHECK_INT(crypto_pubkey_from_point(curves[c], point, 66, &pub), CRYPTO_E_INVALID);

		bad[0] = 0x00; /* the point at infinity in mbedTLS's encoding */
		CHECK_INT(crypto_pubkey_from_point(curves[c], bad, 1, &pub), CRYPTO_E_INVALID);
		memset(bad, 0, sizeof(bad));
		bad[0] = 0x04;
		CHECK_INT(crypto_pubkey_from_point(curves[c], bad, sizeof(bad), &pub),
			  CRYPTO_E_INVALID);
		memset(bad + 1, 0xFF, sizeof(bad) - 1); /* coordinates above the field prime */
		CHECK_INT(crypto_pubkey_from_point(curves[c], bad, sizeof(bad), &pub),
			  CRYPTO_E_INVALID);

		/* the point of one curve is (almost surely) not on the other */
		CHECK_INT(crypto_pubkey_from_point(curves[1 - c], point, sizeof(point), &pub),
			  CRYPTO_E_INVALID);
		CHECK_INT(crypto_pubkey_from_point(CRYPTO_CURVE_NONE, point, sizeof(point), &pub),
			  CRYPTO_E_UNSUPPORTED);

		CHECK_INT(crypto_pubkey_from_point(curves[c], point, sizeof(point), &pub), CRYPTO_OK);
		REQUIRE(pub != NULL);
		CHECK_INT(crypto_pubkey_point(pub, bad), CRYPTO_OK);
		CHECK_MEM(bad, point, sizeof(point));
		crypto_pubkey_free(pub);
		crypto_privkey_free(priv);
	}
}

static void test_ecdh_agreement_both_curves(void)
{
	for (size_t c = 0; c < sizeof(curves) / sizeof(curves[0]); c++) {
		struct crypto_privkey *a = NULL, *b = NULL;
		uint8_t pa[CRYPTO_POINT_LEN], pb[CRYPTO_POINT_LEN], check[CRYPTO_POINT_LEN];
		uint8_t sa[CRYPTO_SHARED_LEN], sb[CRYPTO_SHARED_LEN];

		REQUIRE(crypto_ecdh_keypair(curves[c], &a, pa) == CRYPTO_OK);
		REQUIRE(crypto_ecdh_keypair(curves[c], &b, pb) == CRYPTO_OK);
		CHECK_INT(crypto_privkey_curve(a), curves[c]);
		CHECK(pa[0] == 0x04);
		CHECK(memcmp(pa, pb, sizeof(pa)) != 0);
		CHECK_INT(crypto_privkey_public_point(a, check), CRYPTO_OK);
		CHECK_MEM(check, pa, sizeof(pa));
		CHECK_INT(crypto_ecdh_shared(a, pb, sizeof(pb), sa), CRYPTO_OK);
		CHECK_INT(crypto_ecdh_shared(b, pa, sizeof(pa), sb), CRYPTO_OK);
		CHECK_MEM(sa, sb, sizeof(sa));
		/* a truncated peer point is rejected */
		CHECK_INT(crypto_ecdh_shared(a, pb, sizeof(pb) - 1, sa), CRYPTO_E_INVALID);
		crypto_privkey_free(a);
		crypto_privkey_free(b);
	}
	{
		struct crypto_privkey *none = NULL;
		uint8_t p[CRYPTO_POINT_LEN];

		CHECK_INT(crypto_ecdh_keypair(CRYPTO_CURVE_NONE, &none, p), CRYPTO_E_UNSUPPORTED);
		CHECK(none == NULL);
	}
}

static void test_scalar_out_of_range(void)
{
	uint8_t scalar[33] = { 0 };
	struct crypto_privkey *key = NULL;

	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_P256, scalar, 32, &key),
		  CRYPTO_E_INVALID); /* zero */
	CHECK(key == NULL);
	memset(scalar, 0xFF, sizeof(scalar)); /* above the group order */
	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_P256, scalar, 32, &key),
		  CRYPTO_E_INVALID);
	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_BRAINPOOLP256R1, scalar, 32, &key),
		  CRYPTO_E_INVALID);
	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_P256, scalar, 33, &key),
		  CRYPTO_E_INVALID);
	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_P256, scalar, 0, &key),
		  CRYPTO_E_INVALID);
	scalar[0] = 1;
	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_NONE, scalar, 1, &key),
		  CRYPTO_E_UNSUPPORTED);
	CHECK_INT(crypto_privkey_from_scalar(CRYPTO_CURVE_P256, scalar, 1, &key), CRYPTO_OK);
	crypto_privkey_free(key);
}

static void check_pem_key(const char *pem, const char *point_hex, enum crypto_curve curve)
{
	static const uint8_t msg[] = "signed with a loaded key";
	uint8_t expected[CRYPTO_POINT_LEN], point[CRYPTO_POINT_LEN], sig[CRYPTO_SIG_LEN];
	struct crypto_privkey *key = NULL;
	struct crypto_pubkey *pub = NULL;

	REQUIRE(unhex(point_hex, expected, sizeof(expected)) == sizeof(expected));
	REQUIRE(crypto_privkey_load_pem((const uint8_t *)pem, strlen(pem), &key) == CRYPTO_OK);
	CHECK_INT(crypto_privkey_curve(key), curve);
	CHECK_INT(crypto_privkey_public_point(key, point), CRYPTO_OK);
	CHECK_MEM(point, expected, sizeof(point));
	REQUIRE(crypto_pubkey_from_point(curve, point, sizeof(point), &pub) == CRYPTO_OK);
	CHECK_INT(crypto_sign(key, msg, sizeof(msg), sig), CRYPTO_OK);
	CHECK_INT(crypto_verify(pub, msg, sizeof(msg), sig, sizeof(sig)), CRYPTO_OK);
	crypto_pubkey_free(pub);
	crypto_privkey_free(key);
}

static void test_load_pem_keys(void)
{
	check_pem_key(pem_p256_sec1, point_p256_sec1, CRYPTO_CURVE_P256);
	check_pem_key(pem_bp256_pkcs8, point_bp256_pkcs8, CRYPTO_CURVE_BRAINPOOLP256R1);
}

static void test_load_pem_rejects_bad_input(void)
{
	struct crypto_privkey *key = NULL;
	char broken[sizeof(pem_p256_sec1)];

	CHECK_INT(crypto_privkey_load_pem((const uint8_t *)pem_p384, strlen(pem_p384), &key),
		  CRYPTO_E_UNSUPPORTED);
	CHECK(key == NULL);
	CHECK_INT(crypto_privkey_load_pem((const uint8_t *)"garbage", 7, &key), CRYPTO_E_INVALID);
	CHECK_INT(crypto_privkey_load_pem((const uint8_t *)"", 0, &key), CRYPTO_E_INVALID);
	memcpy(broken, pem_p256_sec1, sizeof(broken));
	broken[31] = 'N'; /* the first base64 character: the outer SEQUENCE tag becomes 34 */
	CHECK(crypto_privkey_load_pem((const uint8_t *)broken, strlen(broken), &key) !=
	      CRYPTO_OK);
	CHECK(key == NULL);
	crypto_privkey_free(key);
	/* every truncated prefix is rejected cleanly */
	for (size_t len = 0; len < strlen(pem_p256_sec1) - 1; len++) {
		CHECK(crypto_privkey_load_pem((const uint8_t *)pem_p256_sec1, len, &key) !=
		      CRYPTO_OK);
		CHECK(key == NULL);
	}
}

static void test_load_file(void)
{
	char path[] = "/tmp/test_crypto_key_XXXXXX";
	struct crypto_privkey *key = NULL;
	FILE *f;
	int fd;

	CHECK_INT(crypto_privkey_load_file("/nonexistent/dpauth.key", &key), CRYPTO_E_IO);
	CHECK(key == NULL);

	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	f = fdopen(fd, "w");
	REQUIRE(f != NULL);
	fputs(pem_bp256_pkcs8, f);
	fclose(f);
	CHECK_INT(crypto_privkey_load_file(path, &key), CRYPTO_OK);
	CHECK_INT(crypto_privkey_curve(key), CRYPTO_CURVE_BRAINPOOLP256R1);
	crypto_privkey_free(key);
	remove(path);
}

/* ---- misc ---- */

static void test_random_and_zeroize(void)
{
	uint8_t a[32], b[32], big[5000], zero[32] = { 0 };
	size_t nonzero = 0;

	CHECK_INT(crypto_random(a, sizeof(a)), CRYPTO_OK);
	CHECK_INT(crypto_random(b, sizeof(b)), CRYPTO_OK);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	/* more than one CTR_DRBG request */
	CHECK_INT(crypto_random(big, sizeof(big)), CRYPTO_OK);
	for (size_t i = sizeof(big) - 100; i < sizeof(big); i++)
		nonzero += big[i] != 0;
	CHECK(nonzero > 50);
	crypto_zeroize(a, sizeof(a));
	CHECK_MEM(a, zero, sizeof(a));
	crypto_zeroize(NULL, 10);
	CHECK_STR(crypto_curve_name(CRYPTO_CURVE_BRAINPOOLP256R1), "brainpoolP256r1");
	crypto_privkey_free(NULL);
	crypto_pubkey_free(NULL);
}

/* ---- threads ---- */

#define THREADS 4
#define ROUNDS 25

struct shared_keys {
	struct crypto_privkey *priv[2];
	struct crypto_pubkey *pub[2];
	int failures;
};

/* Signs, verifies and agrees keys with keys shared by all threads. */
static void *thread_work(void *arg)
{
	struct shared_keys *keys = arg;
	int failures = 0;

	for (int i = 0; i < ROUNDS; i++) {
		int c = i % 2;
		uint8_t msg[8] = { (uint8_t)i }, sig[CRYPTO_SIG_LEN];
		uint8_t point[CRYPTO_POINT_LEN], s1[CRYPTO_SHARED_LEN], s2[CRYPTO_SHARED_LEN];
		struct crypto_privkey *eph = NULL;

		if (crypto_sign(keys->priv[c], msg, sizeof(msg), sig) != CRYPTO_OK ||
		    crypto_verify(keys->pub[c], msg, sizeof(msg), sig, sizeof(sig)) != CRYPTO_OK)
			failures++;
		if (crypto_ecdh_keypair(curves[c], &eph, point) != CRYPTO_OK) {
			failures++;
			continue;
		}
		if (crypto_ecdh_shared(keys->priv[c], point, sizeof(point), s1) != CRYPTO_OK ||
		    crypto_privkey_public_point(keys->priv[c], point) != CRYPTO_OK ||
		    crypto_ecdh_shared(eph, point, sizeof(point), s2) != CRYPTO_OK ||
		    memcmp(s1, s2, sizeof(s1)) != 0)
			failures++;
		crypto_privkey_free(eph);
	}
	__atomic_add_fetch(&keys->failures, failures, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_shared_keys_across_threads(void)
{
	struct shared_keys keys = { 0 };
	pthread_t threads[THREADS];

	for (int c = 0; c < 2; c++)
		REQUIRE(make_pair(curves[c], &keys.priv[c], &keys.pub[c]) == CRYPTO_OK);
	for (int t = 0; t < THREADS; t++)
		REQUIRE(pthread_create(&threads[t], NULL, thread_work, &keys) == 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	CHECK_INT(keys.failures, 0);
	for (int c = 0; c < 2; c++) {
		crypto_privkey_free(keys.priv[c]);
		crypto_pubkey_free(keys.pub[c]);
	}
}

int main(void)
{
	test_program = "test_crypto";
	if (crypto_init() != CRYPTO_OK) {
		printf("FAIL test_crypto/init: crypto_init failed\n");
		return 1;
	}
	RUN(test_ecka_known_answer);
	RUN(test_sha256_known_answer);
	RUN(test_aes_known_answers);
	RUN(test_cmac_known_answers);
	RUN(test_cbc_in_place_and_bad_length);
	RUN(test_sign_verify_both_curves);
	RUN(test_verify_rejects_tampering);
	RUN(test_verify_rejects_wrong_length);
	RUN(test_signature_from_other_curve_fails);
	RUN(test_point_not_on_curve);
	RUN(test_ecdh_agreement_both_curves);
	RUN(test_scalar_out_of_range);
	RUN(test_load_pem_keys);
	RUN(test_load_pem_rejects_bad_input);
	RUN(test_load_file);
	RUN(test_random_and_zeroize);
	RUN(test_shared_keys_across_threads);
	crypto_cleanup();
	return test_finish();
}
