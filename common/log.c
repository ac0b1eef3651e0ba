/*
 * Logging: formats one line per call and writes it whole under a lock to stderr and, when
 * opened, to a file. See common/log.h for the line format and the repeat counting.
 */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static _Atomic int current_level = LOG_LEVEL_INFO;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;

/* The last error or warning line written (without timestamp) and how often it came again. */
static char last_line[LOG_MAX_LINE];
static unsigned long repeat_count;
static time_t repeat_since;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "ERROR",
	[LOG_LEVEL_WARN] = "WARN",
	[LOG_LEVEL_INFO] = "INFO",
	[LOG_LEVEL_DEBUG] = "DEBUG",
};

void log_set_level(enum log_level level)
{
	atomic_store(&current_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load_explicit(&current_level, memory_order_relaxed);
}

int log_level_parse(const char *text, enum log_level *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	if (!text)
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void emit_locked(const char *line)
{
	fputs(line, stderr);
	fflush(stderr);
	if (log_file) {
		fputs(line, log_file);
		fflush(log_file);
	}
}

static size_t format_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return 0;
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000L);
	return strlen(buf);
}

/* Writes the count of a pending run of repeated lines; the caller holds log_lock. */
static void flush_repeats_locked(void)
{
	char stamp[40];
	char line[LOG_MAX_LINE + 96];

	if (repeat_count == 0)
		return;
	format_time(stamp, sizeof(stamp));
	snprintf(line, sizeof(line), "%s %s [repeated %lu more times]\n", stamp,
		 last_line, repeat_count);
	emit_locked(line);
	repeat_count = 0;
}

int log_open_file(const char *path)
{
	FILE *f = NULL;

	if (path) {
		f = fopen(path, "a");
		if (!f)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
	}
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	flush_repeats_locked();
	last_line[0] = '\0';
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

static const char *or_dash(const char *s)
{
	return (s && *s) ? s : "-";
}

/* Replaces control characters (a newline from a client value could forge a log line). */
static void sanitize(char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

void log_write(enum log_level level, const char *subsys, const struct log_ctx *ctx,
	       const char *fmt, ...)
{
	char body[LOG_MAX_LINE];
	char stamp[40];
	char line[LOG_MAX_LINE + 48];
	size_t n = 0;
	int r;
	va_list ap;

	if ((int)level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_ERROR;

	/* The part after the timestamp, which is also what repeat detection compares. */
	r = snprintf(body, sizeof(body), "%s %s ", level_names[level], subsys ? subsys : "-");
	if (r > 0)
		n = (size_t)r < sizeof(body) ? (size_t)r : sizeof(body) - 1;
	if (ctx) {
		r = snprintf(body + n, sizeof(body) - n, "[%s][%s] %s: ",
			     or_dash(ctx->transaction_id), or_dash(ctx->subject),
			     or_dash(ctx->function));
		if (r > 0)
			n += (size_t)r < sizeof(body) - n ? (size_t)r : sizeof(body) - n - 1;
	}
	va_start(ap, fmt);
	r = vsnprintf(body + n, sizeof(body) - n, fmt, ap);
	va_end(ap);
	if (r > 0 && (size_t)r >= sizeof(body) - n)
		memcpy(body + sizeof(body) - 4, "...", 4);
	sanitize(body);

	format_time(stamp, sizeof(stamp));
	snprintf(line, sizeof(line), "%s %s\n", stamp, body);

	pthread_mutex_lock(&log_lock);
	if (level <= LOG_LEVEL_WARN && strcmp(body, last_line) == 0) {
		time_t now = time(NULL);

		if (repeat_count == 0)
			repeat_since = now;
		repeat_count++;
		if (now - repeat_since >= LOG_REPEAT_FLUSH_SECONDS)
			flush_repeats_locked();
		pthread_mutex_unlock(&log_lock);
		return;
	}
	flush_repeats_locked();
	if (level <= LOG_LEVEL_WARN)
		memcpy(last_line, body, sizeof(last_line));
	else
		last_line[0] = '\0';
	emit_locked(line);
	pthread_mutex_unlock(&log_lock);
}
