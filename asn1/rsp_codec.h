/*
 * Thin glue over the asn1c codec generated from the SGP.22 RSP and PKIX modules in asn1/.
 *
 * The generated types are included by type name, one header per type, and named after the
 * ASN.1 type with "_t" appended; each has a descriptor asn_DEF_<Type>:
 *
 *	#include "asn1/rsp_codec.h"
 *	#include "AuthenticateServerResponse.h"
 *
 *	AuthenticateServerResponse_t *resp = NULL;
 *	int rc = rsp_codec_decode(&asn_DEF_AuthenticateServerResponse, der, der_len,
 *				  (void **)&resp);
 *	if (rc == RSP_CODEC_OK && resp->present ==
 *	    AuthenticateServerResponse_PR_authenticateResponseOk) ...
 *	rsp_codec_free(&asn_DEF_AuthenticateServerResponse, resp);
 *
 * Components of inline types get compound names (asn1c -fcompound-names), for example
 * struct ProfileInstallationResultData__finalResult. Plain INTEGERs are C longs, except
 * CertificateSerialNumber_t, which is an INTEGER_t byte string. OPTIONAL components are
 * pointers (NULL when absent); SEQUENCE OF components are filled with ASN_SEQUENCE_ADD.
 *
 * The decoders keep no byte ranges of their input. A signature is checked over the bytes
 * received: find the signed TLV with asn1/der.h instead of re-encoding a decoded value.
 */
#ifndef ASN1_RSP_CODEC_H
#define ASN1_RSP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn_application.h"
#include "BIT_STRING.h"
#include "OCTET_STRING.h"

/* Nesting depth accepted by the DER structure check. The deepest SGP.22 messages, ES9+ ASN.1
 * binding requests that carry certificates, nest about a dozen levels (an estimate). */
#define RSP_CODEC_MAX_DEPTH 32

enum rsp_codec_status {
	RSP_CODEC_OK = 0,
	RSP_CODEC_E_TRUNCATED = -1,  /* the input ends inside a tag, length or value */
	RSP_CODEC_E_NOT_DER = -2,    /* indefinite or non-minimal length, tag over 3 bytes, or
				      * nesting deeper than RSP_CODEC_MAX_DEPTH */
	RSP_CODEC_E_TRAILING = -3,   /* bytes follow the value */
	RSP_CODEC_E_DECODE = -4,     /* well-formed DER that does not match the ASN.1 type */
	RSP_CODEC_E_CONSTRAINT = -5, /* a size, range or presence constraint is violated */
	RSP_CODEC_E_ENCODE = -6,     /* the value cannot be encoded */
	RSP_CODEC_E_TOO_LARGE = -7,  /* the encoding exceeds the given maximum */
	RSP_CODEC_E_NOMEM = -8,
	RSP_CODEC_E_INVALID = -9,    /* a NULL or otherwise unusable argument */
};

/* Returns a short English description of an rsp_codec_status value. */
const char *rsp_codec_strerror(int status);

/*
 * Decodes one value of type td that must fill buf exactly. The input must be well-formed DER
 * at the TLV level (definite, minimal lengths) and satisfy the type's constraints.
 * On success *out owns a new value, to be released with rsp_codec_free(); on error *out is
 * NULL. Extension components unknown to this module (EXTENSIBILITY IMPLIED) are skipped.
 */
int rsp_codec_decode(asn_TYPE_descriptor_t *td, const uint8_t *buf, size_t len, void **out);

/* Frees a value of type td and everything it owns. Accepts NULL. */
void rsp_codec_free(asn_TYPE_descriptor_t *td, void *value);

/*
 * Encodes value as DER into a new buffer of at most max bytes, which the caller frees with
 * free(). Before encoding it checks the constraints and rewrites value in place where asn1c
 * would break DER. It drops the trailing zero bits of named BIT STRINGs. It also frees
 * components equal to their DEFAULT value and leaves them absent: StoreMetadataRequest
 * profileClass operational, and the DEFAULTs of the PKIX modules.
 */
int rsp_codec_encode(asn_TYPE_descriptor_t *td, void *value, size_t max, uint8_t **out,
		     size_t *out_len);

/* Replaces the content of os with a copy of len bytes of data (data may be NULL if len is 0). */
int rsp_codec_octets_set(OCTET_STRING_t *os, const void *data, size_t len);

/* Allocates an OCTET STRING (or UTF8String, or any string type) holding a copy of data,
 * for OPTIONAL components. Returns NULL when out of memory. */
OCTET_STRING_t *rsp_codec_octets_new(const void *data, size_t len);

/* Returns a NUL-terminated malloc'd copy of a UTF8String or other string, or NULL when s
 * contains a NUL byte, is longer than max bytes, or memory runs out. */
char *rsp_codec_string_dup(const OCTET_STRING_t *s, size_t max);

/* Sets bit number bit (0 is the first bit, as in named bit lists) of a BIT STRING, growing
 * it as needed and keeping the DER form without trailing zero bits. */
int rsp_codec_bit_set(BIT_STRING_t *bs, unsigned bit);

/* Returns whether bit number bit of a BIT STRING is set; bits past its end read as 0. */
bool rsp_codec_bit_get(const BIT_STRING_t *bs, unsigned bit);

#endif
