/*
 * The profile package generator: checks the parameters, builds each ProfileElement with the
 * asn1c types of asn1/PEDefinitions.asn and encodes them in DER, one after the other.
 *
 * DER omits a component equal to its DEFAULT, and asn1c 0.9.28 encodes every component that
 * is present, so components at their default value are left NULL here.
 */
#include <stdlib.h>
#include <string.h>

#include "ProfileElement.h"
#include "constraints.h"

#include "saip/internal.h"
#include "saip/saip.h"

/* SAIP version written in the header: the GSMA TS.48 test profiles use 2.3 as well. */
#define GEN_MAJOR_VERSION 2
#define GEN_MINOR_VERSION 3

/* PIN, PUK and ADM values are ASCII digits padded with 'FF' to 8 bytes. */
#define CODE_LEN 8
/* maxNumOfAttemps-retryNumLeft: 10 attempts, 10 left. PIN1 and PIN2 keep the default of
 * 3 and 3 ('33', 51), PUKs the default of 10 and 10. */
#define ADM_ATTEMPTS 0xAA
/* pinAttributes as the GSMA TS.48 test profiles set them. */
#define PIN1_ATTRIBUTES 6
#define PIN2_ATTRIBUTES 3
#define ADM_ATTRIBUTES 3
/* algorithmOptions as the GSMA TS.48 test profiles set them.
 * NOTE: the bit meanings of algorithmOptions were not checked against the SAIP text. */
#define MILENAGE_OPTIONS 0x02

enum { ELEM_HEADER, ELEM_MF, ELEM_PUK, ELEM_PIN_MF, ELEM_USIM, ELEM_PIN_USIM, ELEM_AKA, ELEM_END,
       ELEM_COUNT };

/* The parameters after checking, in the form the elements carry them. */
struct gen_values {
	const char *iccid;
	const char *profile_type;
	struct saip_usim_values usim;
	uint8_t ki[16];
	uint8_t opc[16];
	uint8_t pin1[CODE_LEN], pin2[CODE_LEN], puk1[CODE_LEN], puk2[CODE_LEN], adm1[CODE_LEN];
};

void *saip_build_calloc(struct saip_build *b, size_t size)
{
	void *p;

	if (b->status != SAIP_OK)
		return NULL;
	p = calloc(1, size);
	if (!p)
		b->status = SAIP_E_NOMEM;
	return p;
}

void saip_build_octets(struct saip_build *b, OCTET_STRING_t *s, const void *data, size_t len)
{
	if (b->status != SAIP_OK)
		return;
	if (OCTET_STRING_fromBuf(s, data, (int)len) != 0)
		b->status = SAIP_E_NOMEM;
}

OCTET_STRING_t *saip_build_new_octets(struct saip_build *b, const void *data, size_t len)
{
	OCTET_STRING_t *s = saip_build_calloc(b, sizeof(*s));

	if (s)
		saip_build_octets(b, s, data, len);
	return s;
}

void saip_build_oid(struct saip_build *b, OBJECT_IDENTIFIER_t *oid, const uint32_t *arcs,
		    unsigned count)
{
	if (b->status != SAIP_OK)
		return;
	if (OBJECT_IDENTIFIER_set_arcs(oid, arcs, sizeof(arcs[0]), count) != 0)
		b->status = SAIP_E_NOMEM;
}

void saip_build_pe_header(struct saip_build *b, PEHeader_t *h, long id)
{
	h->mandated = saip_build_calloc(b, sizeof(NULL_t));
	h->identification = id;
}

static long *new_long(struct saip_build *b, long value)
{
	long *p = saip_build_calloc(b, sizeof(*p));

	if (p)
		*p = value;
	return p;
}

/* True for 1 to 100 UTF-8 characters without control characters. Only the shortest forms of
 * code points up to U+10FFFF are UTF-8, and surrogates are not. */
static bool valid_profile_type(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	while (*p) {
		unsigned c = *p, extra, cp;

		if (c < 0x20 || c == 0x7F)
			return false;
		if (c < 0x80)
			extra = 0;
		else if (c >= 0xC2 && c <= 0xDF)
			extra = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			extra = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			extra = 3;
		else
			return false;
		/* The lead byte keeps 7, 5, 4 or 3 payload bits. */
		cp = c & (0x7Fu >> extra);
		for (unsigned i = 1; i <= extra; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3Fu);
		}
		if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
			return false;
		p += 1 + extra;
		chars++;
	}
	return chars >= 1 && chars <= 100;
}

/* Stores a code as ASCII digits padded with 'FF'; false unless it has min to max digits. */
static bool code_value(const char *code, size_t min, size_t max, uint8_t out[CODE_LEN])
{
	if (!saip_is_digits(code, min, max))
		return false;
	memset(out, 0xFF, CODE_LEN);
	memcpy(out, code, strlen(code));
	return true;
}

static int check_params(const struct saip_params *p, struct gen_values *v)
{
	size_t imsi_len;
	unsigned last;
	int rc;

	rc = saip_check_iccid(p->iccid);
	if (rc != SAIP_OK)
		return rc;
	if (!saip_is_digits(p->imsi, SAIP_IMSI_MIN_DIGITS, SAIP_IMSI_MAX_DIGITS))
		return SAIP_E_PARAM_IMSI;
	if (!saip_hex_decode(p->ki, v->ki, sizeof(v->ki)))
		return SAIP_E_PARAM_KI;
	if (!saip_hex_decode(p->opc, v->opc, sizeof(v->opc)))
		return SAIP_E_PARAM_OPC;
	v->profile_type = p->profile_type ? p->profile_type : SAIP_DEFAULT_PROFILE_TYPE;
	if (!valid_profile_type(v->profile_type))
		return SAIP_E_PARAM_PROFILE_TYPE;
	if (p->mnc_digits != 0 && p->mnc_digits != 2 && p->mnc_digits != 3)
		return SAIP_E_PARAM_MNC_DIGITS;

	if (!code_value(p->pin1 ? p->pin1 : SAIP_DEFAULT_PIN1, 4, 8, v->pin1) ||
	    !code_value(p->pin2 ? p->pin2 : SAIP_DEFAULT_PIN2, 4, 8, v->pin2))
		return SAIP_E_PARAM_PIN;
	if (!code_value(p->puk1 ? p->puk1 : SAIP_DEFAULT_PUK1, 8, 8, v->puk1) ||
	    !code_value(p->puk2 ? p->puk2 : SAIP_DEFAULT_PUK2, 8, 8, v->puk2))
		return SAIP_E_PARAM_PUK;
	if (!code_value(p->adm1 ? p->adm1 : SAIP_DEFAULT_ADM1, 8, 8, v->adm1))
		return SAIP_E_PARAM_ADM;

	v->iccid = p->iccid;
	saip_imsi_to_ef(p->imsi, v->usim.imsi);
	/* EF.ACC: each subscriber gets one access class from 0 to 9, the last IMSI digit. Class
	 * n is bit n of the 16-bit big-endian value. */
	imsi_len = strlen(p->imsi);
	last = (unsigned)(p->imsi[imsi_len - 1] - '0');
	v->usim.acc[0] = (uint8_t)((1u << last) >> 8);
	v->usim.acc[1] = (uint8_t)(1u << last);
	v->usim.mnc_digits = (uint8_t)(p->mnc_digits ? p->mnc_digits : 2);
	return SAIP_OK;
}

static void build_header(struct saip_build *b, ProfileHeader_t *h, const struct gen_values *v)
{
	uint8_t iccid[RSP_ICCID_LEN];
	OBJECT_IDENTIFIER_t *mf = saip_build_calloc(b, sizeof(*mf));
	OBJECT_IDENTIFIER_t *usim = saip_build_calloc(b, sizeof(*usim));

	h->major_version = GEN_MAJOR_VERSION;
	h->minor_version = GEN_MINOR_VERSION;
	h->profileType = saip_build_new_octets(b, v->profile_type, strlen(v->profile_type));
	saip_iccid_to_bcd(v->iccid, false, iccid);
	saip_build_octets(b, &h->iccid, iccid, sizeof(iccid));
	h->eUICC_Mandatory_services.usim = saip_build_calloc(b, sizeof(NULL_t));
	h->eUICC_Mandatory_services.milenage = saip_build_calloc(b, sizeof(NULL_t));

	/* Add each OID to the list right away, so that freeing the header frees it too. */
	if (mf && ASN_SEQUENCE_ADD(&h->eUICC_Mandatory_GFSTEList.list, mf) != 0) {
		free(mf);
		mf = NULL;
		b->status = SAIP_E_NOMEM;
	}
	if (usim && ASN_SEQUENCE_ADD(&h->eUICC_Mandatory_GFSTEList.list, usim) != 0) {
		free(usim);
		usim = NULL;
		b->status = SAIP_E_NOMEM;
	}
	if (mf)
		saip_build_oid(b, mf, saip_template_mf, 6);
	if (usim)
		saip_build_oid(b, usim, saip_template_usim, 6);
}

static void add_puk(struct saip_build *b, PE_PUKCodes_t *pe, long ref, const uint8_t *value)
{
	PUKConfiguration_t *c = saip_build_calloc(b, sizeof(*c));

	if (!c)
		return;
	if (ASN_SEQUENCE_ADD(&pe->pukCodes.list, c) != 0) {
		free(c);
		b->status = SAIP_E_NOMEM;
		return;
	}
	c->keyReference = ref;
	saip_build_octets(b, &c->pukValue, value, CODE_LEN);
}

static void build_puk_codes(struct saip_build *b, PE_PUKCodes_t *pe, long id,
			    const struct gen_values *v)
{
	saip_build_pe_header(b, &pe->puk_Header, id);
	add_puk(b, pe, PUKKeyReferenceValue_pukAppl1, v->puk1);
	add_puk(b, pe, PUKKeyReferenceValue_secondPUKAppl1, v->puk2);
}

/* Adds a PIN; unblock is its PUK key reference or -1 for none, attempts -1 for the default. */
static void add_pin(struct saip_build *b, PE_PINCodes_t *pe, long ref, const uint8_t *value,
		    long unblock, long attributes, long attempts)
{
	PINConfiguration_t *c = saip_build_calloc(b, sizeof(*c));

	if (!c)
		return;
	if (ASN_SEQUENCE_ADD(&pe->pinCodes.choice.pinconfig.list, c) != 0) {
		free(c);
		b->status = SAIP_E_NOMEM;
		return;
	}
	c->keyReference = ref;
	saip_build_octets(b, &c->pinValue, value, CODE_LEN);
	if (unblock >= 0)
		c->unblockingPINReference = new_long(b, unblock);
	c->pinAttributes = new_long(b, attributes);
	if (attempts >= 0)
		c->maxNumOfAttemps_retryNumLeft = new_long(b, attempts);
}

/* PINs of the MF context: PIN1 (unblocked by PUK1) and ADM1. */
static void build_mf_pins(struct saip_build *b, PE_PINCodes_t *pe, long id,
			  const struct gen_values *v)
{
	saip_build_pe_header(b, &pe->pin_Header, id);
	pe->pinCodes.present = PE_PINCodes__pinCodes_PR_pinconfig;
	add_pin(b, pe, PINKeyReferenceValue_pinAppl1, v->pin1, PUKKeyReferenceValue_pukAppl1,
		PIN1_ATTRIBUTES, -1);
	add_pin(b, pe, PINKeyReferenceValue_adm1, v->adm1, -1, ADM_ATTRIBUTES, ADM_ATTEMPTS);
}

/* PINs of the ADF.USIM context: PIN2, unblocked by the second PUK. */
static void build_usim_pins(struct saip_build *b, PE_PINCodes_t *pe, long id,
			    const struct gen_values *v)
{
	saip_build_pe_header(b, &pe->pin_Header, id);
	pe->pinCodes.present = PE_PINCodes__pinCodes_PR_pinconfig;
	add_pin(b, pe, PINKeyReferenceValue_secondPINAppl1, v->pin2,
		PUKKeyReferenceValue_secondPUKAppl1, PIN2_ATTRIBUTES, -1);
}

/* Milenage with the standard rotation and XOR constants and the default SQN handling, all
 * left to their DEFAULT values. */
static void build_aka(struct saip_build *b, PE_AKAParameter_t *pe, long id,
		      const struct gen_values *v)
{
	AlgoParameter_t *algo = &pe->algoConfiguration.choice.algoParameter;
	uint8_t options = MILENAGE_OPTIONS;

	saip_build_pe_header(b, &pe->aka_header, id);
	pe->algoConfiguration.present = PE_AKAParameter__algoConfiguration_PR_algoParameter;
	algo->algorithmID = AlgoParameter__algorithmID_milenage;
	saip_build_octets(b, &algo->algorithmOptions, &options, 1);
	saip_build_octets(b, &algo->key, v->ki, sizeof(v->ki));
	saip_build_octets(b, &algo->opc, v->opc, sizeof(v->opc));
}

static void build_elements(struct saip_build *b, ProfileElement_t *pe[ELEM_COUNT],
			   const struct gen_values *v)
{
	for (int i = 0; i < ELEM_COUNT; i++)
		pe[i] = saip_build_calloc(b, sizeof(*pe[i]));
	if (b->status != SAIP_OK)
		return;

	/* PE identification numbers count from 1 after the header. */
	pe[ELEM_HEADER]->present = ProfileElement_PR_header;
	build_header(b, &pe[ELEM_HEADER]->choice.header, v);
	pe[ELEM_MF]->present = ProfileElement_PR_mf;
	saip_build_mf(b, &pe[ELEM_MF]->choice.mf, ELEM_MF, v->iccid);
	pe[ELEM_PUK]->present = ProfileElement_PR_pukCodes;
	build_puk_codes(b, &pe[ELEM_PUK]->choice.pukCodes, ELEM_PUK, v);
	pe[ELEM_PIN_MF]->present = ProfileElement_PR_pinCodes;
	build_mf_pins(b, &pe[ELEM_PIN_MF]->choice.pinCodes, ELEM_PIN_MF, v);
	pe[ELEM_USIM]->present = ProfileElement_PR_usim;
	saip_build_usim(b, &pe[ELEM_USIM]->choice.usim, ELEM_USIM, &v->usim);
	pe[ELEM_PIN_USIM]->present = ProfileElement_PR_pinCodes;
	build_usim_pins(b, &pe[ELEM_PIN_USIM]->choice.pinCodes, ELEM_PIN_USIM, v);
	pe[ELEM_AKA]->present = ProfileElement_PR_akaParameter;
	build_aka(b, &pe[ELEM_AKA]->choice.akaParameter, ELEM_AKA, v);
	pe[ELEM_END]->present = ProfileElement_PR_end;
	saip_build_pe_header(b, &pe[ELEM_END]->choice.end.end_header, ELEM_END);
}

static void wipe_octets(OCTET_STRING_t *s)
{
	if (s && s->buf)
		explicit_bzero(s->buf, (size_t)s->size);
}

static void wipe_codes(PE_PINCodes_t *pins)
{
	for (int i = 0; i < pins->pinCodes.choice.pinconfig.list.count; i++)
		wipe_octets(&pins->pinCodes.choice.pinconfig.list.array[i]->pinValue);
}

/* Wipes the keys and codes in the elements, then frees them. */
static void free_elements(ProfileElement_t *pe[ELEM_COUNT])
{
	if (pe[ELEM_AKA]) {
		wipe_octets(&pe[ELEM_AKA]->choice.akaParameter.algoConfiguration.choice
				      .algoParameter.key);
		wipe_octets(&pe[ELEM_AKA]->choice.akaParameter.algoConfiguration.choice
				      .algoParameter.opc);
	}
	if (pe[ELEM_PIN_MF])
		wipe_codes(&pe[ELEM_PIN_MF]->choice.pinCodes);
	if (pe[ELEM_PIN_USIM])
		wipe_codes(&pe[ELEM_PIN_USIM]->choice.pinCodes);
	if (pe[ELEM_PUK]) {
		PE_PUKCodes_t *puks = &pe[ELEM_PUK]->choice.pukCodes;

		for (int i = 0; i < puks->pukCodes.list.count; i++)
			wipe_octets(&puks->pukCodes.list.array[i]->pukValue);
	}
	for (int i = 0; i < ELEM_COUNT; i++)
		ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe[i]);
}

/* Encodes the elements into one buffer sized beforehand, so that no reallocation leaves a copy
 * of the keys behind. */
static int encode_elements(ProfileElement_t *pe[ELEM_COUNT], uint8_t **out, size_t *out_len)
{
	size_t sizes[ELEM_COUNT], total = 0, pos = 0;
	uint8_t *buf;

	for (int i = 0; i < ELEM_COUNT; i++) {
		asn_enc_rval_t er;

		if (asn_check_constraints(&asn_DEF_ProfileElement, pe[i], NULL, NULL) != 0)
			return SAIP_E_ENCODE;
		er = der_encode(&asn_DEF_ProfileElement, pe[i], NULL, NULL);
		if (er.encoded < 0)
			return SAIP_E_ENCODE;
		sizes[i] = (size_t)er.encoded;
		total += sizes[i];
	}

	buf = malloc(total);
	if (!buf)
		return SAIP_E_NOMEM;
	for (int i = 0; i < ELEM_COUNT; i++) {
		asn_enc_rval_t er = der_encode_to_buffer(&asn_DEF_ProfileElement, pe[i], buf + pos,
							 sizes[i]);

		if (er.encoded < 0 || (size_t)er.encoded != sizes[i]) {
			saip_package_free(buf, total);
			return SAIP_E_ENCODE;
		}
		pos += sizes[i];
	}
	*out = buf;
	*out_len = total;
	return SAIP_OK;
}

int saip_generate(const struct saip_params *params, uint8_t **out, size_t *out_len)
{
	ProfileElement_t *pe[ELEM_COUNT] = {NULL};
	struct saip_build b = {SAIP_OK};
	struct gen_values v;
	int rc;

	*out = NULL;
	*out_len = 0;
	memset(&v, 0, sizeof(v));
	rc = check_params(params, &v);
	if (rc != SAIP_OK)
		goto out;

	build_elements(&b, pe, &v);
	rc = b.status;
	if (rc != SAIP_OK)
		goto out;
	rc = encode_elements(pe, out, out_len);
out:
	free_elements(pe);
	explicit_bzero(&v, sizeof(v));
	return rc;
}

void saip_package_free(uint8_t *pkg, size_t len)
{
	if (!pkg)
		return;
	explicit_bzero(pkg, len);
	free(pkg);
}
