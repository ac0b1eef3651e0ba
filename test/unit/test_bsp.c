/*
 * Unit tests of smdpplus/bsp: the key derivation and segment known-answer vectors of the
 * vector folder (a third-party SM-DP+ trace, including the ReplaceSessionKeys switch and the 86
 * segments after it), segmentation of long plaintexts checked by an independent unprotect
 * written here from the SGP.22 rules, sizes at the segment limits, and invalid arguments.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/der.h"
#include "common/crypto.h"
#include "common/ident.h"
#include "smdpplus/bsp.h"
#include "test/harness.h"
#include "test/unit/vectors.h"

#define MAX_VALUE 2048

/* Decodes a hex value of at most size bytes. Returns its length, or 0 on error. */
static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;

	if (ident_hex_decode(hex, strlen(hex), out, size, &n) != IDENT_OK)
		return 0;
	return n;
}

/* ---- key derivation ---- */

struct kdf_vector {
	uint8_t shs[64], host_id[32], eid[32], info[128], okm[48];
	uint8_t mcv[16], enc[16], mac[16];
	size_t shs_len, host_id_len, eid_len, info_len, okm_len;
	int key_type, key_length;
	unsigned int seen;
};

static void check_kdf_vector(const char *name, const struct kdf_vector *v)
{
	uint8_t okm[48];
	struct bsp_keys keys;

	if (v->seen != 0x3FF) {
		test_fail_at(__FILE__, __LINE__, "%s: vector %s is incomplete (fields %#x)",
			     __func__, name, v->seen);
		return;
	}
	/* bsp_derive_keys fixes keyType 88 and keyLength 10 (AES-128) */
	CHECK_INT(v->key_type, 0x88);
	CHECK_INT(v->key_length, 0x10);
	CHECK_INT(v->eid_len, RSP_EID_LEN);

	CHECK_INT(bsp_x963_kdf(v->shs, v->shs_len, v->info, v->info_len, okm, v->okm_len), BSP_OK);
	CHECK_MEM(okm, v->okm, v->okm_len);

	CHECK_INT(bsp_derive_keys(v->shs, v->shs_len, v->host_id, v->host_id_len, v->eid, &keys),
		  BSP_OK);
	CHECK_MEM(keys.initial_mcv, v->mcv, 16);
	CHECK_MEM(keys.s_enc, v->enc, 16);
	CHECK_MEM(keys.s_mac, v->mac, 16);
}

static void test_kdf_vectors(void)
{
	static const char *const fields[] = { "shared_secret", "key_type", "key_length",
					      "host_id", "eid", "shared_info", "kdf_output",
					      "initial_mcv", "s_enc", "s_mac" };
	FILE *f = vectors_open("bsp_kdf.txt");
	struct kdf_vector v;
	char line[512], name[512] = "";
	int vectors = 0;

	if (!f)
		SKIP("vector file bsp_kdf.txt not found (set RSP_SHARED)");
	memset(&v, 0, sizeof(v));
	while (vectors_next_line(f, line, sizeof(line)) > 0) {
		const char *key, *value;
		uint8_t tmp[8];
		size_t i;

		if (line[0] == '[') {
			if (v.seen) {
				check_kdf_vector(name, &v);
				vectors++;
			}
			memset(&v, 0, sizeof(v));
			snprintf(name, sizeof(name), "%s", line);
			continue;
		}
		if (!vectors_split(line, &key, &value))
			continue;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i]) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			continue;
		v.seen |= 1u << i;
		switch (i) {
		case 0: v.shs_len = unhex(value, v.shs, sizeof(v.shs)); break;
		case 1: v.key_type = unhex(value, tmp, 1) == 1 ? tmp[0] : -1; break;
		case 2: v.key_length = unhex(value, tmp, 1) == 1 ? tmp[0] : -1; break;
		case 3: v.host_id_len = unhex(value, v.host_id, sizeof(v.host_id)); break;
		case 4: v.eid_len = unhex(value, v.eid, sizeof(v.eid)); break;
		case 5: v.info_len = unhex(value, v.info, sizeof(v.info)); break;
		case 6: v.okm_len = unhex(value, v.okm, sizeof(v.okm)); break;
		case 7: unhex(value, v.mcv, sizeof(v.mcv)); break;
		case 8: unhex(value, v.enc, sizeof(v.enc)); break;
		case 9: unhex(value, v.mac, sizeof(v.mac)); break;
		}
	}
	if (v.seen) {
		check_kdf_vector(name, &v);
		vectors++;
	}
	fclose(f);
	CHECK(vectors >= 2);
}

static void test_kdf_rejects_bad_arguments(void)
{
	uint8_t shs[32] = { 1 }, host[17] = { 0 }, eid[16] = { 0 };
	struct bsp_keys keys;

	CHECK_INT(bsp_derive_keys(shs, sizeof(shs), host, 0, eid, &keys), BSP_E_INVALID);
	CHECK_INT(bsp_derive_keys(shs, sizeof(shs), host, 17, eid, &keys), BSP_E_INVALID);
	CHECK_INT(bsp_derive_keys(shs, 0, host, 8, eid, &keys), BSP_E_INVALID);
	CHECK_INT(bsp_derive_keys(shs, sizeof(shs), host, 16, eid, &keys), BSP_OK);
	CHECK_INT(bsp_derive_keys(shs, sizeof(shs), host, 1, eid, &keys), BSP_OK);
}

/* ---- segment known-answer vectors ---- */

/* Finds the number after "counter " in a section title, or 0. */
static uint32_t title_counter(const char *title)
{
	const char *p = strstr(title, "counter ");

	return p ? (uint32_t)strtoul(p + 8, NULL, 10) : 0;
}

/* Finds the segment tag named in a section title ("tag 87"), or 0. */
static uint32_t title_tag(const char *title)
{
	const char *p = strstr(title, "tag ");

	return p ? (uint32_t)strtoul(p + 4, NULL, 16) : 0;
}

struct segment_run {
	struct bsp_ctx ctx;
	bool started;
	uint8_t enc[16], mac[16], mcv[16];
	unsigned int keys_seen;
	uint8_t rsk_plain[128]; /* the ReplaceSessionKeysRequest written under the session keys */
	size_t rsk_len;
	uint32_t tag, counter;
	uint8_t plain[MAX_VALUE];
	size_t plain_len;
	int segments;
};

/* Starts or switches the key set once all three keys of a block are read. */
static void apply_keys(struct segment_run *run)
{
	if (!run->started) {
		struct bsp_keys keys;

		memcpy(keys.s_enc, run->enc, 16);
		memcpy(keys.s_mac, run->mac, 16);
		memcpy(keys.initial_mcv, run->mcv, 16);
		bsp_ctx_init(&run->ctx, &keys);
		run->started = true;
	} else {
		/* the new keys are those the 87 segment carried in BF26 { 80 mcv 81 enc 82 mac } */
		uint8_t expected[3 + 3 * 18];

		expected[0] = 0xBF;
		expected[1] = 0x26;
		expected[2] = 0x36;
		expected[3] = 0x80;
		expected[4] = 0x10;
		memcpy(expected + 5, run->mcv, 16);
		expected[21] = 0x81;
		expected[22] = 0x10;
		memcpy(expected + 23, run->enc, 16);
		expected[39] = 0x82;
		expected[40] = 0x10;
		memcpy(expected + 41, run->mac, 16);
		CHECK_INT(run->rsk_len, sizeof(expected));
		CHECK_MEM(run->rsk_plain, expected, sizeof(expected));
		bsp_ctx_replace_keys(&run->ctx, run->enc, run->mac, run->mcv);
	}
	CHECK_INT(run->ctx.counter, 1);
	run->keys_seen = 0;
}

static void check_segment(struct segment_run *run, const char *output_hex)
{
	uint8_t *expected = malloc(MAX_VALUE);
	size_t expected_len;
	struct der_buf out;
	int ret;

	REQUIRE(expected != NULL);
	expected_len = unhex(output_hex, expected, MAX_VALUE);
	der_buf_init(&out, RSP_MAX_SEGMENT_TLV);
	if (run->counter != 0)
		CHECK_INT(run->ctx.counter, run->counter);
	if (run->tag == BSP_TAG_MAC_ONLY)
		ret = bsp_write_mac_only(&run->ctx, run->tag, run->plain, run->plain_len, &out);
	else
		ret = bsp_write_encrypted(&run->ctx, run->tag, run->plain, run->plain_len, &out);
	CHECK_INT(ret, BSP_OK);
	CHECK_INT(out.len, expected_len);
	if (out.len == expected_len)
		CHECK_MEM(out.data, expected, expected_len);
	CHECK(out.len <= RSP_MAX_SEGMENT_TLV);
	if (run->tag == 0x87 && run->plain_len >= 2 && run->plain[0] == 0xBF &&
	    run->plain[1] == 0x26 && run->plain_len <= sizeof(run->rsk_plain)) {
		memcpy(run->rsk_plain, run->plain, run->plain_len);
		run->rsk_len = run->plain_len;
	}
	run->segments++;
	der_buf_free(&out);
	free(expected);
}

static void test_segment_vectors(void)
{
	FILE *f = vectors_open("bsp_segments_mode51.txt");
	struct segment_run *run = calloc(1, sizeof(*run));
	char *line = malloc(2 * MAX_VALUE + 64);
	int tags_86 = 0;

	if (!f || !run || !line) {
		free(run);
		free(line);
		if (f)
			fclose(f);
		SKIP("vector file bsp_segments_mode51.txt not found (set RSP_SHARED)");
	}
	while (vectors_next_line(f, line, 2 * MAX_VALUE + 64) > 0) {
		const char *key, *value;

		if (line[0] == '[') {
			run->tag = title_tag(line);
			run->counter = title_counter(line);
			run->plain_len = 0;
			continue;
		}
		if (!vectors_split(line, &key, &value))
			continue;
		if (strcmp(key, "s_enc") == 0 || strcmp(key, "ppk_enc") == 0) {
			CHECK_INT(unhex(value, run->enc, 16), 16);
			run->keys_seen |= 1;
		} else if (strcmp(key, "s_mac") == 0 || strcmp(key, "ppk_mac") == 0) {
			CHECK_INT(unhex(value, run->mac, 16), 16);
			run->keys_seen |= 2;
		} else if (strcmp(key, "initial_mcv") == 0) {
			CHECK_INT(unhex(value, run->mcv, 16), 16);
			run->keys_seen |= 4;
		} else if (strcmp(key, "plaintext") == 0) {
			run->plain_len = unhex(value, run->plain, sizeof(run->plain));
			CHECK(run->plain_len > 0);
		} else if (strcmp(key, "output") == 0) {
			REQUIRE(run->started);
			REQUIRE(run->tag != 0);
			REQUIRE(run->plain_len > 0);
			check_segment(run, value);
			tags_86 += run->tag == BSP_TAG_PROFILE;
		}
		if (run->keys_seen == 7)
			apply_keys(run);
	}
	fclose(f);
	/* 87, 88, 87 (ReplaceSessionKeys), then at least two 86 segments under the PPKs */
	CHECK(run->segments >= 5);
	CHECK(tags_86 >= 2);
	CHECK(run->rsk_len > 0);
	bsp_ctx_free(&run->ctx);
	free(run);
	free(line);
}

/* ---- independent unprotect ---- */

/* The eUICC side of one key set, written from the SGP.22 rules without smdpplus/bsp. */
struct unprotect {
	uint8_t enc[16], mac[16], mcv[16];
	uint32_t counter;
};

/* Checks every segment TLV of buf (tag expected_tag) and appends the plaintexts to plain. */
static int unprotect_all(struct unprotect *u, const uint8_t *buf, size_t len,
			 uint32_t expected_tag, uint8_t *plain, size_t *plain_len,
			 size_t *segments)
{
	uint8_t *mac_input = malloc(16 + RSP_MAX_SEGMENT_TLV);
	int ret = -1;

	*plain_len = 0;
	*segments = 0;
	if (!mac_input)
		return -1;
	while (len > 0) {
		struct der_tlv tlv;
		uint8_t full[16], block[16] = { 0 }, icv[16];
		size_t header, body;

		if (der_read(buf, len, &tlv) != DER_OK || tlv.tag != expected_tag ||
		    tlv.raw_len > RSP_MAX_SEGMENT_TLV || tlv.len <= 8)
			goto out;
		header = tlv.raw_len - tlv.len;
		body = tlv.len - 8;
		memcpy(mac_input, u->mcv, 16);
		memcpy(mac_input + 16, tlv.raw, header + body);
		if (crypto_aes128_cmac(u->mac, mac_input, 16 + header + body, full) != CRYPTO_OK ||
		    memcmp(full, tlv.value + body, 8) != 0)
			goto out;
		memcpy(u->mcv, full, 16);

		if (expected_tag == BSP_TAG_MAC_ONLY) {
			memcpy(plain + *plain_len, tlv.value, body);
			*plain_len += body;
		} else {
			size_t n = body;

			if (body % 16 != 0)
				goto out;
			block[12] = (uint8_t)(u->counter >> 24);
			block[13] = (uint8_t)(u->counter >> 16);
			block[14] = (uint8_t)(u->counter >> 8);
			block[15] = (uint8_t)u->counter;
			if (crypto_aes128_ecb_encrypt(u->enc, block, icv) != CRYPTO_OK ||
			    crypto_aes128_cbc_decrypt(u->enc, icv, tlv.value, body,
						      plain + *plain_len) != CRYPTO_OK)
				goto out;
			/* remove the 80 00.. padding, which is 1 to 16 bytes long */
			while (n > 0 && plain[*plain_len + n - 1] == 0x00)
				n--;
			if (n == 0 || plain[*plain_len + n - 1] != 0x80 || body - n >= 16)
				goto out;
			*plain_len += n - 1;
		}
		u->counter++;
		(*segments)++;
		buf += tlv.raw_len;
		len -= tlv.raw_len;
	}
	ret = 0;
out:
	free(mac_input);
	return ret;
}

static void make_keys(struct bsp_keys *keys, struct unprotect *u)
{
	REQUIRE(crypto_random(keys->s_enc, 16) == CRYPTO_OK);
	REQUIRE(crypto_random(keys->s_mac, 16) == CRYPTO_OK);
	REQUIRE(crypto_random(keys->initial_mcv, 16) == CRYPTO_OK);
	memcpy(u->enc, keys->s_enc, 16);
	memcpy(u->mac, keys->s_mac, 16);
	memcpy(u->mcv, keys->initial_mcv, 16);
	u->counter = 1;
}

/* Protects len bytes as 86 segments (encrypted) or 88 segments and unprotects them again. */
static void check_split(size_t len, uint32_t tag)
{
	uint8_t *plain = malloc(len + 1), *back = malloc(len + 64);
	struct bsp_keys keys;
	struct unprotect u;
	struct bsp_ctx ctx;
	struct der_buf out;
	size_t predicted_segments, segments, back_len, predicted;
	int ret;

	REQUIRE(plain != NULL);
	REQUIRE(back != NULL);
	for (size_t i = 0; i < len; i++)
		plain[i] = (uint8_t)(i * 7 + len);
	make_keys(&keys, &u);
	bsp_ctx_init(&ctx, &keys);
	der_buf_init(&out, RSP_MAX_PROFILE_PACKAGE * 2);

	if (tag == BSP_TAG_MAC_ONLY) {
		predicted = bsp_mac_only_segments_size(len, &predicted_segments);
		ret = bsp_write_mac_only_segments(&ctx, tag, plain, len, &out);
	} else {
		predicted = bsp_encrypted_segments_size(len, &predicted_segments);
		ret = bsp_write_encrypted_segments(&ctx, tag, plain, len, &out);
	}
	CHECK_INT(ret, BSP_OK);
	CHECK_INT(out.len, predicted);
	CHECK_INT(ctx.counter, 1 + predicted_segments);
	CHECK_INT(unprotect_all(&u, out.data, out.len, tag, back, &back_len, &segments), 0);
	CHECK_INT(segments, predicted_segments);
	CHECK_INT(back_len, len);
	if (back_len == len)
		CHECK_MEM(back, plain, len);
	CHECK_MEM(u.mcv, ctx.mcv, 16);

	bsp_ctx_free(&ctx);
	der_buf_free(&out);
	free(plain);
	free(back);
}

static void test_split_profile_20k(void)
{
	size_t segments;

	check_split(20 * 1024, BSP_TAG_PROFILE);
	/* 20480 = 20 * 1007 + 340: 20 full segments of 1020 bytes and one of 4 + 352 + 8 */
	CHECK_INT(bsp_encrypted_segments_size(20 * 1024, &segments), 20 * 1020 + 364);
	CHECK_INT(segments, 21);
}

static void test_split_at_segment_limits(void)
{
	static const size_t enc_sizes[] = { 1, 15, 16, 17, 111, 112, 1006, 1007, 1008, 2014, 2015 };
	static const size_t mac_sizes[] = { 1, 119, 120, 247, 248, 1008, 1009, 2016, 2017 };
	size_t segments;

	for (size_t i = 0; i < sizeof(enc_sizes) / sizeof(enc_sizes[0]); i++)
		check_split(enc_sizes[i], BSP_TAG_PROFILE);
	for (size_t i = 0; i < sizeof(mac_sizes) / sizeof(mac_sizes[0]); i++)
		check_split(mac_sizes[i], BSP_TAG_MAC_ONLY);
	check_split(3000, BSP_TAG_ENCRYPTED);

	/* the largest segments fill the 1020-byte limit exactly */
	CHECK_INT(bsp_encrypted_segments_size(1007, &segments), 1020);
	CHECK_INT(segments, 1);
	CHECK_INT(bsp_encrypted_segments_size(1008, &segments), 1020 + 2 + 16 + 8);
	CHECK_INT(segments, 2);
	CHECK_INT(bsp_mac_only_segments_size(1008, &segments), 1020);
	CHECK_INT(segments, 1);
	/* padding always adds at least one byte: 16 bytes of plaintext take two blocks */
	CHECK_INT(bsp_encrypted_segments_size(16, &segments), 2 + 32 + 8);
	CHECK_INT(bsp_encrypted_segments_size(15, &segments), 2 + 16 + 8);
	/* lengths of 120 and more need the 81 form, 248 and more the 82 form */
	CHECK_INT(bsp_mac_only_segments_size(119, &segments), 2 + 119 + 8);
	CHECK_INT(bsp_mac_only_segments_size(120, &segments), 3 + 120 + 8);
	CHECK_INT(bsp_mac_only_segments_size(248, &segments), 4 + 248 + 8);
	CHECK_INT(bsp_encrypted_segments_size(0, &segments), 0);
	CHECK_INT(segments, 0);
}

static void test_counter_counts_mac_only_segments(void)
{
	static const uint8_t data[40] = { 0xBF, 0x25 };
	struct bsp_keys keys;
	struct unprotect u;
	struct bsp_ctx ctx;
	struct der_buf a, b, c;
	uint8_t back[64];
	size_t back_len, segments;

	make_keys(&keys, &u);
	bsp_ctx_init(&ctx, &keys);
	der_buf_init(&a, 4096);
	der_buf_init(&b, 4096);
	der_buf_init(&c, 4096);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_ENCRYPTED, data, 3, &a), BSP_OK);
	CHECK_INT(bsp_write_mac_only(&ctx, BSP_TAG_MAC_ONLY, data, sizeof(data), &b), BSP_OK);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_ENCRYPTED, data, sizeof(data), &c), BSP_OK);
	CHECK_INT(ctx.counter, 4);

	/* the third segment decrypts only with block counter 3 */
	CHECK_INT(unprotect_all(&u, a.data, a.len, BSP_TAG_ENCRYPTED, back, &back_len, &segments),
		  0);
	CHECK_INT(unprotect_all(&u, b.data, b.len, BSP_TAG_MAC_ONLY, back, &back_len, &segments),
		  0);
	CHECK_INT(u.counter, 3);
	CHECK_INT(unprotect_all(&u, c.data, c.len, BSP_TAG_ENCRYPTED, back, &back_len, &segments),
		  0);
	CHECK_INT(back_len, sizeof(data));
	CHECK_MEM(back, data, sizeof(data));

	bsp_ctx_free(&ctx);
	der_buf_free(&a);
	der_buf_free(&b);
	der_buf_free(&c);
}

static void test_write_rejects_bad_arguments(void)
{
	static const uint8_t data[1100];
	struct bsp_keys keys = { { 0 } };
	struct bsp_ctx ctx;
	struct der_buf out, small;

	bsp_ctx_init(&ctx, &keys);
	der_buf_init(&out, 64 * 1024);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_MAC_ONLY, data, 10, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_encrypted(&ctx, 0xA3, data, 10, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_mac_only(&ctx, BSP_TAG_PROFILE, data, 10, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_PROFILE, data, 0, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_PROFILE, data, 1008, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_mac_only(&ctx, BSP_TAG_MAC_ONLY, data, 1009, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_mac_only(&ctx, BSP_TAG_MAC_ONLY, NULL, 5, &out), BSP_E_INVALID);
	CHECK_INT(bsp_write_encrypted_segments(&ctx, BSP_TAG_PROFILE, data, 0, &out),
		  BSP_E_INVALID);
	CHECK_INT(bsp_write_mac_only_segments(&ctx, BSP_TAG_ENCRYPTED, data, 100, &out),
		  BSP_E_INVALID);
	CHECK_INT(out.len, 0);
	CHECK_INT(ctx.counter, 1); /* rejected calls leave the context alone */

	/* an output buffer too small for the segment */
	der_buf_init(&small, 100);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_PROFILE, data, 500, &small), BSP_E_OUTPUT);
	CHECK_INT(bsp_write_encrypted(&ctx, BSP_TAG_PROFILE, data, 5, &small), BSP_E_OUTPUT);
	der_buf_free(&small);

	bsp_ctx_free(&ctx);
	der_buf_free(&out);
}

static void test_ctx_free_wipes_keys(void)
{
	struct bsp_keys keys;
	struct bsp_ctx ctx;
	static const struct bsp_ctx zero;

	memset(&keys, 0x5A, sizeof(keys));
	bsp_ctx_init(&ctx, &keys);
	bsp_ctx_free(&ctx);
	CHECK(memcmp(&ctx, &zero, sizeof(ctx)) == 0);
	bsp_ctx_free(NULL);
}

int main(void)
{
	test_program = "test_bsp";
	if (crypto_init() != CRYPTO_OK) {
		printf("FAIL test_bsp/init: crypto_init failed\n");
		return 1;
	}
	RUN(test_kdf_vectors);
	RUN(test_kdf_rejects_bad_arguments);
	RUN(test_segment_vectors);
	RUN(test_split_profile_20k);
	RUN(test_split_at_segment_limits);
	RUN(test_counter_counts_mac_only_segments);
	RUN(test_write_rejects_bad_arguments);
	RUN(test_ctx_free_wipes_keys);
	crypto_cleanup();
	return test_finish();
}
