/*
 * SAIP profile packages: the "eUICC Profile Package: Interoperable Format Technical
 * Specification" of SIMalliance/TCA (SAIP), versions 2.x. A package is a sequence of DER-encoded
 * ProfileElements: a ProfileHeader first, PE-End last, and in between the file systems,
 * applications, keys and codes that the eUICC installs.
 *
 * This module writes a small USIM profile package from parameters (saip_generate), checks any
 * package element by element (saip_read), and gives a package a new ICCID in place
 * (saip_replace_iccid). The ASN.1 types it uses are the subset in asn1/PEDefinitions.asn.
 *
 * Package contents include subscriber keys and codes: never log them. Functions here return
 * enum saip_status codes (0 on success); saip_strerror() describes each.
 */
#ifndef SAIP_SAIP_H
#define SAIP_SAIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

enum saip_status {
	SAIP_OK = 0,
	/* Reading a package */
	SAIP_E_EMPTY = -1,
	SAIP_E_TOO_LARGE = -2,
	SAIP_E_TRUNCATED = -3,
	SAIP_E_TAG = -4,
	SAIP_E_LENGTH_FORM = -5,
	SAIP_E_TOO_DEEP = -6,
	SAIP_E_UNKNOWN_ELEMENT = -7,
	SAIP_E_HEADER_NOT_FIRST = -8,
	SAIP_E_END_MISSING = -9,
	SAIP_E_AFTER_END = -10,
	SAIP_E_DECODE = -11,
	SAIP_E_HEADER_ICCID = -12,
	SAIP_E_ICCID_LAYOUT = -13,
	/* Generator parameters */
	SAIP_E_PARAM_ICCID = -20,
	SAIP_E_PARAM_ICCID_CHECK_DIGIT = -21,
	SAIP_E_PARAM_IMSI = -22,
	SAIP_E_PARAM_KI = -23,
	SAIP_E_PARAM_OPC = -24,
	SAIP_E_PARAM_PROFILE_TYPE = -25,
	SAIP_E_PARAM_MNC_DIGITS = -26,
	SAIP_E_PARAM_PIN = -27,
	SAIP_E_PARAM_PUK = -28,
	SAIP_E_PARAM_ADM = -29,
	/* Resources */
	SAIP_E_NOMEM = -30,
	SAIP_E_ENCODE = -31,
};

/* Returns a one-sentence description of a saip_status code (a static string). */
const char *saip_strerror(int status);

/* The alternatives of the ProfileElement CHOICE, numbered by their context tag. */
enum saip_pe_type {
	SAIP_PE_HEADER = 0,
	SAIP_PE_GENERIC_FILE_MANAGEMENT = 1,
	SAIP_PE_PIN_CODES = 2,
	SAIP_PE_PUK_CODES = 3,
	SAIP_PE_AKA_PARAMETER = 4,
	SAIP_PE_CDMA_PARAMETER = 5,
	SAIP_PE_SECURITY_DOMAIN = 6,
	SAIP_PE_RFM = 7,
	SAIP_PE_APPLICATION = 8,
	SAIP_PE_NON_STANDARD = 9,
	SAIP_PE_END = 10,
	/* 11 to 15 are rfu1 to rfu5 */
	SAIP_PE_MF = 16,
	SAIP_PE_CD = 17,
	SAIP_PE_TELECOM = 18,
	SAIP_PE_USIM = 19,
	SAIP_PE_OPT_USIM = 20,
	SAIP_PE_ISIM = 21,
	SAIP_PE_OPT_ISIM = 22,
	SAIP_PE_PHONEBOOK = 23,
	SAIP_PE_GSM_ACCESS = 24,
	SAIP_PE_CSIM = 25,
	SAIP_PE_OPT_CSIM = 26,
	SAIP_PE_EAP = 27,
	SAIP_PE_DF_5GS = 28,
	SAIP_PE_DF_SAIP = 29,
	SAIP_PE_DF_SNPN = 30,
	SAIP_PE_DF_5GPROSE = 31,
	SAIP_PE_IOT = 32,
	SAIP_PE_OPT_IOT = 33,
	SAIP_PE_TYPE_COUNT = 34,
};

/* Returns the specification's name of a ProfileElement alternative ("header", "mf",
 * "akaParameter", ...), or NULL when type is not below SAIP_PE_TYPE_COUNT. */
const char *saip_pe_name(unsigned type);

/* profileType is a UTF8String of up to 100 characters, each at most 4 bytes. */
#define SAIP_MAX_PROFILE_TYPE 400
#define SAIP_IMSI_MIN_DIGITS 6
#define SAIP_IMSI_MAX_DIGITS 15

/* AlgoParameter.algorithmID values. */
#define SAIP_ALGORITHM_MILENAGE 1
#define SAIP_ALGORITHM_TUAK 2
#define SAIP_ALGORITHM_USIM_TEST 3

/* Summary of a package, filled by saip_read(). Strings are NUL-terminated, and a string is
 * empty when the package does not contain the value. */
struct saip_info {
	unsigned major_version;
	unsigned minor_version;
	/* ProfileHeader.iccid as digits, the 'F' padding removed. */
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	/* ProfileHeader.profileType, up to its first NUL byte. */
	char profile_type[SAIP_MAX_PROFILE_TYPE + 1];
	/* EF.ICCID content of PE-MF (nibble-swapped BCD) as digits. Empty when PE-MF carries no
	 * 10 bytes of decimal digits at the start of the file. */
	char ef_iccid[RSP_ICCID_MAX_DIGITS + 1];
	/* EF.IMSI of the first PE-USIM (3GPP TS 31.102 coding) as digits; empty when absent or
	 * not a valid IMSI coding. */
	char imsi[SAIP_IMSI_MAX_DIGITS + 1];
	/* algorithmID of the first PE-AKAParameter with an algoParameter, 0 when there is none. */
	unsigned aka_algorithm;
	size_t element_count;
	size_t type_count[SAIP_PE_TYPE_COUNT];
	/* When saip_read() fails: the byte offset where reading stopped and the index (from 0) of
	 * the element it was reading. */
	size_t error_offset;
	size_t error_element;
};

/*
 * Checks the package pkg of len bytes and fills *info (always, also on failure).
 *
 * Each ProfileElement must be a TLV with definite, minimal lengths (SAIP requires DER) whose
 * tag is one of the ProfileElement alternatives, and everything inside it must be well-formed
 * TLVs nested at most RSP_MAX_DER_DEPTH deep. The header must come first and only once, PE-End
 * last. Elements of the types in asn1/PEDefinitions.asn (header, mf, usim, pinCodes, pukCodes,
 * akaParameter, end) are also decoded and checked against their ASN.1 types and constraints.
 * Explicitly encoded DEFAULT values, which the GSMA TS.48 test profiles contain, are accepted.
 *
 * Returns SAIP_OK or the first problem found: SAIP_E_EMPTY, SAIP_E_TOO_LARGE (over
 * RSP_MAX_PROFILE_PACKAGE), SAIP_E_TRUNCATED, SAIP_E_TAG, SAIP_E_LENGTH_FORM, SAIP_E_TOO_DEEP,
 * SAIP_E_UNKNOWN_ELEMENT, SAIP_E_HEADER_NOT_FIRST, SAIP_E_END_MISSING, SAIP_E_AFTER_END,
 * SAIP_E_DECODE (also when the decoder runs out of memory) or SAIP_E_HEADER_ICCID.
 */
int saip_read(const uint8_t *pkg, size_t len, struct saip_info *info);

/*
 * Checks an ICCID given as 19 or 20 decimal digits whose last digit is the Luhn check digit
 * (ITU-T E.118). Returns SAIP_OK, SAIP_E_PARAM_ICCID (not 19 or 20 digits) or
 * SAIP_E_PARAM_ICCID_CHECK_DIGIT.
 */
int saip_check_iccid(const char *iccid);

/* Returns the Luhn check digit ('0' to '9') that completes payload, the ICCID without its last
 * digit, or -1 when payload is not 18 or 19 decimal digits. */
int saip_iccid_check_digit(const char *payload);

/*
 * Gives the package pkg (len bytes, checked with saip_read() first) the ICCID new_iccid, in
 * place; the length of the package does not change. It rewrites:
 *  - ProfileHeader.iccid, as the digits in order padded with 'F';
 *  - the EF.ICCID content in PE-MF (ef-iccid), nibble-swapped as 3GPP TS 31.102 stores it,
 *    when the file's content starts with one fillFileContent of exactly 10 bytes at offset 0.
 * PE-MF without EF.ICCID content leaves the header as the only copy. Content of EF.ICCID laid
 * out otherwise fails with SAIP_E_ICCID_LAYOUT, and an EF.ICCID written through
 * PE-GenericFileManagement is not looked for. Nothing is written unless the call succeeds.
 *
 * Returns SAIP_OK, an error of saip_check_iccid() or saip_read(), or SAIP_E_ICCID_LAYOUT.
 */
int saip_replace_iccid(uint8_t *pkg, size_t len, const char *new_iccid);

/* The PIN, PUK and ADM values the generator writes when the parameters leave them NULL. They
 * are test values, the same in every generated package: set your own for real subscribers. */
#define SAIP_DEFAULT_PIN1 "0000"
#define SAIP_DEFAULT_PIN2 "0000"
#define SAIP_DEFAULT_PUK1 "11111111"
#define SAIP_DEFAULT_PUK2 "22222222"
#define SAIP_DEFAULT_ADM1 "88888888"
#define SAIP_DEFAULT_PROFILE_TYPE "demo"

/*
 * Parameters of a generated profile, as text the way an operator types them. Zero the whole
 * struct before filling it, so that members added later start as "use the default".
 */
struct saip_params {
	const char *iccid;        /* 19 or 20 digits, the last one the Luhn check digit */
	const char *imsi;         /* 6 to 15 digits: MCC, MNC and MSIN */
	const char *ki;           /* subscriber key K: 32 hex digits */
	const char *opc;          /* Milenage OPc: 32 hex digits */
	const char *profile_type; /* ProfileHeader.profileType; NULL: SAIP_DEFAULT_PROFILE_TYPE */
	unsigned mnc_digits;      /* 2 or 3, stored in EF.AD; 0 means 2 */
	const char *pin1;         /* 4 to 8 digits; NULL: SAIP_DEFAULT_PIN1 */
	const char *pin2;         /* 4 to 8 digits; NULL: SAIP_DEFAULT_PIN2 */
	const char *puk1;         /* 8 digits; NULL: SAIP_DEFAULT_PUK1 */
	const char *puk2;         /* 8 digits; NULL: SAIP_DEFAULT_PUK2 */
	const char *adm1;         /* 8 digits; NULL: SAIP_DEFAULT_ADM1 */
};

/*
 * Writes a SAIP 2.3 profile package for one USIM, in DER:
 *   ProfileHeader   version 2.3, the profile type and ICCID, mandatory services usim and
 *                   milenage, mandatory templates MF and ADF USIM
 *   PE-MF           MF, EF.ICCID (with the ICCID), EF.DIR (the USIM application), EF.ARR
 *   PE-PUKCodes     PUK1, PUK2
 *   PE-PINCodes     PIN1 and ADM1, in the context of the MF
 *   PE-USIM         ADF.USIM and its files; EF.IMSI, EF.AD (MNC length), EF.ACC (access class
 *                   from the last IMSI digit), EF.UST, EF.EST and EF.ARR with content
 *   PE-PINCodes     PIN2, in the context of ADF.USIM
 *   PE-AKAParameter Milenage with Ki and OPc, the standard constants and SQN settings
 *   PE-End
 *
 * On success *out is a malloc'ed buffer of *out_len bytes that the caller owns; it contains Ki
 * and OPc, so release it with saip_package_free(). Returns SAIP_OK, a SAIP_E_PARAM_* code
 * naming the invalid parameter, SAIP_E_NOMEM or SAIP_E_ENCODE.
 */
int saip_generate(const struct saip_params *params, uint8_t **out, size_t *out_len);

/* Wipes and frees a package buffer. Accepts NULL. */
void saip_package_free(uint8_t *pkg, size_t len);

#endif
