/*
 * The SM-DP+ profile inventory: SAIP profile packages (Unprotected Profile Packages) that an
 * operator loaded, stored in the profiles table of the SM-DP+ database.
 *
 * Import and listing are not ES2+ functions: the operator command line reaches them through
 * the database (a local administration path), and `smdpplus --import-profile FILE` uses the same
 * code. Every import checks that the package decodes as SAIP (saip_read), takes the ICCID from
 * its ProfileHeader, checks the ICCID's Luhn digit, and rejects an ICCID that is already stored.
 *
 *   struct inventory *inv = NULL;
 *   struct inventory_import_opts opts = { .profile_type = "demo" };
 *   struct inventory_profile p;
 *   if (inventory_open(conninfo, &inv) == 0 &&
 *       inventory_import_file(inv, "profile.der", &opts, &p) == 0)
 *           printf("%s\n", p.iccid);
 *   inventory_close(inv);
 *
 * An inventory handle is one database connection: use it from one thread at a time.
 */
#ifndef SMDPPLUS_INVENTORY_H
#define SMDPPLUS_INVENTORY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/limits.h"
#include "smdpplus/order.h"

enum inventory_status {
	INVENTORY_OK = 0,
	INVENTORY_E_INVALID_PACKAGE = -1, /* not a SAIP profile package, or no ProfileHeader ICCID */
	INVENTORY_E_INVALID_ICCID = -2,   /* the header ICCID has a bad check digit or format */
	INVENTORY_E_DUPLICATE = -3,       /* a profile with this ICCID is already stored */
	INVENTORY_E_NOT_FOUND = -4,       /* no profile with this ICCID */
	INVENTORY_E_TOO_LARGE = -5,       /* package over RSP_MAX_PROFILE_PACKAGE bytes */
	INVENTORY_E_INVALID_ARG = -6,     /* an option too long or with forbidden characters */
	INVENTORY_E_IO = -7,              /* the file cannot be read */
	INVENTORY_E_DB = -8,              /* database unreachable or a statement failed */
	INVENTORY_E_NOMEM = -9,
};

/* Field maximums (bytes, without the NUL). The StoreMetadata limits come from SGP.22:
 * serviceProviderName UTF8String (SIZE(0..32)), profileName UTF8String (SIZE(0..64)). */
#define INVENTORY_MAX_PROFILE_TYPE 64
#define INVENTORY_MAX_SPN          32
#define INVENTORY_MAX_NAME         64
#define INVENTORY_MAX_OPERATOR     64

/* Options of an import. Every field may be NULL or empty:
 *   profile_type           ES2+ profileType the profile is ordered by (default "default")
 *   service_provider_name  sent in StoreMetadata (default "eSIM RSP")
 *   profile_name           sent in StoreMetadata (default: the profile type)
 *   operator_id            operator that may order it over ES2+ (the CN of its client
 *                          certificate); empty means any operator */
struct inventory_import_opts {
	const char *profile_type;
	const char *service_provider_name;
	const char *profile_name;
	const char *operator_id;
};

/* One row of the inventory, with its current order if it has one. */
struct inventory_profile {
	int64_t id;
	char iccid[RSP_ICCID_MAX_DIGITS + 1]; /* digits only, no F padding */
	char profile_type[INVENTORY_MAX_PROFILE_TYPE + 1];
	char service_provider_name[INVENTORY_MAX_SPN + 1];
	char profile_name[INVENTORY_MAX_NAME + 1];
	char operator_id[INVENTORY_MAX_OPERATOR + 1]; /* empty: any operator */
	enum order_state state;
	size_t package_len;
	char package_sha256[65]; /* upper-case hex */
	time_t created_at;
	time_t updated_at;
	/* Current order: empty strings when the profile has none. */
	char eid[RSP_EID_DIGITS + 1];
	char matching_id[RSP_MAX_MATCHING_ID + 1];
};

/* Filter of inventory_list; NULL or empty fields match everything. */
struct inventory_filter {
	const char *profile_type;
	const char *state; /* an order_state_name */
};

struct inventory;

/* Connects to the SM-DP+ database (a libpq connection string) and applies the schema migrations
 * that are missing, so an import works on a fresh database too. */
int inventory_open(const char *conninfo, struct inventory **out);
void inventory_close(struct inventory *inv);

/* Imports one package held in memory. out (may be NULL) receives the stored row. */
int inventory_import(struct inventory *inv, const uint8_t *package, size_t len,
		     const struct inventory_import_opts *opts, struct inventory_profile *out);

/* Reads a file of at most RSP_MAX_PROFILE_PACKAGE bytes and imports it. */
int inventory_import_file(struct inventory *inv, const char *path,
			  const struct inventory_import_opts *opts, struct inventory_profile *out);

/* Lists the profiles in ICCID order. *out is a new array of *count rows (NULL when there is
 * none); free it with free(). */
int inventory_list(struct inventory *inv, const struct inventory_filter *filter,
		   struct inventory_profile **out, size_t *count);

/* Fetches one profile by ICCID (19 or 20 digits, F padding allowed). */
int inventory_show(struct inventory *inv, const char *iccid, struct inventory_profile *out);

/* Counts the Available profiles of a type (all types when profile_type is NULL). */
int inventory_count_available(struct inventory *inv, const char *profile_type, size_t *count);

/* A sentence for an inventory_status, e.g. for a command-line error. */
const char *inventory_strerror(int status);

/* Detail of the last failure on this handle (the database message or the duplicate ICCID);
 * never NULL, empty when there is none. */
const char *inventory_last_error(const struct inventory *inv);

#endif
