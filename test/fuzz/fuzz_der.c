/*
 * Fuzz target: the DER reader of asn1/der.h.
 *
 * The input is read as a series of TLVs, and every constructed TLV whose content parses is
 * walked recursively with der_iter_next. Invariants:
 *   - every TLV lies inside its parent, and its header is the minimal DER header of its tag
 *     and length (the reader accepts nothing else);
 *   - der_read_exact accepts a TLV exactly when it fills the buffer;
 *   - der_find returns the first child with a tag;
 *   - writing the tree again with der_begin/der_end and der_put_tlv gives back the input.
 */
#include <stdbool.h>
#include <string.h>

#include "asn1/der.h"
#include "test/fuzz/fuzz.h"

/* Nesting followed by the walk. Deeper content is compared as an opaque value. */
#define WALK_MAX_DEPTH 64

static void check_tlv(const struct der_tlv *tlv, const uint8_t *start, size_t left)
{
	FUZZ_CHECK(tlv->raw == start);
	FUZZ_CHECK(tlv->raw_len <= left);
	FUZZ_CHECK(tlv->value >= tlv->raw);
	FUZZ_CHECK(tlv->value + tlv->len == tlv->raw + tlv->raw_len);
	FUZZ_CHECK(der_tag_size(tlv->tag) + der_len_size(tlv->len) + tlv->len == tlv->raw_len);
	FUZZ_CHECK(tlv->constructed == ((start[0] & 0x20) != 0));
}

/* Returns whether the content of a constructed TLV is a series of complete TLVs. */
static bool children_parse(const struct der_tlv *parent)
{
	struct der_iter it;
	struct der_tlv child;
	int rc;

	der_iter_init(&it, parent);
	while ((rc = der_iter_next(&it, &child)) == 1)
		;
	return rc == 0;
}

/* Checks der_find against a walk over the first FIND_MAX_CHILDREN children (the check costs
 * time quadratic in their number). */
#define FIND_MAX_CHILDREN 256

static void check_find(const struct der_tlv *parent)
{
	struct der_iter it;
	struct der_tlv child, found, earlier;
	struct der_iter scan;
	size_t count = 0;

	der_iter_init(&it, parent);
	while (count++ < FIND_MAX_CHILDREN && der_iter_next(&it, &child) == 1) {
		FUZZ_CHECK(der_find(parent, child.tag, &found) == DER_OK);
		FUZZ_CHECK(found.tag == child.tag);
		FUZZ_CHECK(found.raw <= child.raw);
		/* No child before the one found carries the tag. */
		der_iter_init(&scan, parent);
		while (der_iter_next(&scan, &earlier) == 1 && earlier.raw < found.raw)
			FUZZ_CHECK(earlier.tag != child.tag);
	}
}

/* Writes tlv again into out, rebuilding constructed TLVs from their children. */
static void rewrite(const struct der_tlv *tlv, unsigned depth, struct der_buf *out)
{
	struct der_iter it;
	struct der_tlv child;
	size_t mark;
	int rc;

	check_tlv(tlv, tlv->raw, tlv->raw_len);
	if (!tlv->constructed || depth >= WALK_MAX_DEPTH || !children_parse(tlv)) {
		der_put_tlv(out, tlv->tag, tlv->value, tlv->len);
		return;
	}
	check_find(tlv);
	mark = der_begin(out, tlv->tag);
	der_iter_init(&it, tlv);
	while ((rc = der_iter_next(&it, &child)) == 1) {
		FUZZ_CHECK(child.raw >= tlv->value);
		FUZZ_CHECK(child.raw + child.raw_len <= tlv->value + tlv->len);
		rewrite(&child, depth + 1, out);
	}
	FUZZ_CHECK(rc == 0);
	der_end(out, mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct der_tlv tlv, exact;
	struct der_buf out;
	size_t off = 0;
	int rc, exact_rc;

	rc = der_read(data, size, &tlv);
	exact_rc = der_read_exact(data, size, tlv.tag, &exact);
	if (rc == DER_OK)
		FUZZ_CHECK((exact_rc == DER_OK) == (tlv.raw_len == size));
	else
		FUZZ_CHECK(exact_rc == rc);

	/* The input as a series of TLVs, as a SAIP package is one. */
	der_buf_init(&out, size + 16);
	while (off < size) {
		rc = der_read(data + off, size - off, &tlv);
		FUZZ_CHECK(rc == DER_OK || rc == DER_E_TRUNCATED || rc == DER_E_INVALID);
		if (rc != DER_OK)
			break;
		check_tlv(&tlv, data + off, size - off);
		FUZZ_CHECK(tlv.raw_len > 0);

		out.len = 0;
		rewrite(&tlv, 0, &out);
		FUZZ_CHECK(out.status == DER_OK);
		FUZZ_CHECK(out.len == tlv.raw_len);
		FUZZ_CHECK(memcmp(out.data, tlv.raw, tlv.raw_len) == 0);
		off += tlv.raw_len;
	}
	der_buf_free(&out);
	return 0;
}
