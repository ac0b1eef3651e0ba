/*
 * A minimal test harness shared by the unit and integration test programs.
 *
 * Each case prints one line, "PASS <program>/<case>", "FAIL <program>/<case>: <reason>" or
 * "SKIP <program>/<case>: <reason>". scripts/run-tests.sh counts these lines over all test
 * programs and prints the closing "N passed, N failed, N skipped" line. A program exits 1
 * when one of its cases failed.
 *
 *   static void test_parse_short_input(void) { CHECK(parse(buf, 1) == ERR_TRUNCATED); }
 *   int main(void) { RUN(test_parse_short_input); return test_finish(); }
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_cases, test_passed_cases, test_skipped_cases;
static int test_case_failed, test_case_skipped;
static const char *test_program = "test";

static inline void test_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void test_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (test_case_failed++ > 0)
		return; /* report the first failure of a case; the rest usually follow from it */
	printf("FAIL %s/", test_program);
	fflush(stdout);
	(void)file;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s:%d)\n", file, line);
	fflush(stdout);
}

static inline void test_skip_case(const char *name, const char *reason)
{
	test_case_skipped = 1;
	printf("SKIP %s/%s: %s\n", test_program, name, reason);
	fflush(stdout);
}

static inline void test_run(const char *name, void (*fn)(void))
{
	test_case_failed = 0;
	test_case_skipped = 0;
	fn();
	if (test_case_skipped) {
		test_skipped_cases++;
	} else if (test_case_failed) {
		test_failed_cases++;
	} else {
		test_passed_cases++;
		printf("PASS %s/%s\n", test_program, name);
		fflush(stdout);
	}
}

static inline int test_finish(void)
{
	return test_failed_cases ? 1 : 0;
}

#define RUN(fn) test_run(#fn, fn)

/* Marks the running case as skipped and leaves it. */
#define SKIP(reason)                               \
	do {                                       \
		test_skip_case(__func__, (reason)); \
		return;                            \
	} while (0)

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond))                                                        \
			test_fail_at(__FILE__, __LINE__, "%s: check failed: %s", __func__, #cond); \
	} while (0)

/* Like CHECK, and leaves the case when the condition is false. */
#define REQUIRE(cond)                                                               \
	do {                                                                        \
		if (!(cond)) {                                                      \
			test_fail_at(__FILE__, __LINE__, "%s: requirement failed: %s", __func__, #cond); \
			return;                                                     \
		}                                                                   \
	} while (0)

#define CHECK_INT(actual, expected)                                                  \
	do {                                                                         \
		long long test_a_ = (long long)(actual), test_e_ = (long long)(expected);  \
		if (test_a_ != test_e_)                                                  \
			test_fail_at(__FILE__, __LINE__, "%s: %s is %lld, expected %lld", \
				     __func__, #actual, test_a_, test_e_);               \
	} while (0)

#define CHECK_MEM(actual, expected, len)                                             \
	do {                                                                         \
		if (memcmp((actual), (expected), (len)) != 0)                            \
			test_fail_at(__FILE__, __LINE__, "%s: %s differs from %s", __func__, \
				     #actual, #expected);                                \
	} while (0)

#define CHECK_STR(actual, expected)                                                  \
	do {                                                                         \
		const char *test_as_ = (actual), *test_es_ = (expected);             \
		if (!test_as_ || strcmp(test_as_, test_es_) != 0)                       \
			test_fail_at(__FILE__, __LINE__, "%s: %s is \"%s\", expected \"%s\"", \
				     __func__, #actual, test_as_ ? test_as_ : "(null)", test_es_); \
	} while (0)

#endif
