/* buf_test.c - the bounds-checked reader and the back-patching writer. */
#include <string.h>

#include "common/buf.h"
#include "testsuite/lib/tap.h"

static void test_reader_basic(void)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	struct rd r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	rd_init(&r, b, sizeof(b));
	tap_ok(rd_u8(&r, &u8) && u8 == 0x01, "u8 reads one byte");
	tap_ok(rd_u16(&r, &u16) && u16 == 0x0203, "u16 is big-endian");
	tap_ok(rd_u32(&r, &u32) && u32 == 0x04050607, "u32 is big-endian");
	tap_ok(rd_u64(&r, &u64) && u64 == 0x08090a0b0c0d0e0fULL, "u64 is big-endian");
	tap_ok(rd_done(&r), "reader is done exactly at the end");
	tap_eq_int((long long)rd_offset(&r), 15, "offset counts every byte read");
}

static void test_reader_truncated(void)
{
	static const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct rd r;
	uint32_t u32 = 0x12345678;
	uint8_t u8 = 0x55;
	uint8_t out[4] = { 1, 2, 3, 4 };

	rd_init(&r, b, sizeof(b));
	tap_ok(!rd_u32(&r, &u32), "u32 from 3 bytes fails");
	tap_ok(u32 == 0, "a failed read yields zero");
	tap_ok(!rd_ok(&r), "the error is set");
	tap_eq_int((long long)rd_offset(&r), 0, "a failed read does not advance");
	tap_ok(!rd_u8(&r, &u8) && u8 == 0, "the error is sticky: a 1-byte read now fails too");
	tap_eq_int((long long)rd_left(&r), 0, "left is 0 once failed");

	rd_init(&r, b, sizeof(b));
	tap_ok(!rd_bytes(&r, out, 4), "copying 4 of 3 bytes fails");
	tap_ok(out[0] == 0 && out[3] == 0, "a failed copy zeroes the destination");
	rd_init(&r, b, sizeof(b));
	tap_ok(!rd_skip(&r, 4) && !rd_ok(&r), "skipping past the end fails");
}

static void test_reader_zero_length(void)
{
	struct rd r, sub;
	uint8_t u8;
	const uint8_t *p;

	rd_init(&r, NULL, 0);
	tap_ok(rd_ok(&r) && rd_left(&r) == 0, "a zero-length view is valid and empty");
	tap_ok(rd_done(&r), "an empty view is done");
	tap_ok(rd_sub(&r, 0, &sub) && rd_done(&sub), "a zero-length sub-view of an empty view works");
	tap_ok(rd_ptr(&r, 0, &p), "a zero-length pointer read works");
	tap_ok(!rd_peek_u8(&r, &u8), "peek on an empty view fails");
	tap_ok(rd_ok(&r), "peek does not set the error");
	tap_ok(!rd_u8(&r, &u8) && !rd_ok(&r), "reading a byte from an empty view fails");
}

static void test_reader_sub(void)
{
	/* A payload chain: [len=6 body 0x11 0x22] [len=5 body 0x33] - and an overlong one */
	static const uint8_t b[] = { 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x00, 0x05, 0x55, 0x66, 0x77 };
	struct rd r, p1, p2, body;
	uint16_t len;
	uint8_t x;

	rd_init(&r, b, sizeof(b));
	rd_u16(&r, &len);
	tap_ok(rd_sub(&r, len - 2, &p1), "carve a 4-byte sub-view");
	tap_eq_int((long long)rd_left(&p1), 4, "sub-view has exactly its length");
	tap_ok(rd_skip(&p1, 4) && !rd_u8(&p1, &x), "a sub-view cannot read its neighbour");
	tap_ok(rd_ok(&r), "a child's error does not touch the parent");
	rd_u16(&r, &len);
	tap_ok(!rd_sub(&r, len, &p2), "an overlong length (5 with 3 left) is refused");
	tap_ok(!rd_ok(&p2) && rd_left(&p2) == 0, "the refused child is an empty failed view");
	tap_ok(!rd_ok(&r), "the parent records the overlong length");

	rd_init(&r, b, sizeof(b));
	rd_skip(&r, 2);
	tap_ok(rd_rest(&r, &body) && rd_left(&body) == 9 && rd_done(&r),
	       "rd_rest takes everything left");
	tap_ok(rd_peek_u8(&body, &x) && x == 0x11 && rd_offset(&body) == 0,
	       "peek shows the next byte without consuming it");
}

static void test_reader_huge_length(void)
{
	static const uint8_t b[] = { 0xff, 0xff, 0xff, 0xff };
	struct rd r, sub;
	const uint8_t *p;

	rd_init(&r, b, sizeof(b));
	tap_ok(!rd_sub(&r, (size_t)-1, &sub), "SIZE_MAX length does not wrap around");
	rd_init(&r, b, sizeof(b));
	rd_skip(&r, 2);
	tap_ok(!rd_ptr(&r, (size_t)-1, &p) && p == NULL, "pointer read of SIZE_MAX fails cleanly");
}

static void test_writer(void)
{
	uint8_t buf[16];
	struct wr w;
	size_t start, mark;

	wr_init(&w, buf, sizeof(buf));
	start = wr_len(&w);
	wr_u8(&w, 0x21);              /* next payload */
	wr_u8(&w, 0x00);              /* flags */
	wr_reserve_len16(&w, &mark);  /* payload length */
	wr_u32(&w, 0xdeadbeef);
	wr_bytes(&w, "ab", 2);
	tap_ok(wr_close_len16(&w, mark, start), "close the payload length");
	tap_eq_int((long long)wr_len(&w), 10, "writer length");
	tap_ok(buf[2] == 0 && buf[3] == 10, "back-patched length covers the header");
	tap_ok(buf[4] == 0xde && buf[7] == 0xef, "u32 written big-endian");
	tap_ok(wr_patch_u8(&w, 0, 0x2e) && buf[0] == 0x2e, "patch next-payload afterwards");
	tap_ok(!wr_patch_u16(&w, 9, 1), "patching past the written part fails");
	wr_init(&w, buf, sizeof(buf));
	tap_ok(wr_u64(&w, 0x0102030405060708ULL) && buf[0] == 1 && buf[7] == 8, "u64 big-endian");
	tap_ok(wr_zero(&w, 8) && wr_len(&w) == 16, "fill to capacity exactly");
	tap_ok(!wr_u8(&w, 1), "one byte over capacity fails");
	tap_ok(!wr_ok(&w), "overflow is sticky");
	tap_ok(!wr_bytes(&w, "", 0), "even an empty write fails after overflow");
	tap_eq_int((long long)wr_len(&w), 16, "overflow does not move the length");

	wr_init(&w, buf, 3);
	tap_ok(!wr_u32(&w, 1) && wr_len(&w) == 0, "u32 into 3 bytes fails and writes nothing");

	{
		static uint8_t big[70000];
		wr_init(&w, big, sizeof(big));
		start = 0;
		wr_reserve_len16(&w, &mark);
		wr_zero(&w, 66000);
		tap_ok(!wr_close_len16(&w, mark, start) && !wr_ok(&w),
		       "a 16-bit length over 65535 is an overflow, not a wrap");
		wr_init(&w, big, sizeof(big));
		wr_reserve_len32(&w, &mark);
		wr_zero(&w, 66000);
		tap_ok(wr_close_len32(&w, mark, 0) && big[1] == 0x01 && big[2] == 0x01 && big[3] == 0xd4,
		       "a 32-bit length holds 66004");
	}
}

static void test_roundtrip(void)
{
	uint8_t buf[32];
	struct wr w;
	struct rd r;
	uint16_t a;
	uint32_t b;
	const uint8_t *p;

	wr_init(&w, buf, sizeof(buf));
	wr_u16(&w, 0xbeef);
	wr_u32(&w, 0xcafef00d);
	wr_bytes(&w, "xyz", 3);
	rd_init(&r, buf, wr_len(&w));
	tap_ok(rd_u16(&r, &a) && rd_u32(&r, &b) && rd_ptr(&r, 3, &p) && rd_done(&r) &&
	       a == 0xbeef && b == 0xcafef00d && memcmp(p, "xyz", 3) == 0,
	       "what the writer writes, the reader reads back");
}

int main(void)
{
	test_reader_basic();
	test_reader_truncated();
	test_reader_zero_length();
	test_reader_sub();
	test_reader_huge_length();
	test_writer();
	test_roundtrip();
	return tap_done();
}
