/*
 * QR code output for activation codes (see cli/qr.h).
 */
#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/qr.h"

/* The UTF-8 half blocks: upper half, lower half, full block. */
#define UPPER_HALF "\xe2\x96\x80"
#define LOWER_HALF "\xe2\x96\x84"
#define FULL_BLOCK "\xe2\x96\x88"

int cli_qr_encode(const char *text, struct cli_qr **out)
{
	struct cli_qr *qr = NULL;
	QRcode *sym = NULL;
	size_t n;
	int rc = CLI_QR_E_NOMEM;

	*out = NULL;
	if (!text || !*text)
		return CLI_QR_E_INVALID;
	errno = 0;
	sym = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!sym) {
		rc = errno == ERANGE ? CLI_QR_E_TOO_LARGE : errno == EINVAL ? CLI_QR_E_INVALID
									: CLI_QR_E_NOMEM;
		goto out;
	}
	qr = calloc(1, sizeof(*qr));
	n = (size_t)sym->width * (size_t)sym->width;
	if (!qr || !(qr->modules = malloc(n)))
		goto out;
	qr->width = sym->width;
	/* libqrencode keeps other bits of information per module; bit 0 is the color. */
	for (size_t i = 0; i < n; i++)
		qr->modules[i] = sym->data[i] & 1;
	*out = qr;
	qr = NULL;
	rc = CLI_QR_OK;
out:
	cli_qr_free(qr);
	if (sym)
		QRcode_free(sym);
	return rc;
}

void cli_qr_free(struct cli_qr *qr)
{
	if (!qr)
		return;
	free(qr->modules);
	free(qr);
}

bool cli_qr_dark(const struct cli_qr *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return false;
	return qr->modules[(size_t)y * (size_t)qr->width + (size_t)x] != 0;
}

/* Opens "<path>.tmp" for writing; the name is stored in tmp. */
static FILE *open_temporary(const char *path, char *tmp, size_t tmp_size)
{
	int n = snprintf(tmp, tmp_size, "%s.tmp", path);

	if (n < 0 || (size_t)n >= tmp_size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(tmp, "wb");
}

/* Closes f and renames tmp to path, or removes tmp when writing failed. */
static int finish_temporary(FILE *f, const char *tmp, const char *path, bool ok)
{
	int saved;

	if (fflush(f) != 0 || ferror(f))
		ok = false;
	if (fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		return CLI_QR_OK;
	saved = errno;
	unlink(tmp);
	errno = saved;
	return CLI_QR_E_IO;
}

static int write_png_rows(const struct cli_qr *qr, FILE *f, unsigned int scale)
{
	png_structp png = NULL;
	png_infop info = NULL;
	png_byte *volatile row = NULL; /* volatile: still read after a longjmp */
	int side = qr->width + 2 * CLI_QR_MARGIN_FILE;
	png_uint_32 pixels = (png_uint_32)side * scale;
	int rc = CLI_QR_E_NOMEM;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png)
		goto out;
	info = png_create_info_struct(png);
	row = malloc(pixels);
	if (!info || !row)
		goto out;
	/* libpng reports errors by longjmp; row and the structures are freed below either way. */
	if (setjmp(png_jmpbuf(png))) {
		rc = CLI_QR_E_IO;
		goto out;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, pixels, pixels, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < side; y++) {
		for (int x = 0; x < side; x++) {
			png_byte v = cli_qr_dark(qr, x - CLI_QR_MARGIN_FILE, y - CLI_QR_MARGIN_FILE)
					     ? 0 : 255;

			memset(row + (size_t)x * scale, v, scale);
		}
		for (unsigned int i = 0; i < scale; i++)
			png_write_row(png, row);
	}
	png_write_end(png, NULL);
	rc = CLI_QR_OK;
out:
	png_destroy_write_struct(&png, &info);
	free(row);
	return rc;
}

int cli_qr_write_png(const struct cli_qr *qr, const char *path, unsigned int scale)
{
	char tmp[4096];
	FILE *f;
	int rc;

	if (scale == 0 || scale > CLI_QR_PNG_MAX_SCALE)
		return CLI_QR_E_INVALID;
	f = open_temporary(path, tmp, sizeof(tmp));
	if (!f)
		return CLI_QR_E_IO;
	rc = write_png_rows(qr, f, scale);
	if (rc == CLI_QR_E_NOMEM) {
		fclose(f);
		unlink(tmp);
		return rc;
	}
	return finish_temporary(f, tmp, path, rc == CLI_QR_OK);
}

int cli_qr_write_svg(const struct cli_qr *qr, const char *path)
{
	int side = qr->width + 2 * CLI_QR_MARGIN_FILE;
	char tmp[4096];
	FILE *f;

	f = open_temporary(path, tmp, sizeof(tmp));
	if (!f)
		return CLI_QR_E_IO;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		   "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">\n"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
		side, side, side * CLI_QR_PNG_SCALE, side * CLI_QR_PNG_SCALE, side, side);
	/* One subpath per horizontal run of dark modules keeps the file small. */
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width;) {
			int run = 0;

			while (x + run < qr->width && cli_qr_dark(qr, x + run, y))
				run++;
			if (run == 0) {
				x++;
				continue;
			}
			fprintf(f, "M%d %dh%dv1h-%dz", x + CLI_QR_MARGIN_FILE,
				y + CLI_QR_MARGIN_FILE, run, run);
			x += run;
		}
	}
	fputs("\"/>\n</svg>\n", f);
	return finish_temporary(f, tmp, path, true);
}

int cli_qr_print(const struct cli_qr *qr, FILE *out, bool ansi)
{
	int m = CLI_QR_MARGIN_TERMINAL;

	for (int y = -m; y < qr->width + m; y += 2) {
		if (ansi)
			fputs("\x1b[30;47m", out);
		for (int x = -m; x < qr->width + m; x++) {
			bool top = cli_qr_dark(qr, x, y);
			bool bottom = cli_qr_dark(qr, x, y + 1);

			if (top && bottom)
				fputs(FULL_BLOCK, out);
			else if (top)
				fputs(UPPER_HALF, out);
			else if (bottom)
				fputs(LOWER_HALF, out);
			else
				fputc(' ', out);
		}
		if (ansi)
			fputs("\x1b[0m", out);
		fputc('\n', out);
	}
	return ferror(out) ? CLI_QR_E_IO : CLI_QR_OK;
}

const char *cli_qr_strerror(int status)
{
	switch (status) {
	case CLI_QR_OK:
		return "success";
	case CLI_QR_E_INVALID:
		return "the text is empty or the option value is out of range";
	case CLI_QR_E_TOO_LARGE:
		return "the text is too long for a QR code";
	case CLI_QR_E_IO:
		return strerror(errno);
	case CLI_QR_E_NOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}
