/*
 * EID and ICCID checks and conversions, hexadecimal and base64 (see common/ident.h).
 *
 * An EID has 32 decimal digits. The last two are check digits under ISO/IEC 7064 MOD 97-10,
 * so the whole number is 1 modulo 97 (as for IBANs).
 * An ICCID (ITU-T E.118) has 19 or 20 digits ending with a Luhn check digit. SGP.22 carries it
 * as 10 bytes of BCD with the two digits of each byte swapped and F padding.
 */
#include "common/ident.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* ---- EID ---- */

static unsigned int mod97(const char *digits, size_t len)
{
	unsigned int rem = 0;

	for (size_t i = 0; i < len; i++)
		rem = (rem * 10 + (unsigned int)(digits[i] - '0')) % 97;
	return rem;
}

int ident_eid_validate(const char *eid, size_t len)
{
	if (!eid || len != RSP_EID_DIGITS || !all_digits(eid, len))
		return IDENT_E_INVALID;
	return mod97(eid, len) == 1 ? IDENT_OK : IDENT_E_CHECK_DIGIT;
}

int ident_eid_complete(const char *digits, size_t len, char out[RSP_EID_DIGITS + 1])
{
	char work[RSP_EID_DIGITS];
	unsigned int check;

	if (!digits || (len != RSP_EID_DIGITS && len != RSP_EID_DIGITS - 2) ||
	    !all_digits(digits, len))
		return IDENT_E_INVALID;

	/* Check digits = 98 - (the number with 00 in their place) mod 97. */
	memcpy(work, digits, RSP_EID_DIGITS - 2);
	work[RSP_EID_DIGITS - 2] = '0';
	work[RSP_EID_DIGITS - 1] = '0';
	check = 98 - mod97(work, RSP_EID_DIGITS);
	work[RSP_EID_DIGITS - 2] = (char)('0' + check / 10);
	work[RSP_EID_DIGITS - 1] = (char)('0' + check % 10);

	memcpy(out, work, RSP_EID_DIGITS);
	out[RSP_EID_DIGITS] = '\0';
	return IDENT_OK;
}

int ident_eid_to_bytes(const char *eid, size_t len, uint8_t out[RSP_EID_LEN])
{
	if (!eid || len != RSP_EID_DIGITS || !all_digits(eid, len))
		return IDENT_E_INVALID;
	for (size_t i = 0; i < RSP_EID_LEN; i++)
		out[i] = (uint8_t)(((eid[2 * i] - '0') << 4) | (eid[2 * i + 1] - '0'));
	return IDENT_OK;
}

int ident_eid_from_bytes(const uint8_t in[RSP_EID_LEN], char out[RSP_EID_DIGITS + 1])
{
	for (size_t i = 0; i < RSP_EID_LEN; i++) {
		unsigned int hi = in[i] >> 4, lo = in[i] & 0x0F;

		if (hi > 9 || lo > 9) {
			out[0] = '\0';
			return IDENT_E_INVALID;
		}
		out[2 * i] = (char)('0' + hi);
		out[2 * i + 1] = (char)('0' + lo);
	}
	out[RSP_EID_DIGITS] = '\0';
	return IDENT_OK;
}

/* ---- ICCID ---- */

char ident_luhn_digit(const char *digits, size_t len)
{
	unsigned int sum = 0;

	/* Walking from the right, the digit next to the future check digit is doubled first. */
	for (size_t i = 0; i < len; i++) {
		char c = digits[len - 1 - i];
		unsigned int d;

		if (!is_digit(c))
			return 0;
		d = (unsigned int)(c - '0');
		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

/* Returns the number of digits of an ICCID without its padding, or 0 when malformed. */
static size_t iccid_digit_count(const char *iccid, size_t len)
{
	if (!iccid)
		return 0;
	if (len == RSP_ICCID_MAX_DIGITS && (iccid[len - 1] == 'F' || iccid[len - 1] == 'f'))
		len--;
	if (len != RSP_ICCID_MAX_DIGITS && len != RSP_ICCID_MAX_DIGITS - 1)
		return 0;
	if (!all_digits(iccid, len))
		return 0;
	return len;
}

int ident_iccid_validate(const char *iccid, size_t len)
{
	size_t n = iccid_digit_count(iccid, len);

	if (n == 0)
		return IDENT_E_INVALID;
	if (ident_luhn_digit(iccid, n - 1) != iccid[n - 1])
		return IDENT_E_CHECK_DIGIT;
	return IDENT_OK;
}

int ident_iccid_normalize(const char *iccid, size_t len, char out[RSP_ICCID_MAX_DIGITS + 1])
{
	int ret = ident_iccid_validate(iccid, len);
	size_t n;

	if (ret != IDENT_OK)
		return ret;
	n = iccid_digit_count(iccid, len);
	memcpy(out, iccid, n);
	out[n] = '\0';
	return IDENT_OK;
}

int ident_iccid_to_bcd(const char *iccid, size_t len, uint8_t out[RSP_ICCID_LEN])
{
	int ret = ident_iccid_validate(iccid, len);
	size_t n;

	if (ret != IDENT_OK)
		return ret;
	n = iccid_digit_count(iccid, len);
	for (size_t i = 0; i < RSP_ICCID_LEN; i++) {
		unsigned int first = (unsigned int)(iccid[2 * i] - '0');
		unsigned int second = 2 * i + 1 < n ? (unsigned int)(iccid[2 * i + 1] - '0') : 0x0F;

		out[i] = (uint8_t)((second << 4) | first);
	}
	return IDENT_OK;
}

int ident_iccid_from_bcd(const uint8_t in[RSP_ICCID_LEN], char out[RSP_ICCID_MAX_DIGITS + 1])
{
	size_t n = 0;

	for (size_t i = 0; i < RSP_ICCID_LEN; i++) {
		unsigned int first = in[i] & 0x0F, second = in[i] >> 4;
		bool last = i == RSP_ICCID_LEN - 1;

		if (first > 9 || (second > 9 && !(last && second == 0x0F))) {
			out[0] = '\0';
			return IDENT_E_INVALID;
		}
		out[n++] = (char)('0' + first);
		if (second <= 9)
			out[n++] = (char)('0' + second);
	}
	out[n] = '\0';
	return IDENT_OK;
}

/* ---- hexadecimal ---- */

int ident_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	static const char digits[] = "0123456789ABCDEF";

	if (!out || out_size == 0 || (!in && len > 0))
		return IDENT_E_INVALID;
	if (len > (out_size - 1) / 2) {
		out[0] = '\0';
		return IDENT_E_TOO_LARGE;
	}
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0F];
	}
	out[2 * len] = '\0';
	return IDENT_OK;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int ident_hex_decode(const char *hex, size_t len, uint8_t *out, size_t out_size, size_t *out_len)
{
	*out_len = 0;
	if ((!hex && len > 0) || len % 2 != 0)
		return IDENT_E_INVALID;
	if (len / 2 > out_size)
		return IDENT_E_TOO_LARGE;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return IDENT_E_INVALID;
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	*out_len = len / 2;
	return IDENT_OK;
}

/* ---- base64 ---- */

static bool is_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Checks the strict form mbedtls_base64_decode does not enforce (it skips spaces and line
 * breaks) and returns the decoded length, or -1 when the text is not strict base64. */
static long base64_decoded_len(const char *b64, size_t len)
{
	size_t pad = 0;

	if (len % 4 != 0 || (!b64 && len > 0))
		return -1;
	if (len > 0 && b64[len - 1] == '=')
		pad = (len > 1 && b64[len - 2] == '=') ? 2 : 1;
	for (size_t i = 0; i < len - pad; i++)
		if (!is_base64_char(b64[i]))
			return -1;
	return (long)(len / 4 * 3 - pad);
}

int ident_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_size,
			size_t *out_len)
{
	size_t olen = 0;
	int ret;

	*out_len = 0;
	if (!out || out_size == 0 || (!in && len > 0))
		return IDENT_E_INVALID;
	out[0] = '\0';
	if (len == 0)
		return IDENT_OK;
	ret = mbedtls_base64_encode((unsigned char *)out, out_size, &olen, in, len);
	if (ret == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) {
		out[0] = '\0';
		return IDENT_E_TOO_LARGE;
	}
	if (ret != 0)
		return IDENT_E_INVALID;
	*out_len = olen;
	return IDENT_OK;
}

int ident_base64_encode_alloc(const uint8_t *in, size_t len, char **out)
{
	size_t size, olen;
	char *buf;
	int ret;

	*out = NULL;
	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return IDENT_E_TOO_LARGE;
	size = (len + 2) / 3 * 4 + 1;
	buf = malloc(size);
	if (!buf)
		return IDENT_E_NOMEM;
	ret = ident_base64_encode(in, len, buf, size, &olen);
	if (ret != IDENT_OK) {
		free(buf);
		return ret;
	}
	*out = buf;
	return IDENT_OK;
}

int ident_base64_decode(const char *b64, size_t len, uint8_t *out, size_t out_size,
			size_t *out_len)
{
	long n = base64_decoded_len(b64, len);
	size_t olen = 0;

	*out_len = 0;
	if (n < 0)
		return IDENT_E_INVALID;
	if ((size_t)n > out_size)
		return IDENT_E_TOO_LARGE;
	if (n == 0)
		return IDENT_OK;
	if (mbedtls_base64_decode(out, out_size, &olen, (const unsigned char *)b64, len) != 0 ||
	    olen != (size_t)n)
		return IDENT_E_INVALID;
	*out_len = olen;
	return IDENT_OK;
}

int ident_base64_decode_alloc(const char *b64, size_t len, size_t max, uint8_t **out,
			      size_t *out_len)
{
	long n = base64_decoded_len(b64, len);
	uint8_t *buf;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (n < 0)
		return IDENT_E_INVALID;
	if ((size_t)n > max)
		return IDENT_E_TOO_LARGE;
	if (n == 0)
		return IDENT_OK;
	buf = malloc((size_t)n);
	if (!buf)
		return IDENT_E_NOMEM;
	ret = ident_base64_decode(b64, len, buf, (size_t)n, out_len);
	if (ret != IDENT_OK) {
		free(buf);
		return ret;
	}
	*out = buf;
	return IDENT_OK;
}
