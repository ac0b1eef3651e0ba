/*
 * "key = value" configuration files checked against the program's table of keys.
 * The syntax is described in common/config.h.
 */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Upper bound for a configuration file, far above any real one. */
#define CONFIG_MAX_FILE (1024 * 1024)

struct config_value {
	char *text; /* NULL: no value (optional key without default) */
	bool set;   /* from the file or the environment */
	int64_t number;
	bool flag;
};

struct config {
	const struct config_key *keys;
	size_t n_keys;
	struct config_value *values;
};

static void set_error(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static long find_key(const struct config_key *keys, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
			return (long)i;
	}
	return -1;
}

int config_parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return CONFIG_OK;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return CONFIG_OK;
		}
	}
	return CONFIG_E_VALUE;
}

static int parse_int64(const char *text, int64_t *out, const char **end)
{
	bool negative = text[0] == '-';
	char *e;
	long long v;

	if (!isdigit((unsigned char)text[negative ? 1 : 0]))
		return CONFIG_E_VALUE;
	errno = 0;
	v = strtoll(text, &e, 10);
	if (errno == ERANGE)
		return CONFIG_E_VALUE;
	*out = v;
	*end = e;
	return CONFIG_OK;
}

int config_parse_duration_ms(const char *text, int64_t *out)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
		{ "", 1000 },
	};
	const char *end;
	int64_t v;

	if (parse_int64(text, &v, &end) != CONFIG_OK || v < 0)
		return CONFIG_E_VALUE;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].ms)
			return CONFIG_E_VALUE;
		*out = v * units[i].ms;
		return CONFIG_OK;
	}
	return CONFIG_E_VALUE;
}

static bool has_range(const struct config_key *key)
{
	return key->min != 0 || key->max != 0;
}

/* Checks text against the key's type and stores the parsed form; text is taken over. */
static int store_value(const struct config_key *key, struct config_value *val, char *text,
		       bool set, const char *where, char *err, size_t err_len)
{
	const char *end;
	int64_t number = 0;
	bool flag = false;
	int rc = CONFIG_OK;

	switch (key->type) {
	case CONFIG_STRING:
		break;
	case CONFIG_INT:
		if (parse_int64(text, &number, &end) != CONFIG_OK || *end != '\0') {
			set_error(err, err_len, "%s: key \"%s\": \"%s\" is not a decimal integer",
				  where, key->name, text);
			rc = CONFIG_E_VALUE;
		}
		break;
	case CONFIG_BOOL:
		if (config_parse_bool(text, &flag) != CONFIG_OK) {
			set_error(err, err_len,
				  "%s: key \"%s\": \"%s\" is not a boolean (use true or false)",
				  where, key->name, text);
			rc = CONFIG_E_VALUE;
		}
		break;
	case CONFIG_DURATION:
		if (config_parse_duration_ms(text, &number) != CONFIG_OK) {
			set_error(err, err_len,
				  "%s: key \"%s\": \"%s\" is not a duration "
				  "(e.g. 500ms, 30s, 5m, 2h, 1d)",
				  where, key->name, text);
			rc = CONFIG_E_VALUE;
		}
		break;
	}
	if (rc == CONFIG_OK && (key->type == CONFIG_INT || key->type == CONFIG_DURATION) &&
	    has_range(key) && (number < key->min || number > key->max)) {
		set_error(err, err_len, "%s: key \"%s\": %s is outside the range %lld..%lld%s",
			  where, key->name, text, (long long)key->min, (long long)key->max,
			  key->type == CONFIG_DURATION ? " milliseconds" : "");
		rc = CONFIG_E_VALUE;
	}
	if (rc != CONFIG_OK) {
		free(text);
		return rc;
	}
	free(val->text);
	val->text = text;
	val->set = set;
	val->number = number;
	val->flag = flag;
	return CONFIG_OK;
}

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Parses a double-quoted value starting after the quote; *p is left after the closing quote. */
static int parse_double_quoted(const char **p, char *out, size_t out_size)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && *s != '"') {
		char c = *s++;

		if (c == '\\') {
			switch (*s) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			default: return CONFIG_E_SYNTAX;
			}
			s++;
		}
		if (n + 1 >= out_size)
			return CONFIG_E_SYNTAX;
		out[n++] = c;
	}
	if (*s != '"')
		return CONFIG_E_SYNTAX;
	out[n] = '\0';
	*p = s + 1;
	return CONFIG_OK;
}

/*
 * Splits one line into key and value. Returns CONFIG_OK with *key_len 0 for a blank or comment
 * line. value receives the unquoted text.
 */
static int parse_line(const char *line, const char **key, size_t *key_len, char *value,
		      size_t value_size, const char **problem)
{
	const char *p = line;
	const char *start;

	*key_len = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return CONFIG_OK;

	start = p;
	while (is_key_char(*p))
		p++;
	if (p == start) {
		*problem = "expected a key (letters, digits, '_', '.', '-')";
		return CONFIG_E_SYNTAX;
	}
	*key = start;
	*key_len = (size_t)(p - start);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=') {
		*problem = "expected '=' after the key";
		return CONFIG_E_SYNTAX;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;

	if (*p == '"' || *p == '\'') {
		char quote = *p++;

		if (quote == '"') {
			if (parse_double_quoted(&p, value, value_size) != CONFIG_OK) {
				*problem = "unterminated double quote or unknown escape";
				return CONFIG_E_SYNTAX;
			}
		} else {
			const char *close = strchr(p, '\'');

			if (!close || (size_t)(close - p) >= value_size) {
				*problem = "unterminated single quote";
				return CONFIG_E_SYNTAX;
			}
			memcpy(value, p, (size_t)(close - p));
			value[close - p] = '\0';
			p = close + 1;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			*problem = "unexpected text after the quoted value";
			return CONFIG_E_SYNTAX;
		}
		return CONFIG_OK;
	}

	/* Unquoted: up to a '#' that follows whitespace, trailing whitespace removed. */
	start = p;
	while (*p && !(*p == '#' && (p == start || p[-1] == ' ' || p[-1] == '\t')))
		p++;
	while (p > start && isspace((unsigned char)p[-1]))
		p--;
	if ((size_t)(p - start) >= value_size) {
		*problem = "value too long";
		return CONFIG_E_SYNTAX;
	}
	memcpy(value, start, (size_t)(p - start));
	value[p - start] = '\0';
	return CONFIG_OK;
}

static int parse_text(struct config *cfg, const char *text, size_t len, const char *name,
		      char *err, size_t err_len)
{
	char line[CONFIG_MAX_LINE];
	char value[CONFIG_MAX_LINE];
	char where[300];
	size_t pos = 0;
	int lineno = 0;

	if (memchr(text, '\0', len)) {
		set_error(err, err_len, "%s: contains a NUL byte", name);
		return CONFIG_E_SYNTAX;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *key = NULL;
		const char *problem = "invalid line";
		size_t key_len;
		long idx;
		char *copy;
		int rc;

		lineno++;
		if (line_len >= sizeof(line)) {
			set_error(err, err_len, "%s:%d: line longer than %d bytes", name, lineno,
				  CONFIG_MAX_LINE - 1);
			return CONFIG_E_SYNTAX;
		}
		memcpy(line, text + pos, line_len);
		line[line_len] = '\0';
		if (line_len > 0 && line[line_len - 1] == '\r')
			line[line_len - 1] = '\0';
		pos += line_len + (nl ? 1 : 0);

		if (parse_line(line, &key, &key_len, value, sizeof(value), &problem) != CONFIG_OK) {
			set_error(err, err_len, "%s:%d: %s", name, lineno, problem);
			return CONFIG_E_SYNTAX;
		}
		if (key_len == 0)
			continue;
		idx = find_key(cfg->keys, cfg->n_keys, key, key_len);
		if (idx < 0) {
			set_error(err, err_len, "%s:%d: unknown key \"%.*s\"", name, lineno,
				  (int)(key_len > CONFIG_MAX_KEY ? CONFIG_MAX_KEY : key_len), key);
			return CONFIG_E_UNKNOWN_KEY;
		}
		if (cfg->values[idx].set) {
			set_error(err, err_len, "%s:%d: key \"%s\" is set twice", name, lineno,
				  cfg->keys[idx].name);
			return CONFIG_E_DUPLICATE;
		}
		copy = strdup(value);
		if (!copy)
			return CONFIG_E_NOMEM;
		snprintf(where, sizeof(where), "%s:%d", name, lineno);
		rc = store_value(&cfg->keys[idx], &cfg->values[idx], copy, true, where, err,
				 err_len);
		if (rc != CONFIG_OK)
			return rc;
	}
	return CONFIG_OK;
}

/* RSP_<KEY>: the key upper-cased with '.' and '-' written as '_'. */
static void env_name(const char *key, char *out, size_t out_size)
{
	size_t n = 0;

	n = (size_t)snprintf(out, out_size, "RSP_");
	for (; *key && n + 1 < out_size; key++) {
		char c = *key;

		out[n++] = (c == '.' || c == '-') ? '_' : (char)toupper((unsigned char)c);
	}
	out[n] = '\0';
}

static int apply_env_and_defaults(struct config *cfg, unsigned flags, char *err, size_t err_len)
{
	char name[CONFIG_MAX_KEY + 8];
	char where[CONFIG_MAX_KEY + 32];

	for (size_t i = 0; i < cfg->n_keys; i++) {
		const struct config_key *key = &cfg->keys[i];
		struct config_value *val = &cfg->values[i];
		const char *env = NULL;
		char *copy;
		int rc;

		if (flags & CONFIG_ENV_OVERRIDE) {
			env_name(key->name, name, sizeof(name));
			env = getenv(name);
		}
		if (env) {
			snprintf(where, sizeof(where), "environment %s", name);
			copy = strdup(env);
			if (!copy)
				return CONFIG_E_NOMEM;
			rc = store_value(key, val, copy, true, where, err, err_len);
			if (rc != CONFIG_OK)
				return rc;
			continue;
		}
		if (val->set)
			continue;
		if (key->default_value) {
			copy = strdup(key->default_value);
			if (!copy)
				return CONFIG_E_NOMEM;
			rc = store_value(key, val, copy, false, "default", err, err_len);
			if (rc != CONFIG_OK)
				return rc;
			continue;
		}
		if (!(key->flags & CONFIG_KEY_OPTIONAL)) {
			set_error(err, err_len, "missing required key \"%s\" (%s)", key->name,
				  key->help ? key->help : "no default");
			return CONFIG_E_MISSING;
		}
	}
	return CONFIG_OK;
}

int config_load_buffer(const char *text, size_t len, const char *name,
		       const struct config_key *keys, size_t n_keys, unsigned flags,
		       struct config **out, char *err, size_t err_len)
{
	struct config *cfg = NULL;
	int rc;

	*out = NULL;
	set_error(err, err_len, "%s", "");
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return CONFIG_E_NOMEM;
	cfg->keys = keys;
	cfg->n_keys = n_keys;
	cfg->values = calloc(n_keys ? n_keys : 1, sizeof(*cfg->values));
	if (!cfg->values) {
		rc = CONFIG_E_NOMEM;
		goto out;
	}
	if (text) {
		rc = parse_text(cfg, text, len, name ? name : "config", err, err_len);
		if (rc != CONFIG_OK)
			goto out;
	}
	rc = apply_env_and_defaults(cfg, flags, err, err_len);
	if (rc != CONFIG_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
out:
	if (rc == CONFIG_E_NOMEM)
		set_error(err, err_len, "out of memory while reading the configuration");
	config_free(cfg);
	return rc;
}

static int read_file(const char *path, char **out, size_t *out_len, char *err, size_t err_len)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n = 0;
	int rc = CONFIG_E_IO;

	f = fopen(path, "rb");
	if (!f) {
		set_error(err, err_len, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc(CONFIG_MAX_FILE + 1);
	if (!buf) {
		rc = CONFIG_E_NOMEM;
		goto out;
	}
	n = fread(buf, 1, CONFIG_MAX_FILE + 1, f);
	if (ferror(f)) {
		set_error(err, err_len, "%s: read failed: %s", path, strerror(errno));
		goto out;
	}
	if (n > CONFIG_MAX_FILE) {
		set_error(err, err_len, "%s: larger than %d bytes", path, CONFIG_MAX_FILE);
		goto out;
	}
	*out = buf;
	*out_len = n;
	buf = NULL;
	rc = CONFIG_OK;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

int config_load(const char *path, const struct config_key *keys, size_t n_keys, unsigned flags,
		struct config **out, char *err, size_t err_len)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (path) {
		rc = read_file(path, &text, &len, err, err_len);
		if (rc != CONFIG_OK)
			return rc;
	}
	rc = config_load_buffer(text, len, path, keys, n_keys, flags, out, err, err_len);
	free(text);
	return rc;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	if (cfg->values) {
		for (size_t i = 0; i < cfg->n_keys; i++)
			free(cfg->values[i].text);
		free(cfg->values);
	}
	free(cfg);
}

static const struct config_value *lookup(const struct config *cfg, const char *name,
					 enum config_type type)
{
	long idx = find_key(cfg->keys, cfg->n_keys, name, strlen(name));

	if (idx < 0 || cfg->keys[idx].type != type)
		return NULL;
	return &cfg->values[idx];
}

int config_get_string(const struct config *cfg, const char *name, const char **out)
{
	const struct config_value *val = lookup(cfg, name, CONFIG_STRING);

	if (!val)
		return CONFIG_E_TYPE;
	*out = val->text;
	return CONFIG_OK;
}

static int get_number(const struct config *cfg, const char *name, enum config_type type,
		      int64_t *out)
{
	const struct config_value *val = lookup(cfg, name, type);

	if (!val)
		return CONFIG_E_TYPE;
	if (!val->text)
		return CONFIG_E_MISSING;
	*out = val->number;
	return CONFIG_OK;
}

int config_get_int(const struct config *cfg, const char *name, int64_t *out)
{
	return get_number(cfg, name, CONFIG_INT, out);
}

int config_get_duration_ms(const struct config *cfg, const char *name, int64_t *out)
{
	return get_number(cfg, name, CONFIG_DURATION, out);
}

int config_get_bool(const struct config *cfg, const char *name, bool *out)
{
	const struct config_value *val = lookup(cfg, name, CONFIG_BOOL);

	if (!val)
		return CONFIG_E_TYPE;
	if (!val->text)
		return CONFIG_E_MISSING;
	*out = val->flag;
	return CONFIG_OK;
}

bool config_is_set(const struct config *cfg, const char *name)
{
	long idx = find_key(cfg->keys, cfg->n_keys, name, strlen(name));

	return idx >= 0 && cfg->values[idx].set;
}
