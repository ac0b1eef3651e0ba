/*
 * Glue over the asn1c 0.9.28 runtime: whole-buffer DER decoding with constraint checks, and
 * bounded DER encoding that first repairs the two places where asn1c's encoder breaks DER
 * (X.690 11.2.2 trailing zero bits of named bit lists, X.690 11.5 DEFAULT values).
 */
#include "asn1/rsp_codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/der.h"

#include "BOOLEAN.h"
#include "constr_CHOICE.h"
#include "constr_SEQUENCE.h"
#include "constr_SEQUENCE_OF.h"
#include "constr_SET_OF.h"

#include "BasicConstraints.h"
#include "CertificateInfo.h"
#include "Extension.h"
#include "GeneralSubtree.h"
#include "KeyUsage.h"
#include "LpaeOption.h"
#include "LpaeSupport.h"
#include "NotificationEvent.h"
#include "PprFlags.h"
#include "PprIds.h"
#include "ReasonFlags.h"
#include "ResetOptions.h"
#include "RspCapability.h"
#include "RspUICCCapability.h"
#include "StoreMetadataRequest.h"
#include "TBSCertificate.h"
#include "TreProperties.h"

/* Stack budget handed to the asn1c decoder, which recurses once per nesting level. */
#define DECODER_STACK_BYTES (64 * 1024)

const char *rsp_codec_strerror(int status)
{
	switch (status) {
	case RSP_CODEC_OK:
		return "success";
	case RSP_CODEC_E_TRUNCATED:
		return "truncated DER";
	case RSP_CODEC_E_NOT_DER:
		return "invalid DER";
	case RSP_CODEC_E_TRAILING:
		return "bytes after the DER value";
	case RSP_CODEC_E_DECODE:
		return "DER does not match the ASN.1 type";
	case RSP_CODEC_E_CONSTRAINT:
		return "ASN.1 constraint violated";
	case RSP_CODEC_E_ENCODE:
		return "DER encoding failed";
	case RSP_CODEC_E_TOO_LARGE:
		return "DER encoding exceeds the maximum size";
	case RSP_CODEC_E_NOMEM:
		return "out of memory";
	case RSP_CODEC_E_INVALID:
		return "invalid argument";
	default:
		return "unknown codec error";
	}
}

/* Checks the TLV structure of buf down to its primitive values. */
static int check_der(const uint8_t *buf, size_t len, unsigned depth)
{
	struct der_tlv tlv;
	struct der_iter it;
	int rc;

	if (depth > RSP_CODEC_MAX_DEPTH)
		return RSP_CODEC_E_NOT_DER;
	rc = der_read(buf, len, &tlv);
	if (rc == DER_E_TRUNCATED)
		return RSP_CODEC_E_TRUNCATED;
	if (rc != DER_OK)
		return RSP_CODEC_E_NOT_DER;
	if (!tlv.constructed)
		return RSP_CODEC_OK;

	der_iter_init(&it, &tlv);
	while (it.left > 0) {
		rc = check_der(it.next, it.left, depth + 1);
		if (rc != RSP_CODEC_OK)
			return rc;
		rc = der_iter_next(&it, &tlv);
		if (rc < 0)
			return RSP_CODEC_E_NOT_DER;
	}
	return RSP_CODEC_OK;
}

int rsp_codec_decode(asn_TYPE_descriptor_t *td, const uint8_t *buf, size_t len, void **out)
{
	asn_codec_ctx_t ctx = { .max_stack_size = DECODER_STACK_BYTES };
	struct der_tlv top;
	asn_dec_rval_t rv;
	char err[128];
	size_t err_len = sizeof(err);
	void *value = NULL;
	int rc;

	if (!out)
		return RSP_CODEC_E_INVALID;
	*out = NULL;
	if (!td || !buf)
		return RSP_CODEC_E_INVALID;

	rc = der_read(buf, len, &top);
	if (rc == DER_E_TRUNCATED)
		return RSP_CODEC_E_TRUNCATED;
	if (rc != DER_OK)
		return RSP_CODEC_E_NOT_DER;
	if (top.raw_len != len)
		return RSP_CODEC_E_TRAILING;
	rc = check_der(buf, len, 0);
	if (rc != RSP_CODEC_OK)
		return rc;

	rv = ber_decode(&ctx, td, &value, buf, len);
	if (rv.code != RC_OK) {
		rc = rv.code == RC_WMORE ? RSP_CODEC_E_TRUNCATED : RSP_CODEC_E_DECODE;
		goto out;
	}
	if (rv.consumed != len) {
		rc = RSP_CODEC_E_TRAILING;
		goto out;
	}
	if (asn_check_constraints(td, value, err, &err_len) != 0) {
		rc = RSP_CODEC_E_CONSTRAINT;
		goto out;
	}

	*out = value;
	value = NULL;
	rc = RSP_CODEC_OK;
out:
	rsp_codec_free(td, value);
	return rc;
}

void rsp_codec_free(asn_TYPE_descriptor_t *td, void *value)
{
	if (td && value)
		td->free_struct(td, value, 0);
}

/*
 * DER repairs applied before encoding.
 *
 * Named BIT STRING types of the RSP and PKIX modules, identified by their descriptors. A
 * component typed inline as a named BIT STRING would share the plain BIT STRING descriptor,
 * so RSPDefinitions.asn gives each such component a type name of its own.
 */
static asn_TYPE_descriptor_t *const named_bit_strings[] = {
	&asn_DEF_RspCapability,	    &asn_DEF_RspUICCCapability, &asn_DEF_TreProperties,
	&asn_DEF_CertificateInfo,   &asn_DEF_PprIds,		&asn_DEF_PprFlags,
	&asn_DEF_NotificationEvent, &asn_DEF_ResetOptions,	&asn_DEF_LpaeSupport,
	&asn_DEF_LpaeOption,	    &asn_DEF_KeyUsage,		&asn_DEF_ReasonFlags,
};

enum default_kind { DEFAULT_LONG, DEFAULT_BOOLEAN };

/* Components with a DEFAULT value in the specification, which DER leaves out when equal. */
struct default_rule {
	asn_TYPE_descriptor_t *parent;
	const char *member;
	enum default_kind kind;
	long value;
};

static const struct default_rule default_rules[] = {
	{ &asn_DEF_StoreMetadataRequest, "profileClass", DEFAULT_LONG, ProfileClass_operational },
	{ &asn_DEF_TBSCertificate, "version", DEFAULT_LONG, Version_v1 },
	{ &asn_DEF_Extension, "critical", DEFAULT_BOOLEAN, 0 },
	{ &asn_DEF_BasicConstraints, "cA", DEFAULT_BOOLEAN, 0 },
	{ &asn_DEF_GeneralSubtree, "minimum", DEFAULT_LONG, 0 },
};

static bool is_named_bit_string(const asn_TYPE_descriptor_t *td)
{
	size_t i;

	for (i = 0; i < sizeof(named_bit_strings) / sizeof(named_bit_strings[0]); i++)
		if (named_bit_strings[i] == td)
			return true;
	return false;
}

/* Drops trailing zero bits, and trailing zero bytes with them (X.690 11.2.2). */
static void trim_bit_string(BIT_STRING_t *bs)
{
	unsigned unused = 0;
	uint8_t last;

	while (bs->size > 0 && bs->buf[bs->size - 1] == 0)
		bs->size--;
	if (bs->size == 0) {
		bs->bits_unused = 0;
		return;
	}
	last = bs->buf[bs->size - 1];
	while (!(last & (1u << unused)))
		unused++;
	bs->bits_unused = (int)unused;
}

static void apply_default_rules(asn_TYPE_descriptor_t *td, void *sptr)
{
	const struct default_rule *rule;
	asn_TYPE_member_t *elm;
	void **memb;
	bool equal;
	int i;

	for (rule = default_rules; rule < default_rules + sizeof(default_rules) /
		sizeof(default_rules[0]); rule++) {
		if (rule->parent != td)
			continue;
		for (i = 0; i < td->elements_count; i++) {
			elm = &td->elements[i];
			if (strcmp(elm->name, rule->member) != 0 || !(elm->flags & ATF_POINTER))
				continue;
			memb = (void **)((char *)sptr + elm->memb_offset);
			if (!*memb)
				continue;
			if (rule->kind == DEFAULT_BOOLEAN)
				equal = (*(BOOLEAN_t *)*memb != 0) == (rule->value != 0);
			else
				equal = *(long *)*memb == rule->value;
			if (equal) {
				elm->type->free_struct(elm->type, *memb, 0);
				*memb = NULL;
			}
		}
	}
}

/*
 * Walks a value and applies the repairs. Types defined as another constructed type
 * ("A ::= B") get their member tables from asn1c only once one of their codec functions has
 * run, so the caller runs a size estimate first.
 */
static void normalize(asn_TYPE_descriptor_t *td, void *sptr, unsigned depth)
{
	int i;

	if (!sptr || depth > RSP_CODEC_MAX_DEPTH)
		return;
	if (is_named_bit_string(td)) {
		trim_bit_string(sptr);
		return;
	}

	if (td->der_encoder == SEQUENCE_encode_der) {
		apply_default_rules(td, sptr);
		for (i = 0; i < td->elements_count; i++) {
			asn_TYPE_member_t *elm = &td->elements[i];
			void *memb = (char *)sptr + elm->memb_offset;

			if (elm->flags & ATF_POINTER)
				memb = *(void **)memb;
			normalize(elm->type, memb, depth + 1);
		}
	} else if (td->der_encoder == CHOICE_encode_der) {
		const asn_CHOICE_specifics_t *spec = td->specifics;
		const void *pres = (const char *)sptr + spec->pres_offset;
		int present;
		asn_TYPE_member_t *elm;
		void *memb;

		/* asn1c stores the size of the present field, a C enum, next to its offset. */
		if (spec->pres_size == sizeof(int))
			present = *(const int *)pres;
		else if (spec->pres_size == sizeof(short))
			present = *(const short *)pres;
		else
			present = *(const signed char *)pres;
		if (present < 1 || present > td->elements_count)
			return;
		elm = &td->elements[present - 1];
		memb = (char *)sptr + elm->memb_offset;
		if (elm->flags & ATF_POINTER)
			memb = *(void **)memb;
		normalize(elm->type, memb, depth + 1);
	} else if (td->der_encoder == SEQUENCE_OF_encode_der ||
		   td->der_encoder == SET_OF_encode_der) {
		asn_anonymous_sequence_ *list = _A_SEQUENCE_FROM_VOID(sptr);

		for (i = 0; i < list->count; i++)
			normalize(td->elements[0].type, list->array[i], depth + 1);
	}
}

int rsp_codec_encode(asn_TYPE_descriptor_t *td, void *value, size_t max, uint8_t **out,
		     size_t *out_len)
{
	asn_enc_rval_t er;
	char err[128];
	size_t err_len = sizeof(err);
	uint8_t *buf = NULL;
	size_t size;
	int rc;

	if (!out || !out_len)
		return RSP_CODEC_E_INVALID;
	*out = NULL;
	*out_len = 0;
	if (!td || !value)
		return RSP_CODEC_E_INVALID;

	if (asn_check_constraints(td, value, err, &err_len) != 0)
		return RSP_CODEC_E_CONSTRAINT;

	/* The first estimate also completes the descriptors that normalize() walks. */
	er = der_encode(td, value, NULL, NULL);
	if (er.encoded < 0)
		return RSP_CODEC_E_ENCODE;
	normalize(td, value, 0);
	er = der_encode(td, value, NULL, NULL);
	if (er.encoded < 0)
		return RSP_CODEC_E_ENCODE;
	size = (size_t)er.encoded;
	if (size > max)
		return RSP_CODEC_E_TOO_LARGE;

	buf = malloc(size ? size : 1);
	if (!buf)
		return RSP_CODEC_E_NOMEM;
	er = der_encode_to_buffer(td, value, buf, size);
	if (er.encoded < 0 || (size_t)er.encoded != size) {
		rc = RSP_CODEC_E_ENCODE;
		goto out;
	}

	*out = buf;
	*out_len = size;
	buf = NULL;
	rc = RSP_CODEC_OK;
out:
	free(buf);
	return rc;
}

int rsp_codec_octets_set(OCTET_STRING_t *os, const void *data, size_t len)
{
	uint8_t *copy;

	if (!os || (!data && len))
		return RSP_CODEC_E_INVALID;
	if (len > INT_MAX - 1)
		return RSP_CODEC_E_TOO_LARGE;
	/* asn1c's own string functions keep a NUL after the content, and so does this one. */
	copy = malloc(len + 1);
	if (!copy)
		return RSP_CODEC_E_NOMEM;
	if (len)
		memcpy(copy, data, len);
	copy[len] = 0;
	free(os->buf);
	os->buf = copy;
	os->size = (int)len;
	return RSP_CODEC_OK;
}

OCTET_STRING_t *rsp_codec_octets_new(const void *data, size_t len)
{
	OCTET_STRING_t *os = calloc(1, sizeof(*os));

	if (!os)
		return NULL;
	if (rsp_codec_octets_set(os, data, len) != RSP_CODEC_OK) {
		free(os);
		return NULL;
	}
	return os;
}

char *rsp_codec_string_dup(const OCTET_STRING_t *s, size_t max)
{
	size_t len;
	char *copy;

	if (!s || s->size < 0 || (s->size > 0 && !s->buf))
		return NULL;
	len = (size_t)s->size;
	if (len > max || (len > 0 && memchr(s->buf, 0, len)))
		return NULL;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, s->buf, len);
	copy[len] = '\0';
	return copy;
}

int rsp_codec_bit_set(BIT_STRING_t *bs, unsigned bit)
{
	size_t byte = bit / 8, size;
	uint8_t *buf;

	if (!bs || bs->size < 0 || byte >= INT_MAX - 1)
		return RSP_CODEC_E_INVALID;
	size = (size_t)bs->size;
	if (byte >= size) {
		buf = realloc(bs->buf, byte + 2);
		if (!buf)
			return RSP_CODEC_E_NOMEM;
		memset(buf + size, 0, byte + 2 - size);
		bs->buf = buf;
		bs->size = (int)(byte + 1);
	}
	bs->buf[byte] = (uint8_t)(bs->buf[byte] | (0x80u >> (bit % 8)));
	trim_bit_string(bs);
	return RSP_CODEC_OK;
}

bool rsp_codec_bit_get(const BIT_STRING_t *bs, unsigned bit)
{
	size_t byte = bit / 8;

	if (!bs || !bs->buf || bs->size <= 0 || byte >= (size_t)bs->size)
		return false;
	if (byte == (size_t)bs->size - 1 && bit % 8 >= 8 - (unsigned)(bs->bits_unused & 7))
		return false;
	return (bs->buf[byte] & (0x80u >> (bit % 8))) != 0;
}
