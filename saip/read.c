/*
 * Reading and checking a SAIP profile package (SAIP 2.x, section "Profile Package General
 * Structure"): a sequence of ProfileElements, the ProfileHeader first and PE-End last.
 *
 * Every element is first walked as TLVs with saip_tlv_walk(), which bounds length and nesting.
 * Elements of the types in asn1/PEDefinitions.asn are then decoded with the asn1c codec and
 * checked against their constraints. The summary in struct saip_info comes from those decoded
 * structures.
 */
#include <string.h>

#include "ProfileElement.h"
#include "constraints.h"

#include "saip/internal.h"
#include "saip/saip.h"

/* Maps an element's tag to its ProfileElement alternative, or returns -1. The alternatives are
 * context-specific and constructed: 'A0' to 'BE' for numbers 0 to 30, 'BF1F' and up beyond. */
static int element_type(uint32_t tag)
{
	if (tag >= 0xA0 && tag <= 0xBE)
		return (int)(tag - 0xA0);
	if (tag >= 0xBF1F && tag < 0xBF00 + SAIP_PE_TYPE_COUNT)
		return (int)(tag - 0xBF00);
	return -1;
}

static bool decoded_by_subset(int type)
{
	switch (type) {
	case SAIP_PE_HEADER:
	case SAIP_PE_PIN_CODES:
	case SAIP_PE_PUK_CODES:
	case SAIP_PE_AKA_PARAMETER:
	case SAIP_PE_END:
	case SAIP_PE_MF:
	case SAIP_PE_USIM:
		return true;
	default:
		return false;
	}
}

void saip_file_content(const File_t *file, uint8_t *buf, size_t cap, size_t *len)
{
	size_t pos = 0, end = 0;

	memset(buf, 0xFF, cap);
	for (int i = 0; i < file->list.count && pos < cap; i++) {
		const FileElement_t *m = file->list.array[i];

		if (m->present == FileElement_PR_fillFileOffset) {
			/* UInt16 by its constraint, so pos cannot wrap around. */
			pos += (size_t)m->choice.fillFileOffset;
		} else if (m->present == FileElement_PR_fillFileContent) {
			size_t n = (size_t)m->choice.fillFileContent.size;
			size_t room = pos < cap ? cap - pos : 0;

			memcpy(buf + pos, m->choice.fillFileContent.buf, n < room ? n : room);
			pos += n;
			end = pos < cap ? pos : cap;
		}
	}
	*len = end;
}

static int read_header(const ProfileHeader_t *h, struct saip_info *info)
{
	const UTF8String_t *type = h->profileType;

	info->major_version = (unsigned)h->major_version;
	info->minor_version = (unsigned)h->minor_version;
	if (type) {
		/* 100 characters checked by the constraint can still exceed SAIP_MAX_PROFILE_TYPE
		 * bytes: asn1c 0.9.28 accepts the obsolete 5- and 6-byte UTF-8 forms. */
		size_t n = (size_t)type->size;

		if (n > SAIP_MAX_PROFILE_TYPE)
			return SAIP_E_DECODE;
		memcpy(info->profile_type, type->buf, n);
		info->profile_type[n] = '\0';
	}
	if (!saip_bcd_to_digits(h->iccid.buf, RSP_ICCID_LEN, false, info->iccid))
		return SAIP_E_HEADER_ICCID;
	return SAIP_OK;
}

static void read_mf(const PE_MF_t *mf, struct saip_info *info)
{
	uint8_t content[RSP_ICCID_LEN];
	size_t len;

	saip_file_content(&mf->ef_iccid, content, sizeof(content), &len);
	if (len == RSP_ICCID_LEN)
		saip_bcd_to_digits(content, RSP_ICCID_LEN, true, info->ef_iccid);
}

static void read_usim(const PE_USIM_t *usim, struct saip_info *info)
{
	uint8_t content[SAIP_EF_IMSI_LEN];
	size_t len;

	if (info->imsi[0])
		return;
	saip_file_content(&usim->ef_imsi, content, sizeof(content), &len);
	saip_imsi_from_ef(content, len, info->imsi);
}

static void read_aka(const PE_AKAParameter_t *aka, struct saip_info *info)
{
	if (info->aka_algorithm == 0 &&
	    aka->algoConfiguration.present == PE_AKAParameter__algoConfiguration_PR_algoParameter)
		info->aka_algorithm =
			(unsigned)aka->algoConfiguration.choice.algoParameter.algorithmID;
}

/* Decodes one element of the subset from its whole TLV and reads what saip_info reports. */
static int decode_element(const struct saip_tlv *tlv, struct saip_info *info)
{
	ProfileElement_t *pe = NULL;
	asn_dec_rval_t rv;
	int rc = SAIP_E_DECODE;

	/* NULL codec context: asn1c then limits its own stack use; saip_tlv_walk() has already
	 * bounded the nesting depth. */
	rv = ber_decode(NULL, &asn_DEF_ProfileElement, (void **)&pe, tlv->raw, tlv->raw_len);
	if (rv.code != RC_OK || rv.consumed != tlv->raw_len)
		goto out;
	if (asn_check_constraints(&asn_DEF_ProfileElement, pe, NULL, NULL) != 0)
		goto out;

	rc = SAIP_OK;
	switch (pe->present) {
	case ProfileElement_PR_header:
		rc = read_header(&pe->choice.header, info);
		break;
	case ProfileElement_PR_mf:
		read_mf(&pe->choice.mf, info);
		break;
	case ProfileElement_PR_usim:
		read_usim(&pe->choice.usim, info);
		break;
	case ProfileElement_PR_akaParameter:
		read_aka(&pe->choice.akaParameter, info);
		break;
	case ProfileElement_PR_NOTHING:
		rc = SAIP_E_DECODE;
		break;
	default:
		break;
	}
out:
	ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
	return rc;
}

/* Checks the element at the start of buf (left bytes remain) in position index. */
static int read_element(const uint8_t *buf, size_t left, size_t index, struct saip_tlv *tlv,
			struct saip_info *info, const uint8_t **stop)
{
	int type, rc;

	rc = saip_tlv_read(buf, left, tlv, stop);
	if (rc != SAIP_OK)
		return rc;

	*stop = buf;
	type = element_type(tlv->tag);
	if (type < 0)
		return SAIP_E_UNKNOWN_ELEMENT;
	if ((index == 0) != (type == SAIP_PE_HEADER))
		return SAIP_E_HEADER_NOT_FIRST;

	rc = saip_tlv_walk(tlv->value, tlv->len, 1, stop);
	if (rc != SAIP_OK)
		return rc;
	if (decoded_by_subset(type)) {
		*stop = buf;
		rc = decode_element(tlv, info);
		if (rc != SAIP_OK)
			return rc;
	}

	info->type_count[type]++;
	info->element_count++;
	return SAIP_OK;
}

int saip_read(const uint8_t *pkg, size_t len, struct saip_info *info)
{
	const uint8_t *stop = pkg;
	struct saip_tlv tlv;
	size_t pos = 0;
	bool ended = false;
	int rc = SAIP_OK;

	memset(info, 0, sizeof(*info));
	if (len == 0)
		return SAIP_E_EMPTY;
	if (len > RSP_MAX_PROFILE_PACKAGE)
		return SAIP_E_TOO_LARGE;

	while (pos < len) {
		if (ended) {
			rc = SAIP_E_AFTER_END;
			stop = pkg + pos;
			break;
		}
		rc = read_element(pkg + pos, len - pos, info->element_count, &tlv, info, &stop);
		if (rc != SAIP_OK)
			break;
		ended = element_type(tlv.tag) == SAIP_PE_END;
		pos += tlv.raw_len;
	}
	if (rc == SAIP_OK && !ended) {
		rc = SAIP_E_END_MISSING;
		stop = pkg + len;
	}

	if (rc != SAIP_OK) {
		info->error_offset = (size_t)(stop - pkg);
		info->error_element = info->element_count;
	}
	return rc;
}
