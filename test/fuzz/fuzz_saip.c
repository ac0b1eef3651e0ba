/*
 * Fuzz target: the SAIP profile package reader, saip_read (saip/saip.h), and
 * saip_replace_iccid on every package it accepts.
 *
 * Invariants: the strings of struct saip_info are NUL-terminated and the element counts add
 * up. When a package is accepted, giving it a new ICCID keeps its length. The package then
 * still reads, with the new ICCID in the header and in EF.ICCID (when PE-MF carried a
 * readable one), and every other reported value stays the same.
 */
#include <string.h>

#include "saip/saip.h"
#include "test/fuzz/fuzz.h"

/* A valid ICCID (Luhn check digit 7) that no generated seed uses. */
static const char new_iccid[] = "8999990000000000007";

static void check_info(const struct saip_info *info, int rc)
{
	size_t sum = 0;

	FUZZ_CHECK_STRING(info->iccid);
	FUZZ_CHECK_STRING(info->profile_type);
	FUZZ_CHECK_STRING(info->ef_iccid);
	FUZZ_CHECK_STRING(info->imsi);
	for (size_t i = 0; i < SAIP_PE_TYPE_COUNT; i++)
		sum += info->type_count[i];
	FUZZ_CHECK(sum == info->element_count);
	if (rc == SAIP_OK) {
		FUZZ_CHECK(info->type_count[SAIP_PE_HEADER] == 1);
		FUZZ_CHECK(info->type_count[SAIP_PE_END] >= 1);
		FUZZ_CHECK(info->iccid[0] != '\0');
	}
}

static void check_replace(const uint8_t *data, size_t size, const struct saip_info *before)
{
	struct saip_info after;
	uint8_t *copy;
	int rc;

	copy = malloc(size);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	rc = saip_replace_iccid(copy, size, new_iccid);
	FUZZ_CHECK(rc == SAIP_OK || rc == SAIP_E_ICCID_LAYOUT || rc == SAIP_E_DECODE);
	if (rc != SAIP_OK) {
		/* Nothing is written unless the call succeeds. */
		FUZZ_CHECK(memcmp(copy, data, size) == 0);
		free(copy);
		return;
	}

	rc = saip_read(copy, size, &after);
	FUZZ_CHECK(rc == SAIP_OK);
	check_info(&after, rc);
	FUZZ_CHECK(strcmp(after.iccid, new_iccid) == 0);
	/* EF.ICCID is rewritten in the first PE-MF only, which is the one saip_read reports
	 * when the package has a single PE-MF. */
	if (before->ef_iccid[0] && before->type_count[SAIP_PE_MF] == 1)
		FUZZ_CHECK(strcmp(after.ef_iccid, new_iccid) == 0);
	FUZZ_CHECK(after.major_version == before->major_version);
	FUZZ_CHECK(after.minor_version == before->minor_version);
	FUZZ_CHECK(strcmp(after.profile_type, before->profile_type) == 0);
	FUZZ_CHECK(strcmp(after.imsi, before->imsi) == 0);
	FUZZ_CHECK(after.aka_algorithm == before->aka_algorithm);
	FUZZ_CHECK(after.element_count == before->element_count);
	FUZZ_CHECK(memcmp(after.type_count, before->type_count, sizeof(after.type_count)) == 0);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saip_info info;
	int rc;

	/* Fill the output with junk first, so that a field left unset shows. */
	memset(&info, 0xA5, sizeof(info));
	rc = saip_read(data, size, &info);
	FUZZ_CHECK(rc <= 0 && rc >= SAIP_E_ICCID_LAYOUT);
	check_info(&info, rc);
	if (rc != SAIP_OK) {
		FUZZ_CHECK(info.error_offset <= size);
		return 0;
	}
	check_replace(data, size, &info);
	return 0;
}
