/*
 * The SM-DP+ database: the one table of SQL statements (prepared once per connection by
 * common/db) and typed access to profiles, orders, RSP sessions, notifications and the operator
 * callback queue (schema in sql/).
 *
 * Functions whose name ends in _lock take a row lock (SELECT ... FOR UPDATE): call them inside a
 * transaction (db_transaction), so two SM-DP+ processes serving steps of one download see each
 * other's changes in order. Every function returns a db_status.
 */
#ifndef SMDPPLUS_STORE_H
#define SMDPPLUS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/crypto.h"
#include "common/db.h"
#include "common/limits.h"
#include "smdpplus/inventory.h"
#include "smdpplus/order.h"
#include "smdpplus/session.h"

#define STORE_MAX_URL 1024
#define STORE_MAX_CURVE 32

/* The statement table for db_open. */
extern const struct db_statement store_statements[];
extern const size_t store_statement_count;

/* Finds the migrations folder: $RSP_SQL_DIR, else "sql" beside the repository the program was
 * built in (three levels above the binary), else "./sql". Writes into out. */
void store_sql_dir(char *out, size_t out_size);

/* ---- profiles ---- */

struct store_new_profile {
	const char *iccid;
	const char *profile_type;
	const char *service_provider_name;
	const char *profile_name;
	const char *operator_id; /* NULL: any operator */
	const uint8_t *package;
	size_t package_len;
	const uint8_t *package_sha256;
};

/* DB_E_CONFLICT when the ICCID exists. */
int store_profile_insert(struct db_conn *c, const struct store_new_profile *p, int64_t *id);
/* Reads a profile with its current order's EID and matchingId. */
int store_profile_get(struct db_conn *c, const char *iccid, struct inventory_profile *out);
int store_profile_get_lock(struct db_conn *c, const char *iccid, struct inventory_profile *out);
/* First Available profile of a type that operator may order, locked (skipping rows locked by
 * other transactions). DB_E_NOT_FOUND when none. */
int store_profile_next_available_lock(struct db_conn *c, const char *profile_type,
				      const char *operator_id, struct inventory_profile *out);
/* Counts profiles of a type: all of them, and those the operator may order. */
int store_profile_type_count(struct db_conn *c, const char *profile_type, const char *operator_id,
			     int64_t *total, int64_t *allowed);
int store_profile_count_available(struct db_conn *c, const char *profile_type, int64_t *count);
int store_profile_set_state(struct db_conn *c, int64_t id, enum order_state state);
/* The package bytes; *out is malloc'ed. */
int store_profile_package(struct db_conn *c, int64_t id, uint8_t **out, size_t *len);
int store_profile_list(struct db_conn *c, const char *profile_type, const char *state,
		       struct inventory_profile **out, size_t *count);

/* ---- orders ---- */

struct store_order {
	int64_t id;
	int64_t profile_id;
	char operator_id[INVENTORY_MAX_OPERATOR + 1];
	enum order_state state;
	bool is_current;
	char eid[RSP_EID_DIGITS + 1];              /* empty when none */
	char matching_id[RSP_MAX_MATCHING_ID + 1]; /* empty when none */
	bool has_cc;
	uint8_t cc_sha256[CRYPTO_SHA256_LEN];
	int64_t cc_attempts, cc_max_attempts;
	int64_t download_attempts, download_max_attempts;
	bool release_flag;
	char smds_address[RSP_MAX_FQDN + 1];
	char callback_url[STORE_MAX_URL + 1];     /* empty when none */
	time_t expires_at;
	bool expired;                             /* expires_at has passed (database clock) */
	/* The last binding delivered (see the orders table). */
	uint8_t bpp_transaction_id[RSP_TRANSACTION_ID_LEN];
	size_t bpp_transaction_id_len;
	uint8_t bpp_euicc_otpk[CRYPTO_POINT_LEN];
	size_t bpp_euicc_otpk_len;                /* 0: no BPP delivered yet */
	uint8_t bpp_smdp_otpk[CRYPTO_POINT_LEN];
	size_t bpp_smdp_otpk_len;
	/* From the profile. */
	char iccid[RSP_ICCID_MAX_DIGITS + 1];
	char profile_type[INVENTORY_MAX_PROFILE_TYPE + 1];
	char service_provider_name[INVENTORY_MAX_SPN + 1];
	char profile_name[INVENTORY_MAX_NAME + 1];
};

struct store_new_order {
	int64_t profile_id;
	const char *operator_id;
	enum order_state state;
	const char *eid; /* NULL: none */
	int64_t cc_max_attempts;
	int64_t download_max_attempts;
	const char *callback_url; /* NULL: none */
	int64_t validity_seconds;
};

int store_order_insert(struct db_conn *c, const struct store_new_order *o, int64_t *id);
/* The current order of a profile, locked together with the profile row. */
int store_order_current_lock(struct db_conn *c, int64_t profile_id, struct store_order *out);
/* The current order carrying matchingId, locked. */
int store_order_by_matching_id_lock(struct db_conn *c, const char *matching_id,
				    struct store_order *out);
/* A Released or Downloaded current order for an EID without matchingId, the oldest first
 * (SGP.22 default SM-DP+ case), locked. */
int store_order_pending_for_eid_lock(struct db_conn *c, const char *eid, struct store_order *out);
int store_order_get_lock(struct db_conn *c, int64_t id, struct store_order *out);
/* Whether any order, current or not, ever used this matchingId. */
int store_matching_id_used(struct db_conn *c, const char *matching_id, bool *used);

/* Writes the ConfirmOrder fields and the state. cc_sha256 NULL: no confirmation code. */
int store_order_confirm(struct db_conn *c, int64_t id, enum order_state state, const char *eid,
			const char *matching_id, const uint8_t *cc_sha256, bool release_flag,
			const char *smds_address);
/* Writes the state of an order and of its profile. is_current false detaches the order from
 * the profile (CancelOrder). A state that ends the order also drops the stored BPP. */
int store_order_set_state(struct db_conn *c, const struct store_order *o, enum order_state state,
			  bool is_current);
int store_order_set_counters(struct db_conn *c, int64_t id, int64_t download_attempts,
			     int64_t cc_attempts);
/* Records the binding delivered, and links the order to the eUICC's EID when it had none. */
int store_order_set_bpp(struct db_conn *c, int64_t id, const uint8_t *bpp, size_t bpp_len,
			const uint8_t *transaction_id, size_t tid_len, const uint8_t *euicc_otpk,
			const uint8_t *smdp_otpk, const char *eid);
/* The stored BPP; *out is malloc'ed, DB_E_NOT_FOUND when none. */
int store_order_get_bpp(struct db_conn *c, int64_t id, uint8_t **out, size_t *len);

/* ---- RSP sessions ---- */

struct store_session {
	uint8_t transaction_id[RSP_TRANSACTION_ID_LEN];
	char transaction_id_hex[2 * RSP_TRANSACTION_ID_LEN + 1];
	enum session_state state;
	uint8_t euicc_challenge[RSP_CHALLENGE_LEN];
	uint8_t server_challenge[RSP_CHALLENGE_LEN];
	uint8_t ci_pkid[32];
	size_t ci_pkid_len;
	char curve[STORE_MAX_CURVE];               /* crypto_curve_name of the chosen curve */
	char eid[RSP_EID_DIGITS + 1];              /* empty before AuthenticateClient */
	char matching_id[RSP_MAX_MATCHING_ID + 1];
	int64_t order_id;                          /* 0: none */
	bool expired;
	bool cc_required;
	/* Variable-size columns, malloc'ed by the getters; free with store_session_clear. */
	uint8_t *euicc_certificate;
	size_t euicc_certificate_len;
	uint8_t *smdp_signed2;
	size_t smdp_signed2_len;
	uint8_t *smdp_signature2;
	size_t smdp_signature2_len;
	uint8_t *profile_metadata;
	size_t profile_metadata_len;
	uint8_t euicc_otpk[CRYPTO_POINT_LEN];
	size_t euicc_otpk_len;
};

void store_session_clear(struct store_session *s);

int store_session_insert(struct db_conn *c, const struct store_session *s, int64_t ttl_seconds);
/* Locks a session by transactionId; expired sessions are returned with expired set. */
int store_session_get_lock(struct db_conn *c, const uint8_t *tid, size_t tid_len,
			   struct store_session *out);
/* Writes everything AuthenticateClient learned, and the state. */
int store_session_set_authenticated(struct db_conn *c, const struct store_session *s);
int store_session_set_state(struct db_conn *c, const uint8_t *tid, size_t tid_len,
			    enum session_state state);
int store_session_set_otpk(struct db_conn *c, const uint8_t *tid, size_t tid_len,
			   const uint8_t *otpk, size_t len);
/* Cancels the open sessions of an order except tid (tid_len 0: all of them), because a new
 * download or CancelOrder replaces them. Each goes through session_transition, which logs
 * "old -> Cancelled (reason)" under the session's transactionId. */
int store_session_cancel_others(struct db_conn *c, int64_t order_id, const uint8_t *tid,
				size_t tid_len, const char *reason);
/* Deletes sessions whose expiry is older than retention_seconds. */
int store_session_purge(struct db_conn *c, int64_t retention_seconds, int64_t *deleted);

/* ---- notifications ---- */

struct store_notification {
	const char *kind;
	const uint8_t *transaction_id; /* NULL: none */
	size_t transaction_id_len;
	const char *eid, *iccid;       /* NULL: unknown */
	int64_t seq_number;            /* -1: unknown */
	bool verified;
	const char *result;
	int64_t order_id;              /* 0: none */
	const uint8_t *raw;
	size_t raw_len;
};

int store_notification_insert(struct db_conn *c, const struct store_notification *n);

/* ---- operator callback queue ---- */

int store_callback_insert(struct db_conn *c, int64_t order_id, const char *url, const char *body);

struct store_callback {
	int64_t id;
	int64_t attempts; /* including the one just claimed */
	char *url;        /* malloc'ed; free with store_callback_clear */
	char *body;
};
void store_callback_clear(struct store_callback *cb);

/* Claims the oldest due callback and moves its next attempt lease_seconds ahead, so another
 * process does not send it at the same time. DB_E_NOT_FOUND when none is due. */
int store_callback_claim(struct db_conn *c, int64_t lease_seconds, struct store_callback *out);
/* Marks a callback finished (delivered, or given up when error is not NULL). */
int store_callback_done(struct db_conn *c, int64_t id, const char *error);
/* Records a failed attempt; the next one happens after the lease of the claim. */
int store_callback_failed(struct db_conn *c, int64_t id, const char *error);

#endif
