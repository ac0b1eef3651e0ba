/*
 * Helpers shared by the files of saip/ and by nothing else: a bounded TLV reader for packages
 * (the DER reader in asn1/der.h has no nesting walk and no error offsets), and the digit
 * codings of ICCID, IMSI and keys.
 */
#ifndef SAIP_INTERNAL_H
#define SAIP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "File.h"
#include "OBJECT_IDENTIFIER.h"
#include "PE-MF.h"
#include "PE-USIM.h"
#include "PEHeader.h"

/* One TLV. tag is the number formed by the tag bytes, as in asn1/der.h (0xA0, 0xBF20). */
struct saip_tlv {
	uint32_t tag;
	bool constructed;
	const uint8_t *raw; /* tag, length and value */
	size_t raw_len;
	const uint8_t *value;
	size_t len;
};

/*
 * Reads the TLV at the start of buf (left bytes remain). Accepts tags of up to 4 bytes in their
 * shortest form and definite lengths in their shortest form. Returns SAIP_OK,
 * SAIP_E_TRUNCATED, SAIP_E_TAG, SAIP_E_LENGTH_FORM or SAIP_E_TOO_LARGE (a length of more than
 * 4 bytes). On failure *stop points at the byte that could not be read.
 */
int saip_tlv_read(const uint8_t *buf, size_t left, struct saip_tlv *out, const uint8_t **stop);

/*
 * Checks that buf holds only well-formed TLVs, descending into every constructed one.
 * depth is the nesting level of the TLVs in buf (a ProfileElement is level 0); a TLV deeper
 * than RSP_MAX_DER_DEPTH fails with SAIP_E_TOO_DEEP. On failure *stop points at the offending
 * byte.
 */
int saip_tlv_walk(const uint8_t *buf, size_t len, unsigned depth, const uint8_t **stop);

/* True when s consists of min to max decimal digits. */
bool saip_is_digits(const char *s, size_t min, size_t max);

/* Decodes exactly out_len bytes from 2 * out_len hex digits (either case). */
bool saip_hex_decode(const char *hex, uint8_t *out, size_t out_len);

/* ICCID digits (at most 20) as 10 BCD bytes padded with 'F': in order for ProfileHeader.iccid,
 * nibble-swapped for EF.ICCID. */
void saip_iccid_to_bcd(const char *digits, bool swapped, uint8_t out[10]);

/*
 * Decodes n BCD bytes into digits (out has room for 2 * n + 1 chars). The digits must come
 * first and 'F' nibbles may only pad the end; at least one digit is required. Returns false,
 * with out empty, for any other nibble pattern.
 */
bool saip_bcd_to_digits(const uint8_t *in, size_t n, bool swapped, char *out);

/* EF.IMSI as 3GPP TS 31.102 codes it: a length byte, the parity and type nibble, the digits,
 * 'FF' for unused bytes. */
#define SAIP_EF_IMSI_LEN 9
void saip_imsi_to_ef(const char *imsi, uint8_t out[SAIP_EF_IMSI_LEN]);
/* Decodes EF.IMSI content; out has room for SAIP_IMSI_MAX_DIGITS + 1 chars. */
bool saip_imsi_from_ef(const uint8_t *in, size_t n, char *out);

/*
 * Collects the first cap bytes of a File's content, placing each fillFileContent after the
 * fillFileOffset gaps before it. Bytes that no content covers are 'FF'. *len is the end of the
 * last content placed, at most cap.
 */
void saip_file_content(const File_t *file, uint8_t *buf, size_t cap, size_t *len);

/*
 * Building asn1c structures for the generator. The first failure is kept in status and every
 * later call does nothing, so a builder reads as a list of assignments with one check at the
 * end. Memory comes from calloc and belongs to the structure being built.
 */
struct saip_build {
	int status;
};

void *saip_build_calloc(struct saip_build *b, size_t size);
void saip_build_octets(struct saip_build *b, OCTET_STRING_t *s, const void *data, size_t len);
OCTET_STRING_t *saip_build_new_octets(struct saip_build *b, const void *data, size_t len);
void saip_build_oid(struct saip_build *b, OBJECT_IDENTIFIER_t *oid, const uint32_t *arcs,
		    unsigned count);
/* Fills a PEHeader with identification id, marked mandated. */
void saip_build_pe_header(struct saip_build *b, PEHeader_t *h, long id);

/* Template OIDs of SAIP Annex A (prefix 2.23.143.1.2): the MF and "ADF USIM, created by
 * default". */
extern const uint32_t saip_template_mf[6];
extern const uint32_t saip_template_usim[6];

/* File content the generator derives from its parameters. */
struct saip_usim_values {
	uint8_t imsi[SAIP_EF_IMSI_LEN];
	uint8_t acc[2];
	uint8_t mnc_digits;
};

void saip_build_mf(struct saip_build *b, PE_MF_t *mf, long id, const char *iccid);
void saip_build_usim(struct saip_build *b, PE_USIM_t *usim, long id,
		     const struct saip_usim_values *values);

#endif
