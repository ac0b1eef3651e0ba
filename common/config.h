/*
 * Configuration files of the servers: "key = value" lines checked against a table of known keys.
 *
 *   # comment (a line starting with '#', or '#' after whitespace outside quotes)
 *   listen = 0.0.0.0:8443
 *   smdp_address = "smdp.example.com"     # double quotes: \" \\ \n \t escapes
 *   tls_key_file = '/etc/rsp/tls key.pem' # single quotes: literal text
 *   session_timeout = 5m                  # duration: ms, s, m, h, d (no unit: seconds)
 *
 * The program defines its keys in a table of struct config_key. A key not in the table, a key
 * set twice, or a value that does not parse as the key's type or lies outside its range is an
 * error whose message names the file, line and key. With CONFIG_ENV_OVERRIDE an environment
 * variable RSP_<KEY> (key upper-cased, '.' and '-' written as '_') replaces the file's value.
 *
 * Values are validated when loaded, so a getter of the right type fails only for an optional
 * key left without value.
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_LINE  4096 /* bytes per line, including the newline */
#define CONFIG_MAX_KEY   64
#define CONFIG_MAX_ERROR 512  /* size of the error message buffer callers pass */

enum config_status {
	CONFIG_OK = 0,
	CONFIG_E_IO = -1,          /* file missing or unreadable */
	CONFIG_E_SYNTAX = -2,      /* a line is not "key = value", or a quote is unterminated */
	CONFIG_E_UNKNOWN_KEY = -3, /* key not in the table */
	CONFIG_E_DUPLICATE = -4,   /* key set twice in the file */
	CONFIG_E_VALUE = -5,       /* value invalid for the key's type or out of range */
	CONFIG_E_MISSING = -6,     /* a required key has no value */
	CONFIG_E_TYPE = -7,        /* getter of the wrong type, or a name not in the table */
	CONFIG_E_NOMEM = -8,
};

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,      /* decimal integer within [min, max] */
	CONFIG_BOOL,     /* true/false, yes/no, on/off, 1/0 */
	CONFIG_DURATION, /* number and unit (ms, s, m, h, d), kept in milliseconds */
};

struct config_key {
	const char *name;
	enum config_type type;
	/* Value used when neither the file nor the environment sets the key, written as in a file;
	 * NULL makes the key required unless CONFIG_KEY_OPTIONAL is set. */
	const char *default_value;
	/* Range of CONFIG_INT and CONFIG_DURATION (milliseconds), unchecked when both are 0. */
	int64_t min, max;
	unsigned flags;
	const char *help; /* one line shown by --help style listings */
};

/* Flag of struct config_key: the key may stay without value (no default, not set). */
#define CONFIG_KEY_OPTIONAL 0x1u

/* Flag of config_load: RSP_<KEY> environment variables replace the file's values. */
#define CONFIG_ENV_OVERRIDE 0x1u

struct config;

/*
 * Loads path (NULL: defaults and environment only) against the keys table, which must outlive
 * the returned object. On failure returns a negative config_status and writes a message such as
 * "smdp.conf:12: unknown key \"listen_adress\"" into err (CONFIG_MAX_ERROR bytes is enough).
 */
int config_load(const char *path, const struct config_key *keys, size_t n_keys, unsigned flags,
		struct config **out, char *err, size_t err_len);

/* Like config_load, reading the text from a buffer; name is used in error messages. */
int config_load_buffer(const char *text, size_t len, const char *name,
		       const struct config_key *keys, size_t n_keys, unsigned flags,
		       struct config **out, char *err, size_t err_len);

void config_free(struct config *cfg);

/*
 * Typed getters. Each returns CONFIG_OK, CONFIG_E_TYPE when name is not in the table or has
 * another type, or CONFIG_E_MISSING for an optional number or boolean key without value. A
 * string stays owned by cfg; an optional string key without value gives NULL and CONFIG_OK.
 */
int config_get_string(const struct config *cfg, const char *name, const char **out);
int config_get_int(const struct config *cfg, const char *name, int64_t *out);
int config_get_bool(const struct config *cfg, const char *name, bool *out);
int config_get_duration_ms(const struct config *cfg, const char *name, int64_t *out);

/* Reports whether the file or the environment set the key (false when only the default applies). */
bool config_is_set(const struct config *cfg, const char *name);

/* Parses a duration such as "250ms", "30s", "5m", "2h", "1d" or "30" (seconds) to milliseconds. */
int config_parse_duration_ms(const char *text, int64_t *out);

/* Parses true/false, yes/no, on/off, 1/0 (case-insensitive). */
int config_parse_bool(const char *text, bool *out);

#endif
