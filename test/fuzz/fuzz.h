/*
 * Shared declarations of the libFuzzer targets in test/fuzz (docs/fuzzing.md lists them).
 *
 * Each fuzz_<name>.c is one target: libFuzzer calls LLVMFuzzerTestOneInput with every input,
 * and the target feeds it to one decoder of the project. AddressSanitizer and
 * UndefinedBehaviorSanitizer catch memory errors, leaks and undefined behaviour; FUZZ_CHECK
 * catches a broken invariant of the decoder, such as a round trip that changes the bytes.
 */
#ifndef TEST_FUZZ_FUZZ_H
#define TEST_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The entry points libFuzzer calls (no header of libFuzzer declares them). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with the failed condition when an invariant does not hold, so that libFuzzer saves
 * the input as a crash reproducer. Active in every build, unlike assert(). */
#define FUZZ_CHECK(cond)                                                               \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* Checks that a char array contains a NUL-terminated string. */
#define FUZZ_CHECK_STRING(array) FUZZ_CHECK(memchr((array), '\0', sizeof(array)) != NULL)

#endif
