/*
 * Load generator for the SM-DP+. It runs complete SGP.22 profile downloads over ES9+ (HTTPS)
 * with test eUICCs in parallel threads and records the latency of every ES9+ request.
 *
 * Each download runs the whole "Profile Download and Installation" procedure with the test
 * LPA library (test/euicc/lpa.h): initiateAuthentication, authenticateClient,
 * getBoundProfilePackage, then handleNotification with the signed ProfileInstallationResult.
 * Every download uses its own order: line i of the codes file is the activation code of
 * download i. Each thread owns one test eUICC, loaded from the i-th --euicc-cert/--euicc-key/
 * --eum-cert triple (taken in turn when there are fewer triples than threads).
 *
 * Output on stdout, one value per line for scripts/bench.sh ('#' lines are comments):
 *   downloads N, installed N, failed N, concurrency C, wall_s S, downloads_per_s R,
 *   client_cpu_ms_per_download M, download_ms p50 P p99 Q max X,
 *   function NAME calls N no_response N p50_ms P p99_ms Q max_ms X (one line per ES9+ function)
 *   failure download=I matchingId=... step=... result=... http=... status=... subjectCode=...
 *           reasonCode=... message="..." detail="..."           (one line per failed download)
 * Exit status: 0 when every download installed its profile, 1 when some failed, 2 for a usage
 * or set-up error.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

#include "common/actcode.h"
#include "common/crypto.h"
#include "test/euicc/lpa.h"

#define MAX_THREADS   256
#define MAX_CA_PEM    (64 * 1024)
#define MAX_DOWNLOADS 1000000
#define TRACE_LINE    512

/* The four ES9+ functions of a download, in the order they are reported. */
static const int download_steps[] = {
	LPA_STEP_INITIATE_AUTHENTICATION,
	LPA_STEP_AUTHENTICATE_CLIENT,
	LPA_STEP_GET_BOUND_PROFILE_PACKAGE,
	LPA_STEP_HANDLE_NOTIFICATION,
};
#define DOWNLOAD_STEP_COUNT (sizeof(download_steps) / sizeof(download_steps[0]))

static const char usage_text[] =
	"usage: download_bench --codes FILE --ci-cert FILE --cafile PEM\n"
	"                      --euicc-cert FILE --euicc-key FILE --eum-cert FILE [options]\n"
	"\n"
	"Runs one complete SGP.22 download per activation code of FILE against an SM-DP+ over\n"
	"ES9+, with several test eUICCs in parallel, and prints downloads per second and the\n"
	"latency of each ES9+ function.\n"
	"\n"
	"  --codes FILE         activation codes, one per line (blank and '#' lines skipped)\n"
	"  -n, --downloads N    run only the first N codes (default: all)\n"
	"  -c, --concurrency C  eUICCs downloading at the same time, one thread each (default 4)\n"
	"  --euicc-cert FILE    eUICC certificate; repeat with --euicc-key and --eum-cert for\n"
	"  --euicc-key FILE     more eUICCs (thread i uses triple i, taken in turn)\n"
	"  --eum-cert FILE\n"
	"  --ci-cert FILE       CI certificate the eUICCs trust (repeatable)\n"
	"  --cafile PEM         TLS trust anchor of the SM-DP+ (PEM, repeatable)\n"
	"  --connect-to HOST:PORT:ADDR:PORT  connect to ADDR:PORT for HOST:PORT, as curl does\n"
	"  --tls-max 1.2        offer TLS 1.2 at most\n"
	"  --timeout SECONDS    limit of one HTTPS request (default 30)\n"
	"  --calls FILE         write every ES9+ request as a CSV line\n"
	"                       (download,thread,function,http_code,ms)\n";

/* One ES9+ request, timed from just before the LPA sends it until its response is read. */
struct bench_call {
	size_t download;
	unsigned int worker;
	int step;
	long http_code;   /* 0 when no response arrived (connection or TLS failure) */
	double ms;
};

/* One download's outcome. */
struct bench_download {
	struct lpa_result result;
	double ms;
};

struct bench_options {
	const char *codes_path;
	const char *calls_path;
	const char *euicc_certs[MAX_THREADS];
	const char *euicc_keys[MAX_THREADS];
	const char *eum_certs[MAX_THREADS];
	size_t euicc_cert_count, euicc_key_count, eum_cert_count;
	const char *ci_certs[EUICC_MAX_CI];
	size_t ci_cert_count;
	const char *ca_files[8];
	size_t ca_file_count;
	const char *connect_to[LPA_HTTP_MAX_CONNECT_TO];
	size_t connect_to_count;
	bool tls12_only;
	long timeout_ms;
	long downloads;   /* -1: every code */
	long concurrency;
};

/* State shared by the worker threads. While they run, they change only next_download and
 * the entries of downloads that they took. */
struct bench {
	const struct bench_options *opt;
	struct actcode *codes;
	size_t code_count;
	char *ca_pem;
	size_t ca_pem_len;
	struct bench_download *downloads;
	atomic_size_t next_download;
};

/* One thread with its test eUICC. The LPA writes its progress lines to trace, a stream that
 * timestamps each ES9+ request (see trace_write). */
struct bench_worker {
	pthread_t thread;
	unsigned int index;
	struct bench *bench;
	struct euicc *euicc;
	FILE *trace;
	char line[TRACE_LINE];
	size_t line_len;
	size_t download;     /* the download in progress */
	int open_step;       /* ES9+ function sent and still without response, or LPA_STEP_NONE */
	double open_start;
	struct bench_call *calls;
	size_t call_count, call_cap;
	bool out_of_memory;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* ---- timing of the ES9+ requests ---- */

static void add_call(struct bench_worker *w, int step, long http_code, double ms)
{
	struct bench_call *c;

	if (w->call_count == w->call_cap) {
		size_t cap = w->call_cap ? 2 * w->call_cap : 64;
		struct bench_call *grown = realloc(w->calls, cap * sizeof(*grown));

		if (!grown) {
			w->out_of_memory = true;
			return;
		}
		w->calls = grown;
		w->call_cap = cap;
	}
	c = &w->calls[w->call_count++];
	c->download = w->download;
	c->worker = w->index;
	c->step = step;
	c->http_code = http_code;
	c->ms = ms;
}

/*
 * Reads one progress line of the LPA's HTTPS transport. lpa_http_post writes
 *   "lpa: POST https://<address>/gsma/rsp2/es9plus/<function> (<n> bytes)..."
 * right before curl sends the request, and "lpa: HTTP <code>, ..." right after the response
 * was read; a failed transfer writes no second line. Other lines are ignored.
 * NOTE: this depends on the wording of those two lines in test/euicc/lpa_http.c, because the
 * LPA library has no timing callback. main() checks that every installed download produced
 * its four timed requests, so a change of wording stops the benchmark instead of going unseen.
 */
static void trace_line(struct bench_worker *w, const char *line)
{
	static const char post[] = "lpa: POST ";
	static const char http[] = "lpa: HTTP ";
	static const char path[] = "/es9plus/";
	double now = now_ms();

	if (strncmp(line, post, sizeof(post) - 1) == 0) {
		const char *fn = strstr(line, path);
		char name[64];
		size_t len;

		if (w->open_step != LPA_STEP_NONE)
			add_call(w, w->open_step, 0, now - w->open_start);
		w->open_step = LPA_STEP_NONE;
		if (!fn)
			return;
		fn += sizeof(path) - 1;
		len = strcspn(fn, " ");
		if (len >= sizeof(name))
			return;
		memcpy(name, fn, len);
		name[len] = '\0';
		w->open_step = lpa_step_parse(name);
		w->open_start = now;
	} else if (strncmp(line, http, sizeof(http) - 1) == 0 && w->open_step != LPA_STEP_NONE) {
		add_call(w, w->open_step, strtol(line + sizeof(http) - 1, NULL, 10),
			 now - w->open_start);
		w->open_step = LPA_STEP_NONE;
	}
}

/* fopencookie write function: collects whole lines and hands each to trace_line. */
static ssize_t trace_write(void *cookie, const char *buf, size_t size)
{
	struct bench_worker *w = cookie;
	size_t i;

	for (i = 0; i < size; i++) {
		if (buf[i] == '\n') {
			w->line[w->line_len] = '\0';
			trace_line(w, w->line);
			w->line_len = 0;
		} else if (w->line_len + 1 < sizeof(w->line)) {
			w->line[w->line_len++] = buf[i];
		}
	}
	return (ssize_t)size;
}

/* ---- the downloads ---- */

static void run_download(struct bench_worker *w, size_t i)
{
	struct bench *b = w->bench;
	const struct bench_options *opt = b->opt;
	struct bench_download *d = &b->downloads[i];
	struct lpa_config cfg;
	double start;
	size_t k;

	memset(&cfg, 0, sizeof(cfg));
	lpa_config_init(&cfg);
	cfg.smdp_address = b->codes[i].smdp_address;
	cfg.matching_id = b->codes[i].matching_id;
	cfg.smdp_oid = b->codes[i].smdp_oid;
	cfg.http.ca_pem = b->ca_pem;
	cfg.http.ca_pem_len = b->ca_pem_len;
	for (k = 0; k < opt->connect_to_count; k++)
		cfg.http.connect_to[k] = opt->connect_to[k];
	cfg.http.connect_to_count = opt->connect_to_count;
	cfg.http.tls12_only = opt->tls12_only;
	cfg.http.timeout_ms = opt->timeout_ms;
	cfg.verbose = w->trace;

	w->download = i;
	w->open_step = LPA_STEP_NONE;
	start = now_ms();
	lpa_download(w->euicc, &cfg, &d->result);
	fflush(w->trace);
	d->ms = now_ms() - start;
	if (w->open_step != LPA_STEP_NONE)
		add_call(w, w->open_step, 0, now_ms() - w->open_start);
	w->open_step = LPA_STEP_NONE;
}

static void *worker_main(void *arg)
{
	struct bench_worker *w = arg;
	struct bench *b = w->bench;
	size_t i;

	for (;;) {
		i = atomic_fetch_add(&b->next_download, 1);
		if (i >= b->code_count)
			break;
		run_download(w, i);
	}
	return NULL;
}

static int setup_worker(struct bench_worker *w, const struct bench_options *opt)
{
	static const uint8_t svn[3] = { 2, 2, 2 };
	cookie_io_functions_t io = { .write = trace_write };
	size_t chain = w->index % opt->euicc_cert_count;
	size_t i;
	int rc;

	w->open_step = LPA_STEP_NONE;
	if (euicc_new(svn, &w->euicc) != EUICC_OK) {
		fprintf(stderr, "download_bench: out of memory\n");
		return -1;
	}
	for (i = 0; i < opt->ci_cert_count; i++) {
		rc = euicc_add_ci_file(w->euicc, opt->ci_certs[i]);
		if (rc != EUICC_OK) {
			fprintf(stderr, "download_bench: CI certificate %s: %s\n", opt->ci_certs[i],
				rc == EUICC_E_IO ? "cannot read the file" :
						   "not a valid self-signed CI certificate");
			return -1;
		}
	}
	rc = euicc_add_chain_files(w->euicc, opt->euicc_certs[chain], opt->euicc_keys[chain],
				   opt->eum_certs[chain]);
	if (rc != EUICC_OK) {
		fprintf(stderr, "download_bench: eUICC chain %s, %s, %s: %s\n",
			opt->euicc_certs[chain], opt->euicc_keys[chain], opt->eum_certs[chain],
			rc == EUICC_E_IO ? "cannot read a file" :
					   "certificates and key do not fit together");
		return -1;
	}
	w->trace = fopencookie(w, "w", io);
	if (!w->trace) {
		fprintf(stderr, "download_bench: cannot open the trace stream: %s\n",
			strerror(errno));
		return -1;
	}
	/* Unbuffered, so that each line reaches trace_write when the LPA writes it. */
	setvbuf(w->trace, NULL, _IONBF, 0);
	return 0;
}

/* ---- statistics and output ---- */

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted values; 0 when there are none. */
static double percentile(const double *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)(p * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* Prints the latency of one ES9+ function over the requests that got a response (a Failed
 * function status counts as one) and the number of requests without a response. Returns -1
 * when out of memory. */
static int print_function(const struct bench_worker *workers, size_t worker_count, int step)
{
	double *ms;
	size_t n = 0, no_response = 0, total = 0, i, k;

	for (i = 0; i < worker_count; i++)
		for (k = 0; k < workers[i].call_count; k++)
			total += workers[i].calls[k].step == step;
	ms = malloc((total ? total : 1) * sizeof(*ms));
	if (!ms)
		return -1;
	for (i = 0; i < worker_count; i++) {
		for (k = 0; k < workers[i].call_count; k++) {
			const struct bench_call *c = &workers[i].calls[k];

			if (c->step != step)
				continue;
			if (c->http_code == 0)
				no_response++;
			else
				ms[n++] = c->ms;
		}
	}
	qsort(ms, n, sizeof(*ms), compare_double);
	printf("function %s calls %zu no_response %zu p50_ms %.2f p99_ms %.2f max_ms %.2f\n",
	       lpa_step_name(step), total, no_response, percentile(ms, n, 0.50),
	       percentile(ms, n, 0.99), n ? ms[n - 1] : 0.0);
	free(ms);
	return 0;
}

/* Prints one failed download with the SGP.22 function status the SM-DP+ returned, if any. */
static void print_failure(size_t i, const struct actcode *code, const struct bench_download *d)
{
	const struct lpa_result *r = &d->result;

	printf("failure download=%zu matchingId=%s step=%s result=%s http=%ld", i,
	       code->matching_id[0] ? code->matching_id : "-", lpa_step_name(r->step),
	       lpa_status_name(r->status), r->http_code);
	if (r->server.status[0])
		printf(" status=%s subjectCode=%s reasonCode=%s message=\"%s\"", r->server.status,
		       r->server.subject_code[0] ? r->server.subject_code : "-",
		       r->server.reason_code[0] ? r->server.reason_code : "-", r->server.message);
	if (r->euicc_error)
		printf(" euiccError=%s", r->euicc_error_name);
	if (r->install_error)
		printf(" installError=%s/%s", euicc_bpp_command_name(r->install_command),
		       euicc_install_error_name(r->install_error));
	printf(" detail=\"%s\"\n", r->detail);
}

/* Checks that the trace shows a response to each of the four ES9+ requests of every
 * installed download. Returns the number of installed downloads without them. */
static size_t check_trace(const struct bench *b, const struct bench_worker *workers,
			  size_t worker_count)
{
	size_t *seen = calloc(b->code_count * DOWNLOAD_STEP_COUNT, sizeof(*seen));
	size_t bad = 0, i, k, s;

	if (!seen)
		return b->code_count;
	for (i = 0; i < worker_count; i++) {
		for (k = 0; k < workers[i].call_count; k++) {
			const struct bench_call *c = &workers[i].calls[k];

			for (s = 0; s < DOWNLOAD_STEP_COUNT; s++)
				if (c->step == download_steps[s] && c->http_code != 0)
					seen[c->download * DOWNLOAD_STEP_COUNT + s]++;
		}
	}
	for (i = 0; i < b->code_count; i++) {
		if (b->downloads[i].result.status != LPA_OK)
			continue;
		for (s = 0; s < DOWNLOAD_STEP_COUNT; s++) {
			if (seen[i * DOWNLOAD_STEP_COUNT + s] == 0) {
				bad++;
				break;
			}
		}
	}
	free(seen);
	return bad;
}

static int write_calls(const char *path, const struct bench_worker *workers, size_t worker_count)
{
	FILE *f = fopen(path, "w");
	size_t i, k;

	if (!f) {
		fprintf(stderr, "download_bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "download,thread,function,http_code,ms\n");
	for (i = 0; i < worker_count; i++) {
		for (k = 0; k < workers[i].call_count; k++) {
			const struct bench_call *c = &workers[i].calls[k];

			fprintf(f, "%zu,%u,%s,%ld,%.3f\n", c->download, c->worker,
				lpa_step_name(c->step), c->http_code, c->ms);
		}
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "download_bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- input ---- */

/* Reads the activation codes; a malformed line stops the benchmark before anything runs. */
static int read_codes(const char *path, long limit, struct bench *b)
{
	FILE *f = fopen(path, "r");
	char line[ACTCODE_MAX_LEN + 8];
	size_t cap = 0, line_no = 0;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "download_bench: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");

		line_no++;
		if (line[len] == '\0' && !feof(f)) {
			fprintf(stderr,
				"download_bench: %s line %zu: longer than an activation code\n",
				path, line_no);
			goto out;
		}
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (limit >= 0 && b->code_count == (size_t)limit)
			break;
		if (b->code_count == MAX_DOWNLOADS) {
			fprintf(stderr, "download_bench: %s has more than %d codes\n", path,
				MAX_DOWNLOADS);
			goto out;
		}
		if (b->code_count == cap) {
			size_t new_cap = cap ? 2 * cap : 256;
			struct actcode *grown = realloc(b->codes, new_cap * sizeof(*grown));

			if (!grown) {
				fprintf(stderr, "download_bench: out of memory\n");
				goto out;
			}
			b->codes = grown;
			cap = new_cap;
		}
		if (actcode_parse(line, len, &b->codes[b->code_count]) != ACTCODE_OK) {
			fprintf(stderr,
				"download_bench: %s line %zu: invalid activation code \"%s\"\n",
				path, line_no, line);
			goto out;
		}
		b->code_count++;
	}
	if (ferror(f)) {
		fprintf(stderr, "download_bench: cannot read %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (b->code_count == 0) {
		fprintf(stderr, "download_bench: %s contains no activation code\n", path);
		goto out;
	}
	if (limit >= 0 && b->code_count < (size_t)limit) {
		fprintf(stderr,
			"download_bench: %s contains %zu codes, fewer than the %ld downloads "
			"requested\n", path, b->code_count, limit);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* Concatenates the PEM trust anchor files. */
static int read_ca_files(const struct bench_options *opt, struct bench *b)
{
	size_t i;

	b->ca_pem = malloc(MAX_CA_PEM);
	if (!b->ca_pem)
		return -1;
	for (i = 0; i < opt->ca_file_count; i++) {
		FILE *f = fopen(opt->ca_files[i], "r");
		size_t n;

		if (!f) {
			fprintf(stderr, "download_bench: cannot read %s: %s\n", opt->ca_files[i],
				strerror(errno));
			return -1;
		}
		n = fread(b->ca_pem + b->ca_pem_len, 1, MAX_CA_PEM - 1 - b->ca_pem_len, f);
		b->ca_pem_len += n;
		if (!feof(f) || ferror(f)) {
			fprintf(stderr,
				"download_bench: cannot read %s, or it is larger than %d bytes\n",
				opt->ca_files[i], MAX_CA_PEM);
			fclose(f);
			return -1;
		}
		fclose(f);
		b->ca_pem[b->ca_pem_len++] = '\n';
	}
	if (!memmem(b->ca_pem, b->ca_pem_len, "-----BEGIN CERTIFICATE-----", 27)) {
		fprintf(stderr, "download_bench: --cafile needs PEM certificates\n");
		return -1;
	}
	return 0;
}

static int add_arg(const char **list, size_t *count, size_t max, const char *arg,
		   const char *option)
{
	if (*count == max) {
		fprintf(stderr, "download_bench: too many %s options (at most %zu)\n", option, max);
		return -1;
	}
	list[(*count)++] = arg;
	return 0;
}

static int parse_long(const char *text, long min, long max, const char *option, long *out)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || end == text || value < min || value > max) {
		fprintf(stderr, "download_bench: %s needs a number from %ld to %ld, got \"%s\"\n",
			option, min, max, text);
		return -1;
	}
	*out = value;
	return 0;
}

static int parse_args(int argc, char **argv, struct bench_options *o)
{
	enum {
		OPT_CODES = 256, OPT_EUICC_CERT, OPT_EUICC_KEY, OPT_EUM_CERT, OPT_CI_CERT,
		OPT_CAFILE, OPT_CONNECT_TO, OPT_TLS_MAX, OPT_TIMEOUT, OPT_CALLS, OPT_HELP,
	};
	static const struct option longopts[] = {
		{ "codes", required_argument, NULL, OPT_CODES },
		{ "downloads", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "euicc-cert", required_argument, NULL, OPT_EUICC_CERT },
		{ "euicc-key", required_argument, NULL, OPT_EUICC_KEY },
		{ "eum-cert", required_argument, NULL, OPT_EUM_CERT },
		{ "ci-cert", required_argument, NULL, OPT_CI_CERT },
		{ "cafile", required_argument, NULL, OPT_CAFILE },
		{ "connect-to", required_argument, NULL, OPT_CONNECT_TO },
		{ "tls-max", required_argument, NULL, OPT_TLS_MAX },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "calls", required_argument, NULL, OPT_CALLS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	long seconds = 30;
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->downloads = -1;
	o->concurrency = 4;
	o->timeout_ms = 30000;
	while (rc == 0 && (c = getopt_long(argc, argv, "n:c:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CODES: o->codes_path = optarg; break;
		case OPT_CALLS: o->calls_path = optarg; break;
		case 'n': rc = parse_long(optarg, 1, MAX_DOWNLOADS, "-n", &o->downloads); break;
		case 'c': rc = parse_long(optarg, 1, MAX_THREADS, "-c", &o->concurrency); break;
		case OPT_EUICC_CERT:
			rc = add_arg(o->euicc_certs, &o->euicc_cert_count, MAX_THREADS, optarg,
				     "--euicc-cert");
			break;
		case OPT_EUICC_KEY:
			rc = add_arg(o->euicc_keys, &o->euicc_key_count, MAX_THREADS, optarg,
				     "--euicc-key");
			break;
		case OPT_EUM_CERT:
			rc = add_arg(o->eum_certs, &o->eum_cert_count, MAX_THREADS, optarg,
				     "--eum-cert");
			break;
		case OPT_CI_CERT:
			rc = add_arg(o->ci_certs, &o->ci_cert_count, EUICC_MAX_CI, optarg,
				     "--ci-cert");
			break;
		case OPT_CAFILE:
			rc = add_arg(o->ca_files, &o->ca_file_count, 8, optarg, "--cafile");
			break;
		case OPT_CONNECT_TO:
			rc = add_arg(o->connect_to, &o->connect_to_count, LPA_HTTP_MAX_CONNECT_TO,
				     optarg, "--connect-to");
			break;
		case OPT_TLS_MAX:
			if (strcmp(optarg, "1.2") == 0) {
				o->tls12_only = true;
			} else if (strcmp(optarg, "1.3") != 0) {
				fprintf(stderr, "download_bench: --tls-max takes 1.2 or 1.3\n");
				rc = -1;
			}
			break;
		case OPT_TIMEOUT:
			rc = parse_long(optarg, 1, 3600, "--timeout", &seconds);
			o->timeout_ms = seconds * 1000;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			exit(0);
		default:
			rc = -1;
		}
	}
	if (rc != 0)
		return -1;
	if (optind < argc) {
		fprintf(stderr, "download_bench: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (!o->codes_path || o->ci_cert_count == 0 || o->ca_file_count == 0 ||
	    o->euicc_cert_count == 0) {
		fprintf(stderr, "download_bench: --codes, --ci-cert, --cafile and --euicc-cert "
			"are required\n");
		return -1;
	}
	if (o->euicc_cert_count != o->euicc_key_count || o->euicc_cert_count != o->eum_cert_count) {
		fprintf(stderr, "download_bench: give --euicc-cert, --euicc-key and --eum-cert the "
			"same number of times\n");
		return -1;
	}
	return 0;
}

/* ---- main ---- */

static void print_results(const struct bench *b, const struct bench_worker *workers,
			  size_t worker_count, double wall_ms, double client_cpu_ms)
{
	double *ms = malloc(b->code_count * sizeof(*ms));
	size_t installed = 0, n = 0, i;

	for (i = 0; i < b->code_count; i++) {
		if (b->downloads[i].result.status != LPA_OK)
			continue;
		installed++;
		if (ms)
			ms[n++] = b->downloads[i].ms;
	}
	printf("# %zu downloads, %zu threads with one test eUICC each\n", b->code_count,
	       worker_count);
	printf("downloads %zu\n", b->code_count);
	printf("installed %zu\n", installed);
	printf("failed %zu\n", b->code_count - installed);
	printf("concurrency %zu\n", worker_count);
	printf("wall_s %.3f\n", wall_ms / 1e3);
	printf("downloads_per_s %.2f\n", (double)installed / (wall_ms / 1e3));
	printf("client_cpu_ms_per_download %.2f\n", client_cpu_ms / (double)b->code_count);
	if (ms) {
		qsort(ms, n, sizeof(*ms), compare_double);
		printf("download_ms p50 %.2f p99 %.2f max %.2f\n", percentile(ms, n, 0.50),
		       percentile(ms, n, 0.99), n ? ms[n - 1] : 0.0);
	}
	free(ms);
	for (i = 0; i < DOWNLOAD_STEP_COUNT; i++)
		print_function(workers, worker_count, download_steps[i]);
	for (i = 0; i < b->code_count; i++)
		if (b->downloads[i].result.status != LPA_OK)
			print_failure(i, &b->codes[i], &b->downloads[i]);
}

int main(int argc, char **argv)
{
	struct bench_options opt;
	struct bench b = { 0 };
	struct bench_worker *workers = NULL;
	size_t worker_count = 0, started = 0, i, untimed;
	double start, wall_ms, cpu_start;
	int status = 2;

	if (parse_args(argc, argv, &opt) != 0) {
		fputs("run download_bench --help for the options\n", stderr);
		return 2;
	}
	b.opt = &opt;
	if (crypto_init() != CRYPTO_OK) {
		fprintf(stderr, "download_bench: cannot seed the random generator\n");
		return 2;
	}
	/* Before any thread starts, because the LPA calls curl_global_init for every client and
	 * only the first call initialises libcurl, which is not thread-safe in every build. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "download_bench: curl_global_init failed\n");
		goto out;
	}
	if (read_codes(opt.codes_path, opt.downloads, &b) != 0 || read_ca_files(&opt, &b) != 0)
		goto out;
	b.downloads = calloc(b.code_count, sizeof(*b.downloads));
	worker_count = (size_t)opt.concurrency < b.code_count ? (size_t)opt.concurrency :
								  b.code_count;
	workers = calloc(worker_count, sizeof(*workers));
	if (!b.downloads || !workers) {
		fprintf(stderr, "download_bench: out of memory\n");
		goto out;
	}
	for (i = 0; i < worker_count; i++) {
		workers[i].index = (unsigned int)i;
		workers[i].bench = &b;
		if (setup_worker(&workers[i], &opt) != 0)
			goto out;
	}

	cpu_start = cpu_ms();
	start = now_ms();
	for (started = 0; started < worker_count; started++) {
		int err = pthread_create(&workers[started].thread, NULL, worker_main,
					 &workers[started]);

		if (err) {
			fprintf(stderr, "download_bench: cannot start thread %zu: %s\n", started,
				strerror(err));
			break;
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	wall_ms = now_ms() - start;
	if (started < worker_count)
		goto out;

	for (i = 0; i < worker_count; i++) {
		if (workers[i].out_of_memory) {
			fprintf(stderr, "download_bench: out of memory recording the requests\n");
			goto out;
		}
	}
	print_results(&b, workers, worker_count, wall_ms, cpu_ms() - cpu_start);
	untimed = check_trace(&b, workers, worker_count);
	if (untimed) {
		fprintf(stderr, "download_bench: %zu installed downloads lack timed ES9+ requests: "
			"the progress lines of test/euicc/lpa_http.c no longer match trace_line\n",
			untimed);
		goto out;
	}
	if (opt.calls_path && write_calls(opt.calls_path, workers, worker_count) != 0)
		goto out;
	status = 0;
	for (i = 0; i < b.code_count; i++)
		if (b.downloads[i].result.status != LPA_OK)
			status = 1;
out:
	fflush(stdout);
	for (i = 0; workers && i < worker_count; i++) {
		if (workers[i].trace)
			fclose(workers[i].trace);
		euicc_free(workers[i].euicc);
		free(workers[i].calls);
	}
	free(workers);
	free(b.downloads);
	free(b.codes);
	free(b.ca_pem);
	curl_global_cleanup();
	crypto_cleanup();
	return status;
}
