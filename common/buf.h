/*
 * buf.h - bounds-checked byte reader and writer.
 *
 * Every packet byte in the project is read through struct rd. A reader is a
 * read-only view of [p, p+len) with a cursor and a sticky error: a read that
 * does not fit sets the error, returns false, yields zero and does not
 * advance; every later read fails too. rd_sub() carves a child view of exactly
 * n bytes so a payload parser can never reach its neighbour.
 *
 * struct wr writes into a caller-owned buffer. Length fields are reserved and
 * back-patched when the enclosed body is complete. An overflow is sticky and
 * is checked once, before the message is sent. All integers are big-endian
 * (network order), as both IKE versions use.
 */
#ifndef DUALIKE_COMMON_BUF_H
#define DUALIKE_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

void rd_init(struct rd *r, const uint8_t *p, size_t len);
bool rd_ok(const struct rd *r);
/* Bytes not yet read (0 once the error is set). */
size_t rd_left(const struct rd *r);
/* Bytes already consumed from the start of this view. */
size_t rd_offset(const struct rd *r);
bool rd_u8(struct rd *r, uint8_t *v);
bool rd_u16(struct rd *r, uint16_t *v);
bool rd_u32(struct rd *r, uint32_t *v);
bool rd_u64(struct rd *r, uint64_t *v);
/* Copy n bytes out. */
bool rd_bytes(struct rd *r, void *out, size_t n);
/* A pointer to the next n bytes (valid as long as the underlying buffer). */
bool rd_ptr(struct rd *r, size_t n, const uint8_t **out);
bool rd_skip(struct rd *r, size_t n);
/* Consume n bytes as a child view of exactly n bytes. */
bool rd_sub(struct rd *r, size_t n, struct rd *child);
/* Consume everything left as a child view (possibly empty). */
bool rd_rest(struct rd *r, struct rd *child);
/* Look at the next byte without consuming it; fails when nothing is left. */
bool rd_peek_u8(const struct rd *r, uint8_t *v);
/* True when no error and nothing left: "the payload was exactly this". */
bool rd_done(const struct rd *r);

struct wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
};

void wr_init(struct wr *w, uint8_t *buf, size_t cap);
bool wr_ok(const struct wr *w);
size_t wr_len(const struct wr *w);
bool wr_u8(struct wr *w, uint8_t v);
bool wr_u16(struct wr *w, uint16_t v);
bool wr_u32(struct wr *w, uint32_t v);
bool wr_u64(struct wr *w, uint64_t v);
bool wr_bytes(struct wr *w, const void *src, size_t n);
bool wr_zero(struct wr *w, size_t n);
/*
 * Reserve a 16-bit length field; *mark remembers where. After the body is
 * written, wr_close_len16(w, mark, start) stores wr_len(w) - start there, so
 * `start` is the offset where the length's scope begins (e.g. the generic
 * payload header).
 */
bool wr_reserve_len16(struct wr *w, size_t *mark);
bool wr_close_len16(struct wr *w, size_t mark, size_t start);
bool wr_reserve_len32(struct wr *w, size_t *mark);
bool wr_close_len32(struct wr *w, size_t mark, size_t start);
/* Overwrite already-written bytes (e.g. a next-payload field). */
bool wr_patch_u8(struct wr *w, size_t at, uint8_t v);
bool wr_patch_u16(struct wr *w, size_t at, uint16_t v);
bool wr_patch_u32(struct wr *w, size_t at, uint32_t v);

#endif
