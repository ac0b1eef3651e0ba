/*
 * Helpers shared by the ES9+ handler files (es9plus.c, es9_auth.c, es9_bpp.c,
 * es9_notify.c). Not used outside smdpplus/.
 */
#ifndef SMDPPLUS_ES9_INTERNAL_H
#define SMDPPLUS_ES9_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "asn1/der.h"
#include "common/http.h"
#include "common/status.h"
#include "pki/cert.h"
#include "smdpplus/smdp.h"

#define ES9_MAX_DETAIL 256

/* One ES9+ request being served. */
struct es9_call {
	struct smdp *smdp;
	struct http_request *req;
	cJSON *in;                                   /* the parsed body */
	uint8_t tid[RSP_TRANSACTION_ID_LEN];         /* the transactionId of the request */
	size_t tid_len;
	char tid_hex[2 * RSP_TRANSACTION_ID_LEN + 1];
	enum rsp_status status;
	char detail[ES9_MAX_DETAIL];
	bool commit;                                 /* commit the transaction despite an error */
};

/* Records a failure; returns 1, which also rolls a transaction back unless call->commit. */
int es9_fail(struct es9_call *call, enum rsp_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parses the body as a JSON object into call->in. Returns 0 or 1 (failure recorded). */
int es9_parse(struct es9_call *call);

/* Reads the transactionId field into call->tid and names it in the request's log lines. */
int es9_get_transaction_id(struct es9_call *call);

/* Reads a mandatory base64 field of at most max decoded bytes; *out is malloc'ed. */
int es9_get_base64(struct es9_call *call, const char *name, size_t max, uint8_t **out,
		   size_t *len);

/* Reads a DER TLV that must fill buf and carry tag; a failure names the field. */
int es9_read_tlv(struct es9_call *call, const uint8_t *buf, size_t len, uint32_t tag,
		 const char *field, struct der_tlv *out);

/* Finds a mandatory child of a constructed TLV. */
int es9_find(struct es9_call *call, const struct der_tlv *parent, uint32_t tag,
	     const char *field, struct der_tlv *out);

/* Verifies an SGP.22 signature TLV (5F37 40 r||s) over msg with a certificate's key. Returns
 * 0 when it verifies. */
int es9_verify(const struct cert *cert, const uint8_t *msg, size_t msg_len,
	       const struct der_tlv *signature);

/* Sends the response: call->status with call->detail, or resp on success. */
void es9_reply(struct es9_call *call, const cJSON *resp);

/* Releases what es9_parse allocated. */
void es9_call_clear(struct es9_call *call);

/* The handlers. */
void es9_initiate_authentication(struct http_request *req, void *arg);
void es9_authenticate_client(struct http_request *req, void *arg);
void es9_get_bound_profile_package(struct http_request *req, void *arg);
void es9_handle_notification(struct http_request *req, void *arg);
void es9_cancel_session(struct http_request *req, void *arg);

#endif
