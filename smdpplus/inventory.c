/*
 * The SM-DP+ profile inventory (see inventory.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/ident.h"
#include "common/log.h"
#include "saip/saip.h"
#include "smdpplus/inventory.h"
#include "smdpplus/store.h"

#define DEFAULT_PROFILE_TYPE "default"
#define DEFAULT_SPN "eSIM RSP"

struct inventory {
	struct db *db;
	char error[512];
};

static int set_error(struct inventory *inv, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct inventory *inv, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inv->error, sizeof(inv->error), fmt, ap);
	va_end(ap);
	return status;
}

static int db_status(struct inventory *inv, struct db_conn *conn, int rc)
{
	if (rc == DB_E_NOT_FOUND)
		return INVENTORY_E_NOT_FOUND;
	if (rc == DB_E_NOMEM)
		return INVENTORY_E_NOMEM;
	return set_error(inv, INVENTORY_E_DB, "%s", conn ? db_conn_error(conn) : "no connection");
}

int inventory_open(const char *conninfo, struct inventory **out)
{
	struct inventory *inv;
	char dir[4096], err[DB_MAX_ERROR];
	int rc;

	*out = NULL;
	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return INVENTORY_E_NOMEM;
	store_sql_dir(dir, sizeof(dir));
	rc = db_migrate(conninfo, dir, NULL, err, sizeof(err));
	if (rc != DB_OK) {
		LOG_ERROR("inventory", NULL, "schema migration from %s failed: %s", dir, err);
		free(inv);
		return INVENTORY_E_DB;
	}
	rc = db_open(conninfo, store_statements, store_statement_count, 1, &inv->db);
	if (rc != DB_OK) {
		free(inv);
		return INVENTORY_E_DB;
	}
	*out = inv;
	return INVENTORY_OK;
}

void inventory_close(struct inventory *inv)
{
	if (!inv)
		return;
	db_close(inv->db);
	free(inv);
}

/* Checks a text option: at most max bytes, no control characters. */
static bool valid_text(const char *s, size_t max)
{
	if (strlen(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static const char *or_default(const char *value, const char *fallback)
{
	return value && *value ? value : fallback;
}

int inventory_import(struct inventory *inv, const uint8_t *package, size_t len,
		     const struct inventory_import_opts *opts, struct inventory_profile *out)
{
	static const struct inventory_import_opts none = { 0 };
	struct saip_info info;
	struct store_new_profile np;
	uint8_t sha[CRYPTO_SHA256_LEN];
	struct db_conn *conn = NULL;
	const char *type, *spn, *name, *op;
	int rc;

	inv->error[0] = '\0';
	if (!opts)
		opts = &none;
	if (len > RSP_MAX_PROFILE_PACKAGE)
		return set_error(inv, INVENTORY_E_TOO_LARGE, "%zu bytes, at most %d", len,
				 RSP_MAX_PROFILE_PACKAGE);
	type = or_default(opts->profile_type, DEFAULT_PROFILE_TYPE);
	spn = or_default(opts->service_provider_name, DEFAULT_SPN);
	name = or_default(opts->profile_name, type);
	op = or_default(opts->operator_id, NULL);
	if (!valid_text(type, INVENTORY_MAX_PROFILE_TYPE) || !valid_text(spn, INVENTORY_MAX_SPN) ||
	    !valid_text(name, INVENTORY_MAX_NAME) || (op && !valid_text(op, INVENTORY_MAX_OPERATOR)))
		return set_error(inv, INVENTORY_E_INVALID_ARG,
				 "profile type (max %d bytes), service provider name (max %d), "
				 "profile name (max %d) or operator (max %d) too long or not printable",
				 INVENTORY_MAX_PROFILE_TYPE, INVENTORY_MAX_SPN, INVENTORY_MAX_NAME,
				 INVENTORY_MAX_OPERATOR);

	rc = saip_read(package, len, &info);
	if (rc == SAIP_E_HEADER_ICCID)
		return set_error(inv, INVENTORY_E_INVALID_ICCID, "%s", saip_strerror(rc));
	if (rc != SAIP_OK)
		return set_error(inv, INVENTORY_E_INVALID_PACKAGE, "%s (element %zu, byte %zu)",
				 saip_strerror(rc), info.error_element, info.error_offset);
	if (ident_iccid_validate(info.iccid, strlen(info.iccid)) != IDENT_OK)
		return set_error(inv, INVENTORY_E_INVALID_ICCID, "header ICCID %s has a bad check "
				 "digit or length", info.iccid);

	crypto_sha256(package, len, sha);
	np = (struct store_new_profile){
		.iccid = info.iccid,
		.profile_type = type,
		.service_provider_name = spn,
		.profile_name = name,
		.operator_id = op,
		.package = package,
		.package_len = len,
		.package_sha256 = sha,
	};
	rc = db_acquire(inv->db, NULL, &conn);
	if (rc != DB_OK)
		return db_status(inv, NULL, rc);
	rc = store_profile_insert(conn, &np, NULL);
	if (rc == DB_E_CONFLICT) {
		rc = set_error(inv, INVENTORY_E_DUPLICATE, "ICCID %s is already in the inventory",
			       info.iccid);
		goto out;
	}
	if (rc != DB_OK) {
		rc = db_status(inv, conn, rc);
		goto out;
	}
	LOG_INFO("inventory", NULL, "imported profile %s, type %s, %zu bytes", info.iccid, type,
		 len);
	rc = INVENTORY_OK;
	if (out) {
		int get = store_profile_get(conn, info.iccid, out);

		if (get != DB_OK)
			rc = db_status(inv, conn, get);
	}
out:
	db_release(conn);
	return rc;
}

int inventory_import_file(struct inventory *inv, const char *path,
			  const struct inventory_import_opts *opts, struct inventory_profile *out)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, rc;

	inv->error[0] = '\0';
	/* O_NONBLOCK keeps open() from waiting on a named pipe; only regular files are read. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return set_error(inv, INVENTORY_E_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return set_error(inv, INVENTORY_E_IO, "%s is not a regular file", path);
	}
	if (st.st_size > RSP_MAX_PROFILE_PACKAGE) {
		close(fd);
		return set_error(inv, INVENTORY_E_TOO_LARGE, "%s is over %d bytes", path,
				 RSP_MAX_PROFILE_PACKAGE);
	}
	f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return set_error(inv, INVENTORY_E_IO, "%s: %s", path, strerror(errno));
	}
	buf = malloc(RSP_MAX_PROFILE_PACKAGE + 1);
	if (!buf) {
		fclose(f);
		return INVENTORY_E_NOMEM;
	}
	len = fread(buf, 1, RSP_MAX_PROFILE_PACKAGE + 1, f);
	if (ferror(f))
		rc = set_error(inv, INVENTORY_E_IO, "%s: read error", path);
	else if (len > RSP_MAX_PROFILE_PACKAGE)
		rc = set_error(inv, INVENTORY_E_TOO_LARGE, "%s is over %d bytes", path,
			       RSP_MAX_PROFILE_PACKAGE);
	else
		rc = inventory_import(inv, buf, len, opts, out);
	fclose(f);
	crypto_zeroize(buf, len < RSP_MAX_PROFILE_PACKAGE ? len : RSP_MAX_PROFILE_PACKAGE);
	free(buf);
	return rc;
}

int inventory_list(struct inventory *inv, const struct inventory_filter *filter,
		   struct inventory_profile **out, size_t *count)
{
	struct db_conn *conn = NULL;
	int rc;

	inv->error[0] = '\0';
	*out = NULL;
	*count = 0;
	rc = db_acquire(inv->db, NULL, &conn);
	if (rc != DB_OK)
		return db_status(inv, NULL, rc);
	rc = store_profile_list(conn, filter ? filter->profile_type : NULL,
				filter ? filter->state : NULL, out, count);
	if (rc != DB_OK)
		rc = db_status(inv, conn, rc);
	db_release(conn);
	return rc;
}

int inventory_show(struct inventory *inv, const char *iccid, struct inventory_profile *out)
{
	char digits[RSP_ICCID_MAX_DIGITS + 1];
	struct db_conn *conn = NULL;
	int rc;

	inv->error[0] = '\0';
	if (!iccid || ident_iccid_normalize(iccid, strlen(iccid), digits) != IDENT_OK)
		return set_error(inv, INVENTORY_E_INVALID_ICCID, "\"%s\" is not a valid ICCID",
				 iccid ? iccid : "");
	rc = db_acquire(inv->db, NULL, &conn);
	if (rc != DB_OK)
		return db_status(inv, NULL, rc);
	rc = store_profile_get(conn, digits, out);
	if (rc == DB_E_NOT_FOUND)
		rc = set_error(inv, INVENTORY_E_NOT_FOUND, "no profile with ICCID %s", digits);
	else if (rc != DB_OK)
		rc = db_status(inv, conn, rc);
	db_release(conn);
	return rc;
}

int inventory_count_available(struct inventory *inv, const char *profile_type, size_t *count)
{
	struct db_conn *conn = NULL;
	int64_t n = 0;
	int rc;

	inv->error[0] = '\0';
	rc = db_acquire(inv->db, NULL, &conn);
	if (rc != DB_OK)
		return db_status(inv, NULL, rc);
	rc = store_profile_count_available(conn, profile_type, &n);
	if (rc != DB_OK)
		rc = db_status(inv, conn, rc);
	else
		*count = (size_t)n;
	db_release(conn);
	return rc;
}

const char *inventory_strerror(int status)
{
	switch (status) {
	case INVENTORY_OK:
		return "success";
	case INVENTORY_E_INVALID_PACKAGE:
		return "not a valid SAIP profile package";
	case INVENTORY_E_INVALID_ICCID:
		return "invalid ICCID in the profile header";
	case INVENTORY_E_DUPLICATE:
		return "a profile with this ICCID is already in the inventory";
	case INVENTORY_E_NOT_FOUND:
		return "profile not found";
	case INVENTORY_E_TOO_LARGE:
		return "profile package too large";
	case INVENTORY_E_INVALID_ARG:
		return "invalid import option";
	case INVENTORY_E_IO:
		return "cannot read the file";
	case INVENTORY_E_DB:
		return "database error";
	case INVENTORY_E_NOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}

const char *inventory_last_error(const struct inventory *inv)
{
	return inv ? inv->error : "";
}
