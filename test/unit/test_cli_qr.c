/*
 * Unit tests of the rspctl QR output (cli/qr.c). The PNG, the terminal rendering and the SVG
 * are read back and compared module by module with the encoded symbol. The PNG is also
 * decoded with zbarimg (Debian zbar-tools) when it is installed.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/qr.h"
#include "test/harness.h"

static const char code[] = "LPA:1$testsmdpplus1.example.com$ABCD1-EFGH2-IJKL3-MNOP4";

static void temp_path(char *out, size_t size, const char *suffix)
{
	const char *dir = getenv("TMPDIR");

	snprintf(out, size, "%s/test_cli_qr_%ld%s", dir && *dir ? dir : "/tmp", (long)getpid(),
		 suffix);
}

/* Reads a grayscale PNG into a new buffer of *w x *h pixels. */
static unsigned char *read_png(const char *path, unsigned int *w, unsigned int *h)
{
	png_image img;
	unsigned char *buf;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return NULL;
	img.format = PNG_FORMAT_GRAY;
	buf = malloc(PNG_IMAGE_SIZE(img));
	if (!buf || !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
		free(buf);
		png_image_free(&img);
		return NULL;
	}
	*w = img.width;
	*h = img.height;
	return buf;
}

static void test_encode_rejects_bad_text(void)
{
	struct cli_qr *qr = NULL;
	char *huge = malloc(8000);

	REQUIRE(huge);
	CHECK_INT(cli_qr_encode("", &qr), CLI_QR_E_INVALID);
	CHECK(qr == NULL);
	memset(huge, 'A', 7999);
	huge[7999] = '\0';
	CHECK_INT(cli_qr_encode(huge, &qr), CLI_QR_E_TOO_LARGE);
	CHECK(qr == NULL);
	free(huge);
}

static void test_png_matches_modules(void)
{
	struct cli_qr *qr = NULL;
	char path[256];
	unsigned char *px = NULL;
	unsigned int w = 0, h = 0, scale = 3;
	int side;

	temp_path(path, sizeof(path), ".png");
	REQUIRE(cli_qr_encode(code, &qr) == CLI_QR_OK);
	REQUIRE(cli_qr_write_png(qr, path, scale) == CLI_QR_OK);
	px = read_png(path, &w, &h);
	REQUIRE(px);
	side = qr->width + 2 * CLI_QR_MARGIN_FILE;
	CHECK_INT(w, (unsigned int)side * scale);
	CHECK_INT(h, w);
	for (int y = 0; y < side; y++) {
		for (int x = 0; x < side; x++) {
			/* sample the centre pixel of each module */
			unsigned int cx = (unsigned int)x * scale + scale / 2;
			unsigned int cy = (unsigned int)y * scale + scale / 2;
			bool dark = px[cy * w + cx] < 128;

			int mx = x - CLI_QR_MARGIN_FILE, my = y - CLI_QR_MARGIN_FILE;

			if (dark != cli_qr_dark(qr, mx, my)) {
				CHECK(!"PNG pixel differs from its module");
				goto out;
			}
		}
	}
out:
	free(px);
	unlink(path);
	cli_qr_free(qr);
}

static void test_png_reads_back_with_zbarimg(void)
{
	struct cli_qr *qr = NULL;
	char path[256], cmd[512], got[512] = "";
	FILE *p;

	if (system("command -v zbarimg >/dev/null 2>&1") != 0)
		SKIP("zbarimg not installed (Debian package zbar-tools)");
	temp_path(path, sizeof(path), "_zbar.png");
	REQUIRE(cli_qr_encode(code, &qr) == CLI_QR_OK);
	REQUIRE(cli_qr_write_png(qr, path, CLI_QR_PNG_SCALE) == CLI_QR_OK);
	/* QR only: zbarimg's 1D decoders can report a false barcode inside a QR image. */
	snprintf(cmd, sizeof(cmd),
		 "zbarimg --quiet --raw -Sdisable -Sqrcode.enable '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	REQUIRE(p);
	if (!fgets(got, sizeof(got), p))
		got[0] = '\0';
	pclose(p);
	got[strcspn(got, "\n")] = '\0';
	CHECK_STR(got, code);
	unlink(path);
	cli_qr_free(qr);
}

/* Decodes one UTF-8 cell of the terminal rendering into its top and bottom module. */
static const char *read_cell(const char *p, bool *top, bool *bottom)
{
	if (*p == ' ') {
		*top = *bottom = false;
		return p + 1;
	}
	if (strncmp(p, "\xe2\x96\x88", 3) == 0)
		*top = *bottom = true;
	else if (strncmp(p, "\xe2\x96\x80", 3) == 0)
		*top = true, *bottom = false;
	else if (strncmp(p, "\xe2\x96\x84", 3) == 0)
		*top = false, *bottom = true;
	else
		return NULL;
	return p + 3;
}

static void test_terminal_matches_modules(void)
{
	struct cli_qr *qr = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *p;
	int m = CLI_QR_MARGIN_TERMINAL, lines = 0;

	REQUIRE(f);
	REQUIRE(cli_qr_encode(code, &qr) == CLI_QR_OK);
	CHECK_INT(cli_qr_print(qr, f, false), CLI_QR_OK);
	fclose(f);
	p = text;
	for (int y = -m; y < qr->width + m; y += 2, lines++) {
		for (int x = -m; x < qr->width + m; x++) {
			bool top, bottom;

			p = read_cell(p, &top, &bottom);
			REQUIRE(p);
			if (top != cli_qr_dark(qr, x, y) || bottom != cli_qr_dark(qr, x, y + 1)) {
				CHECK(!"terminal cell differs from its modules");
				goto out;
			}
		}
		REQUIRE(*p == '\n');
		p++;
	}
	CHECK(*p == '\0');
	CHECK_INT(lines, (qr->width + 2 * m + 1) / 2);
out:
	free(text);
	cli_qr_free(qr);
}

static void test_terminal_ansi_colors(void)
{
	struct cli_qr *qr = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	REQUIRE(f);
	REQUIRE(cli_qr_encode(code, &qr) == CLI_QR_OK);
	CHECK_INT(cli_qr_print(qr, f, true), CLI_QR_OK);
	fclose(f);
	CHECK(strncmp(text, "\x1b[30;47m", 8) == 0);
	CHECK(strstr(text, "\x1b[0m\n") != NULL);
	free(text);
	cli_qr_free(qr);
}

/* Counts the dark modules an SVG path of "M x yhNv1h-Nz" runs covers. */
static void test_svg_covers_dark_modules(void)
{
	struct cli_qr *qr = NULL;
	char path[256], *svg = NULL;
	size_t len = 0;
	long covered = 0, dark = 0;
	FILE *f;
	const char *p;

	temp_path(path, sizeof(path), ".svg");
	REQUIRE(cli_qr_encode(code, &qr) == CLI_QR_OK);
	REQUIRE(cli_qr_write_svg(qr, path) == CLI_QR_OK);
	f = fopen(path, "r");
	REQUIRE(f);
	svg = malloc(1 << 20);
	REQUIRE(svg);
	len = fread(svg, 1, (1 << 20) - 1, f);
	fclose(f);
	svg[len] = '\0';
	CHECK(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"") != NULL);
	p = strstr(svg, " d=\"");
	REQUIRE(p);
	p += 4;
	while (*p == 'M') {
		int x, y, run, n;

		REQUIRE(sscanf(p, "M%d %dh%dv1h-%*dz%n", &x, &y, &run, &n) == 3);
		for (int i = 0; i < run; i++)
			CHECK(cli_qr_dark(qr, x + i - CLI_QR_MARGIN_FILE, y - CLI_QR_MARGIN_FILE));
		covered += run;
		p += n;
	}
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			dark += cli_qr_dark(qr, x, y);
	CHECK_INT(covered, dark);
	free(svg);
	unlink(path);
	cli_qr_free(qr);
}

static void test_png_unwritable_path(void)
{
	struct cli_qr *qr = NULL;

	REQUIRE(cli_qr_encode(code, &qr) == CLI_QR_OK);
	CHECK_INT(cli_qr_write_png(qr, "/nonexistent-dir/x.png", 4), CLI_QR_E_IO);
	CHECK_INT(cli_qr_write_png(qr, "/tmp/x.png", 0), CLI_QR_E_INVALID);
	cli_qr_free(qr);
}

int main(void)
{
	test_program = "test_cli_qr";
	RUN(test_encode_rejects_bad_text);
	RUN(test_png_matches_modules);
	RUN(test_png_reads_back_with_zbarimg);
	RUN(test_terminal_matches_modules);
	RUN(test_terminal_ansi_colors);
	RUN(test_svg_covers_dark_modules);
	RUN(test_png_unwritable_path);
	return test_finish();
}
