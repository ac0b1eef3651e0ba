/*
 * Giving a profile package a new ICCID in place. The asn1c decoder keeps no byte positions, so
 * the fields are found with the TLV reader, by their tags:
 *
 *   ProfileElement.header  'A0' { ... iccid '83' (10 bytes) ... }
 *   ProfileElement.mf      'B0' { ... ef-iccid 'A4' { fileDescriptor 'A1', fillFileOffset '82',
 *                                                     fillFileContent '83', ... } ... }
 */
#include "saip/internal.h"
#include "saip/saip.h"

#define TAG_HEADER 0xA0
#define TAG_HEADER_ICCID 0x83
#define TAG_MF 0xB0
#define TAG_MF_EF_ICCID 0xA4
#define TAG_FILE_OFFSET 0x82
#define TAG_FILE_CONTENT 0x83

/* Returns the first child of parent with the given tag, or NULL. The package was walked by
 * saip_read() before, so every TLV reads cleanly. */
static const uint8_t *find_child(const struct saip_tlv *parent, uint32_t tag,
				 struct saip_tlv *child)
{
	const uint8_t *stop;
	size_t pos = 0;

	while (pos < parent->len) {
		if (saip_tlv_read(parent->value + pos, parent->len - pos, child, &stop) != SAIP_OK)
			return NULL;
		if (child->tag == tag)
			return child->value;
		pos += child->raw_len;
	}
	return NULL;
}

/* A fillFileOffset value: a non-negative INTEGER of at most 2 bytes' worth (UInt16). */
static size_t offset_value(const struct saip_tlv *tlv)
{
	size_t value = 0;

	for (size_t i = 0; i < tlv->len; i++)
		value = value << 8 | tlv->value[i];
	return value;
}

/*
 * Finds the EF.ICCID content to rewrite in the ef-iccid File: *content is NULL when the file
 * has no content. Fails with SAIP_E_ICCID_LAYOUT when content covers the first 10 bytes in
 * any other shape than one 10-byte fillFileContent at offset 0.
 */
static int find_ef_iccid(const struct saip_tlv *file, const uint8_t **content)
{
	const uint8_t *stop;
	struct saip_tlv item;
	size_t pos = 0, file_offset = 0;

	*content = NULL;
	while (pos < file->len) {
		if (saip_tlv_read(file->value + pos, file->len - pos, &item, &stop) != SAIP_OK)
			return SAIP_E_ICCID_LAYOUT;
		if (item.tag == TAG_FILE_OFFSET) {
			file_offset += offset_value(&item);
		} else if (item.tag == TAG_FILE_CONTENT) {
			if (file_offset == 0 && item.len == RSP_ICCID_LEN && !*content)
				*content = item.value;
			else if (file_offset < RSP_ICCID_LEN)
				return SAIP_E_ICCID_LAYOUT;
			file_offset += item.len;
		}
		pos += item.raw_len;
	}
	return SAIP_OK;
}

int saip_replace_iccid(uint8_t *pkg, size_t len, const char *new_iccid)
{
	struct saip_info info;
	struct saip_tlv element, field;
	const uint8_t *header_iccid = NULL, *ef_iccid = NULL, *stop;
	bool mf_seen = false;
	size_t pos = 0;
	int rc;

	rc = saip_check_iccid(new_iccid);
	if (rc != SAIP_OK)
		return rc;
	rc = saip_read(pkg, len, &info);
	if (rc != SAIP_OK)
		return rc;

	/* saip_read() accepted the package, so the header is the first element. Only the first
	 * PE-MF counts: SAIP allows one. */
	while (pos < len) {
		if (saip_tlv_read(pkg + pos, len - pos, &element, &stop) != SAIP_OK)
			return SAIP_E_DECODE;
		if (element.tag == TAG_HEADER && find_child(&element, TAG_HEADER_ICCID, &field) &&
		    field.len == RSP_ICCID_LEN)
			header_iccid = field.value;
		if (element.tag == TAG_MF && !mf_seen) {
			mf_seen = true;
			if (find_child(&element, TAG_MF_EF_ICCID, &field)) {
				rc = find_ef_iccid(&field, &ef_iccid);
				if (rc != SAIP_OK)
					return rc;
			}
		}
		pos += element.raw_len;
	}
	if (!header_iccid)
		return SAIP_E_DECODE;

	/* The positions point into pkg, which the caller passed as writable. */
	saip_iccid_to_bcd(new_iccid, false, pkg + (header_iccid - pkg));
	if (ef_iccid)
		saip_iccid_to_bcd(new_iccid, true, pkg + (ef_iccid - pkg));
	return SAIP_OK;
}
