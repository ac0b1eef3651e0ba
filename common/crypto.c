/*
 * The crypto interface of common/crypto.h on mbedTLS 2.28.
 *
 * Thread safety: the SM-DP+ calls these functions from many civetweb threads with shared keys.
 *   - The random generator is one CTR_DRBG (AES-256) seeded from the mbedTLS entropy sources;
 *     a mutex serialises its use, which is short (microseconds per call).
 *   - mbedtls_ecp_mul stores a table of multiples of the base point in the mbedtls_ecp_group
 *     the first time it multiplies the generator, so a group shared between threads is written
 *     to while other threads read it. Each thread therefore loads its own group per curve, once,
 *     on first use; the table is then computed once per thread and curve. A lock around every
 *     EC operation would serialise all signing on one core instead.
 *   - Keys hold only the scalar and the point, never a group, so they are read-only after
 *     loading and may be shared by all threads.
 */
#include "common/crypto.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#define COORD_LEN 32            /* both supported curves have 256-bit coordinates */
#define CURVE_SLOTS 3           /* indexed by enum crypto_curve; slot 0 unused */
#define MAX_KEY_FILE (64 * 1024)

struct crypto_privkey {
	enum crypto_curve curve;
	mbedtls_mpi d;
	mbedtls_ecp_point q;
};

struct crypto_pubkey {
	enum crypto_curve curve;
	mbedtls_ecp_point q;
};

/* ---- random generator ---- */

static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;
static mbedtls_entropy_context rng_entropy;
static mbedtls_ctr_drbg_context rng_drbg;
static int rng_users; /* crypto_init calls not yet matched by crypto_cleanup */

/* The f_rng callback handed to mbedTLS. */
static int rng_fill(void *unused, unsigned char *out, size_t len)
{
	int ret;

	(void)unused;
	pthread_mutex_lock(&rng_lock);
	if (rng_users == 0)
		ret = MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
	else
		ret = mbedtls_ctr_drbg_random(&rng_drbg, out, len);
	pthread_mutex_unlock(&rng_lock);
	return ret;
}

/* ---- per-thread curve groups ---- */

struct thread_groups {
	mbedtls_ecp_group grp[CURVE_SLOTS];
	bool loaded[CURVE_SLOTS];
};

static pthread_key_t groups_key;
static pthread_once_t groups_once = PTHREAD_ONCE_INIT;
static int groups_key_status = -1;

static void free_thread_groups(void *arg)
{
	struct thread_groups *tg = arg;

	if (!tg)
		return;
	for (int i = 0; i < CURVE_SLOTS; i++)
		if (tg->loaded[i])
			mbedtls_ecp_group_free(&tg->grp[i]);
	free(tg);
}

static void create_groups_key(void)
{
	groups_key_status = pthread_key_create(&groups_key, free_thread_groups);
}

static mbedtls_ecp_group_id mbedtls_curve_id(enum crypto_curve curve)
{
	switch (curve) {
	case CRYPTO_CURVE_P256:
		return MBEDTLS_ECP_DP_SECP256R1;
	case CRYPTO_CURVE_BRAINPOOLP256R1:
		return MBEDTLS_ECP_DP_BP256R1;
	default:
		return MBEDTLS_ECP_DP_NONE;
	}
}

static enum crypto_curve curve_from_mbedtls(mbedtls_ecp_group_id id)
{
	switch (id) {
	case MBEDTLS_ECP_DP_SECP256R1:
		return CRYPTO_CURVE_P256;
	case MBEDTLS_ECP_DP_BP256R1:
		return CRYPTO_CURVE_BRAINPOOLP256R1;
	default:
		return CRYPTO_CURVE_NONE;
	}
}

/* Returns the calling thread's group for curve and loads it on first use. Returns NULL when
 * the curve is not supported or memory runs out. */
static mbedtls_ecp_group *thread_group(enum crypto_curve curve)
{
	mbedtls_ecp_group_id id = mbedtls_curve_id(curve);
	struct thread_groups *tg;

	if (id == MBEDTLS_ECP_DP_NONE)
		return NULL;
	pthread_once(&groups_once, create_groups_key);
	if (groups_key_status != 0)
		return NULL;

	tg = pthread_getspecific(groups_key);
	if (!tg) {
		tg = calloc(1, sizeof(*tg));
		if (!tg)
			return NULL;
		if (pthread_setspecific(groups_key, tg) != 0) {
			free(tg);
			return NULL;
		}
	}
	if (!tg->loaded[curve]) {
		mbedtls_ecp_group_init(&tg->grp[curve]);
		if (mbedtls_ecp_group_load(&tg->grp[curve], id) != 0) {
			mbedtls_ecp_group_free(&tg->grp[curve]);
			return NULL;
		}
		tg->loaded[curve] = true;
	}
	return &tg->grp[curve];
}

/* Maps an mbedTLS error of an EC operation to the interface's status. */
static int ec_status(int mbedtls_ret)
{
	switch (mbedtls_ret) {
	case 0:
		return CRYPTO_OK;
	case MBEDTLS_ERR_ECP_RANDOM_FAILED:
	case MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED:
	case MBEDTLS_ERR_CTR_DRBG_REQUEST_TOO_BIG:
	case MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG:
		return CRYPTO_E_RNG;
	case MBEDTLS_ERR_ECP_ALLOC_FAILED:
	case MBEDTLS_ERR_MPI_ALLOC_FAILED:
		return CRYPTO_E_NOMEM;
	default:
		return CRYPTO_E_INVALID;
	}
}

/* ---- set-up ---- */

int crypto_init(void)
{
	static const char personalization[] = "rsp crypto_init";
	int ret = CRYPTO_OK;

	pthread_mutex_lock(&rng_lock);
	if (rng_users > 0) {
		rng_users++;
		goto out;
	}
	mbedtls_entropy_init(&rng_entropy);
	mbedtls_ctr_drbg_init(&rng_drbg);
	if (mbedtls_ctr_drbg_seed(&rng_drbg, mbedtls_entropy_func, &rng_entropy,
				  (const unsigned char *)personalization,
				  sizeof(personalization) - 1) != 0) {
		mbedtls_ctr_drbg_free(&rng_drbg);
		mbedtls_entropy_free(&rng_entropy);
		ret = CRYPTO_E_RNG;
		goto out;
	}
	rng_users = 1;
out:
	pthread_mutex_unlock(&rng_lock);
	return ret;
}

void crypto_cleanup(void)
{
	pthread_mutex_lock(&rng_lock);
	if (rng_users > 0 && --rng_users == 0) {
		mbedtls_ctr_drbg_free(&rng_drbg);
		mbedtls_entropy_free(&rng_entropy);
	}
	pthread_mutex_unlock(&rng_lock);

	/* Other threads free their groups when they exit; this frees the caller's. */
	pthread_once(&groups_once, create_groups_key);
	if (groups_key_status == 0) {
		free_thread_groups(pthread_getspecific(groups_key));
		pthread_setspecific(groups_key, NULL);
	}
}

int crypto_random(uint8_t *out, size_t len)
{
	/* CTR_DRBG returns at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes per call. */
	while (len > 0) {
		size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;

		if (rng_fill(NULL, out, n) != 0)
			return CRYPTO_E_RNG;
		out += n;
		len -= n;
	}
	return CRYPTO_OK;
}

const char *crypto_curve_name(enum crypto_curve curve)
{
	switch (curve) {
	case CRYPTO_CURVE_P256:
		return "NIST P-256";
	case CRYPTO_CURVE_BRAINPOOLP256R1:
		return "brainpoolP256r1";
	default:
		return "unknown curve";
	}
}

/* ---- keys ---- */

static struct crypto_privkey *privkey_new(enum crypto_curve curve)
{
	struct crypto_privkey *key = calloc(1, sizeof(*key));

	if (!key)
		return NULL;
	key->curve = curve;
	mbedtls_mpi_init(&key->d);
	mbedtls_ecp_point_init(&key->q);
	return key;
}

void crypto_privkey_free(struct crypto_privkey *key)
{
	if (!key)
		return;
	mbedtls_mpi_free(&key->d); /* wipes the limbs before freeing them */
	mbedtls_ecp_point_free(&key->q);
	mbedtls_platform_zeroize(key, sizeof(*key));
	free(key);
}

/* Sets key->q = key->d * G after checking that d lies in [1, n-1]. */
static int privkey_complete(struct crypto_privkey *key)
{
	mbedtls_ecp_group *grp = thread_group(key->curve);

	if (!grp)
		return CRYPTO_E_NOMEM;
	if (mbedtls_ecp_check_privkey(grp, &key->d) != 0)
		return CRYPTO_E_INVALID;
	return ec_status(mbedtls_ecp_mul(grp, &key->q, &key->d, &grp->G, rng_fill, NULL));
}

int crypto_privkey_load_pem(const uint8_t *pem, size_t len, struct crypto_privkey **out)
{
	mbedtls_pk_context pk;
	struct crypto_privkey *key = NULL;
	unsigned char *copy = NULL;
	const mbedtls_ecp_keypair *ec;
	enum crypto_curve curve;
	int ret;

	*out = NULL;
	mbedtls_pk_init(&pk);
	if (!pem || len == 0 || len > MAX_KEY_FILE) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}

	/* mbedtls_pk_parse_key wants PEM NUL-terminated, with the NUL counted in the length. */
	copy = malloc(len + 1);
	if (!copy) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	memcpy(copy, pem, len);
	copy[len] = '\0';
	if (mbedtls_pk_parse_key(&pk, copy, len + 1, NULL, 0) != 0) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	if (!mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECKEY)) {
		ret = CRYPTO_E_UNSUPPORTED;
		goto out;
	}
	ec = mbedtls_pk_ec(pk);
	curve = curve_from_mbedtls(ec->grp.id);
	if (curve == CRYPTO_CURVE_NONE) {
		ret = CRYPTO_E_UNSUPPORTED;
		goto out;
	}

	key = privkey_new(curve);
	if (!key) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	if (mbedtls_mpi_copy(&key->d, &ec->d) != 0) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	/* Recompute the public point rather than trusting the optional one in the file. */
	ret = privkey_complete(key);
	if (ret != CRYPTO_OK)
		goto out;
	*out = key;
	key = NULL;
out:
	crypto_privkey_free(key);
	if (copy) {
		mbedtls_platform_zeroize(copy, len + 1);
		free(copy);
	}
	mbedtls_pk_free(&pk);
	return ret;
}

int crypto_privkey_load_file(const char *path, struct crypto_privkey **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		ret = CRYPTO_E_IO;
		goto out;
	}
	buf = malloc(MAX_KEY_FILE + 1);
	if (!buf) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	len = fread(buf, 1, MAX_KEY_FILE + 1, f);
	if (ferror(f)) {
		ret = CRYPTO_E_IO;
		goto out;
	}
	if (len == 0 || len > MAX_KEY_FILE) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	ret = crypto_privkey_load_pem(buf, len, out);
out:
	if (buf) {
		mbedtls_platform_zeroize(buf, len);
		free(buf);
	}
	if (f)
		fclose(f);
	return ret;
}

int crypto_privkey_from_scalar(enum crypto_curve curve, const uint8_t *scalar, size_t len,
			       struct crypto_privkey **out)
{
	struct crypto_privkey *key = NULL;
	int ret;

	*out = NULL;
	if (mbedtls_curve_id(curve) == MBEDTLS_ECP_DP_NONE) {
		ret = CRYPTO_E_UNSUPPORTED;
		goto out;
	}
	if (!scalar || len == 0 || len > COORD_LEN) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	key = privkey_new(curve);
	if (!key) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&key->d, scalar, len) != 0) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	ret = privkey_complete(key);
	if (ret != CRYPTO_OK)
		goto out;
	*out = key;
	key = NULL;
out:
	crypto_privkey_free(key);
	return ret;
}

enum crypto_curve crypto_privkey_curve(const struct crypto_privkey *key)
{
	return key ? key->curve : CRYPTO_CURVE_NONE;
}

static int write_point(enum crypto_curve curve, const mbedtls_ecp_point *q,
		       uint8_t point[CRYPTO_POINT_LEN])
{
	mbedtls_ecp_group *grp = thread_group(curve);
	size_t olen = 0;

	if (!grp)
		return CRYPTO_E_NOMEM;
	if (mbedtls_ecp_point_write_binary(grp, q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, point,
					   CRYPTO_POINT_LEN) != 0 ||
	    olen != CRYPTO_POINT_LEN)
		return CRYPTO_E_INVALID;
	return CRYPTO_OK;
}

int crypto_privkey_public_point(const struct crypto_privkey *key, uint8_t point[CRYPTO_POINT_LEN])
{
	if (!key)
		return CRYPTO_E_INVALID;
	return write_point(key->curve, &key->q, point);
}

/* Reads an uncompressed point and checks that it lies on the curve (and is not the point at
 * infinity, which mbedTLS would accept as the single byte 00). */
static int read_point(mbedtls_ecp_group *grp, const uint8_t *point, size_t len,
		      mbedtls_ecp_point *q)
{
	if (!point || len != CRYPTO_POINT_LEN || point[0] != 0x04)
		return CRYPTO_E_INVALID;
	if (mbedtls_ecp_point_read_binary(grp, q, point, len) != 0)
		return CRYPTO_E_INVALID;
	if (mbedtls_ecp_check_pubkey(grp, q) != 0)
		return CRYPTO_E_INVALID;
	return CRYPTO_OK;
}

int crypto_pubkey_from_point(enum crypto_curve curve, const uint8_t *point, size_t len,
			     struct crypto_pubkey **out)
{
	struct crypto_pubkey *key = NULL;
	mbedtls_ecp_group *grp;
	int ret;

	*out = NULL;
	if (mbedtls_curve_id(curve) == MBEDTLS_ECP_DP_NONE) {
		ret = CRYPTO_E_UNSUPPORTED;
		goto out;
	}
	grp = thread_group(curve);
	key = calloc(1, sizeof(*key));
	if (!grp || !key) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	key->curve = curve;
	mbedtls_ecp_point_init(&key->q);
	ret = read_point(grp, point, len, &key->q);
	if (ret != CRYPTO_OK)
		goto out;
	*out = key;
	key = NULL;
out:
	crypto_pubkey_free(key);
	return ret;
}

void crypto_pubkey_free(struct crypto_pubkey *key)
{
	if (!key)
		return;
	mbedtls_ecp_point_free(&key->q);
	free(key);
}

enum crypto_curve crypto_pubkey_curve(const struct crypto_pubkey *key)
{
	return key ? key->curve : CRYPTO_CURVE_NONE;
}

int crypto_pubkey_point(const struct crypto_pubkey *key, uint8_t point[CRYPTO_POINT_LEN])
{
	if (!key)
		return CRYPTO_E_INVALID;
	return write_point(key->curve, &key->q, point);
}

/* ---- ECDSA ---- */

int crypto_sign(const struct crypto_privkey *key, const uint8_t *msg, size_t msg_len,
		uint8_t sig[CRYPTO_SIG_LEN])
{
	uint8_t hash[CRYPTO_SHA256_LEN];
	mbedtls_ecp_group *grp;
	mbedtls_mpi r, s;
	int ret;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (!key || (!msg && msg_len > 0)) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	grp = thread_group(key->curve);
	if (!grp) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	crypto_sha256(msg, msg_len, hash);
	ret = ec_status(mbedtls_ecdsa_sign(grp, &r, &s, &key->d, hash, sizeof(hash), rng_fill,
					   NULL));
	if (ret != CRYPTO_OK)
		goto out;
	if (mbedtls_mpi_write_binary(&r, sig, COORD_LEN) != 0 ||
	    mbedtls_mpi_write_binary(&s, sig + COORD_LEN, COORD_LEN) != 0) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	ret = CRYPTO_OK;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret;
}

int crypto_verify(const struct crypto_pubkey *key, const uint8_t *msg, size_t msg_len,
		  const uint8_t *sig, size_t sig_len)
{
	uint8_t hash[CRYPTO_SHA256_LEN];
	mbedtls_ecp_group *grp;
	mbedtls_mpi r, s;
	int ret;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (!key || !sig || sig_len != CRYPTO_SIG_LEN || (!msg && msg_len > 0)) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	grp = thread_group(key->curve);
	if (!grp) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&r, sig, COORD_LEN) != 0 ||
	    mbedtls_mpi_read_binary(&s, sig + COORD_LEN, COORD_LEN) != 0) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	crypto_sha256(msg, msg_len, hash);
	/* mbedtls_ecdsa_verify also rejects r or s outside [1, n-1]. */
	if (mbedtls_ecdsa_verify(grp, hash, sizeof(hash), &key->q, &r, &s) != 0) {
		ret = CRYPTO_E_VERIFY;
		goto out;
	}
	ret = CRYPTO_OK;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret;
}

/* ---- ECKA ---- */

int crypto_ecdh_keypair(enum crypto_curve curve, struct crypto_privkey **key_out,
			uint8_t point_out[CRYPTO_POINT_LEN])
{
	struct crypto_privkey *key = NULL;
	mbedtls_ecp_group *grp;
	int ret;

	*key_out = NULL;
	if (mbedtls_curve_id(curve) == MBEDTLS_ECP_DP_NONE) {
		ret = CRYPTO_E_UNSUPPORTED;
		goto out;
	}
	grp = thread_group(curve);
	key = privkey_new(curve);
	if (!grp || !key) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	ret = ec_status(mbedtls_ecp_gen_keypair(grp, &key->d, &key->q, rng_fill, NULL));
	if (ret != CRYPTO_OK)
		goto out;
	ret = write_point(curve, &key->q, point_out);
	if (ret != CRYPTO_OK)
		goto out;
	*key_out = key;
	key = NULL;
out:
	crypto_privkey_free(key);
	return ret;
}

int crypto_ecdh_shared(const struct crypto_privkey *key, const uint8_t *peer_point, size_t len,
		       uint8_t shared[CRYPTO_SHARED_LEN])
{
	mbedtls_ecp_group *grp;
	mbedtls_ecp_point peer;
	mbedtls_mpi z;
	int ret;

	mbedtls_ecp_point_init(&peer);
	mbedtls_mpi_init(&z);
	if (!key) {
		ret = CRYPTO_E_INVALID;
		goto out;
	}
	grp = thread_group(key->curve);
	if (!grp) {
		ret = CRYPTO_E_NOMEM;
		goto out;
	}
	ret = read_point(grp, peer_point, len, &peer);
	if (ret != CRYPTO_OK)
		goto out;
	ret = ec_status(mbedtls_ecdh_compute_shared(grp, &z, &peer, &key->d, rng_fill, NULL));
	if (ret == CRYPTO_OK && mbedtls_mpi_write_binary(&z, shared, CRYPTO_SHARED_LEN) != 0)
		ret = CRYPTO_E_INVALID;
out:
	mbedtls_mpi_free(&z); /* wipes the shared secret's limbs */
	mbedtls_ecp_point_free(&peer);
	return ret;
}

/* ---- symmetric primitives ---- */

void crypto_sha256(const uint8_t *msg, size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
	static const uint8_t empty[1];

	/* Cannot fail in mbedTLS 2.28 without hardware acceleration; the result is ignored so
	 * the interface stays void. */
	(void)mbedtls_sha256_ret(msg ? msg : empty, msg ? len : 0, out, 0);
}

static int aes128_cbc(int mode, const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
		      size_t len, uint8_t *out)
{
	mbedtls_aes_context aes;
	uint8_t chain[CRYPTO_AES_BLOCK];
	int ret;

	if (len % CRYPTO_AES_BLOCK != 0 || !key || !iv || (len > 0 && (!in || !out)))
		return CRYPTO_E_INVALID;
	mbedtls_aes_init(&aes);
	memcpy(chain, iv, sizeof(chain)); /* mbedtls_aes_crypt_cbc updates the IV in place */
	if (mode == MBEDTLS_AES_ENCRYPT)
		ret = mbedtls_aes_setkey_enc(&aes, key, 128);
	else
		ret = mbedtls_aes_setkey_dec(&aes, key, 128);
	if (ret == 0 && len > 0)
		ret = mbedtls_aes_crypt_cbc(&aes, mode, len, chain, in, out);
	mbedtls_aes_free(&aes); /* wipes the round keys */
	mbedtls_platform_zeroize(chain, sizeof(chain));
	return ret == 0 ? CRYPTO_OK : CRYPTO_E_INVALID;
}

int crypto_aes128_cbc_encrypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
			      size_t len, uint8_t *out)
{
	return aes128_cbc(MBEDTLS_AES_ENCRYPT, key, iv, in, len, out);
}

int crypto_aes128_cbc_decrypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
			      size_t len, uint8_t *out)
{
	return aes128_cbc(MBEDTLS_AES_DECRYPT, key, iv, in, len, out);
}

int crypto_aes128_ecb_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	mbedtls_aes_context aes;
	int ret;

	if (!key || !in || !out)
		return CRYPTO_E_INVALID;
	mbedtls_aes_init(&aes);
	ret = mbedtls_aes_setkey_enc(&aes, key, 128);
	if (ret == 0)
		ret = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, in, out);
	mbedtls_aes_free(&aes);
	return ret == 0 ? CRYPTO_OK : CRYPTO_E_INVALID;
}

int crypto_aes128_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t out[16])
{
	static const uint8_t empty[1];
	const mbedtls_cipher_info_t *info;

	if (!key || !out || (!msg && len > 0))
		return CRYPTO_E_INVALID;
	info = mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
	if (!info)
		return CRYPTO_E_UNSUPPORTED;
	if (mbedtls_cipher_cmac(info, key, 128, msg ? msg : empty, len, out) != 0)
		return CRYPTO_E_NOMEM;
	return CRYPTO_OK;
}

void crypto_zeroize(void *buf, size_t len)
{
	if (buf)
		mbedtls_platform_zeroize(buf, len);
}
