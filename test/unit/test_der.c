/*
 * Unit tests of the DER reader and writer (asn1/der.h): tag and length forms, the DER
 * restrictions, bounds, every truncated prefix of valid input, and the writer's maximum.
 */
#include "test/harness.h"

#include "asn1/der.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Copies len bytes into a heap buffer of exactly that size, so ASan reports any overread. */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy && len)
		memcpy(copy, data, len);
	return copy;
}

static void test_read_short_form(void)
{
	static const uint8_t in[] = { 0x80, 0x02, 0xAB, 0xCD };
	struct der_tlv tlv;

	REQUIRE(der_read(in, sizeof(in), &tlv) == DER_OK);
	CHECK_INT(tlv.tag, 0x80);
	CHECK(!tlv.constructed);
	CHECK(tlv.raw == in);
	CHECK_INT(tlv.raw_len, 4);
	CHECK(tlv.value == in + 2);
	CHECK_INT(tlv.len, 2);
}

static void test_read_constructed_flag(void)
{
	static const uint8_t in[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct der_tlv tlv;

	REQUIRE(der_read(in, sizeof(in), &tlv) == DER_OK);
	CHECK_INT(tlv.tag, 0x30);
	CHECK(tlv.constructed);
	CHECK_INT(tlv.len, 3);
}

static void test_read_multibyte_tags(void)
{
	static const uint8_t two[] = { 0x5F, 0x37, 0x01, 0xFF };
	static const uint8_t bf[] = { 0xBF, 0x38, 0x00 };
	static const uint8_t three[] = { 0x9F, 0x81, 0x00, 0x00 };
	struct der_tlv tlv;

	REQUIRE(der_read(two, sizeof(two), &tlv) == DER_OK);
	CHECK_INT(tlv.tag, 0x5F37);
	CHECK(!tlv.constructed);
	CHECK_INT(tlv.len, 1);

	REQUIRE(der_read(bf, sizeof(bf), &tlv) == DER_OK);
	CHECK_INT(tlv.tag, 0xBF38);
	CHECK(tlv.constructed);
	CHECK_INT(tlv.len, 0);

	REQUIRE(der_read(three, sizeof(three), &tlv) == DER_OK);
	CHECK_INT(tlv.tag, 0x9F8100);
	CHECK_INT(tlv.raw_len, 4);
}

static void test_read_rejects_bad_tags(void)
{
	static const uint8_t four_bytes[] = { 0x9F, 0x81, 0x80, 0x01, 0x00 };
	static const uint8_t low_number_long_form[] = { 0x9F, 0x1E, 0x00 };
	static const uint8_t leading_zero_digit[] = { 0x9F, 0x80, 0x01, 0x00 };
	struct der_tlv tlv;

	CHECK_INT(der_read(four_bytes, sizeof(four_bytes), &tlv), DER_E_INVALID);
	CHECK_INT(der_read(low_number_long_form, sizeof(low_number_long_form), &tlv),
		  DER_E_INVALID);
	CHECK_INT(der_read(leading_zero_digit, sizeof(leading_zero_digit), &tlv), DER_E_INVALID);
}

static void test_read_long_lengths(void)
{
	uint8_t in[4 + 300];
	struct der_tlv tlv;

	memset(in, 0xAA, sizeof(in));
	in[0] = 0x04;
	in[1] = 0x81;
	in[2] = 0x80;
	REQUIRE(der_read(in, 3 + 0x80, &tlv) == DER_OK);
	CHECK_INT(tlv.len, 0x80);
	CHECK_INT(tlv.raw_len, 3 + 0x80);

	in[1] = 0x82;
	in[2] = 0x01;
	in[3] = 0x2C;
	REQUIRE(der_read(in, sizeof(in), &tlv) == DER_OK);
	CHECK_INT(tlv.len, 300);
	CHECK(tlv.value == in + 4);
}

static void test_read_rejects_bad_lengths(void)
{
	static const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	static const uint8_t short_in_long_form[] = { 0x04, 0x81, 0x7F };
	static const uint8_t leading_zero[] = { 0x04, 0x82, 0x00, 0x80 };
	static const uint8_t five_bytes[] = { 0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t reserved[] = { 0x04, 0xFF };
	struct der_tlv tlv;

	CHECK_INT(der_read(indefinite, sizeof(indefinite), &tlv), DER_E_INVALID);
	CHECK_INT(der_read(short_in_long_form, sizeof(short_in_long_form), &tlv), DER_E_INVALID);
	CHECK_INT(der_read(leading_zero, sizeof(leading_zero), &tlv), DER_E_INVALID);
	CHECK_INT(der_read(five_bytes, sizeof(five_bytes), &tlv), DER_E_INVALID);
	CHECK_INT(der_read(reserved, sizeof(reserved), &tlv), DER_E_INVALID);
}

static void test_read_length_beyond_input(void)
{
	static const uint8_t in[] = { 0x04, 0x82, 0xFF, 0xFF, 0x00 };
	struct der_tlv tlv;

	CHECK_INT(der_read(in, sizeof(in), &tlv), DER_E_TRUNCATED);
	CHECK_INT(der_read(NULL, 0, &tlv), DER_E_TRUNCATED);
}

static void test_read_every_truncated_prefix(void)
{
	static const uint8_t short_tlv[] = { 0xBF, 0x38, 0x03, 0x80, 0x01, 0x00 };
	uint8_t long_tlv[5 + 0xFC];
	const uint8_t *inputs[] = { short_tlv, long_tlv };
	const size_t lengths[] = { sizeof(short_tlv), sizeof(long_tlv) };
	struct der_tlv tlv;
	size_t i, n;

	/* A three-byte tag with a two-byte length: 9F8100 81FC and 252 value bytes. */
	memset(long_tlv, 0x11, sizeof(long_tlv));
	memcpy(long_tlv, "\x9F\x81\x00\x81\xFC", 5);

	for (i = 0; i < LEN(inputs); i++) {
		uint8_t *full = exact_copy(inputs[i], lengths[i]);

		REQUIRE(full);
		CHECK_INT(der_read(full, lengths[i], &tlv), DER_OK);
		CHECK_INT(tlv.raw_len, lengths[i]);
		free(full);
		for (n = 0; n < lengths[i]; n++) {
			uint8_t *prefix = exact_copy(inputs[i], n);

			REQUIRE(prefix);
			CHECK_INT(der_read(prefix, n, &tlv), DER_E_TRUNCATED);
			free(prefix);
		}
	}
}

static void test_read_exact(void)
{
	static const uint8_t in[] = { 0x5A, 0x01, 0x98, 0x00 };
	struct der_tlv tlv;

	CHECK_INT(der_read_exact(in, 3, 0x5A, &tlv), DER_OK);
	CHECK_INT(tlv.len, 1);
	CHECK_INT(der_read_exact(in, sizeof(in), 0x5A, &tlv), DER_E_INVALID); /* trailing byte */
	CHECK_INT(der_read_exact(in, 3, 0x5B, &tlv), DER_E_INVALID);
	CHECK_INT(der_read_exact(in, 2, 0x5A, &tlv), DER_E_TRUNCATED);
}

static void test_iterate_children(void)
{
	static const uint8_t in[] = { 0x30, 0x09, 0x80, 0x01, 0x01, 0x81, 0x00, 0xA2, 0x02,
				      0x83, 0x00 };
	static const uint32_t tags[] = { 0x80, 0x81, 0xA2 };
	struct der_tlv parent, child;
	struct der_iter it;
	size_t count = 0;
	int rc;

	REQUIRE(der_read_exact(in, sizeof(in), 0x30, &parent) == DER_OK);
	der_iter_init(&it, &parent);
	while ((rc = der_iter_next(&it, &child)) == 1) {
		REQUIRE(count < LEN(tags));
		CHECK_INT(child.tag, tags[count]);
		count++;
	}
	CHECK_INT(rc, 0);
	CHECK_INT(count, 3);
}

static void test_iterate_broken_child(void)
{
	static const uint8_t in[] = { 0x30, 0x05, 0x80, 0x01, 0x01, 0x81, 0x05 };
	struct der_tlv parent, child;
	struct der_iter it;

	REQUIRE(der_read_exact(in, sizeof(in), 0x30, &parent) == DER_OK);
	der_iter_init(&it, &parent);
	CHECK_INT(der_iter_next(&it, &child), 1);
	CHECK_INT(der_iter_next(&it, &child), DER_E_TRUNCATED);
	CHECK_INT(der_iter_next(&it, &child), 0);
}

static void test_find_child(void)
{
	static const uint8_t in[] = { 0xBF, 0x37, 0x08, 0xBF, 0x27, 0x00, 0x5F, 0x37, 0x02, 0x01,
				      0x02 };
	static const uint8_t broken[] = { 0x30, 0x03, 0x80, 0x05, 0x00 };
	struct der_tlv parent, child;

	REQUIRE(der_read_exact(in, sizeof(in), 0xBF37, &parent) == DER_OK);
	REQUIRE(der_find(&parent, 0x5F37, &child) == DER_OK);
	CHECK_INT(child.len, 2);
	CHECK(child.raw == in + 6);
	CHECK_INT(der_find(&parent, 0xBF27, &child), DER_OK);
	CHECK_INT(child.len, 0);
	CHECK_INT(der_find(&parent, 0x80, &child), DER_E_NOT_FOUND);

	REQUIRE(der_read_exact(broken, sizeof(broken), 0x30, &parent) == DER_OK);
	CHECK_INT(der_find(&parent, 0x81, &child), DER_E_TRUNCATED);
}

static void test_size_helpers(void)
{
	CHECK_INT(der_tag_size(0x04), 1);
	CHECK_INT(der_tag_size(0x5F37), 2);
	CHECK_INT(der_tag_size(0xBF8100), 3);
	CHECK_INT(der_len_size(0), 1);
	CHECK_INT(der_len_size(0x7F), 1);
	CHECK_INT(der_len_size(0x80), 2);
	CHECK_INT(der_len_size(0xFF), 2);
	CHECK_INT(der_len_size(0x100), 3);
	CHECK_INT(der_len_size(0xFFFF), 3);
	CHECK_INT(der_len_size(0x10000), 4);
}

static void test_write_tlv(void)
{
	static const uint8_t expected[] = { 0x5F, 0x49, 0x03, 0x04, 0x01, 0x02, 0x80, 0x00 };
	struct der_buf b;

	der_buf_init(&b, 64);
	der_put_tlv(&b, 0x5F49, "\x04\x01\x02", 3);
	der_put_tag(&b, 0x80);
	der_put_len(&b, 0);
	REQUIRE(b.status == DER_OK);
	CHECK_INT(b.len, sizeof(expected));
	CHECK_MEM(b.data, expected, sizeof(expected));
	der_buf_free(&b);
}

static void test_write_long_lengths(void)
{
	uint8_t value[300];
	struct der_buf b;
	struct der_tlv tlv;

	memset(value, 0x5A, sizeof(value));
	der_buf_init(&b, 1024);
	der_put_tlv(&b, 0x86, value, sizeof(value));
	REQUIRE(b.status == DER_OK);
	REQUIRE(b.len == 4 + sizeof(value));
	CHECK_MEM(b.data, "\x86\x82\x01\x2C", 4);
	REQUIRE(der_read_exact(b.data, b.len, 0x86, &tlv) == DER_OK);
	CHECK_MEM(tlv.value, value, sizeof(value));
	der_buf_free(&b);
}

/* Nested constructed TLVs whose lengths grow past one and two bytes after der_begin(). */
static void test_write_nested(void)
{
	uint8_t value[200];
	struct der_buf b;
	struct der_tlv outer, inner, child;
	size_t outer_mark, inner_mark, i;

	memset(value, 0x33, sizeof(value));
	der_buf_init(&b, 4096);
	outer_mark = der_begin(&b, 0xBF36);
	der_put_tlv(&b, 0x80, "\x01", 1);
	inner_mark = der_begin(&b, 0xA3);
	for (i = 0; i < 2; i++)
		der_put_tlv(&b, 0x86, value, sizeof(value));
	der_end(&b, inner_mark);
	der_begin(&b, 0xA4); /* an empty constructed TLV */
	der_end(&b, b.len - 1);
	der_end(&b, outer_mark);
	REQUIRE(b.status == DER_OK);

	REQUIRE(der_read_exact(b.data, b.len, 0xBF36, &outer) == DER_OK);
	CHECK(outer.constructed);
	REQUIRE(der_find(&outer, 0xA3, &inner) == DER_OK);
	CHECK_INT(inner.len, 2 * (3 + sizeof(value)));
	REQUIRE(der_find(&inner, 0x86, &child) == DER_OK);
	CHECK_MEM(child.value, value, sizeof(value));
	REQUIRE(der_find(&outer, 0xA4, &child) == DER_OK);
	CHECK_INT(child.len, 0);
	der_buf_free(&b);
}

static void test_write_maximum_is_sticky(void)
{
	uint8_t value[16] = { 0 };
	struct der_buf b;
	size_t len_at_error;

	der_buf_init(&b, 20);
	der_put_tlv(&b, 0x04, value, sizeof(value)); /* 18 bytes */
	CHECK_INT(b.status, DER_OK);
	der_put_tlv(&b, 0x04, value, 1); /* 21 bytes: the value byte no longer fits */
	CHECK_INT(b.status, DER_E_TOO_LARGE);
	CHECK(b.len <= 20);
	len_at_error = b.len;
	der_buf_free(&b);

	der_buf_init(&b, 20);
	der_put_raw(&b, value, 21);
	CHECK_INT(b.status, DER_E_TOO_LARGE);
	CHECK_INT(b.len, 0);
	der_put_raw(&b, value, 1); /* would fit, but the error sticks */
	CHECK_INT(b.status, DER_E_TOO_LARGE);
	CHECK_INT(b.len, 0);
	CHECK(len_at_error >= 18);
	der_buf_free(&b);
}

static void test_write_end_growth_over_maximum(void)
{
	uint8_t value[126] = { 0 };
	struct der_buf b;
	size_t mark;

	/* 30 + placeholder + 04 7E value = 130 bytes; the length then needs one byte more. */
	der_buf_init(&b, 130);
	mark = der_begin(&b, 0x30);
	der_put_tlv(&b, 0x04, value, sizeof(value));
	REQUIRE(b.status == DER_OK);
	der_end(&b, mark);
	CHECK_INT(b.status, DER_E_TOO_LARGE);
	der_buf_free(&b);
}

static void test_write_bad_mark(void)
{
	struct der_buf b;

	der_buf_init(&b, 16);
	der_put_tag(&b, 0x30);
	der_end(&b, 5);
	CHECK_INT(b.status, DER_E_INVALID);
	der_buf_free(&b);
}

static void test_buf_free_unused(void)
{
	struct der_buf b;

	der_buf_init(&b, 16);
	der_buf_free(&b);
	der_buf_free(&b);
	der_buf_free(NULL);
	CHECK(b.data == NULL);
}

int main(void)
{
	test_program = "test_der";
	RUN(test_read_short_form);
	RUN(test_read_constructed_flag);
	RUN(test_read_multibyte_tags);
	RUN(test_read_rejects_bad_tags);
	RUN(test_read_long_lengths);
	RUN(test_read_rejects_bad_lengths);
	RUN(test_read_length_beyond_input);
	RUN(test_read_every_truncated_prefix);
	RUN(test_read_exact);
	RUN(test_iterate_children);
	RUN(test_iterate_broken_child);
	RUN(test_find_child);
	RUN(test_size_helpers);
	RUN(test_write_tlv);
	RUN(test_write_long_lengths);
	RUN(test_write_nested);
	RUN(test_write_maximum_is_sticky);
	RUN(test_write_end_growth_over_maximum);
	RUN(test_write_bad_mark);
	RUN(test_buf_free_unused);
	return test_finish();
}
