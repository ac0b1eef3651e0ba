/*
 * Identifiers and text encodings shared by the servers, the test eUICC and the CLI.
 *   - EID: 32 digits with ISO/IEC 7064 MOD 97-10 check digits, carried as 16 bytes.
 *   - ICCID: 19 or 20 digits ending with a Luhn check digit, carried as 10 bytes of
 *     swapped-nibble BCD (the SGP.22 Iccid type).
 *   - Upper-case hexadecimal.
 *   - Standard base64 without line breaks, as the SGP.22 JSON bindings use it.
 *
 * Every function takes the text with its length, so a JSON string need not be NUL-terminated.
 * Output strings are always NUL-terminated.
 */
#ifndef COMMON_IDENT_H
#define COMMON_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

enum ident_status {
	IDENT_OK = 0,
	IDENT_E_INVALID = -1,     /* wrong length or a character outside the allowed set */
	IDENT_E_CHECK_DIGIT = -2, /* well formed, but the check digit(s) do not match */
	IDENT_E_TOO_LARGE = -3,   /* the output buffer or the stated maximum is too small */
	IDENT_E_NOMEM = -4,
};

/* ---- EID ---- */

/* Checks that eid is 32 decimal digits whose check digits (the last two) are valid
 * (ISO/IEC 7064 MOD 97-10: the number taken as an integer is 1 modulo 97). */
int ident_eid_validate(const char *eid, size_t len);

/* Computes the check digits of an EID. digits contains 30 digits, or 32 digits whose last two
 * are replaced. out receives the complete 32-digit EID. */
int ident_eid_complete(const char *digits, size_t len, char out[RSP_EID_DIGITS + 1]);

/* Converts between the 32 digits and the 16 bytes (two digits per byte, first digit in the high
 * nibble) of the SGP.22 ASN.1 EID fields and the BSP key derivation. Neither function checks
 * the check digits, and from_bytes rejects nibbles above 9. */
int ident_eid_to_bytes(const char *eid, size_t len, uint8_t out[RSP_EID_LEN]);
int ident_eid_from_bytes(const uint8_t in[RSP_EID_LEN], char out[RSP_EID_DIGITS + 1]);

/* ---- ICCID ---- */

/* Returns the Luhn check digit ('0'..'9') for len decimal digits, or 0 if one is not a digit. */
char ident_luhn_digit(const char *digits, size_t len);

/* Checks an ICCID as ES2+ carries it: 19 or 20 decimal digits whose last digit is the Luhn
 * check digit of the others, optionally followed by one 'F' padding character when there are
 * 19 digits ('f' is accepted as well). */
int ident_iccid_validate(const char *iccid, size_t len);

/* Copies the digits of a valid ICCID (padding removed) into out. */
int ident_iccid_normalize(const char *iccid, size_t len, char out[RSP_ICCID_MAX_DIGITS + 1]);

/* Converts a valid ICCID to the 10-byte SGP.22 form: digit pairs with the nibbles swapped,
 * padded with F ("8949...1" becomes 98 94 .. F1). */
int ident_iccid_to_bcd(const char *iccid, size_t len, uint8_t out[RSP_ICCID_LEN]);

/* Converts the 10-byte form back to digits, dropping F padding (allowed in the last nibble
 * only). The check digit is not verified: call ident_iccid_validate on the result for that. */
int ident_iccid_from_bcd(const uint8_t in[RSP_ICCID_LEN], char out[RSP_ICCID_MAX_DIGITS + 1]);

/* ---- hexadecimal ---- */

/* Writes 2 * len upper-case hex digits and a NUL; out_size must be at least 2 * len + 1. */
int ident_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size);

/* Decodes hex digits of either case (no separators, even count) into out; *out_len receives
 * the number of bytes written. */
int ident_hex_decode(const char *hex, size_t len, uint8_t *out, size_t out_size,
		     size_t *out_len);

/* ---- base64 (RFC 4648 standard alphabet, with padding, no line breaks) ---- */

/* Writes the encoding and a NUL into out; *out_len receives the length without the NUL. */
int ident_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_size,
			size_t *out_len);
/* The same into a new NUL-terminated string; the caller frees *out. */
int ident_base64_encode_alloc(const uint8_t *in, size_t len, char **out);

/* Decodes into out. Whitespace, line breaks, characters outside the alphabet, missing or
 * misplaced padding are all rejected with IDENT_E_INVALID. */
int ident_base64_decode(const char *b64, size_t len, uint8_t *out, size_t out_size,
			size_t *out_len);
/* The same into a new buffer of at most max bytes (IDENT_E_TOO_LARGE beyond); the caller frees
 * *out. An empty input gives *out == NULL and *out_len == 0. */
int ident_base64_decode_alloc(const char *b64, size_t len, size_t max, uint8_t **out,
			      size_t *out_len);

#endif
