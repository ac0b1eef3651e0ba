/*
 * SGP.22 Activation Code (section "Activation Code"): the string an end user scans from a QR
 * code or types in, and matchingIds (AC tokens) for it.
 *
 *   [LPA:]1$<SM-DP+ address>$<AC token>[$<SM-DP+ OID>[$<Confirmation Code Required Flag>]]
 *
 * The LPA: prefix belongs to the QR code; it is accepted in any case or absent. Optional
 * fields may be present but empty ("1$HOST$TOKEN$$1"): the parser records how many fields it
 * saw, so formatting a parsed code gives back the same string.
 */
#ifndef COMMON_ACTCODE_H
#define COMMON_ACTCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/limits.h"

enum actcode_status {
	ACTCODE_OK = 0,
	ACTCODE_E_INVALID = -1,   /* malformed code or field */
	ACTCODE_E_VERSION = -2,   /* AC_Format other than "1" */
	ACTCODE_E_TOO_LARGE = -3, /* a field or the output exceeds its maximum */
	ACTCODE_E_RNG = -4,       /* the random generator failed */
};

/* Maximum length of the dotted OID in the SM-DP+ OID field. */
#define ACTCODE_MAX_OID 128
/* Maximum length of an activation code, prefix included. */
#define ACTCODE_MAX_LEN (4 + 2 + RSP_MAX_FQDN + 1 + RSP_MAX_MATCHING_ID + 1 + ACTCODE_MAX_OID + 2)

/* Length of a matchingId from actcode_generate_matching_id: four groups of five characters
 * from [0-9A-Z] joined by hyphens, about 103 bits of randomness. */
#define ACTCODE_GENERATED_ID_LEN 23

struct actcode {
	char smdp_address[RSP_MAX_FQDN + 1];        /* host name, never empty */
	char matching_id[RSP_MAX_MATCHING_ID + 1];  /* AC token; may be empty */
	char smdp_oid[ACTCODE_MAX_OID + 1];         /* dotted OID; may be empty */
	bool cc_required;                           /* Confirmation Code Required Flag is "1" */
	/* Number of '$'-separated fields after the format field: 2, 3 or 4. Formatting writes at
	 * least as many as the values set need (3 for an OID, 4 for cc_required). */
	unsigned int fields;
};

/* Parses an activation code of len characters (no NUL needed). out is cleared first. */
int actcode_parse(const char *text, size_t len, struct actcode *out);

/* Writes the activation code and a NUL into out, with the "LPA:" prefix when with_prefix is
 * set. Fields are checked as actcode_parse checks them. */
int actcode_format(const struct actcode *ac, bool with_prefix, char *out, size_t out_size);

/* Checks an SM-DP+ address: a DNS host name of at most RSP_MAX_FQDN characters (letters,
 * digits, hyphens and dots, labels of 1 to 63 characters not starting or ending with a
 * hyphen). SGP.22 addresses carry no port, so "host:port" is rejected. */
int actcode_validate_address(const char *addr, size_t len);

/* Checks a matchingId chosen by an operator: 1 to RSP_MAX_MATCHING_ID characters from
 * upper-case letters, digits and hyphen. actcode_parse also accepts lower-case letters in
 * codes issued elsewhere. */
int actcode_validate_matching_id(const char *id, size_t len);

/* Checks a dotted OID such as 1.3.6.1.4.1.31746: at least two arcs, the first 0, 1 or 2,
 * decimal arcs without leading zeros. */
int actcode_validate_oid(const char *oid, size_t len);

/* Finds the first field of an activation code of len characters (no NUL needed) that is longer
 * than its maximum, which is why actcode_parse returned ACTCODE_E_TOO_LARGE. Returns the
 * field's name ("SM-DP+ address", "matchingId" or "SM-DP+ OID") and stores its length and its
 * maximum, or returns NULL when no field is too long (the code as a whole may still be). */
const char *actcode_find_long_field(const char *text, size_t len, size_t *field_len,
				    size_t *max);

/* Generates a random matchingId of ACTCODE_GENERATED_ID_LEN characters
 * (XXXXX-XXXXX-XXXXX-XXXXX over [0-9A-Z]). Needs crypto_init. */
int actcode_generate_matching_id(char out[ACTCODE_GENERATED_ID_LEN + 1]);

#endif
