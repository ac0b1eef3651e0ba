/*
 * A small DER reader and writer for the places where the asn1c codec does not fit:
 * finding the exact bytes of a signed TLV in a received message (signatures are checked over
 * the bytes received, never over a re-encoding), and writing the tagged BPP segments that
 * asn1c 0.9.28 mis-tags.
 *
 * Tags are kept as the number formed by their bytes: 0x30, 0x80, 0xA0, 0x5F37, 0xBF38.
 * The reader accepts definite lengths only, in minimal form, and checks every length
 * against the bytes that remain.
 */
#ifndef ASN1_DER_H
#define ASN1_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum der_status {
	DER_OK = 0,
	DER_E_TRUNCATED = -1, /* the input ends inside a tag, length or value */
	DER_E_INVALID = -2,   /* indefinite or non-minimal length, tag over 3 bytes */
	DER_E_NOT_FOUND = -3, /* no child with the requested tag */
	DER_E_TOO_LARGE = -4, /* the writer would exceed its maximum */
	DER_E_NOMEM = -5,
};

struct der_tlv {
	uint32_t tag;
	bool constructed;
	const uint8_t *raw; /* the whole TLV: tag, length and value */
	size_t raw_len;
	const uint8_t *value;
	size_t len;
};

/* Reads the TLV at the start of buf. Trailing bytes after it are allowed; compare
 * out->raw_len with len to require that the TLV fills the buffer. */
int der_read(const uint8_t *buf, size_t len, struct der_tlv *out);

/* Reads a TLV that must fill buf exactly and carry the given tag; DER_E_INVALID otherwise. */
int der_read_exact(const uint8_t *buf, size_t len, uint32_t tag, struct der_tlv *out);

/* Iterates over the children of a constructed TLV. */
struct der_iter {
	const uint8_t *next;
	size_t left;
};
void der_iter_init(struct der_iter *it, const struct der_tlv *parent);
/* Returns 1 and fills out while children remain, 0 at the end, a negative der_status on error. */
int der_iter_next(struct der_iter *it, struct der_tlv *out);

/* Finds the first direct child of parent with the given tag. */
int der_find(const struct der_tlv *parent, uint32_t tag, struct der_tlv *out);

/* Growable output buffer with a fixed maximum. Errors are sticky: check b->status once at the
 * end. After an error the content may end inside a TLV and later calls write nothing.
 * der_buf_free accepts a buffer that was never used, and wipes the bytes before freeing. */
struct der_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	int status;
};
void der_buf_init(struct der_buf *b, size_t max);
void der_buf_free(struct der_buf *b);
void der_put_raw(struct der_buf *b, const void *data, size_t len);
void der_put_tag(struct der_buf *b, uint32_t tag);
void der_put_len(struct der_buf *b, size_t len);
void der_put_tlv(struct der_buf *b, uint32_t tag, const void *value, size_t len);
/* Opens a constructed TLV; der_end writes its length once the content is complete. */
size_t der_begin(struct der_buf *b, uint32_t tag);
void der_end(struct der_buf *b, size_t mark);

/* Number of bytes of a tag and of a length header. */
size_t der_tag_size(uint32_t tag);
size_t der_len_size(size_t len);

#endif
