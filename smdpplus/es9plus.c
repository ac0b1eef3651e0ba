/*
 * SGP.22 ES9+ registration, shared request helpers, and InitiateAuthentication
 * (SGP.22 "ES9+.InitiateAuthentication", server side of Common Mutual Authentication).
 *
 *   request  {euiccChallenge: b64(16 bytes), euiccInfo1: b64(EUICCInfo1), smdpAddress}
 *   response {header, transactionId, serverSigned1, serverSignature1, euiccCiPKIdToBeUsed,
 *             serverCertificate}
 *
 *   EUICCInfo1 ::= [32] SEQUENCE {                              -- BF20
 *       svn [2] VersionType,                                    -- 82 03 major minor rev
 *       euiccCiPKIdListForVerification [9] SEQUENCE OF SubjectKeyIdentifier,  -- A9 {04 ..}
 *       euiccCiPKIdListForSigning [10] SEQUENCE OF SubjectKeyIdentifier }     -- AA {04 ..}
 *   ServerSigned1 ::= SEQUENCE { transactionId [0], euiccChallenge [1], serverAddress [3],
 *                                serverChallenge [4] }
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/ident.h"
#include "common/json.h"
#include "common/log.h"
#include "smdpplus/es9_internal.h"
#include "smdpplus/es9plus.h"
#include "smdpplus/reply.h"
#include "smdpplus/store.h"

#define TAG_EUICC_INFO1 0xBF20
#define TAG_SIGNATURE   0x5F37
#define MAX_EUICC_INFO1 1024
#define MAX_CI_PKIDS    16

/* ---- shared helpers ---- */

int es9_fail(struct es9_call *call, enum rsp_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->detail, sizeof(call->detail), fmt, ap);
	va_end(ap);
	call->status = st;
	return 1;
}

int es9_parse(struct es9_call *call)
{
	size_t len = 0;
	const char *body = http_request_body(call->req, &len);

	if (json_parse_object(body, len, &call->in) != JSON_OK)
		return es9_fail(call, RSP_E_JSON_INVALID, "%s", "");
	return 0;
}

int es9_get_transaction_id(struct es9_call *call)
{
	int rc = json_get_transaction_id(call->in, "transactionId", call->tid, &call->tid_len);

	if (rc != JSON_OK)
		return es9_fail(call, reply_json_status(rc), "transactionId");
	ident_hex_encode(call->tid, call->tid_len, call->tid_hex, sizeof(call->tid_hex));
	http_request_set_log_ids(call->req, call->tid_hex, NULL);
	return 0;
}

int es9_get_base64(struct es9_call *call, const char *name, size_t max, uint8_t **out,
		   size_t *len)
{
	int rc = json_get_base64(call->in, name, max, out, len);

	if (rc != JSON_OK)
		return es9_fail(call, reply_json_status(rc), "%s", name);
	return 0;
}

int es9_read_tlv(struct es9_call *call, const uint8_t *buf, size_t len, uint32_t tag,
		 const char *field, struct der_tlv *out)
{
	if (der_read_exact(buf, len, tag, out) != DER_OK)
		return es9_fail(call, RSP_E_FIELD_INVALID, "%s is not a DER %X structure", field,
				tag);
	return 0;
}

int es9_find(struct es9_call *call, const struct der_tlv *parent, uint32_t tag,
	     const char *field, struct der_tlv *out)
{
	if (der_find(parent, tag, out) != DER_OK)
		return es9_fail(call, RSP_E_FIELD_INVALID, "%s missing or malformed", field);
	return 0;
}

int es9_verify(const struct cert *cert, const uint8_t *msg, size_t msg_len,
	       const struct der_tlv *signature)
{
	struct crypto_pubkey *key = NULL;
	int rc = -1;

	if (signature->tag != TAG_SIGNATURE || signature->len != CRYPTO_SIG_LEN)
		return -1;
	if (crypto_pubkey_from_point((enum crypto_curve)cert->curve, cert->public_point,
				     sizeof(cert->public_point), &key) != CRYPTO_OK)
		return -1;
	if (crypto_verify(key, msg, msg_len, signature->value, signature->len) == CRYPTO_OK)
		rc = 0;
	crypto_pubkey_free(key);
	return rc;
}

void es9_reply(struct es9_call *call, const cJSON *resp)
{
	reply_send(call->req, call->status, call->detail[0] ? call->detail : NULL, resp);
}

void es9_call_clear(struct es9_call *call)
{
	cJSON_Delete(call->in);
	call->in = NULL;
}

/* ---- InitiateAuthentication ---- */

struct euicc_info1 {
	uint8_t svn[3];
	const uint8_t *verify[MAX_CI_PKIDS]; /* key identifiers, 20 bytes each in SGP.22 */
	size_t verify_len[MAX_CI_PKIDS], verify_count;
	const uint8_t *sign[MAX_CI_PKIDS];
	size_t sign_len[MAX_CI_PKIDS], sign_count;
};

/* Reads a SEQUENCE OF SubjectKeyIdentifier (04 L keyId ...). */
static int read_pkid_list(const struct der_tlv *list, const uint8_t **ids, size_t *lens,
			  size_t *count)
{
	struct der_iter it;
	struct der_tlv item;
	int rc;

	der_iter_init(&it, list);
	while ((rc = der_iter_next(&it, &item)) == 1) {
		if (item.tag != 0x04 || item.len == 0 || item.len > CERT_KEY_ID_MAX)
			return -1;
		if (*count < MAX_CI_PKIDS) {
			ids[*count] = item.value;
			lens[*count] = item.len;
			(*count)++;
		}
	}
	return rc == 0 ? 0 : -1;
}

static int parse_euicc_info1(struct es9_call *call, const uint8_t *buf, size_t len,
			     struct euicc_info1 *info)
{
	struct der_tlv top, svn, verify, sign;

	memset(info, 0, sizeof(*info));
	if (es9_read_tlv(call, buf, len, TAG_EUICC_INFO1, "euiccInfo1", &top) ||
	    es9_find(call, &top, 0x82, "euiccInfo1.svn", &svn) ||
	    es9_find(call, &top, 0xA9, "euiccInfo1.euiccCiPKIdListForVerification", &verify) ||
	    es9_find(call, &top, 0xAA, "euiccInfo1.euiccCiPKIdListForSigning", &sign))
		return 1;
	if (svn.len != 3)
		return es9_fail(call, RSP_E_FIELD_INVALID, "euiccInfo1.svn must be 3 bytes");
	memcpy(info->svn, svn.value, 3);
	if (read_pkid_list(&verify, info->verify, info->verify_len, &info->verify_count) ||
	    read_pkid_list(&sign, info->sign, info->sign_len, &info->sign_count))
		return es9_fail(call, RSP_E_FIELD_INVALID, "euiccInfo1 CI key identifier list");
	return 0;
}

static bool pkid_listed(const uint8_t *const *ids, const size_t *lens, size_t count,
			const uint8_t *id, size_t len)
{
	for (size_t i = 0; i < count; i++)
		if (lens[i] == len && memcmp(ids[i], id, len) == 0)
			return true;
	return false;
}

/*
 * Chooses the curve and the CI: the eUICC must be able to sign under a CI this SM-DP+ trusts
 * (euiccCiPKIdListForSigning, else 8.8.2/3.1), and to verify this SM-DP+'s CERT.DPauth of the
 * same curve (its issuer in euiccCiPKIdListForVerification, else 8.8.4/3.7). The eUICC's order
 * of preference is kept, and a CI that issued CERT.DPauth itself is preferred.
 */
static int select_ci(struct es9_call *call, const struct euicc_info1 *info,
		     const struct smdp_identity **id_out, const struct cert **ci_out)
{
	const struct smdp *smdp = call->smdp;
	bool any_signing = false;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < info->sign_count; i++) {
			for (size_t k = 0; k < smdp->id_count; k++) {
				const struct smdp_identity *id = &smdp->ids[k];
				const struct cert *ci = chain_ci_store_find(
					smdp->ci, info->sign[i], info->sign_len[i],
					(enum pki_curve)id->curve);
				bool same_ci;

				if (!ci)
					continue;
				any_signing = true;
				if (!pkid_listed(info->verify, info->verify_len, info->verify_count,
						 id->dpauth->aki, id->dpauth->aki_len))
					continue;
				same_ci = id->dpauth->aki_len == ci->ski_len &&
					  memcmp(id->dpauth->aki, ci->ski, ci->ski_len) == 0;
				if (pass == 0 && !same_ci)
					continue;
				*id_out = id;
				*ci_out = ci;
				return 0;
			}
		}
	}
	if (!any_signing)
		return es9_fail(call, RSP_E_CI_PKID_UNSUPPORTED, "%s", "");
	return es9_fail(call, RSP_E_NO_DPAUTH_CERT, "%s", "");
}

/* Builds serverSigned1 and the response; stores the session. */
static cJSON *start_session(struct es9_call *call, const char *address,
			    const uint8_t *euicc_challenge, const struct smdp_identity *id,
			    const struct cert *ci)
{
	struct store_session s = { 0 };
	struct der_buf signed1, pkid;
	uint8_t sig[CRYPTO_SIG_LEN], sig_tlv[3 + CRYPTO_SIG_LEN] = { 0x5F, 0x37, 0x40 };
	struct db_conn *conn = NULL;
	cJSON *resp = NULL;
	size_t mark;

	der_buf_init(&signed1, 1024);
	der_buf_init(&pkid, 64);
	s.state = SESSION_INITIATED;
	memcpy(s.euicc_challenge, euicc_challenge, RSP_CHALLENGE_LEN);
	if (crypto_random(s.transaction_id, sizeof(s.transaction_id)) != CRYPTO_OK ||
	    crypto_random(s.server_challenge, sizeof(s.server_challenge)) != CRYPTO_OK) {
		es9_fail(call, RSP_E_INTERNAL, "random generator failed");
		goto out;
	}
	memcpy(s.ci_pkid, ci->ski, ci->ski_len);
	s.ci_pkid_len = ci->ski_len;
	snprintf(s.curve, sizeof(s.curve), "%s", crypto_curve_name(id->curve));
	ident_hex_encode(s.transaction_id, sizeof(s.transaction_id), call->tid_hex,
			 sizeof(call->tid_hex));
	http_request_set_log_ids(call->req, call->tid_hex, NULL);

	mark = der_begin(&signed1, 0x30);
	der_put_tlv(&signed1, 0x80, s.transaction_id, sizeof(s.transaction_id));
	der_put_tlv(&signed1, 0x81, s.euicc_challenge, RSP_CHALLENGE_LEN);
	der_put_tlv(&signed1, 0x83, address, strlen(address));
	der_put_tlv(&signed1, 0x84, s.server_challenge, RSP_CHALLENGE_LEN);
	der_end(&signed1, mark);
	der_put_tlv(&pkid, 0x04, ci->ski, ci->ski_len);
	if (signed1.status != DER_OK || pkid.status != DER_OK ||
	    crypto_sign(id->dpauth_key, signed1.data, signed1.len, sig) != CRYPTO_OK) {
		es9_fail(call, RSP_E_INTERNAL, "signing serverSigned1 failed");
		goto out;
	}
	memcpy(sig_tlv + 3, sig, sizeof(sig));

	if (db_acquire(call->smdp->db, http_request_log_ctx(call->req), &conn) != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database unavailable");
		goto out;
	}
	if (store_session_insert(conn, &s, call->smdp->set.session_ttl_s) != DB_OK) {
		es9_fail(call, RSP_E_INTERNAL, "database error");
		goto out;
	}
	resp = reply_success();
	if (!resp || json_add_hex(resp, "transactionId", s.transaction_id, RSP_TRANSACTION_ID_LEN) ||
	    json_add_base64(resp, "serverSigned1", signed1.data, signed1.len) ||
	    json_add_base64(resp, "serverSignature1", sig_tlv, sizeof(sig_tlv)) ||
	    json_add_base64(resp, "euiccCiPKIdToBeUsed", pkid.data, pkid.len) ||
	    json_add_base64(resp, "serverCertificate", id->dpauth->der, id->dpauth->der_len)) {
		cJSON_Delete(resp);
		resp = NULL;
		es9_fail(call, RSP_E_INTERNAL, "out of memory");
		goto out;
	}
	LOG_INFO("es9", http_request_log_ctx(call->req), "session started on %s, CI %02X%02X..",
		 s.curve, ci->ski[0], ci->ski[1]);
out:
	db_release(conn);
	der_buf_free(&signed1);
	der_buf_free(&pkid);
	return resp;
}

void es9_initiate_authentication(struct http_request *req, void *arg)
{
	struct es9_call call = { .smdp = arg, .req = req };
	const struct smdp_identity *id = NULL;
	const struct cert *ci = NULL;
	struct euicc_info1 info;
	uint8_t *challenge = NULL, *info1 = NULL;
	size_t challenge_len = 0, info1_len = 0;
	const char *address = NULL;
	cJSON *resp = NULL;
	int rc;

	if (es9_parse(&call))
		goto out;
	rc = json_get_string(call.in, "smdpAddress", RSP_MAX_FQDN, &address);
	if (rc != JSON_OK) {
		es9_fail(&call, reply_json_status(rc), "smdpAddress");
		goto out;
	}
	if (es9_get_base64(&call, "euiccChallenge", RSP_CHALLENGE_LEN, &challenge,
			   &challenge_len) ||
	    es9_get_base64(&call, "euiccInfo1", MAX_EUICC_INFO1, &info1, &info1_len))
		goto out;
	if (challenge_len != RSP_CHALLENGE_LEN) {
		es9_fail(&call, RSP_E_FIELD_INVALID, "euiccChallenge must be 16 bytes");
		goto out;
	}
	/* SGP.22: the address the LPA used must be this SM-DP+'s; host names compare
	 * case-insensitively. */
	if (strcasecmp(address, call.smdp->set.address) != 0) {
		es9_fail(&call, RSP_E_SMDP_ADDRESS, "%s", address);
		goto out;
	}
	if (parse_euicc_info1(&call, info1, info1_len, &info))
		goto out;
	/* This SM-DP+ implements SGP.22 v2.x and serves eUICCs of the same major version. */
	if (info.svn[0] != 2) {
		es9_fail(&call, RSP_E_SVN_UNSUPPORTED, "eUICC version %u.%u.%u", info.svn[0],
			 info.svn[1], info.svn[2]);
		goto out;
	}
	if (select_ci(&call, &info, &id, &ci))
		goto out;
	resp = start_session(&call, address, challenge, id, ci);
out:
	es9_reply(&call, resp);
	cJSON_Delete(resp);
	free(challenge);
	free(info1);
	es9_call_clear(&call);
}

/* ---- registration ---- */

int es9_register(struct http_server *srv, struct smdp *smdp)
{
	static const struct {
		const char *path, *function;
		http_handler_fn fn;
	} routes[] = {
		{ "/gsma/rsp2/es9plus/initiateAuthentication", "ES9+/initiateAuthentication",
		  es9_initiate_authentication },
		{ "/gsma/rsp2/es9plus/authenticateClient", "ES9+/authenticateClient",
		  es9_authenticate_client },
		{ "/gsma/rsp2/es9plus/getBoundProfilePackage", "ES9+/getBoundProfilePackage",
		  es9_get_bound_profile_package },
		{ "/gsma/rsp2/es9plus/handleNotification", "ES9+/handleNotification",
		  es9_handle_notification },
		{ "/gsma/rsp2/es9plus/cancelSession", "ES9+/cancelSession", es9_cancel_session },
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc = http_server_route(srv, routes[i].path, routes[i].function, 0,
					   HTTP_ROUTE_RSP_HEADERS, routes[i].fn, smdp);

		if (rc != HTTP_OK)
			return rc;
	}
	return HTTP_OK;
}
