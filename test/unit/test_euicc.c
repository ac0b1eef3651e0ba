/*
 * Tests of the test eUICC and the test LPA (test/euicc/). They check the eUICC's own BSP key
 * derivation, segment opening and MAC chaining against the known-answer vectors, and the ES10b
 * functions with messages signed here as an SM-DP+ would sign them, up to a full Bound Profile
 * Package load. The parsers of BPPs, server messages and ES9+ JSON responses get every
 * truncated prefix of a valid input.
 *
 * The SM-DP+ side of these tests is written here, from the vectors, and never taken from
 * smdpplus/: the segment sealer below must first reproduce the vector outputs.
 * Vector files come from $RSP_SHARED/vectors; the cases that need them SKIP when it is absent.
 * Certificates come from a test PKI made in a temporary folder with pki/testpki.h.
 */
#include "test/harness.h"
#include "test/unit/vectors.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/der.h"
#include "common/crypto.h"
#include "common/ident.h"
#include "pki/cert.h"
#include "pki/testpki.h"
#include "saip/saip.h"
#include "test/euicc/es9_json.h"
#include "test/euicc/euicc.h"
#include "test/euicc/lpa.h"
#include "test/euicc/scp03t.h"

/* ---- vector files ---- */

#define VEC_MAX_ITEMS 64
#define VEC_LINE 8192

struct vec_item {
	char section[128];
	char key[128];
	char *value;
};

struct vec_file {
	struct vec_item items[VEC_MAX_ITEMS];
	size_t count;
};

static void vec_free(struct vec_file *vf)
{
	size_t i;

	for (i = 0; i < vf->count; i++)
		free(vf->items[i].value);
	vf->count = 0;
}

/* Loads every "key: value" line with the title of its section; -1 when the file is absent. */
static int vec_load(const char *name, struct vec_file *vf)
{
	static char line[VEC_LINE];
	char section[128] = "";
	FILE *f = vectors_open(name);
	const char *key, *value;

	memset(vf, 0, sizeof(*vf));
	if (!f)
		return -1;
	while (vectors_next_line(f, line, sizeof(line)) == 1) {
		if (line[0] == '[') {
			snprintf(section, sizeof(section), "%.120s", line + 1);
			continue;
		}
		if (!vectors_split(line, &key, &value) || vf->count == VEC_MAX_ITEMS)
			continue;
		snprintf(vf->items[vf->count].section, sizeof(vf->items[0].section), "%.120s", section);
		snprintf(vf->items[vf->count].key, sizeof(vf->items[0].key), "%.120s", key);
		vf->items[vf->count].value = strdup(value);
		vf->count++;
	}
	fclose(f);
	return 0;
}

/* The value of key in the first section whose title starts with section ("" for the lines
 * before any section). */
static const char *vec_get(const struct vec_file *vf, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < vf->count; i++)
		if (strncmp(vf->items[i].section, section, strlen(section)) == 0 &&
		    (section[0] || !vf->items[i].section[0]) && strcmp(vf->items[i].key, key) == 0)
			return vf->items[i].value;
	return NULL;
}

/* Decodes hex into a new buffer; returns its length, 0 on error. */
static size_t unhex(const char *hex, uint8_t **out)
{
	size_t len;

	*out = NULL;
	if (!hex)
		return 0;
	*out = malloc(strlen(hex) / 2 + 1);
	if (!*out || ident_hex_decode(hex, strlen(hex), *out, strlen(hex) / 2 + 1, &len) != IDENT_OK) {
		free(*out);
		*out = NULL;
		return 0;
	}
	return len;
}

/* ---- the SM-DP+ side of the tests: sealing segments ---- */

struct sealer {
	uint8_t enc[16], mac[16], mcv[16];
	uint32_t counter;
};

static void sealer_init(struct sealer *s, const uint8_t *enc, const uint8_t *mac,
			const uint8_t *mcv)
{
	memcpy(s->enc, enc, 16);
	memcpy(s->mac, mac, 16);
	memcpy(s->mcv, mcv, 16);
	s->counter = 1;
}

/* Appends one protected segment: encrypted and MACed for tags 86/87, MACed for 88. */
static void seal(struct sealer *s, uint32_t tag, const uint8_t *plain, size_t len,
		 struct der_buf *out)
{
	uint8_t body[1040], block[16] = {0}, icv[16], full[16];
	uint8_t input[16 + 1040 + 4];
	size_t n = len, header;

	memcpy(body, plain, len);
	if (tag != 0x88) {
		body[n++] = 0x80;
		while (n % 16)
			body[n++] = 0x00;
		block[12] = (uint8_t)(s->counter >> 24);
		block[13] = (uint8_t)(s->counter >> 16);
		block[14] = (uint8_t)(s->counter >> 8);
		block[15] = (uint8_t)s->counter;
		crypto_aes128_ecb_encrypt(s->enc, block, icv);
		crypto_aes128_cbc_encrypt(s->enc, icv, body, n, body);
	}
	memcpy(input, s->mcv, 16);
	header = 0;
	input[16 + header++] = (uint8_t)tag;
	if (n + 8 < 0x80) {
		input[16 + header++] = (uint8_t)(n + 8);
	} else if (n + 8 < 0x100) {
		input[16 + header++] = 0x81;
		input[16 + header++] = (uint8_t)(n + 8);
	} else {
		input[16 + header++] = 0x82;
		input[16 + header++] = (uint8_t)((n + 8) >> 8);
		input[16 + header++] = (uint8_t)(n + 8);
	}
	memcpy(input + 16 + header, body, n);
	crypto_aes128_cmac(s->mac, input, 16 + header + n, full);
	memcpy(s->mcv, full, 16);
	der_put_raw(out, input + 16, header + n);
	der_put_raw(out, full, 8);
	s->counter++;
}

/* ---- known-answer tests ---- */

static void test_kdf_vectors(void)
{
	struct vec_file vf;
	static const char *const sections[] = {"vector BSP_Test]", "vector BSP_Test_mode51"};
	size_t i;

	if (vec_load("bsp_kdf.txt", &vf) != 0)
		SKIP("bsp_kdf.txt not found (set RSP_SHARED)");
	for (i = 0; i < 2; i++) {
		const char *sec = sections[i];
		uint8_t *shs, *host, *eid, *info, *kdf, *mcv, *enc, *mac;
		size_t shs_len = unhex(vec_get(&vf, sec, "shared_secret"), &shs);
		size_t host_len = unhex(vec_get(&vf, sec, "host_id"), &host);
		size_t eid_len = unhex(vec_get(&vf, sec, "eid"), &eid);
		size_t info_len = unhex(vec_get(&vf, sec, "shared_info"), &info);
		size_t kdf_len = unhex(vec_get(&vf, sec, "kdf_output"), &kdf);
		uint8_t out[48];
		struct euicc_scp03t keys;

		unhex(vec_get(&vf, sec, "initial_mcv"), &mcv);
		unhex(vec_get(&vf, sec, "s_enc"), &enc);
		unhex(vec_get(&vf, sec, "s_mac"), &mac);
		CHECK_INT(shs_len, 32);
		CHECK_INT(host_len, 8);
		CHECK_INT(eid_len, 16);
		CHECK(info_len > 0);
		CHECK_INT(kdf_len, 48);
		CHECK(mcv != NULL);
		CHECK(enc != NULL);
		CHECK(mac != NULL);
		if (shs_len == 32 && eid_len == 16 && kdf_len == 48 && mcv && enc && mac) {
			CHECK_INT(euicc_x963_kdf_sha256(shs, shs_len, info, info_len, out, sizeof(out)),
				  EUICC_SCP03T_OK);
			CHECK_MEM(out, kdf, 48);
			CHECK_INT(euicc_scp03t_derive(shs, shs_len, 0x88, 0x10, host, host_len, eid,
						      &keys), EUICC_SCP03T_OK);
			CHECK_MEM(keys.mcv, mcv, 16);
			CHECK_MEM(keys.s_enc, enc, 16);
			CHECK_MEM(keys.s_mac, mac, 16);
			CHECK_INT(keys.counter, 1);
		}
		free(shs); free(host); free(eid); free(info); free(kdf);
		free(mcv); free(enc); free(mac);
	}
	vec_free(&vf);
}

static void test_kdf_rejects_bad_crt(void)
{
	uint8_t shs[32] = {1}, eid[16] = {0x89}, host[17] = {0};
	struct euicc_scp03t keys;

	CHECK_INT(euicc_scp03t_derive(shs, 32, 0x80, 0x10, host, 8, eid, &keys), EUICC_SCP03T_E_FORMAT);
	CHECK_INT(euicc_scp03t_derive(shs, 32, 0x88, 0x20, host, 8, eid, &keys), EUICC_SCP03T_E_FORMAT);
	CHECK_INT(euicc_scp03t_derive(shs, 32, 0x88, 0x10, host, 0, eid, &keys), EUICC_SCP03T_E_FORMAT);
	CHECK_INT(euicc_scp03t_derive(shs, 32, 0x88, 0x10, host, 17, eid, &keys), EUICC_SCP03T_E_FORMAT);
	CHECK_INT(euicc_scp03t_derive(shs, 32, 0x88, 0x10, host, 16, eid, &keys), EUICC_SCP03T_OK);
}

static void test_ecka_vector(void)
{
	struct vec_file vf;
	uint8_t *euicc_pk, *dp_sk, *dp_pk, *shs;
	uint8_t point[CRYPTO_POINT_LEN], shared[CRYPTO_SHARED_LEN];
	struct crypto_privkey *key = NULL;

	if (vec_load("ecka_p256_mode51.txt", &vf) != 0)
		SKIP("ecka_p256_mode51.txt not found (set RSP_SHARED)");
	unhex(vec_get(&vf, "", "otPK.EUICC.ECKA (uncompressed point)"), &euicc_pk);
	unhex(vec_get(&vf, "", "otSK.DP.ECKA (scalar)"), &dp_sk);
	unhex(vec_get(&vf, "", "otPK.DP.ECKA (uncompressed point)"), &dp_pk);
	unhex(vec_get(&vf, "", "ShS (shared secret = x-coordinate)"), &shs);
	CHECK(euicc_pk != NULL);
	CHECK(dp_sk != NULL);
	CHECK(dp_pk != NULL);
	CHECK(shs != NULL);
	if (euicc_pk && dp_sk && dp_pk && shs &&
	    crypto_privkey_from_scalar(CRYPTO_CURVE_P256, dp_sk, 32, &key) == CRYPTO_OK) {
		CHECK_INT(crypto_privkey_public_point(key, point), CRYPTO_OK);
		CHECK_MEM(point, dp_pk, CRYPTO_POINT_LEN);
		CHECK_INT(crypto_ecdh_shared(key, euicc_pk, CRYPTO_POINT_LEN, shared), CRYPTO_OK);
		CHECK_MEM(shared, shs, CRYPTO_SHARED_LEN);
	} else {
		CHECK(!"otSK.DP.ECKA does not load");
	}
	crypto_privkey_free(key);
	free(euicc_pk); free(dp_sk); free(dp_pk); free(shs);
	vec_free(&vf);
}

/* The five segments of bsp_segments_mode51.txt with their keys. */
struct segment_vectors {
	struct vec_file vf;
	uint8_t *enc, *mac, *mcv, *ppk_enc, *ppk_mac, *ppk_mcv;
	uint8_t *plain[5], *output[5];
	size_t plain_len[5], output_len[5];
};

static int segment_vectors_load(struct segment_vectors *sv)
{
	static const char *const steps[5] = {"step 1", "step 2", "step 3", "step 4", "step 5"};
	size_t i;

	memset(sv, 0, sizeof(*sv));
	if (vec_load("bsp_segments_mode51.txt", &sv->vf) != 0)
		return -1;
	unhex(vec_get(&sv->vf, "", "s_enc"), &sv->enc);
	unhex(vec_get(&sv->vf, "", "s_mac"), &sv->mac);
	unhex(vec_get(&sv->vf, "", "initial_mcv"), &sv->mcv);
	unhex(vec_get(&sv->vf, "PPK", "ppk_enc"), &sv->ppk_enc);
	unhex(vec_get(&sv->vf, "PPK", "ppk_mac"), &sv->ppk_mac);
	unhex(vec_get(&sv->vf, "PPK", "initial_mcv"), &sv->ppk_mcv);
	for (i = 0; i < 5; i++) {
		sv->plain_len[i] = unhex(vec_get(&sv->vf, steps[i], "plaintext"), &sv->plain[i]);
		sv->output_len[i] = unhex(vec_get(&sv->vf, steps[i], "output"), &sv->output[i]);
		if (!sv->plain[i] || !sv->output[i])
			return -2;
	}
	return sv->enc && sv->mac && sv->mcv && sv->ppk_enc && sv->ppk_mac && sv->ppk_mcv ? 0 : -2;
}

static void segment_vectors_free(struct segment_vectors *sv)
{
	size_t i;

	for (i = 0; i < 5; i++) {
		free(sv->plain[i]);
		free(sv->output[i]);
	}
	free(sv->enc); free(sv->mac); free(sv->mcv);
	free(sv->ppk_enc); free(sv->ppk_mac); free(sv->ppk_mcv);
	vec_free(&sv->vf);
}

static const uint32_t vector_tags[5] = {0x87, 0x88, 0x87, 0x86, 0x86};

static void test_segment_vectors_open(void)
{
	struct segment_vectors sv;
	struct euicc_scp03t keys;
	struct der_buf out;
	size_t i;
	int rc = segment_vectors_load(&sv);

	if (rc == -1)
		SKIP("bsp_segments_mode51.txt not found (set RSP_SHARED)");
	REQUIRE(rc == 0);
	der_buf_init(&out, 4096);
	euicc_scp03t_init(&keys, sv.enc, sv.mac, sv.mcv);
	for (i = 0; i < 5; i++) {
		if (i == 3) /* the profile continues under the keys of ReplaceSessionKeys */
			euicc_scp03t_init(&keys, sv.ppk_enc, sv.ppk_mac, sv.ppk_mcv);
		out.len = 0;
		CHECK_INT(euicc_scp03t_open(&keys, vector_tags[i], sv.output[i], sv.output_len[i], &out),
			  EUICC_SCP03T_OK);
		CHECK_INT(out.len, sv.plain_len[i]);
		if (out.len == sv.plain_len[i])
			CHECK_MEM(out.data, sv.plain[i], out.len);
	}
	CHECK_INT(sv.output_len[3], 1020); /* the largest segment SGP.22 allows */
	der_buf_free(&out);
	euicc_scp03t_wipe(&keys);
	segment_vectors_free(&sv);
}

/* The sealer that builds the BPPs of the later cases must reproduce the vectors too. */
static void test_segment_vectors_seal(void)
{
	struct segment_vectors sv;
	struct sealer s;
	struct der_buf out;
	size_t i;
	int rc = segment_vectors_load(&sv);

	if (rc == -1)
		SKIP("bsp_segments_mode51.txt not found (set RSP_SHARED)");
	REQUIRE(rc == 0);
	der_buf_init(&out, 4096);
	sealer_init(&s, sv.enc, sv.mac, sv.mcv);
	for (i = 0; i < 5; i++) {
		if (i == 3)
			sealer_init(&s, sv.ppk_enc, sv.ppk_mac, sv.ppk_mcv);
		out.len = 0;
		seal(&s, vector_tags[i], sv.plain[i], sv.plain_len[i], &out);
		CHECK_INT(out.len, sv.output_len[i]);
		if (out.len == sv.output_len[i])
			CHECK_MEM(out.data, sv.output[i], out.len);
	}
	der_buf_free(&out);
	segment_vectors_free(&sv);
}

static void test_segment_tampered_rejected(void)
{
	struct segment_vectors sv;
	struct euicc_scp03t keys;
	struct der_buf out;
	uint8_t copy[64];
	size_t i;
	int rc = segment_vectors_load(&sv);

	if (rc == -1)
		SKIP("bsp_segments_mode51.txt not found (set RSP_SHARED)");
	REQUIRE(rc == 0);
	REQUIRE(sv.output_len[0] <= sizeof(copy));
	der_buf_init(&out, 4096);
	/* Every changed byte of the data or MAC fails the C-MAC (tag and length bytes fail the
	 * TLV check first). */
	for (i = 0; i < sv.output_len[0]; i++) {
		memcpy(copy, sv.output[0], sv.output_len[0]);
		copy[i] ^= 0x01;
		euicc_scp03t_init(&keys, sv.enc, sv.mac, sv.mcv);
		out.len = 0;
		rc = euicc_scp03t_open(&keys, 0x87, copy, sv.output_len[0], &out);
		CHECK(rc == (i < 2 ? EUICC_SCP03T_E_FORMAT : EUICC_SCP03T_E_MAC));
	}
	/* The right segment at the wrong counter and chaining value: step 2 first. */
	euicc_scp03t_init(&keys, sv.enc, sv.mac, sv.mcv);
	CHECK_INT(euicc_scp03t_open(&keys, 0x88, sv.output[1], sv.output_len[1], &out),
		  EUICC_SCP03T_E_MAC);
	/* The right segment under another tag. */
	euicc_scp03t_init(&keys, sv.enc, sv.mac, sv.mcv);
	CHECK_INT(euicc_scp03t_open(&keys, 0x86, sv.output[0], sv.output_len[0], &out),
		  EUICC_SCP03T_E_FORMAT);
	der_buf_free(&out);
	segment_vectors_free(&sv);
}

static void test_segment_truncated_prefixes(void)
{
	struct segment_vectors sv;
	struct euicc_scp03t keys;
	struct der_buf out;
	size_t i, j;
	int rc = segment_vectors_load(&sv);

	if (rc == -1)
		SKIP("bsp_segments_mode51.txt not found (set RSP_SHARED)");
	REQUIRE(rc == 0);
	der_buf_init(&out, 4096);
	for (j = 0; j < 5; j++) {
		for (i = 0; i < sv.output_len[j]; i++) {
			euicc_scp03t_init(&keys, sv.enc, sv.mac, sv.mcv);
			out.len = 0;
			CHECK_INT(euicc_scp03t_open(&keys, vector_tags[j], sv.output[j], i, &out),
				  EUICC_SCP03T_E_FORMAT);
		}
	}
	der_buf_free(&out);
	segment_vectors_free(&sv);
}

/* Segments over 1020 bytes, and encrypted data that is not a multiple of 16, are refused. */
static void test_segment_size_limits(void)
{
	uint8_t key[16] = {1}, mcv[16] = {2};
	uint8_t plain[1100];
	struct sealer s;
	struct euicc_scp03t keys;
	struct der_buf seg, out;

	memset(plain, 0x5A, sizeof(plain));
	der_buf_init(&seg, 4096);
	der_buf_init(&out, 4096);

	sealer_init(&s, key, key, mcv);
	seal(&s, 0x86, plain, 1007, &seg);
	CHECK_INT(seg.len, 1020);
	euicc_scp03t_init(&keys, key, key, mcv);
	CHECK_INT(euicc_scp03t_open(&keys, 0x86, seg.data, seg.len, &out), EUICC_SCP03T_OK);
	CHECK_INT(out.len, 1007);

	seg.len = 0;
	sealer_init(&s, key, key, mcv);
	seal(&s, 0x86, plain, 1008, &seg);
	CHECK_INT(seg.len, 1036);
	euicc_scp03t_init(&keys, key, key, mcv);
	CHECK_INT(euicc_scp03t_open(&keys, 0x86, seg.data, seg.len, &out), EUICC_SCP03T_E_FORMAT);

	/* A MAC-only 88 segment of 1008 bytes still fits. */
	seg.len = 0;
	sealer_init(&s, key, key, mcv);
	seal(&s, 0x88, plain, 1008, &seg);
	CHECK_INT(seg.len, 1020);
	euicc_scp03t_init(&keys, key, key, mcv);
	out.len = 0;
	CHECK_INT(euicc_scp03t_open(&keys, 0x88, seg.data, seg.len, &out), EUICC_SCP03T_OK);
	CHECK_INT(out.len, 1008);

	der_buf_free(&seg);
	der_buf_free(&out);
}

/* ---- the ES10b functions against a test SM-DP+ ---- */

static char pki_dir[64];

static void remove_pki(void)
{
	char cmd[128];

	if (pki_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", pki_dir);
	}
}

/* Makes the test PKI once per run; returns NULL (and the case fails) when that is impossible. */
static const char *test_pki(void)
{
	static int pki_ready = -1;
	struct testpki_options opts = {0};
	char err[256];

	if (pki_ready >= 0)
		return pki_ready ? pki_dir : NULL;
	snprintf(pki_dir, sizeof(pki_dir), "/tmp/test_euicc.XXXXXX");
	if (!mkdtemp(pki_dir)) {
		pki_ready = 0;
		pki_dir[0] = '\0';
		return NULL;
	}
	atexit(remove_pki);
	opts.out_dir = pki_dir;
	opts.euicc_count = 2;
	pki_ready = testpki_create(&opts, err, sizeof(err)) == PKI_OK;
	if (!pki_ready)
		fprintf(stderr, "testpki_create: %s\n", err);
	return pki_ready ? pki_dir : NULL;
}

static char *pki_path(const char *curve, const char *file)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s/%s", pki_dir, curve, file);
	return p;
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);

	*len = 0;
	if (f && buf)
		*len = fread(buf, 1, 65536, f);
	if (f)
		fclose(f);
	return buf;
}

/* The SM-DP+ of these tests: its keys and certificates, and the session values it chose. */
struct server {
	const char *curve;
	struct crypto_privkey *auth_key, *pb_key;
	uint8_t *auth_der, *pb_der;
	size_t auth_len, pb_len;
	struct cert *ci;
	uint8_t tid[16];
	uint8_t server_challenge[16];
	char address[32];
	/* messages of the current session */
	struct der_buf signed1, sig1, pkid;
	struct der_buf smdp_signed2, sig2;
	uint8_t euicc_otpk[CRYPTO_POINT_LEN];
	struct der_buf euicc_signature1;
};

static int server_init(struct server *s, const char *curve)
{
	memset(s, 0, sizeof(*s));
	s->curve = curve;
	snprintf(s->address, sizeof(s->address), "smdpplus.test");
	memset(s->tid, 0xA5, sizeof(s->tid));
	memset(s->server_challenge, 0x3C, sizeof(s->server_challenge));
	der_buf_init(&s->signed1, 4096);
	der_buf_init(&s->sig1, 128);
	der_buf_init(&s->pkid, 64);
	der_buf_init(&s->smdp_signed2, 4096);
	der_buf_init(&s->sig2, 128);
	der_buf_init(&s->euicc_signature1, 128);
	if (!test_pki())
		return -1;
	s->auth_der = load(pki_path(curve, "dpauth.der"), &s->auth_len);
	s->pb_der = load(pki_path(curve, "dppb.der"), &s->pb_len);
	if (crypto_privkey_load_file(pki_path(curve, "dpauth.key"), &s->auth_key) != CRYPTO_OK ||
	    crypto_privkey_load_file(pki_path(curve, "dppb.key"), &s->pb_key) != CRYPTO_OK ||
	    cert_load_file(pki_path(curve, "ci.der"), &s->ci) != PKI_OK || !s->auth_len ||
	    !s->pb_len)
		return -1;
	return 0;
}

static void server_free(struct server *s)
{
	crypto_privkey_free(s->auth_key);
	crypto_privkey_free(s->pb_key);
	free(s->auth_der);
	free(s->pb_der);
	cert_free(s->ci);
	der_buf_free(&s->signed1);
	der_buf_free(&s->sig1);
	der_buf_free(&s->pkid);
	der_buf_free(&s->smdp_signed2);
	der_buf_free(&s->sig2);
	der_buf_free(&s->euicc_signature1);
}

static void put_signature(struct crypto_privkey *key, const uint8_t *msg, size_t len,
			  struct der_buf *out)
{
	uint8_t sig[CRYPTO_SIG_LEN];

	crypto_sign(key, msg, len, sig);
	der_put_tlv(out, 0x5F37, sig, sizeof(sig));
}

static struct euicc *make_euicc(const char *curve, const char *euicc_name)
{
	static const uint8_t svn[3] = {2, 2, 2};
	struct euicc *e = NULL;
	char cert[64], key[64];

	snprintf(cert, sizeof(cert), "%s.der", euicc_name);
	snprintf(key, sizeof(key), "%s.key", euicc_name);
	if (!test_pki() || euicc_new(svn, &e) != EUICC_OK)
		return NULL;
	if (euicc_add_ci_file(e, pki_path(curve, "ci.der")) != EUICC_OK ||
	    euicc_add_chain_files(e, pki_path(curve, cert), pki_path(curve, key),
				  pki_path(curve, "eum.der")) != EUICC_OK) {
		euicc_free(e);
		return NULL;
	}
	return e;
}

/* Builds the SM-DP+'s InitiateAuthentication response to the eUICC's challenge. */
static void server_initiate(struct server *s, const uint8_t challenge[16])
{
	size_t seq;

	s->signed1.len = s->sig1.len = s->pkid.len = 0;
	seq = der_begin(&s->signed1, 0x30);
	der_put_tlv(&s->signed1, 0x80, s->tid, sizeof(s->tid));
	der_put_tlv(&s->signed1, 0x81, challenge, 16);
	der_put_tlv(&s->signed1, 0x83, s->address, strlen(s->address));
	der_put_tlv(&s->signed1, 0x84, s->server_challenge, 16);
	der_end(&s->signed1, seq);
	put_signature(s->auth_key, s->signed1.data, s->signed1.len, &s->sig1);
	der_put_tlv(&s->pkid, 0x04, s->ci->ski, s->ci->ski_len);
}

static void fill_auth_request(const struct server *s, struct euicc_auth_request *req)
{
	memset(req, 0, sizeof(*req));
	req->server_signed1 = s->signed1.data;
	req->server_signed1_len = s->signed1.len;
	req->server_signature1 = s->sig1.data;
	req->server_signature1_len = s->sig1.len;
	req->ci_pkid = s->pkid.data;
	req->ci_pkid_len = s->pkid.len;
	req->server_cert = s->auth_der;
	req->server_cert_len = s->auth_len;
	req->matching_id = "TEST-MATCHING-ID";
}

/* Checks an AuthenticateServerResponse as the SM-DP+ does and keeps euiccSignature1. */
static int server_check_auth_response(struct server *s, const struct der_buf *resp,
				      const char *euicc_cert_path)
{
	struct der_tlv top, ok, signed1, sig, cert_tlv, tid, challenge;
	struct der_iter it;
	struct cert *cert = NULL;
	struct crypto_pubkey *pub = NULL;
	int rc = -1;

	if (der_read_exact(resp->data, resp->len, 0xBF38, &top) != DER_OK ||
	    der_find(&top, 0xA0, &ok) != DER_OK)
		return -1;
	der_iter_init(&it, &ok);
	if (der_iter_next(&it, &signed1) != 1 || der_iter_next(&it, &sig) != 1 ||
	    der_iter_next(&it, &cert_tlv) != 1 || sig.tag != 0x5F37)
		return -1;
	if (der_find(&signed1, 0x80, &tid) != DER_OK || tid.len != 16 ||
	    memcmp(tid.value, s->tid, 16) != 0 || der_find(&signed1, 0x84, &challenge) != DER_OK ||
	    memcmp(challenge.value, s->server_challenge, 16) != 0)
		return -1;
	if (cert_load_file(euicc_cert_path, &cert) != PKI_OK ||
	    cert_tlv.raw_len != cert->der_len || memcmp(cert_tlv.raw, cert->der, cert->der_len) ||
	    crypto_pubkey_from_point((enum crypto_curve)cert->curve, cert->public_point,
				     CRYPTO_POINT_LEN, &pub) != CRYPTO_OK)
		goto out;
	if (crypto_verify(pub, signed1.raw, signed1.raw_len, sig.value, sig.len) != CRYPTO_OK)
		goto out;
	s->euicc_signature1.len = 0;
	der_put_raw(&s->euicc_signature1, sig.raw, sig.raw_len);
	rc = 0;
out:
	crypto_pubkey_free(pub);
	cert_free(cert);
	return rc;
}

/* smdpSigned2 and smdpSignature2 over smdpSigned2 || euiccSignature1. */
static void server_authenticate_client(struct server *s, bool cc_required)
{
	struct der_buf msg;
	uint8_t flag = cc_required ? 0xFF : 0x00;
	size_t seq;

	s->smdp_signed2.len = s->sig2.len = 0;
	seq = der_begin(&s->smdp_signed2, 0x30);
	der_put_tlv(&s->smdp_signed2, 0x80, s->tid, sizeof(s->tid));
	der_put_tlv(&s->smdp_signed2, 0x01, &flag, 1);
	der_end(&s->smdp_signed2, seq);
	der_buf_init(&msg, 4096);
	der_put_raw(&msg, s->smdp_signed2.data, s->smdp_signed2.len);
	der_put_raw(&msg, s->euicc_signature1.data, s->euicc_signature1.len);
	put_signature(s->pb_key, msg.data, msg.len, &s->sig2);
	der_buf_free(&msg);
}

static void fill_prepare_request(const struct server *s, const uint8_t *hash_cc,
				 struct euicc_prepare_request *req)
{
	memset(req, 0, sizeof(*req));
	req->smdp_signed2 = s->smdp_signed2.data;
	req->smdp_signed2_len = s->smdp_signed2.len;
	req->smdp_signature2 = s->sig2.data;
	req->smdp_signature2_len = s->sig2.len;
	req->hash_cc = hash_cc;
	req->smdp_cert = s->pb_der;
	req->smdp_cert_len = s->pb_len;
}

/* Reads otPK.EUICC.ECKA from a PrepareDownloadResponse; checks the hashCc presence. */
static int server_check_prepare_response(struct server *s, const struct der_buf *resp,
					 const uint8_t *hash_cc)
{
	struct der_tlv top, ok, signed2, sig, otpk, cc;

	if (der_read_exact(resp->data, resp->len, 0xBF21, &top) != DER_OK ||
	    der_find(&top, 0xA0, &ok) != DER_OK || der_find(&ok, 0x30, &signed2) != DER_OK ||
	    der_find(&ok, 0x5F37, &sig) != DER_OK || der_find(&signed2, 0x5F49, &otpk) != DER_OK ||
	    otpk.len != CRYPTO_POINT_LEN)
		return -1;
	if (hash_cc && (der_find(&signed2, 0x04, &cc) != DER_OK || cc.len != 32 ||
			memcmp(cc.value, hash_cc, 32) != 0))
		return -1;
	if (!hash_cc && der_find(&signed2, 0x04, &cc) == DER_OK)
		return -1;
	memcpy(s->euicc_otpk, otpk.value, CRYPTO_POINT_LEN);
	return 0;
}

/* Runs AuthenticateServer and PrepareDownload; the eUICC is then ready for a BPP. */
static int run_to_prepared(struct euicc *e, struct server *s, const char *euicc_cert_path)
{
	struct euicc_auth_request areq;
	struct euicc_prepare_request preq;
	struct der_buf resp;
	uint8_t challenge[16];
	int err = -1, rc = -1;

	der_buf_init(&resp, 16384);
	if (euicc_get_challenge(e, challenge) != EUICC_OK)
		goto out;
	server_initiate(s, challenge);
	fill_auth_request(s, &areq);
	if (euicc_authenticate_server(e, &areq, &resp, &err) != EUICC_OK || err != 0 ||
	    server_check_auth_response(s, &resp, euicc_cert_path) != 0)
		goto out;
	server_authenticate_client(s, false);
	fill_prepare_request(s, NULL, &preq);
	resp.len = 0;
	if (euicc_prepare_download(e, &preq, &resp, &err) != EUICC_OK || err != 0 ||
	    server_check_prepare_response(s, &resp, NULL) != 0)
		goto out;
	rc = 0;
out:
	der_buf_free(&resp);
	return rc;
}

/* A profile generated with saip_generate and the StoreMetadataRequest that announces it. */
struct test_profile {
	uint8_t *package;
	size_t len;
	char iccid[21];
	struct der_buf metadata;
};

static int make_profile(struct test_profile *p)
{
	struct saip_params params = {0};
	char digits[20] = "894944999999990001";
	uint8_t bcd[10];
	size_t seq;

	memset(p, 0, sizeof(*p));
	digits[18] = ident_luhn_digit(digits, 18);
	digits[19] = '\0';
	snprintf(p->iccid, sizeof(p->iccid), "%s", digits);
	params.iccid = p->iccid;
	params.imsi = "001010123456789";
	params.ki = "000102030405060708090A0B0C0D0E0F";
	params.opc = "0F0E0D0C0B0A09080706050403020100";
	if (saip_generate(&params, &p->package, &p->len) != SAIP_OK)
		return -1;
	der_buf_init(&p->metadata, 4096);
	ident_iccid_to_bcd(p->iccid, strlen(p->iccid), bcd);
	seq = der_begin(&p->metadata, 0xBF25);
	der_put_tlv(&p->metadata, 0x5A, bcd, sizeof(bcd));
	der_put_tlv(&p->metadata, 0x91, "Test SP", 7);
	der_put_tlv(&p->metadata, 0x92, "Test profile", 12);
	der_end(&p->metadata, seq);
	return 0;
}

static void free_profile(struct test_profile *p)
{
	saip_package_free(p->package, p->len);
	der_buf_free(&p->metadata);
}

/* How build_bpp departs from a correct BPP. */
struct bpp_options {
	bool with_rsk;          /* protect the profile with ReplaceSessionKeys */
	bool bad_smdp_sign;     /* flip a bit of smdpSign */
	bool other_tid;         /* InitialiseSecureChannel with another transactionId */
	bool drop_last_86;      /* leave out the last profile segment */
	size_t chunk;           /* profile bytes per 86 segment; 0 means the maximum, 1007 */
	bool two_88;            /* split StoreMetadata over two segments */
	const struct der_buf *metadata; /* StoreMetadata other than the profile's */
};

/* Builds a BPP for the prepared session as an SM-DP+ does. */
static int build_bpp(struct server *s, const uint8_t eid[16], const struct test_profile *p,
		     const struct bpp_options *o, struct der_buf *bpp)
{
	static const uint8_t host_id[8] = {'T', 'E', 'S', 'T', 'H', 'O', 'S', 'T'};
	static const uint8_t op[3] = {0x82, 0x01, 0x01};
	static const uint8_t configure_isdp[3] = {0xBF, 0x24, 0x00};
	struct crypto_privkey *ot = NULL;
	uint8_t ot_point[CRYPTO_POINT_LEN], shs[32];
	struct euicc_scp03t keys;
	struct sealer seal_keys;
	struct der_buf isc, signed_part, rsk;
	const struct der_buf *metadata = o->metadata ? o->metadata : &p->metadata;
	uint8_t tid[16];
	size_t top, mark, crt, off, chunk;
	uint8_t ppk_enc[16], ppk_mac[16], ppk_mcv[16];

	if (crypto_ecdh_keypair(crypto_privkey_curve(s->pb_key), &ot, ot_point) != CRYPTO_OK ||
	    crypto_ecdh_shared(ot, s->euicc_otpk, CRYPTO_POINT_LEN, shs) != CRYPTO_OK ||
	    euicc_scp03t_derive(shs, 32, 0x88, 0x10, host_id, sizeof(host_id), eid, &keys) !=
		    EUICC_SCP03T_OK) {
		crypto_privkey_free(ot);
		return -1;
	}
	crypto_privkey_free(ot);
	sealer_init(&seal_keys, keys.s_enc, keys.s_mac, keys.mcv);

	memcpy(tid, s->tid, sizeof(tid));
	if (o->other_tid)
		tid[0] ^= 0xFF;
	der_buf_init(&isc, 4096);
	der_put_raw(&isc, op, sizeof(op));
	der_put_tlv(&isc, 0x80, tid, sizeof(tid));
	crt = der_begin(&isc, 0xA6);
	der_put_tlv(&isc, 0x80, "\x88", 1);
	der_put_tlv(&isc, 0x81, "\x10", 1);
	der_put_tlv(&isc, 0x84, host_id, sizeof(host_id));
	der_end(&isc, crt);
	der_put_tlv(&isc, 0x5F49, ot_point, sizeof(ot_point));
	der_buf_init(&signed_part, 4096);
	der_put_raw(&signed_part, isc.data, isc.len);
	der_put_tlv(&signed_part, 0x5F49, s->euicc_otpk, CRYPTO_POINT_LEN);
	put_signature(s->pb_key, signed_part.data, signed_part.len, &isc);
	if (o->bad_smdp_sign)
		isc.data[isc.len - 1] ^= 0x01;

	top = der_begin(bpp, 0xBF36);
	der_put_tlv(bpp, 0xBF23, isc.data, isc.len);
	mark = der_begin(bpp, 0xA0);
	seal(&seal_keys, 0x87, configure_isdp, sizeof(configure_isdp), bpp);
	der_end(bpp, mark);
	mark = der_begin(bpp, 0xA1);
	if (o->two_88) {
		seal(&seal_keys, 0x88, metadata->data, 10, bpp);
		seal(&seal_keys, 0x88, metadata->data + 10, metadata->len - 10, bpp);
	} else {
		seal(&seal_keys, 0x88, metadata->data, metadata->len, bpp);
	}
	der_end(bpp, mark);
	if (o->with_rsk) {
		memset(ppk_enc, 0x11, 16);
		memset(ppk_mac, 0x22, 16);
		memset(ppk_mcv, 0x33, 16);
		der_buf_init(&rsk, 128);
		mark = der_begin(&rsk, 0xBF26);
		der_put_tlv(&rsk, 0x80, ppk_mcv, 16);
		der_put_tlv(&rsk, 0x81, ppk_enc, 16);
		der_put_tlv(&rsk, 0x82, ppk_mac, 16);
		der_end(&rsk, mark);
		mark = der_begin(bpp, 0xA2);
		seal(&seal_keys, 0x87, rsk.data, rsk.len, bpp);
		der_end(bpp, mark);
		der_buf_free(&rsk);
		sealer_init(&seal_keys, ppk_enc, ppk_mac, ppk_mcv);
	}
	chunk = o->chunk ? o->chunk : RSP_MAX_SEGMENT_PLAIN_ENC;
	mark = der_begin(bpp, 0xA3);
	for (off = 0; off < p->len; off += chunk) {
		size_t n = p->len - off < chunk ? p->len - off : chunk;

		if (o->drop_last_86 && off + n == p->len && off > 0)
			break;
		seal(&seal_keys, 0x86, p->package + off, n, bpp);
	}
	der_end(bpp, mark);
	der_end(bpp, top);

	euicc_scp03t_wipe(&keys);
	der_buf_free(&isc);
	der_buf_free(&signed_part);
	return bpp->status == DER_OK ? 0 : -1;
}

/* Checks a ProfileInstallationResult: signed by the eUICC, for this session, and with the
 * expected outcome. */
static int check_pir(const struct server *s, const struct der_buf *pir, const char *euicc_cert,
		     bool success, int command, int reason)
{
	struct der_tlv top, data, sig, tid, oid, final, alt, value;
	struct cert *cert = NULL, *pb = NULL;
	struct crypto_pubkey *pub = NULL;
	int rc = -1;

	if (der_read_exact(pir->data, pir->len, 0xBF37, &top) != DER_OK ||
	    der_find(&top, 0xBF27, &data) != DER_OK || der_find(&top, 0x5F37, &sig) != DER_OK ||
	    der_find(&data, 0x80, &tid) != DER_OK || der_find(&data, 0x06, &oid) != DER_OK ||
	    der_find(&data, 0xA2, &final) != DER_OK)
		return -1;
	if (tid.len != 16 || memcmp(tid.value, s->tid, 16) != 0)
		return -1;
	if (cert_parse(s->pb_der, s->pb_len, &pb) != PKI_OK)
		return -1;
	if (oid.len != pb->san_oid_der_len || memcmp(oid.value, pb->san_oid_der, oid.len) != 0)
		goto out;
	if (success) {
		if (der_find(&final, 0xA0, &alt) != DER_OK || der_find(&alt, 0x4F, &value) != DER_OK)
			goto out;
	} else {
		if (der_find(&final, 0xA1, &alt) != DER_OK || der_find(&alt, 0x80, &value) != DER_OK ||
		    value.len != 1 || value.value[0] != command ||
		    der_find(&alt, 0x81, &value) != DER_OK || value.len != 1 ||
		    value.value[0] != reason)
			goto out;
	}
	if (cert_load_file(euicc_cert, &cert) != PKI_OK ||
	    crypto_pubkey_from_point((enum crypto_curve)cert->curve, cert->public_point,
				     CRYPTO_POINT_LEN, &pub) != CRYPTO_OK ||
	    crypto_verify(pub, data.raw, data.raw_len, sig.value, sig.len) != CRYPTO_OK)
		goto out;
	rc = 0;
out:
	crypto_pubkey_free(pub);
	cert_free(cert);
	cert_free(pb);
	return rc;
}

static void download_on(const char *curve, const struct bpp_options *o)
{
	struct server s;
	struct euicc *e = NULL;
	struct test_profile p;
	struct euicc_install_result r;
	struct der_buf bpp, pir;
	uint8_t eid[16];

	REQUIRE(server_init(&s, curve) == 0);
	REQUIRE(make_profile(&p) == 0);
	e = make_euicc(curve, "euicc");
	REQUIRE(e);
	der_buf_init(&bpp, 2 * RSP_MAX_PROFILE_PACKAGE);
	der_buf_init(&pir, 16384);
	ident_eid_to_bytes(euicc_eid(e), strlen(euicc_eid(e)), eid);

	CHECK_INT(run_to_prepared(e, &s, pki_path(curve, "euicc.der")), 0);
	CHECK_INT(build_bpp(&s, eid, &p, o, &bpp), 0);
	CHECK_INT(euicc_load_bpp(e, bpp.data, bpp.len, p.metadata.data, p.metadata.len, p.package,
				 p.len, &pir, &r), EUICC_OK);
	CHECK(r.success);
	CHECK_STR(r.iccid, p.iccid);
	CHECK_INT(r.profile_len, p.len);
	REQUIRE(r.profile != NULL);
	CHECK_MEM(r.profile, p.package, p.len);
	CHECK(r.replaced_session_keys == o->with_rsk);
	CHECK_INT(check_pir(&s, &pir, pki_path(curve, "euicc.der"), true, 0, 0), 0);
	/* A successful install ends the session. */
	pir.len = 0;
	CHECK_INT(euicc_load_bpp(e, bpp.data, bpp.len, NULL, 0, NULL, 0, &pir, &r), EUICC_E_STATE);

	der_buf_free(&bpp);
	der_buf_free(&pir);
	euicc_free(e);
	free_profile(&p);
	server_free(&s);
}

static void test_download_nist(void)
{
	struct bpp_options o = {0};

	download_on("nist", &o);
}

static void test_download_brainpool(void)
{
	struct bpp_options o = {0};

	download_on("brp", &o);
}

static void test_download_with_rsk(void)
{
	struct bpp_options o = {.with_rsk = true, .two_88 = true, .chunk = 333};

	download_on("nist", &o);
}

/* Loads a faulty BPP and checks the error result. */
static void failed_install(const struct bpp_options *o, const uint8_t *expected,
			   size_t expected_len, int command, int reason)
{
	struct server s;
	struct euicc *e = NULL;
	struct test_profile p;
	struct euicc_install_result r;
	struct der_buf bpp, pir;
	uint8_t eid[16];

	REQUIRE(server_init(&s, "nist") == 0);
	REQUIRE(make_profile(&p) == 0);
	e = make_euicc("nist", "euicc");
	REQUIRE(e);
	der_buf_init(&bpp, 2 * RSP_MAX_PROFILE_PACKAGE);
	der_buf_init(&pir, 16384);
	ident_eid_to_bytes(euicc_eid(e), strlen(euicc_eid(e)), eid);

	CHECK_INT(run_to_prepared(e, &s, pki_path("nist", "euicc.der")), 0);
	CHECK_INT(build_bpp(&s, eid, &p, o, &bpp), 0);
	CHECK_INT(euicc_load_bpp(e, bpp.data, bpp.len, p.metadata.data, p.metadata.len,
				 expected ? expected : p.package, expected ? expected_len : p.len,
				 &pir, &r), EUICC_OK);
	CHECK(!r.success);
	CHECK_INT(r.bpp_command, command);
	CHECK_INT(r.error_reason, reason);
	CHECK_INT(check_pir(&s, &pir, pki_path("nist", "euicc.der"), false, command, reason), 0);

	der_buf_free(&bpp);
	der_buf_free(&pir);
	euicc_free(e);
	free_profile(&p);
	server_free(&s);
}

static void test_bpp_bad_smdp_sign(void)
{
	struct bpp_options o = {.bad_smdp_sign = true};

	failed_install(&o, NULL, 0, EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL,
		       EUICC_INSTALL_INVALID_SIGNATURE);
}

static void test_bpp_other_transaction_id(void)
{
	struct bpp_options o = {.other_tid = true};

	failed_install(&o, NULL, 0, EUICC_BPP_CMD_INITIALISE_SECURE_CHANNEL,
		       EUICC_INSTALL_INVALID_TRANSACTION_ID);
}

static void test_bpp_metadata_mismatch(void)
{
	struct der_buf other;
	struct bpp_options o = {0};
	size_t seq;

	der_buf_init(&other, 256);
	seq = der_begin(&other, 0xBF25);
	der_put_tlv(&other, 0x5A, "\x98\x94\x44\x99\x99\x99\x99\x00\x10\xF0", 10);
	der_put_tlv(&other, 0x91, "Other SP", 8);
	der_put_tlv(&other, 0x92, "Other profile", 13);
	der_end(&other, seq);
	o.metadata = &other;
	failed_install(&o, NULL, 0, EUICC_BPP_CMD_STORE_METADATA, EUICC_INSTALL_DATA_MISMATCH);
	der_buf_free(&other);
}

static void test_bpp_missing_segment(void)
{
	struct bpp_options o = {.drop_last_86 = true, .chunk = 100};

	failed_install(&o, NULL, 0, EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
		       EUICC_INSTALL_PE_PROCESSING_ERROR);
}

static void test_bpp_expected_profile_differs(void)
{
	struct bpp_options o = {0};
	static const uint8_t other[4] = {0xA0, 0x02, 0x80, 0x00};

	failed_install(&o, other, sizeof(other), EUICC_BPP_CMD_LOAD_PROFILE_ELEMENTS,
		       EUICC_INSTALL_DATA_MISMATCH);
}

/*
 * Every truncated prefix of a valid BPP, and the BPP with one byte changed in each segment,
 * is rejected with an error result. The session survives them, so the whole BPP still
 * installs afterwards.
 */
static void test_bpp_truncated_and_tampered(void)
{
	struct server s;
	struct euicc *e = NULL;
	struct test_profile p;
	struct euicc_install_result r;
	struct der_buf bpp, pir;
	struct bpp_options o = {.with_rsk = true};
	struct der_tlv top, part, seg;
	struct der_iter parts, segs;
	uint8_t eid[16];
	size_t i, rejected = 0, tampered = 0;

	REQUIRE(server_init(&s, "nist") == 0);
	REQUIRE(make_profile(&p) == 0);
	e = make_euicc("nist", "euicc");
	REQUIRE(e);
	der_buf_init(&bpp, 2 * RSP_MAX_PROFILE_PACKAGE);
	der_buf_init(&pir, 16384);
	ident_eid_to_bytes(euicc_eid(e), strlen(euicc_eid(e)), eid);
	REQUIRE(run_to_prepared(e, &s, pki_path("nist", "euicc.der")) == 0);
	REQUIRE(build_bpp(&s, eid, &p, &o, &bpp) == 0);

	for (i = 0; i < bpp.len; i++) {
		pir.len = 0;
		if (euicc_load_bpp(e, bpp.data, i, p.metadata.data, p.metadata.len, NULL, 0, &pir,
				   &r) == EUICC_OK && !r.success &&
		    r.error_reason == EUICC_INSTALL_SCP03T_STRUCTURE_ERROR)
			rejected++;
	}
	CHECK_INT(rejected, bpp.len);

	/* Change the first data byte of each segment of A0, A1, A2 and A3 in turn. */
	REQUIRE(der_read_exact(bpp.data, bpp.len, 0xBF36, &top) == DER_OK);
	der_iter_init(&parts, &top);
	while (der_iter_next(&parts, &part) == 1) {
		if (part.tag == 0xBF23)
			continue;
		der_iter_init(&segs, &part);
		while (der_iter_next(&segs, &seg) == 1) {
			uint8_t *byte = bpp.data + (seg.value - bpp.data);

			*byte ^= 0x01;
			pir.len = 0;
			CHECK_INT(euicc_load_bpp(e, bpp.data, bpp.len, p.metadata.data, p.metadata.len,
						 NULL, 0, &pir, &r), EUICC_OK);
			CHECK(!r.success);
			CHECK_INT(r.error_reason, EUICC_INSTALL_SCP03T_SECURITY_ERROR);
			*byte ^= 0x01;
			tampered++;
		}
	}
	CHECK(tampered >= 4);

	pir.len = 0;
	CHECK_INT(euicc_load_bpp(e, bpp.data, bpp.len, p.metadata.data, p.metadata.len, p.package,
				 p.len, &pir, &r), EUICC_OK);
	CHECK(r.success);

	der_buf_free(&bpp);
	der_buf_free(&pir);
	euicc_free(e);
	free_profile(&p);
	server_free(&s);
}

/* AuthenticateServer with one input changed; returns the eUICC's error code. */
static int authenticate_with(struct euicc *e, struct server *s,
			     void (*change)(struct euicc_auth_request *req, struct server *s))
{
	struct euicc_auth_request req;
	struct der_buf resp;
	struct der_tlv top, alt;
	uint8_t challenge[16];
	int err = -1;

	der_buf_init(&resp, 16384);
	euicc_get_challenge(e, challenge);
	server_initiate(s, challenge);
	fill_auth_request(s, &req);
	change(&req, s);
	if (euicc_authenticate_server(e, &req, &resp, &err) != EUICC_OK)
		err = -1;
	/* A rejection is the error alternative of AuthenticateServerResponse. */
	if (err > 0 && (der_read_exact(resp.data, resp.len, 0xBF38, &top) != DER_OK ||
			der_find(&top, 0xA1, &alt) != DER_OK))
		err = -2;
	der_buf_free(&resp);
	return err;
}

static void flip_signature(struct euicc_auth_request *req, struct server *s)
{
	(void)req;
	s->sig1.data[s->sig1.len - 1] ^= 0x01;
}

static void other_challenge(struct euicc_auth_request *req, struct server *s)
{
	uint8_t challenge[16];

	memset(challenge, 0x77, sizeof(challenge));
	server_initiate(s, challenge);
	fill_auth_request(s, req);
}

static void unknown_pkid(struct euicc_auth_request *req, struct server *s)
{
	(void)req;
	s->pkid.data[s->pkid.len - 1] ^= 0x01;
}

static void dppb_as_server_cert(struct euicc_auth_request *req, struct server *s)
{
	req->server_cert = s->pb_der;
	req->server_cert_len = s->pb_len;
}

static void unchanged(struct euicc_auth_request *req, struct server *s)
{
	(void)req;
	(void)s;
}

static void test_authenticate_server_rejections(void)
{
	struct server s;
	struct euicc *e;

	REQUIRE(server_init(&s, "nist") == 0);
	e = make_euicc("nist", "euicc");
	REQUIRE(e);
	CHECK_INT(authenticate_with(e, &s, flip_signature), EUICC_AUTH_INVALID_SIGNATURE);
	CHECK_INT(authenticate_with(e, &s, other_challenge), EUICC_AUTH_CHALLENGE_MISMATCH);
	CHECK_INT(authenticate_with(e, &s, unknown_pkid), EUICC_AUTH_CI_PK_UNKNOWN);
	CHECK_INT(authenticate_with(e, &s, dppb_as_server_cert), EUICC_AUTH_INVALID_CERTIFICATE);
	CHECK_INT(authenticate_with(e, &s, unchanged), 0);
	euicc_free(e);
	server_free(&s);
}

/* An eUICC whose CI is on the other curve does not trust the SM-DP+. */
static void test_authenticate_server_untrusted_ci(void)
{
	struct server s;
	struct euicc *e;

	REQUIRE(server_init(&s, "nist") == 0);
	e = make_euicc("brp", "euicc");
	REQUIRE(e);
	CHECK_INT(authenticate_with(e, &s, unchanged), EUICC_AUTH_INVALID_CERTIFICATE);
	euicc_free(e);
	server_free(&s);
}

/* Every truncated prefix of each input of AuthenticateServer is rejected. */
static void test_authenticate_server_truncated_inputs(void)
{
	struct server s;
	struct euicc *e;
	struct euicc_auth_request req;
	struct der_buf resp;
	uint8_t challenge[16];
	size_t field, i, accepted = 0, tried = 0;
	int err;

	REQUIRE(server_init(&s, "nist") == 0);
	e = make_euicc("nist", "euicc");
	REQUIRE(e);
	der_buf_init(&resp, 16384);
	euicc_get_challenge(e, challenge);
	server_initiate(&s, challenge);
	for (field = 0; field < 4; field++) {
		size_t full;

		fill_auth_request(&s, &req);
		full = field == 0 ? req.server_signed1_len : field == 1 ? req.server_signature1_len :
		       field == 2 ? req.ci_pkid_len : req.server_cert_len;
		for (i = 0; i < full; i++) {
			fill_auth_request(&s, &req);
			if (field == 0)
				req.server_signed1_len = i;
			else if (field == 1)
				req.server_signature1_len = i;
			else if (field == 2)
				req.ci_pkid_len = i;
			else
				req.server_cert_len = i;
			resp.len = 0;
			err = 0;
			CHECK_INT(euicc_authenticate_server(e, &req, &resp, &err), EUICC_OK);
			if (err == 0)
				accepted++;
			tried++;
		}
	}
	CHECK_INT(accepted, 0);
	CHECK(tried > 500);
	der_buf_free(&resp);
	euicc_free(e);
	server_free(&s);
}

/* PrepareDownload: truncated inputs, a wrong signature, the wrong certificate role, and the
 * hashCc carried as given. */
static void test_prepare_download(void)
{
	struct server s;
	struct euicc *e;
	struct euicc_prepare_request req;
	struct euicc_auth_request areq;
	struct der_buf resp;
	uint8_t challenge[16], hash_cc[32];
	size_t field, i, accepted = 0;
	int err = -1;

	REQUIRE(server_init(&s, "nist") == 0);
	e = make_euicc("nist", "euicc");
	REQUIRE(e);
	der_buf_init(&resp, 16384);

	/* Before AuthenticateServer there is no session. */
	euicc_get_challenge(e, challenge);
	fill_prepare_request(&s, NULL, &req);
	CHECK_INT(euicc_prepare_download(e, &req, &resp, &err), EUICC_OK);
	CHECK_INT(err, EUICC_DL_NO_SESSION_CONTEXT);

	server_initiate(&s, challenge);
	fill_auth_request(&s, &areq);
	resp.len = 0;
	REQUIRE(euicc_authenticate_server(e, &areq, &resp, &err) == EUICC_OK);
	REQUIRE(err == 0);
	REQUIRE(server_check_auth_response(&s, &resp, pki_path("nist", "euicc.der")) == 0);
	server_authenticate_client(&s, true);

	for (field = 0; field < 3; field++) {
		size_t full;

		fill_prepare_request(&s, NULL, &req);
		full = field == 0 ? req.smdp_signed2_len : field == 1 ? req.smdp_signature2_len :
								       req.smdp_cert_len;
		for (i = 0; i < full; i++) {
			fill_prepare_request(&s, NULL, &req);
			if (field == 0)
				req.smdp_signed2_len = i;
			else if (field == 1)
				req.smdp_signature2_len = i;
			else
				req.smdp_cert_len = i;
			resp.len = 0;
			err = 0;
			CHECK_INT(euicc_prepare_download(e, &req, &resp, &err), EUICC_OK);
			if (err == 0)
				accepted++;
		}
	}
	CHECK_INT(accepted, 0);

	fill_prepare_request(&s, NULL, &req);
	req.smdp_cert = s.auth_der;
	req.smdp_cert_len = s.auth_len;
	resp.len = 0;
	CHECK_INT(euicc_prepare_download(e, &req, &resp, &err), EUICC_OK);
	CHECK_INT(err, EUICC_DL_INVALID_CERTIFICATE);

	s.sig2.data[s.sig2.len - 1] ^= 0x01;
	fill_prepare_request(&s, NULL, &req);
	resp.len = 0;
	CHECK_INT(euicc_prepare_download(e, &req, &resp, &err), EUICC_OK);
	CHECK_INT(err, EUICC_DL_INVALID_SIGNATURE);
	s.sig2.data[s.sig2.len - 1] ^= 0x01;

	memset(hash_cc, 0x42, sizeof(hash_cc));
	fill_prepare_request(&s, hash_cc, &req);
	resp.len = 0;
	CHECK_INT(euicc_prepare_download(e, &req, &resp, &err), EUICC_OK);
	CHECK_INT(err, 0);
	CHECK_INT(server_check_prepare_response(&s, &resp, hash_cc), 0);

	der_buf_free(&resp);
	euicc_free(e);
	server_free(&s);
}

static void test_cancel_session(void)
{
	struct server s;
	struct euicc *e;
	struct euicc_auth_request areq;
	struct der_buf resp;
	struct der_tlv top, ok, signed_part, sig, oid, reason;
	struct cert *auth = NULL, *ec = NULL;
	struct crypto_pubkey *pub = NULL;
	uint8_t challenge[16];
	int err = -1;

	REQUIRE(server_init(&s, "brp") == 0);
	e = make_euicc("brp", "euicc");
	REQUIRE(e);
	der_buf_init(&resp, 16384);
	CHECK_INT(euicc_cancel_session(e, EUICC_CANCEL_END_USER_REJECTION, &resp, &err), EUICC_OK);
	CHECK_INT(err, 5); /* no session: invalidTransactionId */

	euicc_get_challenge(e, challenge);
	server_initiate(&s, challenge);
	fill_auth_request(&s, &areq);
	resp.len = 0;
	REQUIRE(euicc_authenticate_server(e, &areq, &resp, &err) == EUICC_OK);
	REQUIRE(err == 0);
	resp.len = 0;
	CHECK_INT(euicc_cancel_session(e, EUICC_CANCEL_POSTPONED, &resp, &err), EUICC_OK);
	CHECK_INT(err, 0);
	REQUIRE(der_read_exact(resp.data, resp.len, 0xBF41, &top) == DER_OK);
	REQUIRE(der_find(&top, 0xA0, &ok) == DER_OK);
	REQUIRE(der_find(&ok, 0x30, &signed_part) == DER_OK);
	REQUIRE(der_find(&ok, 0x5F37, &sig) == DER_OK);
	REQUIRE(der_find(&signed_part, 0x81, &oid) == DER_OK);
	REQUIRE(der_find(&signed_part, 0x82, &reason) == DER_OK);
	CHECK_INT(reason.len, 1);
	CHECK_INT(reason.value[0], EUICC_CANCEL_POSTPONED);
	REQUIRE(cert_parse(s.auth_der, s.auth_len, &auth) == PKI_OK);
	REQUIRE(oid.len == auth->san_oid_der_len);
	CHECK_MEM(oid.value, auth->san_oid_der, oid.len);
	REQUIRE(cert_load_file(pki_path("brp", "euicc.der"), &ec) == PKI_OK);
	REQUIRE(crypto_pubkey_from_point((enum crypto_curve)ec->curve, ec->public_point,
					 CRYPTO_POINT_LEN, &pub) == CRYPTO_OK);
	CHECK_INT(crypto_verify(pub, signed_part.raw, signed_part.raw_len, sig.value, sig.len),
		  CRYPTO_OK);
	crypto_pubkey_free(pub);
	cert_free(ec);
	cert_free(auth);
	der_buf_free(&resp);
	euicc_free(e);
	server_free(&s);
}

static void test_euicc_info(void)
{
	struct euicc *e;
	struct der_buf info;
	struct der_tlv top, svn, list, pkid;
	struct cert *ci = NULL;
	struct euicc_faults faults = {0};

	e = make_euicc("nist", "euicc");
	REQUIRE(e);
	REQUIRE(cert_load_file(pki_path("nist", "ci.der"), &ci) == PKI_OK);
	der_buf_init(&info, 4096);
	CHECK_INT(euicc_get_info1(e, &info), EUICC_OK);
	REQUIRE(der_read_exact(info.data, info.len, 0xBF20, &top) == DER_OK);
	REQUIRE(der_find(&top, 0x82, &svn) == DER_OK);
	REQUIRE(svn.len == 3);
	CHECK_INT(svn.value[0], 2);
	CHECK_INT(svn.value[1], 2);
	REQUIRE(der_find(&top, 0xAA, &list) == DER_OK);
	REQUIRE(der_find(&list, 0x04, &pkid) == DER_OK);
	REQUIRE(pkid.len == ci->ski_len);
	CHECK_MEM(pkid.value, ci->ski, pkid.len);
	REQUIRE(der_find(&top, 0xA9, &list) == DER_OK);

	info.len = 0;
	CHECK_INT(euicc_get_info2(e, &info), EUICC_OK);
	REQUIRE(der_read_exact(info.data, info.len, 0xBF22, &top) == DER_OK);
	REQUIRE(der_find(&top, 0x04, &svn) == DER_OK); /* ppVersion */
	CHECK_INT(svn.len, 3);
	CHECK(der_find(&top, 0xAA, &list) == DER_OK);

	/* Overridden lists for negative tests: empty. */
	faults.override_pkids = true;
	euicc_set_faults(e, &faults);
	info.len = 0;
	CHECK_INT(euicc_get_info1(e, &info), EUICC_OK);
	REQUIRE(der_read_exact(info.data, info.len, 0xBF20, &top) == DER_OK);
	REQUIRE(der_find(&top, 0xAA, &list) == DER_OK);
	CHECK_INT(list.len, 0);

	CHECK_INT(strlen(euicc_eid(e)), 32);
	cert_free(ci);
	der_buf_free(&info);
	euicc_free(e);
}

/* A second eUICC chain must carry the same EID, and a key must match its certificate. */
static void test_euicc_chain_checks(void)
{
	static const uint8_t svn[3] = {2, 2, 2};
	struct euicc *e = NULL;

	REQUIRE(test_pki());
	REQUIRE(euicc_new(svn, &e) == EUICC_OK);
	CHECK_INT(euicc_add_chain_files(e, pki_path("nist", "euicc.der"), pki_path("nist", "dppb.key"),
					pki_path("nist", "eum.der")), EUICC_E_CONFIG);
	CHECK_INT(euicc_add_chain_files(e, pki_path("nist", "euicc.der"), pki_path("nist", "euicc.key"),
					pki_path("nist", "eum.der")), EUICC_OK);
	CHECK_INT(euicc_add_chain_files(e, pki_path("brp", "euicc-2.der"), pki_path("brp", "euicc-2.key"),
					pki_path("brp", "eum.der")), EUICC_E_CONFIG);
	CHECK_INT(euicc_add_chain_files(e, pki_path("brp", "euicc.der"), pki_path("brp", "euicc.key"),
					pki_path("brp", "eum.der")), EUICC_OK);
	CHECK_INT(euicc_add_chain_files(e, "/nonexistent.der", pki_path("brp", "euicc.key"),
					pki_path("brp", "eum.der")), EUICC_E_IO);
	euicc_free(e);
}

/* ---- ES9+ JSON responses ---- */

static const char initiate_auth_ok[] =
	"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
	"\"transactionId\":\"0123456789ABCDEF0123456789ABCDEF\","
	"\"serverSigned1\":\"MAOAAQE=\","
	"\"serverSignature1\":\"XzcCAQI=\","
	"\"euiccCiPKIdToBeUsed\":\"BAMBAgM=\","
	"\"serverCertificate\":\"MAMCAQE=\"}";

static const char failed_response[] =
	"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\",\"statusCodeData\":"
	"{\"subjectCode\":\"8.2.6\",\"reasonCode\":\"3.8\",\"message\":\"refused\"}}}}";

static const char authenticate_client_ok[] =
	"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-WithWarning\"}},"
	"\"transactionId\":\"0A0B\","
	"\"profileMetadata\":\"vyUDWgEB\","
	"\"smdpSigned2\":\"MAOAAQE=\","
	"\"smdpSignature2\":\"XzcCAQI=\","
	"\"smdpCertificate\":\"MAMCAQE=\"}";

static const char get_bpp_ok[] =
	"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
	"\"transactionId\":\"0A0B\",\"boundProfilePackage\":\"vzYDvyMA\"}";

static void test_json_initiate_auth(void)
{
	struct lpa_initiate_auth_response r;
	struct lpa_status_data st;
	char error[256];
	size_t len = strlen(initiate_auth_ok), i, rejected = 0;

	CHECK_INT(lpa_es9_parse_initiate_auth(initiate_auth_ok, len, &r, &st, error, sizeof(error)),
		  LPA_PARSE_OK);
	CHECK_INT(r.transaction_id.len, 16);
	CHECK_INT(r.server_signed1.len, 5);
	CHECK_INT(r.ci_pkid.len, 5);
	CHECK_STR(st.status, "Executed-Success");
	lpa_initiate_auth_response_clear(&r);

	for (i = 0; i < len; i++) {
		if (lpa_es9_parse_initiate_auth(initiate_auth_ok, i, &r, &st, error, sizeof(error)) ==
		    LPA_PARSE_INVALID)
			rejected++;
		lpa_initiate_auth_response_clear(&r);
	}
	CHECK_INT(rejected, len);
}

static void test_json_authenticate_client(void)
{
	struct lpa_authenticate_client_response r;
	struct lpa_status_data st;
	char error[256];
	size_t len = strlen(authenticate_client_ok), i, rejected = 0;

	CHECK_INT(lpa_es9_parse_authenticate_client(authenticate_client_ok, len, &r, &st, error,
						    sizeof(error)), LPA_PARSE_OK);
	CHECK_INT(r.transaction_id.len, 2);
	CHECK_INT(r.profile_metadata.len, 6);
	CHECK_INT(r.smdp_certificate.len, 5);
	lpa_authenticate_client_response_clear(&r);

	for (i = 0; i < len; i++) {
		if (lpa_es9_parse_authenticate_client(authenticate_client_ok, i, &r, &st, error,
						      sizeof(error)) == LPA_PARSE_INVALID)
			rejected++;
		lpa_authenticate_client_response_clear(&r);
	}
	CHECK_INT(rejected, len);
}

static void test_json_get_bpp(void)
{
	struct lpa_get_bpp_response r;
	struct lpa_status_data st;
	char error[256];
	size_t len = strlen(get_bpp_ok), i, rejected = 0;

	CHECK_INT(lpa_es9_parse_get_bpp(get_bpp_ok, len, &r, &st, error, sizeof(error)),
		  LPA_PARSE_OK);
	CHECK_INT(r.bpp.len, 6);
	lpa_get_bpp_response_clear(&r);

	for (i = 0; i < len; i++) {
		if (lpa_es9_parse_get_bpp(get_bpp_ok, i, &r, &st, error, sizeof(error)) ==
		    LPA_PARSE_INVALID)
			rejected++;
		lpa_get_bpp_response_clear(&r);
	}
	CHECK_INT(rejected, len);
}

static void test_json_failed_status(void)
{
	struct lpa_get_bpp_response r;
	struct lpa_status_data st;
	char error[256];
	size_t len = strlen(failed_response), i, rejected = 0;

	CHECK_INT(lpa_es9_parse_get_bpp(failed_response, len, &r, &st, error, sizeof(error)),
		  LPA_PARSE_FAILED);
	CHECK_STR(st.status, "Failed");
	CHECK_STR(st.subject_code, "8.2.6");
	CHECK_STR(st.reason_code, "3.8");
	CHECK_STR(st.message, "refused");
	lpa_get_bpp_response_clear(&r);
	CHECK_INT(lpa_es9_parse_header_only(failed_response, len, &st, error, sizeof(error)),
		  LPA_PARSE_FAILED);
	for (i = 0; i < len; i++)
		if (lpa_es9_parse_header_only(failed_response, i, &st, error, sizeof(error)) ==
		    LPA_PARSE_INVALID)
			rejected++;
	CHECK_INT(rejected, len);
}

/* Fields with wrong content: not base64, wrong DER tag, trailing bytes, bad transactionId. */
static void test_json_bad_fields(void)
{
	static const char *const bodies[] = {
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"transactionId\":\"0A\",\"boundProfilePackage\":\"vzYA*A==\"}",
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"transactionId\":\"0A\",\"boundProfilePackage\":\"MAA=\"}",
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"transactionId\":\"0A\",\"boundProfilePackage\":\"vzYAAA==\"}",
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"transactionId\":\"0AB\",\"boundProfilePackage\":\"vzYA\"}",
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"boundProfilePackage\":\"vzYA\"}",
		"{\"header\":{\"functionExecutionStatus\":{}},\"transactionId\":\"0A\","
		"\"boundProfilePackage\":\"vzYA\"}",
		"[\"header\"]",
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"transactionId\":\"0A\",\"boundProfilePackage\":\"vzYA\"} x",
		"not json",
	};
	static const char good[] =
		"{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}},"
		"\"transactionId\":\"0A\",\"boundProfilePackage\":\"vzYA\"} ";
	struct lpa_get_bpp_response r;
	struct lpa_status_data st;
	char error[256];
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		CHECK_INT(lpa_es9_parse_get_bpp(bodies[i], strlen(bodies[i]), &r, &st, error,
						sizeof(error)), LPA_PARSE_INVALID);
		lpa_get_bpp_response_clear(&r);
	}
	CHECK_INT(lpa_es9_parse_get_bpp(good, strlen(good), &r, &st, error, sizeof(error)),
		  LPA_PARSE_OK);
	CHECK_INT(r.bpp.len, 3);
	lpa_get_bpp_response_clear(&r);
}

static void test_hash_cc(void)
{
	static const uint8_t tid[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
					0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10};
	uint8_t inner[32 + 16], expected[32], out[32];

	crypto_sha256((const uint8_t *)"12345678", 8, inner);
	memcpy(inner + 32, tid, 16);
	crypto_sha256(inner, sizeof(inner), expected);
	lpa_hash_cc("12345678", tid, sizeof(tid), out);
	CHECK_MEM(out, expected, 32);
	lpa_hash_cc("12345679", tid, sizeof(tid), out);
	CHECK(memcmp(out, expected, 32) != 0);
}

static void test_step_names(void)
{
	int i;

	for (i = 0; i < LPA_STEP_COUNT; i++)
		CHECK_INT(lpa_step_parse(lpa_step_name(i)), i);
	CHECK_INT(lpa_step_parse("initiateauthentication"), LPA_STEP_NONE);
	CHECK_INT(euicc_cancel_reason_parse("metadataMismatch"), EUICC_CANCEL_METADATA_MISMATCH);
	CHECK_INT(euicc_cancel_reason_parse("nonsense"), -1);
	CHECK_STR(euicc_install_error_name(EUICC_INSTALL_SCP03T_SECURITY_ERROR), "scp03tSecurityError");
}

int main(void)
{
	test_program = "test_euicc";
	if (crypto_init() != CRYPTO_OK) {
		printf("FAIL test_euicc/crypto_init\n");
		return 1;
	}
	RUN(test_kdf_vectors);
	RUN(test_kdf_rejects_bad_crt);
	RUN(test_ecka_vector);
	RUN(test_segment_vectors_open);
	RUN(test_segment_vectors_seal);
	RUN(test_segment_tampered_rejected);
	RUN(test_segment_truncated_prefixes);
	RUN(test_segment_size_limits);
	RUN(test_euicc_info);
	RUN(test_euicc_chain_checks);
	RUN(test_authenticate_server_rejections);
	RUN(test_authenticate_server_untrusted_ci);
	RUN(test_authenticate_server_truncated_inputs);
	RUN(test_prepare_download);
	RUN(test_cancel_session);
	RUN(test_download_nist);
	RUN(test_download_brainpool);
	RUN(test_download_with_rsk);
	RUN(test_bpp_bad_smdp_sign);
	RUN(test_bpp_other_transaction_id);
	RUN(test_bpp_metadata_mismatch);
	RUN(test_bpp_missing_segment);
	RUN(test_bpp_expected_profile_differs);
	RUN(test_bpp_truncated_and_tampered);
	RUN(test_json_initiate_auth);
	RUN(test_json_authenticate_client);
	RUN(test_json_get_bpp);
	RUN(test_json_failed_status);
	RUN(test_json_bad_fields);
	RUN(test_hash_cc);
	RUN(test_step_names);
	crypto_cleanup();
	return test_finish();
}
