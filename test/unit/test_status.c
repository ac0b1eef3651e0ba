/*
 * Unit tests of common/status: the SGP.22 status table is complete (every enum value declared
 * in common/status.h has one row), its codes are well formed, and two values share a code pair
 * only where common/status.c lists the pair as shared on purpose.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/status.h"
#include "test/harness.h"

/* The code pairs that several enum values share on purpose (listed in common/status.c). */
static const char *const shared_pairs[] = {
	"1.3.1/2.1", "8.1/6.1", "8.1.3/6.1", "8.2.1/3.5", "8.9/4.2",
};

static bool code_well_formed(const char *code)
{
	/* One to four dot-separated numbers without leading zeros, e.g. "8", "8.10.1", "3.10". */
	int parts = 0;
	const char *p = code;

	if (!code || !*code)
		return false;
	for (;;) {
		if (!isdigit((unsigned char)*p) || (*p == '0' && isdigit((unsigned char)p[1])))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
		parts++;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			return false;
	}
	return parts <= 4;
}

static void test_code_format_checker(void)
{
	CHECK(code_well_formed("8.10.1"));
	CHECK(code_well_formed("8"));
	CHECK(!code_well_formed("8."));
	CHECK(!code_well_formed(".8"));
	CHECK(!code_well_formed("8.01"));
	CHECK(!code_well_formed("8.a"));
	CHECK(!code_well_formed(""));
}

static void test_rows_well_formed(void)
{
	REQUIRE(status_count() > 1);
	for (size_t i = 0; i < status_count(); i++) {
		const struct status_entry *e = status_at(i);

		REQUIRE(e != NULL);
		if (!e->name || strncmp(e->name, "RSP_", 4) != 0)
			test_fail_at(__FILE__, __LINE__, "%s: row %zu has no enum name", __func__,
				     i);
		if (!e->message || !*e->message)
			test_fail_at(__FILE__, __LINE__, "%s: %s has no message", __func__,
				     e->name);
		if (e->status == RSP_OK) {
			CHECK(e->subject_code == NULL);
			CHECK(e->reason_code == NULL);
			continue;
		}
		if (e->status >= 0)
			test_fail_at(__FILE__, __LINE__, "%s: %s is not negative", __func__,
				     e->name);
		if (!code_well_formed(e->subject_code) || !code_well_formed(e->reason_code))
			test_fail_at(__FILE__, __LINE__, "%s: %s has codes \"%s\"/\"%s\"", __func__,
				     e->name, e->subject_code ? e->subject_code : "(null)",
				     e->reason_code ? e->reason_code : "(null)");
		if (e->http_code != 200 && e->http_code != 400 && e->http_code != 404 &&
		    e->http_code != 405 && e->http_code != 413)
			test_fail_at(__FILE__, __LINE__, "%s: %s has HTTP code %d", __func__,
				     e->name, e->http_code);
	}
	CHECK(status_at(status_count()) == NULL);
}

static void test_values_and_names_unique(void)
{
	for (size_t i = 0; i < status_count(); i++) {
		for (size_t j = i + 1; j < status_count(); j++) {
			if (status_at(i)->status == status_at(j)->status ||
			    strcmp(status_at(i)->name, status_at(j)->name) == 0)
				test_fail_at(__FILE__, __LINE__, "%s: rows %zu and %zu repeat %s",
					     __func__, i, j, status_at(i)->name);
		}
	}
}

static bool pair_shared_on_purpose(const char *pair)
{
	for (size_t i = 0; i < sizeof(shared_pairs) / sizeof(shared_pairs[0]); i++) {
		if (strcmp(pair, shared_pairs[i]) == 0)
			return true;
	}
	return false;
}

static void test_code_pairs_distinct(void)
{
	for (size_t i = 1; i < status_count(); i++) {
		const struct status_entry *a = status_at(i);
		char pair[64];

		snprintf(pair, sizeof(pair), "%s/%s", a->subject_code, a->reason_code);
		for (size_t j = i + 1; j < status_count(); j++) {
			const struct status_entry *b = status_at(j);

			if (strcmp(a->subject_code, b->subject_code) != 0 ||
			    strcmp(a->reason_code, b->reason_code) != 0)
				continue;
			if (!pair_shared_on_purpose(pair))
				test_fail_at(__FILE__, __LINE__, "%s: %s and %s share %s", __func__,
					     a->name, b->name, pair);
		}
	}
}

static void test_lookup_every_row(void)
{
	for (size_t i = 0; i < status_count(); i++) {
		const struct status_entry *e = status_at(i);

		CHECK(status_lookup(e->status) == e);
		CHECK_STR(status_name(e->status), e->name);
	}
	CHECK_STR(status_lookup((enum rsp_status)-12345)->name, "RSP_E_INTERNAL");
	CHECK_STR(status_lookup((enum rsp_status)7)->name, "RSP_E_INTERNAL");
}

static void test_key_codes(void)
{
	const struct status_entry *e = status_lookup(RSP_E_TRANSACTION_UNKNOWN);

	CHECK_STR(e->subject_code, "8.10.1");
	CHECK_STR(e->reason_code, "3.9");
	e = status_lookup(RSP_E_INTERNAL);
	CHECK_STR(e->subject_code, "1.2");
	CHECK_STR(e->reason_code, "4.2");
	e = status_lookup(RSP_E_PROTOCOL_VERSION);
	CHECK_STR(e->subject_code, "1.3.2");
	CHECK_STR(e->reason_code, "3.1");
	e = status_lookup(RSP_E_FIELD_MISSING);
	CHECK_STR(e->reason_code, "2.2");
	e = status_lookup(RSP_E_SMDP_OID_MISMATCH);
	CHECK_STR(e->subject_code, "8.8");
	CHECK_STR(e->reason_code, "3.10");
	e = status_lookup(RSP_E_ORDER_EXPIRED);
	CHECK_STR(e->subject_code, "8.8.5");
	CHECK_STR(e->reason_code, "4.10");
	e = status_lookup(RSP_E_PROFILE_NOT_RELEASABLE);
	CHECK_STR(e->reason_code, "3.5");
}

/* Reads common/status.h from the checkout ($RSP_REPO, else the working folder). */
static char *read_status_header(void)
{
	const char *repo = getenv("RSP_REPO");
	char path[4096];
	FILE *f;
	char *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/common/status.h", repo ? repo : ".");
	f = fopen(path, "r");
	if (!f)
		return NULL;
	buf = calloc(1, 65536);
	if (buf) {
		n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

static void test_every_enum_value_has_row(void)
{
	char *header = read_status_header();
	regex_t re;
	regmatch_t m[2];
	const char *p;
	size_t declared = 0;

	if (!header)
		SKIP("common/status.h not found (run from the checkout or set RSP_REPO)");
	REQUIRE(regcomp(&re, "(RSP_(OK|E_[A-Z0-9_]+)) = ", REG_EXTENDED) == 0);
	for (p = header; regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo) {
		char name[80];
		size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);
		bool found = false;

		snprintf(name, sizeof(name), "%.*s", (int)len, p + m[1].rm_so);
		declared++;
		for (size_t i = 0; i < status_count(); i++)
			found = found || strcmp(status_at(i)->name, name) == 0;
		if (!found)
			test_fail_at(__FILE__, __LINE__, "%s: %s has no row in the status table",
				     __func__, name);
	}
	CHECK(declared > 50);
	CHECK_INT(status_count(), declared);
	regfree(&re);
	free(header);
}

static void test_failed_response_body(void)
{
	cJSON *body = status_response(RSP_E_CC_REFUSED, "attempt 2 of 5");
	char *text = json_print(body, NULL);

	CHECK_STR(text, "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\","
			"\"statusCodeData\":{\"subjectCode\":\"8.2.7\",\"reasonCode\":\"3.8\","
			"\"message\":\"Confirmation Code refused: attempt 2 of 5\"}}}}");
	cJSON_free(text);
	cJSON_Delete(body);

	body = status_response(RSP_E_TRANSACTION_UNKNOWN, NULL);
	text = json_print(body, NULL);
	CHECK_STR(text, "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\","
			"\"statusCodeData\":{\"subjectCode\":\"8.10.1\",\"reasonCode\":\"3.9\","
			"\"message\":\"TransactionId unknown\"}}}}");
	cJSON_free(text);
	cJSON_Delete(body);
}

static void test_success_response_body(void)
{
	cJSON *body = status_response(RSP_OK, "ignored");
	char *text = json_print(body, NULL);

	CHECK_STR(text,
		  "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Executed-Success\"}}}");
	cJSON_free(text);
	cJSON_Delete(body);
}

int main(void)
{
	test_program = "test_status";
	RUN(test_code_format_checker);
	RUN(test_rows_well_formed);
	RUN(test_values_and_names_unique);
	RUN(test_code_pairs_distinct);
	RUN(test_lookup_every_row);
	RUN(test_key_codes);
	RUN(test_every_enum_value_has_row);
	RUN(test_failed_response_body);
	RUN(test_success_response_body);
	return test_finish();
}
