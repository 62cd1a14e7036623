/* buf.c - bounds-checked reader and writer (see buf.h). */
#include <string.h>

#include "common/buf.h"

void rd_init(struct rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = false;
}

bool rd_ok(const struct rd *r)
{
	return !r->err;
}

size_t rd_left(const struct rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

size_t rd_offset(const struct rd *r)
{
	return r->off;
}

/* The one place that decides whether n more bytes may be read. */
static bool rd_take(struct rd *r, size_t n, const uint8_t **at)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		*at = NULL;
		return false;
	}
	*at = r->p + r->off;
	r->off += n;
	return true;
}

bool rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *at;

	*v = 0;
	if (!rd_take(r, 1, &at))
		return false;
	*v = at[0];
	return true;
}

bool rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *at;

	*v = 0;
	if (!rd_take(r, 2, &at))
		return false;
	*v = (uint16_t)((at[0] << 8) | at[1]);
	return true;
}

bool rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *at;

	*v = 0;
	if (!rd_take(r, 4, &at))
		return false;
	*v = ((uint32_t)at[0] << 24) | ((uint32_t)at[1] << 16) |
	     ((uint32_t)at[2] << 8) | at[3];
	return true;
}

bool rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	*v = 0;
	if (rd_left(r) < 8) {
		r->err = true;
		return false;
	}
	rd_u32(r, &hi);
	rd_u32(r, &lo);
	*v = ((uint64_t)hi << 32) | lo;
	return true;
}

bool rd_bytes(struct rd *r, void *out, size_t n)
{
	const uint8_t *at;

	if (!rd_take(r, n, &at)) {
		if (n)
			memset(out, 0, n);
		return false;
	}
	if (n)
		memcpy(out, at, n);
	return true;
}

bool rd_ptr(struct rd *r, size_t n, const uint8_t **out)
{
	return rd_take(r, n, out);
}

bool rd_skip(struct rd *r, size_t n)
{
	const uint8_t *at;

	return rd_take(r, n, &at);
}

bool rd_sub(struct rd *r, size_t n, struct rd *child)
{
	const uint8_t *at;

	if (!rd_take(r, n, &at)) {
		rd_init(child, NULL, 0);
		child->err = true;
		return false;
	}
	rd_init(child, at, n);
	return true;
}

bool rd_rest(struct rd *r, struct rd *child)
{
	return rd_sub(r, rd_left(r), child);
}

bool rd_peek_u8(const struct rd *r, uint8_t *v)
{
	*v = 0;
	if (r->err || r->off >= r->len)
		return false;
	*v = r->p[r->off];
	return true;
}

bool rd_done(const struct rd *r)
{
	return !r->err && r->off == r->len;
}

void wr_init(struct wr *w, uint8_t *buf, size_t cap)
{
	w->p = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->err = false;
}

bool wr_ok(const struct wr *w)
{
	return !w->err;
}

size_t wr_len(const struct wr *w)
{
	return w->len;
}

/* The one place that decides whether n more bytes fit. */
static bool wr_room(struct wr *w, size_t n, uint8_t **at)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		*at = NULL;
		return false;
	}
	*at = w->p + w->len;
	w->len += n;
	return true;
}

bool wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *at;

	if (!wr_room(w, 1, &at))
		return false;
	at[0] = v;
	return true;
}

bool wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *at;

	if (!wr_room(w, 2, &at))
		return false;
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
	return true;
}

bool wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *at;

	if (!wr_room(w, 4, &at))
		return false;
	at[0] = (uint8_t)(v >> 24);
	at[1] = (uint8_t)(v >> 16);
	at[2] = (uint8_t)(v >> 8);
	at[3] = (uint8_t)v;
	return true;
}

bool wr_u64(struct wr *w, uint64_t v)
{
	if (w->err || w->cap - w->len < 8) {
		w->err = true;
		return false;
	}
	wr_u32(w, (uint32_t)(v >> 32));
	return wr_u32(w, (uint32_t)v);
}

bool wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *at;

	if (!wr_room(w, n, &at))
		return false;
	if (n)
		memcpy(at, src, n);
	return true;
}

bool wr_zero(struct wr *w, size_t n)
{
	uint8_t *at;

	if (!wr_room(w, n, &at))
		return false;
	if (n)
		memset(at, 0, n);
	return true;
}

bool wr_reserve_len16(struct wr *w, size_t *mark)
{
	*mark = w->len;
	return wr_u16(w, 0);
}

bool wr_reserve_len32(struct wr *w, size_t *mark)
{
	*mark = w->len;
	return wr_u32(w, 0);
}

bool wr_patch_u8(struct wr *w, size_t at, uint8_t v)
{
	if (w->err || at >= w->len) {
		w->err = true;
		return false;
	}
	w->p[at] = v;
	return true;
}

bool wr_patch_u16(struct wr *w, size_t at, uint16_t v)
{
	if (w->err || at > w->len || w->len - at < 2) {
		w->err = true;
		return false;
	}
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
	return true;
}

bool wr_patch_u32(struct wr *w, size_t at, uint32_t v)
{
	if (w->err || at > w->len || w->len - at < 4) {
		w->err = true;
		return false;
	}
	w->p[at] = (uint8_t)(v >> 24);
	w->p[at + 1] = (uint8_t)(v >> 16);
	w->p[at + 2] = (uint8_t)(v >> 8);
	w->p[at + 3] = (uint8_t)v;
	return true;
}

bool wr_close_len16(struct wr *w, size_t mark, size_t start)
{
	size_t n = w->len - start;

	if (w->err || start > w->len || n > 0xffff) {
		w->err = true;
		return false;
	}
	return wr_patch_u16(w, mark, (uint16_t)n);
}

bool wr_close_len32(struct wr *w, size_t mark, size_t start)
{
	size_t n = w->len - start;

	if (w->err || start > w->len || n > 0xffffffffu) {
		w->err = true;
		return false;
	}
	return wr_patch_u32(w, mark, (uint32_t)n);
}
