/*
 * The cost of the crypto alone: operations per second of the SM-DP+'s public-key operations
 * and of the BSP protection of a profile, through the project's crypto interface, on one
 * thread.
 *
 * Usage: crypto_bench [seconds per operation, default 1]
 * Output: one line per operation, "name ops_per_sec us_per_op".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/der.h"
#include "common/crypto.h"
#include "smdpplus/bsp.h"

#define PROFILE_SIZE (20 * 1024)

struct bench_state {
	enum crypto_curve curve;
	struct crypto_privkey *key;
	struct crypto_pubkey *pub;
	uint8_t peer_point[CRYPTO_POINT_LEN];
	uint8_t msg[256];
	uint8_t sig[CRYPTO_SIG_LEN];
	uint8_t *profile;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int op_sign(struct bench_state *s)
{
	return crypto_sign(s->key, s->msg, sizeof(s->msg), s->sig);
}

static int op_verify(struct bench_state *s)
{
	return crypto_verify(s->pub, s->msg, sizeof(s->msg), s->sig, sizeof(s->sig));
}

/* What getBoundProfilePackage does: a one-time key pair and the shared secret with the
 * eUICC's one-time key. */
static int op_ecdh(struct bench_state *s)
{
	struct crypto_privkey *otsk = NULL;
	uint8_t point[CRYPTO_POINT_LEN], shs[CRYPTO_SHARED_LEN];
	int ret = crypto_ecdh_keypair(s->curve, &otsk, point);

	if (ret == CRYPTO_OK)
		ret = crypto_ecdh_shared(otsk, s->peer_point, sizeof(s->peer_point), shs);
	crypto_privkey_free(otsk);
	crypto_zeroize(shs, sizeof(shs));
	return ret;
}

/* Session key derivation and the protection of a 20 KiB profile as 86 segments. */
static int op_bsp(struct bench_state *s)
{
	static const uint8_t host_id[8] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 };
	uint8_t shs[CRYPTO_SHARED_LEN] = { 1 }, eid[16] = { 0x89 };
	struct bsp_keys keys;
	struct bsp_ctx ctx;
	struct der_buf out;
	int ret;

	der_buf_init(&out, 2 * PROFILE_SIZE);
	ret = bsp_derive_keys(shs, sizeof(shs), host_id, sizeof(host_id), eid, &keys);
	if (ret == BSP_OK) {
		bsp_ctx_init(&ctx, &keys);
		ret = bsp_write_encrypted_segments(&ctx, BSP_TAG_PROFILE, s->profile, PROFILE_SIZE,
						   &out);
		bsp_ctx_free(&ctx);
	}
	crypto_zeroize(&keys, sizeof(keys));
	der_buf_free(&out);
	return ret;
}

/* Runs op until the time is up (at least once) and prints its rate; returns 0 on success. */
static int measure(const char *name, int (*op)(struct bench_state *), struct bench_state *s,
		   double seconds)
{
	double start = now_seconds(), elapsed;
	long count = 0;

	do {
		if (op(s) != 0) {
			fprintf(stderr, "crypto_bench: %s failed\n", name);
			return 1;
		}
		count++;
		elapsed = now_seconds() - start;
	} while (elapsed < seconds);

	printf("%s %.0f %.1f\n", name, (double)count / elapsed, elapsed * 1e6 / (double)count);
	fflush(stdout);
	return 0;
}

static int bench_curve(enum crypto_curve curve, const char *suffix, double seconds)
{
	struct bench_state s = { .curve = curve };
	struct crypto_privkey *peer = NULL;
	uint8_t point[CRYPTO_POINT_LEN];
	char name[64];
	int failed = 1;

	memset(s.msg, 0xA5, sizeof(s.msg));
	if (crypto_ecdh_keypair(curve, &s.key, point) != CRYPTO_OK ||
	    crypto_pubkey_from_point(curve, point, sizeof(point), &s.pub) != CRYPTO_OK ||
	    crypto_ecdh_keypair(curve, &peer, s.peer_point) != CRYPTO_OK ||
	    crypto_sign(s.key, s.msg, sizeof(s.msg), s.sig) != CRYPTO_OK) {
		fprintf(stderr, "crypto_bench: key set-up on %s failed\n", crypto_curve_name(curve));
		goto out;
	}

	snprintf(name, sizeof(name), "ecdsa_sign_%s", suffix);
	if (measure(name, op_sign, &s, seconds))
		goto out;
	snprintf(name, sizeof(name), "ecdsa_verify_%s", suffix);
	if (measure(name, op_verify, &s, seconds))
		goto out;
	snprintf(name, sizeof(name), "ecdh_keypair_shared_%s", suffix);
	if (measure(name, op_ecdh, &s, seconds))
		goto out;
	failed = 0;
out:
	crypto_privkey_free(s.key);
	crypto_privkey_free(peer);
	crypto_pubkey_free(s.pub);
	return failed;
}

int main(int argc, char **argv)
{
	struct bench_state s = { 0 };
	double seconds = 1.0;
	int failed = 0;

	if (argc > 2 || (argc == 2 && (seconds = strtod(argv[1], NULL)) <= 0)) {
		fprintf(stderr, "usage: crypto_bench [seconds per operation, default 1]\n");
		return 2;
	}
	if (crypto_init() != CRYPTO_OK) {
		fprintf(stderr, "crypto_bench: crypto_init failed\n");
		return 1;
	}

	failed |= bench_curve(CRYPTO_CURVE_P256, "p256", seconds);
	failed |= bench_curve(CRYPTO_CURVE_BRAINPOOLP256R1, "brainpoolp256r1", seconds);

	s.profile = malloc(PROFILE_SIZE);
	if (!s.profile || crypto_random(s.profile, PROFILE_SIZE) != CRYPTO_OK)
		failed = 1;
	else
		failed |= measure("bsp_protect_20k", op_bsp, &s, seconds);
	free(s.profile);

	crypto_cleanup();
	return failed;
}
