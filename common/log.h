/*
 * Logging for the servers and tools: one line per event on stderr (and optionally a file).
 *
 * Every line reads
 *
 *   2024-12-04T20:00:00.123Z ERROR es9 [0A1B...][89049032...] ES9+/authenticateClient: text
 *
 * that is a UTC timestamp, the level, the subsystem, and the request context: the
 * transactionId, the EID or matchingId, and the interface/function being served. Lines that
 * belong to no request (start, stop, configuration) pass a NULL context and omit the brackets.
 * Context fields that are not known yet print as "-".
 *
 * The level is checked before the arguments are formatted, so a disabled debug line costs one
 * comparison. Lines are written whole under a lock, so threads never interleave within a line.
 * An error or warning line identical to the one before (ignoring the timestamp) is counted
 * instead of written, and the count is reported with the next different line or after
 * LOG_REPEAT_FLUSH_SECONDS.
 *
 * Never pass secrets: private keys, session keys (S-ENC, S-MAC, PPK), confirmation codes or
 * profile contents. Log their length or a fingerprint instead.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/* Maximum length of one formatted line; longer lines end in "...". */
#define LOG_MAX_LINE 2048

/* A suppressed run of identical lines is reported at the latest after this many seconds. */
#define LOG_REPEAT_FLUSH_SECONDS 10

/*
 * The request a log line belongs to. All fields may be NULL. The strings are not copied and
 * must outlive the log call only.
 */
struct log_ctx {
	const char *transaction_id; /* hex transactionId of the RSP session */
	const char *subject;        /* EID, matchingId or ICCID identifying the order */
	const char *function;       /* interface and function, e.g. "ES9+/authenticateClient" */
};

/* Sets the most verbose level written; the default is LOG_LEVEL_INFO. Thread-safe. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parses "error", "warn", "info" or "debug"; returns 0, or -1 for any other text. */
int log_level_parse(const char *text, enum log_level *out);

/*
 * Opens a file to which every line is appended in addition to stderr; path NULL closes the
 * current file. Returns 0, or -1 with errno set when the file cannot be opened.
 */
int log_open_file(const char *path);

/* Writes a pending repeat count and closes the log file. */
void log_close(void);

static inline bool log_enabled(enum log_level level)
{
	return level <= log_get_level();
}

/* Formats and writes one line; use the LOG_* macros, which check the level first. */
void log_write(enum log_level level, const char *subsys, const struct log_ctx *ctx,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * LOG_ERROR(subsys, ctx, fmt, ...) and its siblings. subsys is a short lowercase name of the
 * part of the program ("http", "db", "es9", "es2", "main"). ctx is a const struct log_ctx *
 * or NULL.
 */
#define LOG_AT(level, subsys, ctx, ...)                                 \
	do {                                                            \
		if (log_enabled(level))                                 \
			log_write((level), (subsys), (ctx), __VA_ARGS__); \
	} while (0)

#define LOG_ERROR(subsys, ctx, ...) LOG_AT(LOG_LEVEL_ERROR, subsys, ctx, __VA_ARGS__)
#define LOG_WARN(subsys, ctx, ...)  LOG_AT(LOG_LEVEL_WARN, subsys, ctx, __VA_ARGS__)
#define LOG_INFO(subsys, ctx, ...)  LOG_AT(LOG_LEVEL_INFO, subsys, ctx, __VA_ARGS__)
#define LOG_DEBUG(subsys, ctx, ...) LOG_AT(LOG_LEVEL_DEBUG, subsys, ctx, __VA_ARGS__)

#endif
