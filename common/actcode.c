/*
 * SGP.22 Activation Code parsing and formatting, and matchingId generation (see
 * common/actcode.h).
 *
 * Character rules applied to each field:
 *   - SM-DP+ address: an FQDN, i.e. DNS host name syntax (RFC 1123 labels). A port is not
 *     part of an SGP.22 SM-DP+ address and is rejected.
 *   - AC token (matchingId): letters, digits and hyphen. LPAs such as lpac accept exactly
 *     these, and Microsoft's Intune eSIM API documents the same set for the SGP.22
 *     MatchingID. Tokens that this project issues or that operators choose are stricter:
 *     upper-case letters, digits and hyphen, which keep a QR code in alphanumeric mode.
 *   - SM-DP+ OID: dotted decimal.
 *   - Confirmation Code Required Flag: "1", or an empty field kept in place.
 * v2.x defines no fields after the flag, so a code with more fields is rejected.
 */
#include "common/actcode.h"

#include <string.h>
#include <strings.h>

#include "common/crypto.h"

#define FORMAT_VERSION "1"
#define MAX_FIELDS 4 /* after the format field: address, token, OID, flag */
#define MAX_LABEL 63

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_letter(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

int actcode_validate_address(const char *addr, size_t len)
{
	size_t label = 0;

	if (!addr || len == 0)
		return ACTCODE_E_INVALID;
	if (len > RSP_MAX_FQDN)
		return ACTCODE_E_TOO_LARGE;
	for (size_t i = 0; i < len; i++) {
		char c = addr[i];

		if (c == '.') {
			/* no empty label, no label ending with a hyphen */
			if (label == 0 || addr[i - 1] == '-')
				return ACTCODE_E_INVALID;
			label = 0;
			continue;
		}
		if (!is_letter(c) && !is_digit(c) && c != '-')
			return ACTCODE_E_INVALID;
		if (c == '-' && label == 0)
			return ACTCODE_E_INVALID;
		if (++label > MAX_LABEL)
			return ACTCODE_E_INVALID;
	}
	if (label == 0 || addr[len - 1] == '-')
		return ACTCODE_E_INVALID;
	return ACTCODE_OK;
}

/* Checks the characters of an AC token, which may be empty here. Lower-case letters are
 * accepted only when allow_lower is set. */
static int check_token(const char *id, size_t len, bool allow_lower)
{
	if (len > RSP_MAX_MATCHING_ID)
		return ACTCODE_E_TOO_LARGE;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];

		if (!is_digit(c) && c != '-' && !(allow_lower ? is_letter(c) : is_upper(c)))
			return ACTCODE_E_INVALID;
	}
	return ACTCODE_OK;
}

int actcode_validate_matching_id(const char *id, size_t len)
{
	if (!id || len == 0)
		return ACTCODE_E_INVALID;
	return check_token(id, len, false);
}

int actcode_validate_oid(const char *oid, size_t len)
{
	size_t arcs = 0, arc_len = 0, arc_start = 0;

	if (!oid || len == 0)
		return ACTCODE_E_INVALID;
	if (len > ACTCODE_MAX_OID)
		return ACTCODE_E_TOO_LARGE;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || oid[i] == '.') {
			if (arc_len == 0)
				return ACTCODE_E_INVALID;
			/* leading zeros are not allowed: "0" alone is fine, "01" is not */
			if (arc_len > 1 && oid[arc_start] == '0')
				return ACTCODE_E_INVALID;
			/* X.660: the first arc is 0, 1 or 2 */
			if (arcs == 0 && (arc_len != 1 || oid[0] > '2'))
				return ACTCODE_E_INVALID;
			arcs++;
			arc_len = 0;
			arc_start = i + 1;
			continue;
		}
		if (!is_digit(oid[i]))
			return ACTCODE_E_INVALID;
		arc_len++;
	}
	return arcs >= 2 ? ACTCODE_OK : ACTCODE_E_INVALID;
}

/* Copies a field of len characters into a buffer of size bytes, NUL-terminated. */
static int copy_field(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return ACTCODE_E_TOO_LARGE;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return ACTCODE_OK;
}

/* Stores field number index (0 = address) after checking it. */
static int store_field(struct actcode *out, unsigned int index, const char *f, size_t len)
{
	int ret;

	switch (index) {
	case 0:
		ret = actcode_validate_address(f, len);
		if (ret == ACTCODE_OK)
			ret = copy_field(out->smdp_address, sizeof(out->smdp_address), f, len);
		return ret;
	case 1:
		ret = check_token(f, len, true);
		if (ret == ACTCODE_OK)
			ret = copy_field(out->matching_id, sizeof(out->matching_id), f, len);
		return ret;
	case 2:
		ret = len == 0 ? ACTCODE_OK : actcode_validate_oid(f, len);
		if (ret == ACTCODE_OK)
			ret = copy_field(out->smdp_oid, sizeof(out->smdp_oid), f, len);
		return ret;
	case 3:
		if (len == 0)
			return ACTCODE_OK;
		if (len != 1 || f[0] != '1')
			return ACTCODE_E_INVALID;
		out->cc_required = true;
		return ACTCODE_OK;
	default:
		return ACTCODE_E_INVALID;
	}
}

int actcode_parse(const char *text, size_t len, struct actcode *out)
{
	const char *p = text, *end;
	unsigned int index = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!text)
		return ACTCODE_E_INVALID;
	if (len > ACTCODE_MAX_LEN)
		return ACTCODE_E_TOO_LARGE;
	end = text + len;

	if (len >= 4 && strncasecmp(p, "LPA:", 4) == 0)
		p += 4;

	/* AC_Format: only "1" is defined; any other first field is another format version. */
	{
		const char *dollar = memchr(p, '$', (size_t)(end - p));
		size_t flen = dollar ? (size_t)(dollar - p) : (size_t)(end - p);

		if (flen == 0 || !dollar)
			return ACTCODE_E_INVALID;
		if (flen != 1 || p[0] != FORMAT_VERSION[0])
			return ACTCODE_E_VERSION;
		p = dollar + 1;
	}

	/* p now starts the address field; every further '$' starts one more field. */
	for (;;) {
		const char *dollar = memchr(p, '$', (size_t)(end - p));
		size_t flen = dollar ? (size_t)(dollar - p) : (size_t)(end - p);

		if (index >= MAX_FIELDS)
			goto invalid;
		ret = store_field(out, index, p, flen);
		if (ret != ACTCODE_OK)
			goto fail;
		index++;
		if (!dollar)
			break;
		p = dollar + 1;
	}
	if (index < 2) /* the AC token field is mandatory, even when empty */
		goto invalid;
	out->fields = index;
	return ACTCODE_OK;

invalid:
	ret = ACTCODE_E_INVALID;
fail:
	memset(out, 0, sizeof(*out));
	return ret;
}

const char *actcode_find_long_field(const char *text, size_t len, size_t *field_len,
				    size_t *max)
{
	static const struct {
		const char *name;
		size_t max;
	} fields[] = {
		{ "SM-DP+ address", RSP_MAX_FQDN },
		{ "matchingId", RSP_MAX_MATCHING_ID },
		{ "SM-DP+ OID", ACTCODE_MAX_OID },
	};
	const char *p = text, *end = text + len, *dollar;

	if (!text)
		return NULL;
	if (len >= 4 && strncasecmp(p, "LPA:", 4) == 0)
		p += 4;
	/* The format field comes first; the fields with a maximum follow it. */
	dollar = memchr(p, '$', (size_t)(end - p));
	for (size_t i = 0; dollar && i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t flen;

		p = dollar + 1;
		dollar = memchr(p, '$', (size_t)(end - p));
		flen = dollar ? (size_t)(dollar - p) : (size_t)(end - p);
		if (flen > fields[i].max) {
			*field_len = flen;
			*max = fields[i].max;
			return fields[i].name;
		}
	}
	return NULL;
}

/* Appends a string to out, keeping count of the length written. */
static int append(char *out, size_t size, size_t *pos, const char *s, size_t len)
{
	if (len >= size - *pos)
		return ACTCODE_E_TOO_LARGE;
	memcpy(out + *pos, s, len);
	*pos += len;
	out[*pos] = '\0';
	return ACTCODE_OK;
}

int actcode_format(const struct actcode *ac, bool with_prefix, char *out, size_t out_size)
{
	size_t addr_len, id_len, oid_len, pos = 0;
	unsigned int fields;
	int ret;

	if (!ac || !out || out_size == 0)
		return ACTCODE_E_INVALID;
	out[0] = '\0';
	addr_len = strnlen(ac->smdp_address, sizeof(ac->smdp_address));
	id_len = strnlen(ac->matching_id, sizeof(ac->matching_id));
	oid_len = strnlen(ac->smdp_oid, sizeof(ac->smdp_oid));
	if (addr_len == sizeof(ac->smdp_address) || id_len == sizeof(ac->matching_id) ||
	    oid_len == sizeof(ac->smdp_oid))
		return ACTCODE_E_INVALID; /* not NUL-terminated */

	ret = actcode_validate_address(ac->smdp_address, addr_len);
	if (ret == ACTCODE_OK)
		ret = check_token(ac->matching_id, id_len, true);
	if (ret == ACTCODE_OK && oid_len > 0)
		ret = actcode_validate_oid(ac->smdp_oid, oid_len);
	if (ret != ACTCODE_OK)
		return ret;

	fields = ac->fields < 2 ? 2 : ac->fields;
	if (oid_len > 0 && fields < 3)
		fields = 3;
	if (ac->cc_required)
		fields = MAX_FIELDS;
	if (fields > MAX_FIELDS)
		return ACTCODE_E_INVALID;

	if (with_prefix)
		ret = append(out, out_size, &pos, "LPA:", 4);
	if (ret == ACTCODE_OK)
		ret = append(out, out_size, &pos, FORMAT_VERSION "$", 2);
	if (ret == ACTCODE_OK)
		ret = append(out, out_size, &pos, ac->smdp_address, addr_len);
	if (ret == ACTCODE_OK)
		ret = append(out, out_size, &pos, "$", 1);
	if (ret == ACTCODE_OK)
		ret = append(out, out_size, &pos, ac->matching_id, id_len);
	if (ret == ACTCODE_OK && fields >= 3) {
		ret = append(out, out_size, &pos, "$", 1);
		if (ret == ACTCODE_OK)
			ret = append(out, out_size, &pos, ac->smdp_oid, oid_len);
	}
	if (ret == ACTCODE_OK && fields >= 4) {
		ret = append(out, out_size, &pos, "$", 1);
		if (ret == ACTCODE_OK && ac->cc_required)
			ret = append(out, out_size, &pos, "1", 1);
	}
	if (ret != ACTCODE_OK)
		out[0] = '\0';
	return ret;
}

int actcode_generate_matching_id(char out[ACTCODE_GENERATED_ID_LEN + 1])
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const unsigned int radix = sizeof(alphabet) - 1;
	/* Bytes at or above the largest multiple of 36 are dropped, so every character is
	 * equally likely. */
	const unsigned int limit = 256 / radix * radix;
	uint8_t pool[64];
	size_t used = sizeof(pool);
	size_t pos = 0;

	while (pos < ACTCODE_GENERATED_ID_LEN) {
		if (pos % 6 == 5) {
			out[pos++] = '-';
			continue;
		}
		if (used == sizeof(pool)) {
			if (crypto_random(pool, sizeof(pool)) != CRYPTO_OK) {
				crypto_zeroize(pool, sizeof(pool));
				out[0] = '\0';
				return ACTCODE_E_RNG;
			}
			used = 0;
		}
		if (pool[used] < limit)
			out[pos++] = alphabet[pool[used] % radix];
		used++;
	}
	out[pos] = '\0';
	crypto_zeroize(pool, sizeof(pool));
	return ACTCODE_OK;
}
