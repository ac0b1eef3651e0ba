/*
 * Helpers shared by the files of pki/ and the rsp-pki tool; not for other layers.
 */
#ifndef PKI_PKI_INTERNAL_H
#define PKI_PKI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads a whole file of at most 64 KiB into a new buffer with a NUL byte after the last byte
 * read, so PEM text can be handed to mbedTLS. The caller frees *data.
 * Returns PKI_OK, PKI_E_IO (missing, unreadable or larger than 64 KiB) or PKI_E_NOMEM.
 */
int pki_read_file(const char *path, uint8_t **data, size_t *len);

/*
 * Decodes the first PEM block "-----BEGIN <label>-----" of a NUL-terminated text (text[len]
 * must be the NUL) into new DER bytes, which the caller frees.
 * Returns PKI_OK, PKI_E_PARSE (no such block, or bad base64), PKI_E_INVALID_ARG or PKI_E_NOMEM.
 */
int pki_pem_to_der(const uint8_t *text, size_t len, const char *label, uint8_t **der,
		   size_t *der_len);

#endif
