/*
 * Strict DER reader and bounded DER writer (ITU-T X.690 section 10, the DER restrictions on BER).
 *
 * The reader accepts tags of one to three bytes in their shortest form and definite lengths
 * in their shortest form of at most four length bytes. It never reads past the buffer it is
 * given. The writer grows its buffer up to a fixed maximum. Its first error sticks, so a
 * message is built with plain calls and the status is checked once at the end.
 */
#include "asn1/der.h"

#include <stdlib.h>
#include <string.h>

/* A length field of more than four bytes would describe over 4 GiB of content. */
#define DER_MAX_LEN_BYTES 4

/* Reads the tag at buf and returns the number of bytes used, or a negative der_status. */
static int read_tag(const uint8_t *buf, size_t len, uint32_t *tag)
{
	size_t n = 1;

	if (len < 1)
		return DER_E_TRUNCATED;
	*tag = buf[0];
	if ((buf[0] & 0x1f) != 0x1f)
		return 1;

	/* High tag number form: base-128 digits, bit 8 set on all but the last. */
	for (;;) {
		if (n >= 3)
			return DER_E_INVALID; /* a fourth tag byte would be needed */
		if (len < n + 1)
			return DER_E_TRUNCATED;
		if (n == 1 && buf[1] == 0x80)
			return DER_E_INVALID; /* leading zero digit */
		*tag = (*tag << 8) | buf[n];
		n++;
		if (!(buf[n - 1] & 0x80))
			break;
	}

	/* Tag numbers below 31 must use the one-byte form. */
	if (n == 2 && buf[1] < 0x1f)
		return DER_E_INVALID;
	return (int)n;
}

/* Reads the length at buf and returns the number of bytes used, or a negative der_status. */
static int read_len(const uint8_t *buf, size_t len, size_t *value)
{
	size_t count, i;

	if (len < 1)
		return DER_E_TRUNCATED;
	if (buf[0] < 0x80) {
		*value = buf[0];
		return 1;
	}

	count = buf[0] & 0x7f;
	if (count == 0 || count > DER_MAX_LEN_BYTES)
		return DER_E_INVALID; /* indefinite form, reserved 0xFF, or over 4 GiB */
	if (len < 1 + count)
		return DER_E_TRUNCATED;
	if (buf[1] == 0)
		return DER_E_INVALID; /* leading zero byte */

	*value = 0;
	for (i = 0; i < count; i++)
		*value = (*value << 8) | buf[1 + i];
	if (*value < 0x80)
		return DER_E_INVALID; /* fits the short form */
	return (int)(1 + count);
}

int der_read(const uint8_t *buf, size_t len, struct der_tlv *out)
{
	uint32_t tag = 0;
	size_t value_len = 0;
	size_t header;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return DER_E_TRUNCATED;

	rc = read_tag(buf, len, &tag);
	if (rc < 0)
		return rc;
	header = (size_t)rc;

	rc = read_len(buf + header, len - header, &value_len);
	if (rc < 0)
		return rc;
	header += (size_t)rc;

	if (value_len > len - header)
		return DER_E_TRUNCATED;

	out->tag = tag;
	out->constructed = (buf[0] & 0x20) != 0;
	out->raw = buf;
	out->raw_len = header + value_len;
	out->value = buf + header;
	out->len = value_len;
	return DER_OK;
}

int der_read_exact(const uint8_t *buf, size_t len, uint32_t tag, struct der_tlv *out)
{
	int rc = der_read(buf, len, out);

	if (rc != DER_OK)
		return rc;
	if (out->tag != tag || out->raw_len != len) {
		memset(out, 0, sizeof(*out));
		return DER_E_INVALID;
	}
	return DER_OK;
}

void der_iter_init(struct der_iter *it, const struct der_tlv *parent)
{
	it->next = parent->value;
	it->left = parent->len;
}

int der_iter_next(struct der_iter *it, struct der_tlv *out)
{
	int rc;

	if (it->left == 0)
		return 0;
	rc = der_read(it->next, it->left, out);
	if (rc != DER_OK) {
		it->left = 0; /* a broken child ends the iteration */
		return rc;
	}
	it->next += out->raw_len;
	it->left -= out->raw_len;
	return 1;
}

int der_find(const struct der_tlv *parent, uint32_t tag, struct der_tlv *out)
{
	struct der_iter it;
	struct der_tlv child;
	int rc;

	der_iter_init(&it, parent);
	while ((rc = der_iter_next(&it, &child)) == 1) {
		if (child.tag == tag) {
			*out = child;
			return DER_OK;
		}
	}
	memset(out, 0, sizeof(*out));
	return rc < 0 ? rc : DER_E_NOT_FOUND;
}

size_t der_tag_size(uint32_t tag)
{
	if (tag > 0xffff)
		return 3;
	if (tag > 0xff)
		return 2;
	return 1;
}

size_t der_len_size(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 1;
	while (len) {
		n++;
		len >>= 8;
	}
	return n;
}

void der_buf_init(struct der_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

/* The buffers carry plaintext such as ReplaceSessionKeysRequest, so they are wiped. */
void der_buf_free(struct der_buf *b)
{
	if (!b)
		return;
	if (b->data) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Makes room for extra bytes after the content. Returns false and sets the status on failure. */
static bool reserve(struct der_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *data;

	if (b->status != DER_OK)
		return false;
	if (extra > b->max || b->len > b->max - extra) {
		b->status = DER_E_TOO_LARGE;
		return false;
	}
	need = b->len + extra;
	if (need <= b->cap)
		return true;

	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max)
		cap = b->max;

	/* A fresh allocation instead of realloc, so the old copy can be wiped. */
	data = malloc(cap);
	if (!data) {
		b->status = DER_E_NOMEM;
		return false;
	}
	if (b->data) {
		memcpy(data, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = data;
	b->cap = cap;
	return true;
}

void der_put_raw(struct der_buf *b, const void *data, size_t len)
{
	if (!reserve(b, len))
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

void der_put_tag(struct der_buf *b, uint32_t tag)
{
	uint8_t bytes[3];
	size_t n = der_tag_size(tag), i;

	for (i = 0; i < n; i++)
		bytes[i] = (uint8_t)(tag >> (8 * (n - 1 - i)));
	der_put_raw(b, bytes, n);
}

/* Writes the minimal length field of len into out, which has room for der_len_size(len). */
static void encode_len(uint8_t *out, size_t len)
{
	size_t n = der_len_size(len), i;

	if (n == 1) {
		out[0] = (uint8_t)len;
		return;
	}
	out[0] = (uint8_t)(0x80 | (n - 1));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

void der_put_len(struct der_buf *b, size_t len)
{
	uint8_t bytes[1 + sizeof(size_t)];

	encode_len(bytes, len);
	der_put_raw(b, bytes, der_len_size(len));
}

void der_put_tlv(struct der_buf *b, uint32_t tag, const void *value, size_t len)
{
	der_put_tag(b, tag);
	der_put_len(b, len);
	der_put_raw(b, value, len);
}

/* Writes the tag and a one-byte length placeholder; the mark is the placeholder's offset. */
size_t der_begin(struct der_buf *b, uint32_t tag)
{
	size_t mark;

	der_put_tag(b, tag);
	mark = b->len;
	der_put_raw(b, "", 1);
	return mark;
}

/* Fills in the length at mark, moving the content when the length needs more than one byte. */
void der_end(struct der_buf *b, size_t mark)
{
	size_t content, size;

	if (b->status != DER_OK)
		return;
	if (mark >= b->len) {
		b->status = DER_E_INVALID;
		return;
	}
	content = b->len - mark - 1;
	size = der_len_size(content);
	if (size > 1) {
		if (!reserve(b, size - 1))
			return;
		memmove(b->data + mark + size, b->data + mark + 1, content);
		b->len += size - 1;
	}
	encode_len(b->data + mark, content);
}
