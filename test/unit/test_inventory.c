/*
 * SM-DP+ profile inventory against the private PostgreSQL cluster of scripts/pg.sh: import of
 * generated SAIP packages, duplicates, invalid packages and options, listing with filters,
 * lookup by ICCID with and without padding, and the migrations applied by inventory_open.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "test/harness.h"

#include "common/crypto.h"
#include "common/log.h"
#include "saip/saip.h"
#include "smdpplus/inventory.h"

#define PG_BIN "/usr/lib/postgresql/15/bin/initdb"

static char repo[2048] = ".";
static bool cluster_ready;
static char conninfo[512];
static char dbname[64];

static int pg_script(const char *args, char *out, size_t out_size)
{
	char cmd[4096];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s/scripts/pg.sh' %s", repo, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && out_size > 0) {
		out[0] = '\0';
		if (fgets(out, (int)out_size, p))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	return pclose(p) == 0 ? 0 : -1;
}

/* Generates a package for iccid; the caller frees it with saip_package_free. */
static int make_package(const char *iccid, uint8_t **pkg, size_t *len)
{
	struct saip_params p = {
		.iccid = iccid,
		.imsi = "001010123456789",
		.ki = "000102030405060708090A0B0C0D0E0F",
		.opc = "0F0E0D0C0B0A09080706050403020100",
	};

	return saip_generate(&p, pkg, len);
}

#define NEED_INVENTORY(inv)                                                        \
	do {                                                                       \
		if (!cluster_ready)                                                \
			SKIP("PostgreSQL 15 not available for the inventory tests"); \
		REQUIRE(inventory_open(conninfo, &(inv)) == INVENTORY_OK);         \
	} while (0)

static void test_import_and_show(void)
{
	struct inventory *inv = NULL;
	struct inventory_import_opts opts = { .profile_type = "gold", .service_provider_name = "SP",
					      .profile_name = "Gold", .operator_id = "OP1" };
	struct inventory_profile p, shown;
	uint8_t *pkg = NULL;
	size_t len = 0;

	NEED_INVENTORY(inv);
	REQUIRE(make_package("8949000000000000018", &pkg, &len) == SAIP_OK);
	CHECK_INT(inventory_import(inv, pkg, len, &opts, &p), INVENTORY_OK);
	CHECK_STR(p.iccid, "8949000000000000018");
	CHECK_STR(p.profile_type, "gold");
	CHECK_STR(p.service_provider_name, "SP");
	CHECK_STR(p.profile_name, "Gold");
	CHECK_STR(p.operator_id, "OP1");
	CHECK_INT(p.state, ORDER_AVAILABLE);
	CHECK_INT(p.package_len, len);
	CHECK_INT(strlen(p.package_sha256), 64);
	CHECK_STR(p.eid, "");
	CHECK_INT(inventory_show(inv, "8949000000000000018F", &shown), INVENTORY_OK);
	CHECK_STR(shown.package_sha256, p.package_sha256);
	CHECK_INT(inventory_show(inv, "8949000000000000026", &shown), INVENTORY_E_NOT_FOUND);
	CHECK_INT(inventory_show(inv, "8949000000000000019", &shown), INVENTORY_E_INVALID_ICCID);
	saip_package_free(pkg, len);
	inventory_close(inv);
}

static void test_import_duplicate(void)
{
	struct inventory *inv = NULL;
	uint8_t *pkg = NULL;
	size_t len = 0;

	NEED_INVENTORY(inv);
	REQUIRE(make_package("8949000000000000034", &pkg, &len) == SAIP_OK);
	CHECK_INT(inventory_import(inv, pkg, len, NULL, NULL), INVENTORY_OK);
	CHECK_INT(inventory_import(inv, pkg, len, NULL, NULL), INVENTORY_E_DUPLICATE);
	CHECK(strstr(inventory_last_error(inv), "8949000000000000034") != NULL);
	saip_package_free(pkg, len);
	inventory_close(inv);
}

static void test_import_rejects_invalid(void)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct inventory *inv = NULL;
	struct inventory_import_opts long_type = {
		.profile_type = "12345678901234567890123456789012345678901234567890123456789012345",
	};
	uint8_t *pkg = NULL;
	size_t len = 0;

	NEED_INVENTORY(inv);
	CHECK_INT(inventory_import(inv, junk, sizeof(junk), NULL, NULL),
		  INVENTORY_E_INVALID_PACKAGE);
	CHECK_INT(inventory_import(inv, junk, 0, NULL, NULL), INVENTORY_E_INVALID_PACKAGE);
	REQUIRE(make_package("8949000000000000042", &pkg, &len) == SAIP_OK);
	/* Every truncated prefix is refused and nothing is stored. */
	for (size_t n = 0; n < len; n++)
		if (inventory_import(inv, pkg, n, NULL, NULL) != INVENTORY_E_INVALID_PACKAGE)
			CHECK(!"a truncated package was accepted");
	CHECK_INT(inventory_import(inv, pkg, len, &long_type, NULL), INVENTORY_E_INVALID_ARG);
	CHECK_INT(inventory_import(inv, pkg, RSP_MAX_PROFILE_PACKAGE + 1, NULL, NULL),
		  INVENTORY_E_TOO_LARGE);
	CHECK_INT(inventory_import_file(inv, "/nonexistent/profile.der", NULL, NULL),
		  INVENTORY_E_IO);
	CHECK_INT(inventory_show(inv, "8949000000000000042", &(struct inventory_profile){ 0 }),
		  INVENTORY_E_NOT_FOUND);
	saip_package_free(pkg, len);
	inventory_close(inv);
}

static void test_import_file_not_regular(void)
{
	char dir[] = "/tmp/test_inventory_XXXXXX";
	char fifo[sizeof(dir) + 16];
	struct inventory *inv = NULL;

	NEED_INVENTORY(inv);
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/pipe.der", dir);
	REQUIRE(mkfifo(fifo, 0600) == 0);
	/* A named pipe must be refused at once, not waited on. */
	CHECK_INT(inventory_import_file(inv, fifo, NULL, NULL), INVENTORY_E_IO);
	CHECK(strstr(inventory_last_error(inv), "not a regular file") != NULL);
	CHECK_INT(inventory_import_file(inv, dir, NULL, NULL), INVENTORY_E_IO);
	CHECK_INT(inventory_import_file(inv, "/dev/zero", NULL, NULL), INVENTORY_E_IO);
	unlink(fifo);
	rmdir(dir);
	inventory_close(inv);
}

static void test_list_and_count(void)
{
	static const char *const iccids[] = { "8949000000000000059", "8949000000000000067",
					      "8949000000000000075" };
	struct inventory *inv = NULL;
	struct inventory_import_opts opts = { .profile_type = "listed" };
	struct inventory_filter filter = { .profile_type = "listed" };
	struct inventory_profile *rows = NULL;
	size_t count = 0, available = 0;

	NEED_INVENTORY(inv);
	for (size_t i = 0; i < 3; i++) {
		uint8_t *pkg = NULL;
		size_t len = 0;

		REQUIRE(make_package(iccids[2 - i], &pkg, &len) == SAIP_OK);
		CHECK_INT(inventory_import(inv, pkg, len, &opts, NULL), INVENTORY_OK);
		saip_package_free(pkg, len);
	}
	CHECK_INT(inventory_list(inv, &filter, &rows, &count), INVENTORY_OK);
	REQUIRE(count == 3);
	for (size_t i = 0; i < 3; i++)
		CHECK_STR(rows[i].iccid, iccids[i]);
	free(rows);
	filter.state = "Installed";
	CHECK_INT(inventory_list(inv, &filter, &rows, &count), INVENTORY_OK);
	CHECK_INT(count, 0);
	CHECK(rows == NULL);
	CHECK_INT(inventory_count_available(inv, "listed", &available), INVENTORY_OK);
	CHECK_INT(available, 3);
	inventory_close(inv);
}

static void test_open_bad_conninfo(void)
{
	struct inventory *inv = NULL;

	CHECK_INT(inventory_open("host=/nonexistent dbname=none connect_timeout=2", &inv),
		  INVENTORY_E_DB);
	CHECK(inv == NULL);
}

int main(void)
{
	const char *env = getenv("RSP_REPO");
	char args[128];

	test_program = "test_inventory";
	log_set_level(LOG_LEVEL_ERROR);
	if (env)
		snprintf(repo, sizeof(repo), "%s", env);
	setenv("RSP_SQL_DIR", "sql", 0);
	if (env) {
		char dir[2100];

		snprintf(dir, sizeof(dir), "%s/sql", env);
		setenv("RSP_SQL_DIR", dir, 1);
	}
	snprintf(dbname, sizeof(dbname), "test_inventory_%ld", (long)getpid());
	snprintf(args, sizeof(args), "createdb %s >/dev/null 2>&1", dbname);
	if (access(PG_BIN, X_OK) == 0 && pg_script("start", NULL, 0) == 0 &&
	    pg_script(args, NULL, 0) == 0) {
		snprintf(args, sizeof(args), "conninfo %s", dbname);
		cluster_ready = pg_script(args, conninfo, sizeof(conninfo)) == 0;
	}
	crypto_init();

	RUN(test_import_and_show);
	RUN(test_import_duplicate);
	RUN(test_import_rejects_invalid);
	RUN(test_import_file_not_regular);
	RUN(test_list_and_count);
	RUN(test_open_bad_conninfo);

	if (cluster_ready) {
		snprintf(args, sizeof(args), "dropdb %s >/dev/null 2>&1", dbname);
		pg_script(args, NULL, 0);
	}
	crypto_cleanup();
	return test_finish();
}
