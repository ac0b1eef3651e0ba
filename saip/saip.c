/*
 * Status texts, ProfileElement names and the digit codings that the SAIP reader and generator
 * share: ICCID (ITU-T E.118, stored as BCD), IMSI in EF.IMSI (3GPP TS 31.102) and hex keys.
 */
#include <string.h>

#include "saip/internal.h"
#include "saip/saip.h"

const char *saip_strerror(int status)
{
	switch (status) {
	case SAIP_OK:
		return "success";
	case SAIP_E_EMPTY:
		return "the profile package is empty";
	case SAIP_E_TOO_LARGE:
		return "the profile package or one of its lengths exceeds the maximum size";
	case SAIP_E_TRUNCATED:
		return "the profile package ends inside a tag, length or value (truncated file?)";
	case SAIP_E_TAG:
		return "invalid tag encoding in the profile package";
	case SAIP_E_LENGTH_FORM:
		return "indefinite or non-minimal length in the profile package "
		       "(SAIP requires DER)";
	case SAIP_E_TOO_DEEP:
		return "the profile package nests TLVs deeper than the maximum depth";
	case SAIP_E_UNKNOWN_ELEMENT:
		return "unknown ProfileElement tag";
	case SAIP_E_HEADER_NOT_FIRST:
		return "the ProfileHeader must be the first element and appear only once";
	case SAIP_E_END_MISSING:
		return "the profile package has no PE-End element at its end (truncated file?)";
	case SAIP_E_AFTER_END:
		return "elements follow the PE-End element";
	case SAIP_E_DECODE:
		return "a ProfileElement does not match its ASN.1 type or constraints";
	case SAIP_E_HEADER_ICCID:
		return "the ProfileHeader iccid is not decimal digits padded with 'F'";
	case SAIP_E_ICCID_LAYOUT:
		return "EF.ICCID content is not one 10-byte block at the start of the file";
	case SAIP_E_PARAM_ICCID:
		return "invalid ICCID: expected 19 or 20 decimal digits";
	case SAIP_E_PARAM_ICCID_CHECK_DIGIT:
		return "invalid ICCID: the last digit is not the Luhn check digit of the others";
	case SAIP_E_PARAM_IMSI:
		return "invalid IMSI: expected 6 to 15 decimal digits";
	case SAIP_E_PARAM_KI:
		return "invalid Ki: expected 32 hex digits (16 bytes)";
	case SAIP_E_PARAM_OPC:
		return "invalid OPc: expected 32 hex digits (16 bytes)";
	case SAIP_E_PARAM_PROFILE_TYPE:
		return "invalid profile type: expected 1 to 100 printable UTF-8 characters";
	case SAIP_E_PARAM_MNC_DIGITS:
		return "invalid MNC length: expected 2 or 3 digits";
	case SAIP_E_PARAM_PIN:
		return "invalid PIN: expected 4 to 8 decimal digits";
	case SAIP_E_PARAM_PUK:
		return "invalid PUK: expected 8 decimal digits";
	case SAIP_E_PARAM_ADM:
		return "invalid ADM1 key: expected 8 decimal digits";
	case SAIP_E_NOMEM:
		return "out of memory";
	case SAIP_E_ENCODE:
		return "encoding the profile package failed";
	default:
		return "unknown SAIP status";
	}
}

static const char *const pe_names[SAIP_PE_TYPE_COUNT] = {
	"header", "genericFileManagement", "pinCodes", "pukCodes", "akaParameter",
	"cdmaParameter", "securityDomain", "rfm", "application", "nonStandard", "end",
	"rfu1", "rfu2", "rfu3", "rfu4", "rfu5",
	"mf", "cd", "telecom", "usim", "opt-usim", "isim", "opt-isim", "phonebook",
	"gsm-access", "csim", "opt-csim", "eap", "df-5gs", "df-saip", "df-snpn", "df-5gprose",
	"iot", "opt-iot",
};

const char *saip_pe_name(unsigned type)
{
	return type < SAIP_PE_TYPE_COUNT ? pe_names[type] : NULL;
}

bool saip_is_digits(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= max)
			return false;
	}
	return n >= min;
}

/* Luhn sum of digits followed by a check digit of 0: every second digit counted from the
 * check digit is doubled, and the digits of the products are added. */
static unsigned luhn_sum(const char *digits, size_t n, bool with_check_digit)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(digits[n - 1 - i] - '0');

		if ((i % 2 == 1) == with_check_digit) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum;
}

int saip_check_iccid(const char *iccid)
{
	if (!saip_is_digits(iccid, RSP_ICCID_MAX_DIGITS - 1, RSP_ICCID_MAX_DIGITS))
		return SAIP_E_PARAM_ICCID;
	if (luhn_sum(iccid, strlen(iccid), true) % 10 != 0)
		return SAIP_E_PARAM_ICCID_CHECK_DIGIT;
	return SAIP_OK;
}

int saip_iccid_check_digit(const char *payload)
{
	if (!saip_is_digits(payload, RSP_ICCID_MAX_DIGITS - 2, RSP_ICCID_MAX_DIGITS - 1))
		return -1;
	return '0' + (int)((10 - luhn_sum(payload, strlen(payload), false) % 10) % 10);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool saip_hex_decode(const char *hex, uint8_t *out, size_t out_len)
{
	if (!hex || strlen(hex) != 2 * out_len)
		return false;
	for (size_t i = 0; i < out_len; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void saip_iccid_to_bcd(const char *digits, bool swapped, uint8_t out[10])
{
	size_t n = strlen(digits);

	for (size_t i = 0; i < 10; i++) {
		unsigned first = 2 * i < n ? (unsigned)(digits[2 * i] - '0') : 0xF;
		unsigned second = 2 * i + 1 < n ? (unsigned)(digits[2 * i + 1] - '0') : 0xF;

		out[i] = (uint8_t)(swapped ? second << 4 | first : first << 4 | second);
	}
}

bool saip_bcd_to_digits(const uint8_t *in, size_t n, bool swapped, char *out)
{
	size_t count = 0;
	bool padding = false;

	for (size_t i = 0; i < 2 * n; i++) {
		unsigned byte = in[i / 2];
		bool high = (i % 2 == 0) != swapped;
		unsigned nibble = high ? byte >> 4 : byte & 0xF;

		if (nibble == 0xF) {
			padding = true;
		} else if (nibble > 9 || padding) {
			out[0] = '\0';
			return false;
		} else {
			out[count++] = (char)('0' + nibble);
		}
	}
	out[count] = '\0';
	return count > 0;
}

/* EF.IMSI: byte 1 is the number of bytes that follow and are used. The nibbles after it are,
 * low nibble first: the type and parity nibble ('1' for IMSI, bit 4 set when the number of
 * digits is odd), then the digits, then 'F' to fill the last byte. */
void saip_imsi_to_ef(const char *imsi, uint8_t out[SAIP_EF_IMSI_LEN])
{
	size_t n = strlen(imsi);
	uint8_t nibbles[2 * (SAIP_EF_IMSI_LEN - 1)];
	size_t count = 0;

	memset(out, 0xFF, SAIP_EF_IMSI_LEN);
	nibbles[count++] = (uint8_t)(n % 2 ? 0x9 : 0x1);
	for (size_t i = 0; i < n; i++)
		nibbles[count++] = (uint8_t)(imsi[i] - '0');
	if (count % 2)
		nibbles[count++] = 0xF;

	out[0] = (uint8_t)(count / 2);
	for (size_t i = 0; i < count; i += 2)
		out[1 + i / 2] = (uint8_t)(nibbles[i + 1] << 4 | nibbles[i]);
}

bool saip_imsi_from_ef(const uint8_t *in, size_t n, char *out)
{
	char digits[2 * SAIP_EF_IMSI_LEN];
	size_t used, count = 0;
	unsigned first;
	bool odd;

	out[0] = '\0';
	if (n < 2 || in[0] < 1 || in[0] > SAIP_EF_IMSI_LEN - 1 || (size_t)in[0] + 1 > n)
		return false;
	used = in[0];
	first = in[1] & 0xF;
	if ((first & 0x7) != 0x1)
		return false;

	/* Nibbles after the type nibble: the high nibble of byte 2, then both of each next byte. */
	for (size_t i = 1; i < 2 * used; i++) {
		unsigned byte = in[1 + i / 2];
		unsigned nibble = i % 2 ? byte >> 4 : byte & 0xF;

		if (nibble == 0xF && i == 2 * used - 1)
			break;
		if (nibble > 9)
			return false;
		digits[count++] = (char)('0' + nibble);
	}

	odd = (first & 0x8) != 0;
	if ((count % 2 == 1) != odd)
		return false;
	if (count < SAIP_IMSI_MIN_DIGITS || count > SAIP_IMSI_MAX_DIGITS)
		return false;
	memcpy(out, digits, count);
	out[count] = '\0';
	return true;
}
