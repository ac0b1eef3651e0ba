/*
 * A bounded TLV reader for SAIP profile packages (ITU-T X.690 DER). Every read checks the bytes
 * that remain first, and the walk descends at most RSP_MAX_DER_DEPTH levels, so any input of
 * any length is rejected cleanly.
 */
#include "common/limits.h"
#include "saip/internal.h"
#include "saip/saip.h"

/* A tag of up to 4 bytes in total; SAIP's largest is 2 bytes ('BF21', opt-iot). */
#define MAX_TAG_BYTES 4
/* Lengths up to 2^32 - 1, more than RSP_MAX_PROFILE_PACKAGE needs. */
#define MAX_LENGTH_BYTES 4

static int read_tag(const uint8_t *buf, size_t left, struct saip_tlv *out, size_t *pos,
		    const uint8_t **stop)
{
	uint32_t tag = buf[0];
	uint32_t number = 0;
	size_t i = 1;

	out->constructed = (buf[0] & 0x20) != 0;
	if ((buf[0] & 0x1F) != 0x1F) {
		out->tag = tag;
		*pos = 1;
		return SAIP_OK;
	}

	/* High tag number form: base-128 digits, bit 8 set on all but the last. DER requires the
	 * fewest digits (no leading 0x80) and this form only for numbers of 31 and above. */
	for (;;) {
		if (i >= left) {
			*stop = buf + left;
			return SAIP_E_TRUNCATED;
		}
		if (i >= MAX_TAG_BYTES || (i == 1 && buf[i] == 0x80)) {
			*stop = buf + i;
			return SAIP_E_TAG;
		}
		tag = tag << 8 | buf[i];
		number = number << 7 | (buf[i] & 0x7Fu);
		if (!(buf[i++] & 0x80))
			break;
	}
	if (number < 31) {
		*stop = buf;
		return SAIP_E_TAG;
	}
	out->tag = tag;
	*pos = i;
	return SAIP_OK;
}

static int read_length(const uint8_t *buf, size_t left, size_t *pos, size_t *len,
		       const uint8_t **stop)
{
	size_t at = *pos, count, value = 0;

	if (at >= left) {
		*stop = buf + left;
		return SAIP_E_TRUNCATED;
	}
	if (buf[at] < 0x80) {
		*len = buf[at];
		*pos = at + 1;
		return SAIP_OK;
	}

	/* 0x80 is the indefinite form, which DER forbids; 0xFF is reserved. */
	count = buf[at] & 0x7Fu;
	if (count == 0 || buf[at] == 0xFF) {
		*stop = buf + at;
		return SAIP_E_LENGTH_FORM;
	}
	if (count > MAX_LENGTH_BYTES) {
		*stop = buf + at;
		return SAIP_E_TOO_LARGE;
	}
	if (count > left - at - 1) {
		*stop = buf + left;
		return SAIP_E_TRUNCATED;
	}
	for (size_t i = 1; i <= count; i++)
		value = value << 8 | buf[at + i];

	/* DER: the long form only for 128 and above, without leading zero bytes. */
	if (value < 0x80 || buf[at + 1] == 0) {
		*stop = buf + at;
		return SAIP_E_LENGTH_FORM;
	}
	*len = value;
	*pos = at + 1 + count;
	return SAIP_OK;
}

int saip_tlv_read(const uint8_t *buf, size_t left, struct saip_tlv *out, const uint8_t **stop)
{
	size_t pos, len;
	int rc;

	if (left == 0) {
		*stop = buf;
		return SAIP_E_TRUNCATED;
	}
	rc = read_tag(buf, left, out, &pos, stop);
	if (rc != SAIP_OK)
		return rc;
	rc = read_length(buf, left, &pos, &len, stop);
	if (rc != SAIP_OK)
		return rc;
	if (len > left - pos) {
		*stop = buf + left;
		return SAIP_E_TRUNCATED;
	}

	out->raw = buf;
	out->raw_len = pos + len;
	out->value = buf + pos;
	out->len = len;
	return SAIP_OK;
}

int saip_tlv_walk(const uint8_t *buf, size_t len, unsigned depth, const uint8_t **stop)
{
	struct saip_tlv tlv;
	size_t pos = 0;
	int rc;

	while (pos < len) {
		if (depth > RSP_MAX_DER_DEPTH) {
			*stop = buf + pos;
			return SAIP_E_TOO_DEEP;
		}
		rc = saip_tlv_read(buf + pos, len - pos, &tlv, stop);
		if (rc != SAIP_OK)
			return rc;
		if (tlv.constructed) {
			rc = saip_tlv_walk(tlv.value, tlv.len, depth + 1, stop);
			if (rc != SAIP_OK)
				return rc;
		}
		pos += tlv.raw_len;
	}
	return SAIP_OK;
}
