/*
 * Tests of saip/: the profile generator, the package reader and the ICCID rewrite. They run on
 * generated packages, on small hand-written ones and on the GSMA TS.48 test profiles. The
 * TS.48 files are read at run time from $RSP_SHARED/profiles or $RSP_REPO/../shared/profiles,
 * and the cases that need them skip when neither exists.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ProfileElement.h"

#include "saip/internal.h"
#include "saip/saip.h"
#include "test/harness.h"

#define TEST_ICCID "8988211000000000003"
#define TEST_ICCID_20 "89882110000000000010"
#define TEST_IMSI "001010123456789"
#define TEST_KI "000102030405060708090A0B0C0D0E0F"
#define TEST_OPC "00112233445566778899aabbccddeeff"
#define TS48_ICCID "89000123456789012341"
#define MAX_TS48_FILES 32

static void default_params(struct saip_params *p)
{
	memset(p, 0, sizeof(*p));
	p->iccid = TEST_ICCID;
	p->imsi = TEST_IMSI;
	p->ki = TEST_KI;
	p->opc = TEST_OPC;
	p->profile_type = "test profile";
}

static uint8_t *generate_default(size_t *len)
{
	struct saip_params p;
	uint8_t *pkg = NULL;

	default_params(&p);
	if (saip_generate(&p, &pkg, len) != SAIP_OK)
		return NULL;
	return pkg;
}

/* Returns the offset of the first occurrence of needle in buf, or -1. */
static long find_bytes(const uint8_t *buf, size_t len, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(buf + i, needle, n) == 0)
			return (long)i;
	}
	return -1;
}

/* ---- shared test data ---- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *shared_dir(void)
{
	static char path[4096];
	const char *env = getenv("RSP_SHARED");

	if (env && *env)
		return env;
	env = getenv("RSP_REPO");
	if (env && *env) {
		snprintf(path, sizeof(path), "%s/../shared", env);
		if (is_dir(path))
			return path;
	}
	if (is_dir("../shared"))
		return "../shared";
	return NULL;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills paths with the sorted *.der files of the TS.48 profile folder; returns their number,
 * or -1 when the folder is absent. The caller frees each path. */
static int ts48_files(char *paths[MAX_TS48_FILES])
{
	char dir_path[4096];
	const char *shared = shared_dir();
	struct dirent *e;
	DIR *dir;
	int count = 0, n;

	if (!shared)
		return -1;
	n = snprintf(dir_path, sizeof(dir_path), "%s/profiles", shared);
	if (n < 0 || (size_t)n >= sizeof(dir_path))
		return -1;
	dir = opendir(dir_path);
	if (!dir)
		return -1;
	while ((e = readdir(dir)) != NULL && count < MAX_TS48_FILES) {
		size_t name_len = strlen(e->d_name);
		size_t size = strlen(dir_path) + name_len + 2;

		if (name_len < 5 || strcmp(e->d_name + name_len - 4, ".der") != 0)
			continue;
		paths[count] = malloc(size);
		if (!paths[count])
			break;
		snprintf(paths[count], size, "%s/%s", dir_path, e->d_name);
		count++;
	}
	closedir(dir);
	qsort(paths, (size_t)count, sizeof(paths[0]), compare_names);
	return count;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n;

	*len = 0;
	if (!f)
		return NULL;
	buf = malloc(RSP_MAX_PROFILE_PACKAGE);
	if (buf) {
		n = fread(buf, 1, RSP_MAX_PROFILE_PACKAGE, f);
		if (ferror(f) || n == RSP_MAX_PROFILE_PACKAGE) {
			free(buf);
			buf = NULL;
		} else {
			*len = n;
		}
	}
	fclose(f);
	return buf;
}

static void free_paths(char *paths[], int count)
{
	for (int i = 0; i < count; i++)
		free(paths[i]);
}

/* ---- a small hand-written package ---- */

/* Header (version 2.3, ICCID 89000123456789012341, no services, no templates), PE-MF whose
 * EF.ICCID contains the ICCID, PE-End. */
static const uint8_t small_pkg[] = {
	0xA0, 0x16, 0x80, 0x01, 0x02, 0x81, 0x01, 0x03,
	0x83, 0x0A, 0x89, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0x01, 0x23, 0x41,
	0xA5, 0x00, 0xA6, 0x00,
	0xB0, 0x21, 0xA0, 0x03, 0x81, 0x01, 0x01,
	0x81, 0x06, 0x67, 0x81, 0x0F, 0x01, 0x02, 0x01,
	0xA2, 0x00,
	0xA4, 0x0C, 0x83, 0x0A, 0x98, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x14,
	0xA5, 0x00, 0xA6, 0x00,
	0xAA, 0x05, 0xA0, 0x03, 0x81, 0x01, 0x02,
};
#define SMALL_MF_OFFSET 24
#define SMALL_END_OFFSET 59

/* The same package with the EF.ICCID content split into two fillFileContent pieces. */
static const uint8_t small_pkg_split_iccid[] = {
	0xA0, 0x16, 0x80, 0x01, 0x02, 0x81, 0x01, 0x03,
	0x83, 0x0A, 0x89, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0x01, 0x23, 0x41,
	0xA5, 0x00, 0xA6, 0x00,
	0xB0, 0x23, 0xA0, 0x03, 0x81, 0x01, 0x01,
	0x81, 0x06, 0x67, 0x81, 0x0F, 0x01, 0x02, 0x01,
	0xA2, 0x00,
	0xA4, 0x0E, 0x83, 0x05, 0x98, 0x00, 0x10, 0x32, 0x54, 0x83, 0x05, 0x76, 0x98, 0x10, 0x32,
	0x14,
	0xA5, 0x00, 0xA6, 0x00,
	0xAA, 0x05, 0xA0, 0x03, 0x81, 0x01, 0x02,
};

/* Runs saip_read on a modified copy of small_pkg: count bytes at offset replaced by bytes
 * (inserted when insert is set). */
static int read_modified(size_t offset, const uint8_t *bytes, size_t count, bool insert)
{
	uint8_t buf[sizeof(small_pkg) + 64];
	struct saip_info info;
	size_t len = sizeof(small_pkg);

	memcpy(buf, small_pkg, offset);
	memcpy(buf + offset, bytes, count);
	if (insert) {
		memcpy(buf + offset + count, small_pkg + offset, sizeof(small_pkg) - offset);
		len += count;
	} else {
		memcpy(buf + offset + count, small_pkg + offset + count,
		       sizeof(small_pkg) - offset - count);
	}
	return saip_read(buf, len, &info);
}

/* ---- generator ---- */

static void test_generate_read_back(void)
{
	struct saip_info info;
	size_t len = 0;
	uint8_t *pkg = generate_default(&len);

	REQUIRE(pkg != NULL);
	CHECK_INT(saip_read(pkg, len, &info), SAIP_OK);
	CHECK_INT(info.major_version, 2);
	CHECK_INT(info.minor_version, 3);
	CHECK_STR(info.iccid, TEST_ICCID);
	CHECK_STR(info.ef_iccid, TEST_ICCID);
	CHECK_STR(info.imsi, TEST_IMSI);
	CHECK_STR(info.profile_type, "test profile");
	CHECK_INT(info.aka_algorithm, SAIP_ALGORITHM_MILENAGE);
	CHECK_INT(info.element_count, 8);
	CHECK_INT(info.type_count[SAIP_PE_HEADER], 1);
	CHECK_INT(info.type_count[SAIP_PE_MF], 1);
	CHECK_INT(info.type_count[SAIP_PE_USIM], 1);
	CHECK_INT(info.type_count[SAIP_PE_PIN_CODES], 2);
	CHECK_INT(info.type_count[SAIP_PE_PUK_CODES], 1);
	CHECK_INT(info.type_count[SAIP_PE_AKA_PARAMETER], 1);
	CHECK_INT(info.type_count[SAIP_PE_END], 1);
	CHECK_INT(pkg[0], 0xA0);
	saip_package_free(pkg, len);
}

static void test_generate_defaults(void)
{
	struct saip_params p;
	struct saip_info info;
	uint8_t *pkg = NULL;
	size_t len = 0;

	memset(&p, 0, sizeof(p));
	p.iccid = TEST_ICCID_20;
	p.imsi = "00101123456";
	p.ki = TEST_KI;
	p.opc = TEST_OPC;
	REQUIRE(saip_generate(&p, &pkg, &len) == SAIP_OK);
	CHECK_INT(saip_read(pkg, len, &info), SAIP_OK);
	CHECK_STR(info.iccid, TEST_ICCID_20);
	CHECK_STR(info.ef_iccid, TEST_ICCID_20);
	CHECK_STR(info.imsi, "00101123456");
	CHECK_STR(info.profile_type, SAIP_DEFAULT_PROFILE_TYPE);
	saip_package_free(pkg, len);
}

/* Decoding each element and encoding it again with the DER encoder gives the same bytes. */
static void test_generate_is_der(void)
{
	size_t len = 0, pos = 0, elements = 0;
	uint8_t *pkg = generate_default(&len);

	REQUIRE(pkg != NULL);
	while (pos < len) {
		ProfileElement_t *pe = NULL;
		asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_ProfileElement, (void **)&pe,
					       pkg + pos, len - pos);
		uint8_t again[1024];
		asn_enc_rval_t er;

		CHECK(rv.code == RC_OK);
		if (rv.code != RC_OK) {
			ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
			break;
		}
		er = der_encode_to_buffer(&asn_DEF_ProfileElement, pe, again, sizeof(again));
		CHECK_INT(er.encoded, (long long)rv.consumed);
		if (er.encoded == (ssize_t)rv.consumed)
			CHECK_MEM(again, pkg + pos, rv.consumed);
		ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
		pos += rv.consumed;
		elements++;
	}
	CHECK_INT(pos, len);
	CHECK_INT(elements, 8);
	saip_package_free(pkg, len);
}

/* The header carries the ICCID in order with 'F' padding, EF.ICCID nibble-swapped, EF.IMSI as
 * TS 31.102 codes it. */
static void test_generate_field_coding(void)
{
	static const uint8_t header_iccid[] = {0x83, 0x0A, 0x89, 0x88, 0x21, 0x10, 0x00,
					       0x00, 0x00, 0x00, 0x00, 0x3F};
	static const uint8_t ef_iccid[] = {0x83, 0x0A, 0x98, 0x88, 0x12, 0x01, 0x00,
					   0x00, 0x00, 0x00, 0x00, 0xF3};
	static const uint8_t ef_imsi[] = {0x83, 0x09, 0x08, 0x09, 0x10, 0x10, 0x10,
					  0x32, 0x54, 0x76, 0x98};
	static const uint8_t ki[] = {0x82, 0x10, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
	size_t len = 0;
	uint8_t *pkg = generate_default(&len);

	REQUIRE(pkg != NULL);
	CHECK(find_bytes(pkg, len, header_iccid, sizeof(header_iccid)) > 0);
	CHECK(find_bytes(pkg, len, ef_iccid, sizeof(ef_iccid)) > 0);
	CHECK(find_bytes(pkg, len, ef_imsi, sizeof(ef_imsi)) > 0);
	/* Ki is key [2] of AlgoParameter, implicitly tagged. */
	CHECK(find_bytes(pkg, len, ki, sizeof(ki)) > 0);
	saip_package_free(pkg, len);
}

static void test_imsi_coding(void)
{
	static const uint8_t odd[SAIP_EF_IMSI_LEN] = {0x08, 0x09, 0x10, 0x10, 0x10,
						      0x32, 0x54, 0x76, 0x98};
	static const uint8_t even[SAIP_EF_IMSI_LEN] = {0x08, 0x01, 0x10, 0x10, 0x10,
						       0x32, 0x54, 0x76, 0xF8};
	static const uint8_t shortest[SAIP_EF_IMSI_LEN] = {0x04, 0x01, 0x10, 0x10, 0xF2,
							   0xFF, 0xFF, 0xFF, 0xFF};
	uint8_t ef[SAIP_EF_IMSI_LEN];
	char digits[SAIP_IMSI_MAX_DIGITS + 1];

	saip_imsi_to_ef("001010123456789", ef);
	CHECK_MEM(ef, odd, sizeof(odd));
	saip_imsi_to_ef("00101012345678", ef);
	CHECK_MEM(ef, even, sizeof(even));
	saip_imsi_to_ef("001012", ef);
	CHECK_MEM(ef, shortest, sizeof(shortest));

	CHECK(saip_imsi_from_ef(odd, sizeof(odd), digits));
	CHECK_STR(digits, "001010123456789");
	CHECK(saip_imsi_from_ef(even, sizeof(even), digits));
	CHECK_STR(digits, "00101012345678");
	CHECK(saip_imsi_from_ef(shortest, sizeof(shortest), digits));
	CHECK_STR(digits, "001012");
	/* Parity nibble that disagrees with the number of digits. */
	CHECK(!saip_imsi_from_ef(even, 1, digits));
	ef[1] = 0x09;
	CHECK(!saip_imsi_from_ef(ef, sizeof(ef), digits));
	CHECK_STR(digits, "");
}

static void test_iccid_check_digit(void)
{
	CHECK_INT(saip_iccid_check_digit("8900012345678901234"), '1');
	CHECK_INT(saip_iccid_check_digit("898821100000000000"), '3');
	CHECK_INT(saip_iccid_check_digit("89882110000000000"), -1);
	CHECK_INT(saip_iccid_check_digit("89882110000000000x"), -1);
	CHECK_INT(saip_check_iccid(TS48_ICCID), SAIP_OK);
	CHECK_INT(saip_check_iccid(TEST_ICCID), SAIP_OK);
	CHECK_INT(saip_check_iccid("89000123456789012342"), SAIP_E_PARAM_ICCID_CHECK_DIGIT);
	CHECK_INT(saip_check_iccid("890001234567890123"), SAIP_E_PARAM_ICCID);
	CHECK_INT(saip_check_iccid("890001234567890123410"), SAIP_E_PARAM_ICCID);
	CHECK_INT(saip_check_iccid(NULL), SAIP_E_PARAM_ICCID);
}

static void test_generate_rejects_params(void)
{
	static const char long_type[] =
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890";
	static const struct {
		const char *iccid, *imsi, *ki, *opc, *type;
		unsigned mnc;
		const char *pin1, *puk1, *adm1;
		int expected;
	} cases[] = {
		{"8988211000000000004", NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_ICCID_CHECK_DIGIT},
		{"898821100000000003", NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_ICCID},
		{"89882110000000000A3", NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_ICCID},
		{NULL, "00101", NULL, NULL, NULL, 0, NULL, NULL, NULL, SAIP_E_PARAM_IMSI},
		{NULL, "0010101234567890", NULL, NULL, NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_IMSI},
		{NULL, "00101012345678x", NULL, NULL, NULL, 0, NULL, NULL, NULL, SAIP_E_PARAM_IMSI},
		{NULL, NULL, "000102030405060708090A0B0C0D0E0", NULL, NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_KI},
		{NULL, NULL, "000102030405060708090A0B0C0D0E0G", NULL, NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_KI},
		{NULL, NULL, NULL, "00112233445566778899aabbccddeeff00", NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_OPC},
		{NULL, NULL, NULL, "00112233445566778899aabbccddeezz", NULL, 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_OPC},
		{NULL, NULL, NULL, NULL, "", 0, NULL, NULL, NULL, SAIP_E_PARAM_PROFILE_TYPE},
		{NULL, NULL, NULL, NULL, long_type, 0, NULL, NULL, NULL, SAIP_E_PARAM_PROFILE_TYPE},
		{NULL, NULL, NULL, NULL, "tab\there", 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_PROFILE_TYPE},
		{NULL, NULL, NULL, NULL, "bad \xC3", 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_PROFILE_TYPE},
		{NULL, NULL, NULL, NULL, "overlong \xC0\xAF", 0, NULL, NULL, NULL,
		 SAIP_E_PARAM_PROFILE_TYPE},
		{NULL, NULL, NULL, NULL, NULL, 4, NULL, NULL, NULL, SAIP_E_PARAM_MNC_DIGITS},
		{NULL, NULL, NULL, NULL, NULL, 0, "123", NULL, NULL, SAIP_E_PARAM_PIN},
		{NULL, NULL, NULL, NULL, NULL, 0, "123456789", NULL, NULL, SAIP_E_PARAM_PIN},
		{NULL, NULL, NULL, NULL, NULL, 0, NULL, "1234567", NULL, SAIP_E_PARAM_PUK},
		{NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, "1234567a", SAIP_E_PARAM_ADM},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct saip_params p;
		uint8_t *pkg = (uint8_t *)"unchanged";
		size_t len = 99;
		int rc;

		default_params(&p);
		if (cases[i].iccid)
			p.iccid = cases[i].iccid;
		if (cases[i].imsi)
			p.imsi = cases[i].imsi;
		if (cases[i].ki)
			p.ki = cases[i].ki;
		if (cases[i].opc)
			p.opc = cases[i].opc;
		if (cases[i].type)
			p.profile_type = cases[i].type;
		p.mnc_digits = cases[i].mnc;
		p.pin1 = cases[i].pin1;
		p.puk1 = cases[i].puk1;
		p.adm1 = cases[i].adm1;

		rc = saip_generate(&p, &pkg, &len);
		if (rc != cases[i].expected)
			test_fail_at(__FILE__, __LINE__, "%s: case %zu returned %d, expected %d",
				     __func__, i, rc, cases[i].expected);
		CHECK(pkg == NULL);
		CHECK_INT(len, 0);
	}
}

static void test_generate_accepts_utf8_type(void)
{
	struct saip_params p;
	struct saip_info info;
	uint8_t *pkg = NULL;
	size_t len = 0;

	default_params(&p);
	p.profile_type = "Profil \xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB1";
	p.mnc_digits = 3;
	REQUIRE(saip_generate(&p, &pkg, &len) == SAIP_OK);
	CHECK_INT(saip_read(pkg, len, &info), SAIP_OK);
	CHECK_STR(info.profile_type, p.profile_type);
	saip_package_free(pkg, len);
}

/* ---- reader ---- */

static void test_read_small_package(void)
{
	struct saip_info info;

	CHECK_INT(saip_read(small_pkg, sizeof(small_pkg), &info), SAIP_OK);
	CHECK_STR(info.iccid, TS48_ICCID);
	CHECK_STR(info.ef_iccid, TS48_ICCID);
	CHECK_STR(info.imsi, "");
	CHECK_STR(info.profile_type, "");
	CHECK_INT(info.aka_algorithm, 0);
	CHECK_INT(info.element_count, 3);
}

static void test_read_rejects_malformed(void)
{
	static const uint8_t indefinite[] = {0xB0, 0x80};
	static const uint8_t long_form_short_length[] = {0xB0, 0x81, 0x21};
	static const uint8_t leading_zero_length[] = {0xB0, 0x82, 0x00, 0x21};
	static const uint8_t five_byte_length[] = {0xB0, 0x85};
	static const uint8_t low_number_long_form[] = {0xBF, 0x10, 0x00};
	static const uint8_t padded_tag_number[] = {0xBF, 0x80, 0x20, 0x00};
	static const uint8_t universal_sequence[] = {0x30, 0x00};
	static const uint8_t primitive_mf[] = {0x90, 0x00};
	static const uint8_t unknown_choice[] = {0xBF, 0x22, 0x00};
	static const uint8_t second_header[] = {0xA0, 0x03, 0x80, 0x01, 0x02};
	static const uint8_t bad_header_iccid[] = {0x8A};
	static const uint8_t reordered_header[] = {0x81, 0x01, 0x02, 0x80, 0x01, 0x03};

	CHECK_INT(read_modified(SMALL_MF_OFFSET, indefinite, sizeof(indefinite), false),
		  SAIP_E_LENGTH_FORM);
	CHECK_INT(read_modified(SMALL_MF_OFFSET, long_form_short_length,
				sizeof(long_form_short_length), false), SAIP_E_LENGTH_FORM);
	CHECK_INT(read_modified(SMALL_MF_OFFSET, leading_zero_length,
				sizeof(leading_zero_length), false), SAIP_E_LENGTH_FORM);
	CHECK_INT(read_modified(SMALL_MF_OFFSET, five_byte_length, sizeof(five_byte_length),
				false), SAIP_E_TOO_LARGE);
	CHECK_INT(read_modified(SMALL_END_OFFSET, low_number_long_form,
				sizeof(low_number_long_form), true), SAIP_E_TAG);
	CHECK_INT(read_modified(SMALL_END_OFFSET, padded_tag_number, sizeof(padded_tag_number),
				true), SAIP_E_TAG);
	CHECK_INT(read_modified(SMALL_END_OFFSET, universal_sequence, sizeof(universal_sequence),
				true), SAIP_E_UNKNOWN_ELEMENT);
	CHECK_INT(read_modified(SMALL_END_OFFSET, primitive_mf, sizeof(primitive_mf), true),
		  SAIP_E_UNKNOWN_ELEMENT);
	CHECK_INT(read_modified(SMALL_END_OFFSET, unknown_choice, sizeof(unknown_choice), true),
		  SAIP_E_UNKNOWN_ELEMENT);
	CHECK_INT(read_modified(SMALL_END_OFFSET, second_header, sizeof(second_header), true),
		  SAIP_E_HEADER_NOT_FIRST);
	/* First iccid byte '8A': a nibble that is no digit. */
	CHECK_INT(read_modified(10, bad_header_iccid, sizeof(bad_header_iccid), false),
		  SAIP_E_HEADER_ICCID);
	/* minor-version before major-version does not match ProfileHeader. */
	CHECK_INT(read_modified(2, reordered_header, sizeof(reordered_header), false),
		  SAIP_E_DECODE);
}

static void test_read_rejects_order(void)
{
	uint8_t buf[sizeof(small_pkg) + 16];
	struct saip_info info;
	size_t end_len = sizeof(small_pkg) - SMALL_END_OFFSET;

	CHECK_INT(saip_read(small_pkg, 0, &info), SAIP_E_EMPTY);

	/* Without the header. */
	CHECK_INT(saip_read(small_pkg + SMALL_MF_OFFSET, sizeof(small_pkg) - SMALL_MF_OFFSET,
			    &info), SAIP_E_HEADER_NOT_FIRST);
	CHECK_INT(info.error_element, 0);
	CHECK_INT(info.error_offset, 0);

	/* Without PE-End. */
	CHECK_INT(saip_read(small_pkg, SMALL_END_OFFSET, &info), SAIP_E_END_MISSING);
	CHECK_INT(info.error_offset, SMALL_END_OFFSET);

	/* A second PE-End after the first. */
	memcpy(buf, small_pkg, sizeof(small_pkg));
	memcpy(buf + sizeof(small_pkg), small_pkg + SMALL_END_OFFSET, end_len);
	CHECK_INT(saip_read(buf, sizeof(small_pkg) + end_len, &info), SAIP_E_AFTER_END);
	CHECK_INT(info.error_offset, sizeof(small_pkg));
	CHECK_INT(info.error_element, 3);

	/* One stray byte after PE-End. */
	buf[sizeof(small_pkg)] = 0x00;
	CHECK_INT(saip_read(buf, sizeof(small_pkg) + 1, &info), SAIP_E_AFTER_END);
}

/* small_pkg with a PE-Dummy (rfu1, 'AB') before PE-End that nests levels constructed TLVs,
 * each inside the one before. Returns the length. */
static size_t build_nested(uint8_t *buf, size_t levels)
{
	size_t pos = SMALL_END_OFFSET;

	memcpy(buf, small_pkg, SMALL_END_OFFSET);
	buf[pos++] = 0xAB;
	buf[pos++] = (uint8_t)(2 * levels);
	for (size_t i = 0; i < levels; i++) {
		buf[pos++] = 0xA1;
		buf[pos++] = (uint8_t)(2 * (levels - 1 - i));
	}
	memcpy(buf + pos, small_pkg + SMALL_END_OFFSET, sizeof(small_pkg) - SMALL_END_OFFSET);
	return pos + sizeof(small_pkg) - SMALL_END_OFFSET;
}

static void test_read_rejects_deep_nesting(void)
{
	uint8_t buf[sizeof(small_pkg) + 2 * (RSP_MAX_DER_DEPTH + 2)];
	struct saip_info info;
	size_t len;

	len = build_nested(buf, RSP_MAX_DER_DEPTH + 1);
	CHECK_INT(saip_read(buf, len, &info), SAIP_E_TOO_DEEP);
	CHECK_INT(info.error_element, 2);

	/* The maximum depth itself is accepted; the element counts as rfu1. */
	len = build_nested(buf, RSP_MAX_DER_DEPTH);
	CHECK_INT(saip_read(buf, len, &info), SAIP_OK);
	CHECK_INT(info.type_count[11], 1);
}

static void test_read_rejects_oversize(void)
{
	struct saip_info info;
	uint8_t *big = calloc(1, RSP_MAX_PROFILE_PACKAGE + 1);

	REQUIRE(big != NULL);
	memcpy(big, small_pkg, sizeof(small_pkg));
	CHECK_INT(saip_read(big, RSP_MAX_PROFILE_PACKAGE + 1, &info), SAIP_E_TOO_LARGE);
	free(big);
}

/* Every prefix of a valid package fails with an error for input that ends early. */
static void check_prefixes_rejected(const uint8_t *pkg, size_t len, const char *name)
{
	for (size_t n = 0; n < len; n++) {
		struct saip_info info;
		int rc = saip_read(pkg, n, &info);

		if (rc != SAIP_E_TRUNCATED && rc != SAIP_E_END_MISSING && rc != SAIP_E_EMPTY) {
			test_fail_at(__FILE__, __LINE__,
				     "%s: prefix of %zu bytes of %s returned %d", __func__, n, name,
				     rc);
			return;
		}
	}
}

static void test_truncated_generated_package(void)
{
	size_t len = 0;
	uint8_t *pkg = generate_default(&len);

	REQUIRE(pkg != NULL);
	check_prefixes_rejected(pkg, len, "the generated package");
	check_prefixes_rejected(small_pkg, sizeof(small_pkg), "small_pkg");
	saip_package_free(pkg, len);
}

static void test_truncated_ts48_profile(void)
{
	char *paths[MAX_TS48_FILES];
	int count = ts48_files(paths);
	uint8_t *pkg;
	size_t len;

	if (count <= 0)
		SKIP("TS.48 profiles not found (set RSP_SHARED)");
	pkg = read_file(paths[0], &len);
	CHECK(pkg != NULL);
	if (pkg)
		check_prefixes_rejected(pkg, len, paths[0]);
	free(pkg);
	free_paths(paths, count);
}

/* Returns the tag of the last TLV at the top level of pkg, or 0 when it does not read. */
static uint32_t last_element_tag(const uint8_t *pkg, size_t len)
{
	struct saip_tlv tlv = {0};
	const uint8_t *stop;
	size_t pos = 0;

	while (pos < len) {
		if (saip_tlv_read(pkg + pos, len - pos, &tlv, &stop) != SAIP_OK)
			return 0;
		pos += tlv.raw_len;
	}
	return tlv.tag;
}

static void test_ts48_profiles_read(void)
{
	char *paths[MAX_TS48_FILES];
	int count = ts48_files(paths);

	if (count <= 0)
		SKIP("TS.48 profiles not found (set RSP_SHARED)");
	for (int i = 0; i < count; i++) {
		struct saip_info info;
		size_t len;
		uint8_t *pkg = read_file(paths[i], &len);
		int rc;

		if (!pkg) {
			test_fail_at(__FILE__, __LINE__, "%s: cannot read %s", __func__, paths[i]);
			continue;
		}
		rc = saip_read(pkg, len, &info);
		if (rc != SAIP_OK)
			test_fail_at(__FILE__, __LINE__, "%s: %s: %s at offset %zu", __func__,
				     paths[i], saip_strerror(rc), info.error_offset);
		CHECK_STR(info.iccid, TS48_ICCID);
		CHECK_STR(info.ef_iccid, TS48_ICCID);
		CHECK_INT(info.major_version, 2);
		CHECK_INT(info.type_count[SAIP_PE_HEADER], 1);
		CHECK_INT(info.type_count[SAIP_PE_END], 1);
		CHECK_INT(info.type_count[SAIP_PE_MF], 1);
		CHECK_INT(info.type_count[SAIP_PE_USIM], 1);
		CHECK_INT(last_element_tag(pkg, len), 0xAA);
		free(pkg);
	}
	free_paths(paths, count);
}

/* ---- ICCID rewrite ---- */

static void test_replace_iccid_ts48(void)
{
	char *paths[MAX_TS48_FILES];
	int count = ts48_files(paths);

	if (count <= 0)
		SKIP("TS.48 profiles not found (set RSP_SHARED)");
	for (int i = 0; i < count; i++) {
		char iccid[RSP_ICCID_MAX_DIGITS + 1];
		struct saip_info info;
		size_t len, changed = 0;
		uint8_t *pkg = read_file(paths[i], &len);
		uint8_t *orig = read_file(paths[i], &len);

		if (!pkg || !orig) {
			test_fail_at(__FILE__, __LINE__, "%s: cannot read %s", __func__, paths[i]);
			free(pkg);
			free(orig);
			continue;
		}
		/* A distinct 20-digit ICCID per file: 8988211 and 12 digits from i. */
		snprintf(iccid, sizeof(iccid), "8988211%012d", i);
		iccid[19] = (char)saip_iccid_check_digit(iccid);
		iccid[20] = '\0';

		CHECK_INT(saip_replace_iccid(pkg, len, iccid), SAIP_OK);
		CHECK_INT(saip_read(pkg, len, &info), SAIP_OK);
		CHECK_STR(info.iccid, iccid);
		CHECK_STR(info.ef_iccid, iccid);
		for (size_t j = 0; j < len; j++)
			changed += pkg[j] != orig[j];
		CHECK(changed > 0);
		CHECK(changed <= 2 * RSP_ICCID_LEN);
		free(pkg);
		free(orig);
	}
	free_paths(paths, count);
}

static void test_replace_iccid_generated(void)
{
	struct saip_info info;
	size_t len = 0;
	uint8_t *pkg = generate_default(&len);

	REQUIRE(pkg != NULL);
	CHECK_INT(saip_replace_iccid(pkg, len, TEST_ICCID_20), SAIP_OK);
	CHECK_INT(saip_read(pkg, len, &info), SAIP_OK);
	CHECK_STR(info.iccid, TEST_ICCID_20);
	CHECK_STR(info.ef_iccid, TEST_ICCID_20);

	/* Back to 19 digits: the 'F' padding returns in both places. */
	CHECK_INT(saip_replace_iccid(pkg, len, TEST_ICCID), SAIP_OK);
	CHECK_INT(saip_read(pkg, len, &info), SAIP_OK);
	CHECK_STR(info.iccid, TEST_ICCID);
	CHECK_STR(info.ef_iccid, TEST_ICCID);
	saip_package_free(pkg, len);
}

static void test_replace_iccid_rejects(void)
{
	uint8_t buf[sizeof(small_pkg_split_iccid)];
	struct saip_info info;

	memcpy(buf, small_pkg, sizeof(small_pkg));
	CHECK_INT(saip_replace_iccid(buf, sizeof(small_pkg), "89000123456789012342"),
		  SAIP_E_PARAM_ICCID_CHECK_DIGIT);
	CHECK_INT(saip_replace_iccid(buf, sizeof(small_pkg), "8900"), SAIP_E_PARAM_ICCID);
	CHECK_INT(saip_replace_iccid(buf, SMALL_END_OFFSET, TEST_ICCID), SAIP_E_END_MISSING);
	CHECK_MEM(buf, small_pkg, sizeof(small_pkg));

	/* EF.ICCID content in two pieces: rejected, and nothing is written. */
	memcpy(buf, small_pkg_split_iccid, sizeof(buf));
	CHECK_INT(saip_read(buf, sizeof(buf), &info), SAIP_OK);
	CHECK_INT(saip_replace_iccid(buf, sizeof(buf), TEST_ICCID), SAIP_E_ICCID_LAYOUT);
	CHECK_MEM(buf, small_pkg_split_iccid, sizeof(buf));
}

/* ---- names and messages ---- */

static void test_names_and_messages(void)
{
	CHECK_STR(saip_pe_name(SAIP_PE_HEADER), "header");
	CHECK_STR(saip_pe_name(SAIP_PE_AKA_PARAMETER), "akaParameter");
	CHECK_STR(saip_pe_name(SAIP_PE_USIM), "usim");
	CHECK_STR(saip_pe_name(SAIP_PE_OPT_IOT), "opt-iot");
	CHECK(saip_pe_name(SAIP_PE_TYPE_COUNT) == NULL);
	for (int rc = SAIP_E_ENCODE; rc <= SAIP_OK; rc++) {
		bool gap = (rc < SAIP_E_ICCID_LAYOUT && rc > SAIP_E_PARAM_ICCID);

		if (gap)
			CHECK_STR(saip_strerror(rc), "unknown SAIP status");
		else
			CHECK(strcmp(saip_strerror(rc), "unknown SAIP status") != 0);
	}
}

int main(void)
{
	test_program = "test_saip";
	RUN(test_generate_read_back);
	RUN(test_generate_defaults);
	RUN(test_generate_is_der);
	RUN(test_generate_field_coding);
	RUN(test_imsi_coding);
	RUN(test_iccid_check_digit);
	RUN(test_generate_rejects_params);
	RUN(test_generate_accepts_utf8_type);
	RUN(test_read_small_package);
	RUN(test_read_rejects_malformed);
	RUN(test_read_rejects_order);
	RUN(test_read_rejects_deep_nesting);
	RUN(test_read_rejects_oversize);
	RUN(test_truncated_generated_package);
	RUN(test_truncated_ts48_profile);
	RUN(test_ts48_profiles_read);
	RUN(test_replace_iccid_ts48);
	RUN(test_replace_iccid_generated);
	RUN(test_replace_iccid_rejects);
	RUN(test_names_and_messages);
	return test_finish();
}
