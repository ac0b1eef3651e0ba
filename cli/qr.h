/*
 * QR codes of activation codes: encoding with libqrencode, and output to a terminal (UTF-8
 * half blocks), to PNG (libpng) and to SVG.
 *
 * Symbols use error correction level M and byte mode, so the activation code is stored
 * exactly as given (the SM-DP+ address may contain lower-case letters). Files get the quiet
 * zone of four modules that ISO/IEC 18004 requires. The terminal gets two, because terminal
 * lines are few and the colored margin around the symbol is light as well.
 */
#ifndef CLI_QR_H
#define CLI_QR_H

#include <stdbool.h>
#include <stdio.h>

enum cli_qr_status {
	CLI_QR_OK = 0,
	CLI_QR_E_INVALID = -1,   /* empty text, or a PNG scale out of range */
	CLI_QR_E_TOO_LARGE = -2, /* the text does not fit in a version 40 symbol */
	CLI_QR_E_IO = -3,        /* the output file cannot be written (errno is kept) */
	CLI_QR_E_NOMEM = -4,
};

/* Quiet zone widths in modules. */
#define CLI_QR_MARGIN_FILE     4
#define CLI_QR_MARGIN_TERMINAL 2
/* Default and maximum pixels per module of a PNG. */
#define CLI_QR_PNG_SCALE       8
#define CLI_QR_PNG_MAX_SCALE   64

/* A symbol: width x width modules, row by row, 1 for dark. */
struct cli_qr {
	int width;
	unsigned char *modules;
};

/* Encodes text (NUL-terminated); *out is freed with cli_qr_free. */
int cli_qr_encode(const char *text, struct cli_qr **out);
void cli_qr_free(struct cli_qr *qr);

/* Whether the module at (x, y) is dark; positions outside the symbol (the quiet zone) are
 * light. */
bool cli_qr_dark(const struct cli_qr *qr, int x, int y);

/* Writes the symbol as a PNG of scale pixels per module (8-bit grayscale), through a temporary
 * file renamed into place, so path never contains a partial image. */
int cli_qr_write_png(const struct cli_qr *qr, const char *path, unsigned int scale);

/* Writes the symbol as an SVG of one path, one unit per module, through a temporary file. */
int cli_qr_write_svg(const struct cli_qr *qr, const char *path);

/* Prints the symbol with UTF-8 half blocks, two module rows per text line. With ansi set, the
 * lines are colored black on white, so the code scans the same on dark and light terminals.
 * Without it, dark modules are drawn as blocks on the terminal's own background. */
int cli_qr_print(const struct cli_qr *qr, FILE *out, bool ansi);

/* Returns a sentence for a cli_qr_status. */
const char *cli_qr_strerror(int status);

#endif
