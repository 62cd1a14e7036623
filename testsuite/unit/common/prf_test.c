/*
 * prf_test.c - common/prf.c against every record of:
 *   cavp-hmac/HMAC.fax (HMAC-SHA-1/256/384/512, truncated to Tlen),
 *   pyca HMAC rfc-2202-md5/sha1, rfc-4231-sha256/384/512,
 *   rfc3566-rfc4434/aes-xcbc.txt (AES-XCBC-MAC-128 and AES-XCBC-PRF-128
 *   with 16-, 10- and 18-octet keys), rfc4615/aes-cmac-prf-128.txt and
 *   pyca CMAC/nist-800-38b-aes128.txt (AES-CMAC-PRF-128 with a 16-octet key
 *   is plain AES-CMAC, RFC 4615 3).
 * Every vector is also fed in pieces (1, 7 and 16 octets) to check that
 * streaming gives the same answer, in particular XCBC's last-block rule.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/prf.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

/* The same PRF fed in chunk-octet pieces. */
static void prf_chunked(enum prf_alg alg, const uint8_t *key, size_t key_len,
			const uint8_t *msg, size_t len, size_t chunk, uint8_t *out)
{
	struct prf_ctx c;

	if (prf_init(&c, alg, key, key_len) != 0) {
		memset(out, 0, PRF_MAX_OUT);
		return;
	}
	for (size_t off = 0; off < len; off += chunk)
		prf_update(&c, msg + off, len - off < chunk ? len - off : chunk);
	prf_final(&c, out);
}

/*
 * One known answer: prf(key, msg) truncated to want_len equals want, in one
 * shot and streamed. Returns true when every form matched.
 */
static bool check_prf(enum prf_alg alg, const uint8_t *key, size_t key_len,
		      const uint8_t *msg, size_t len, const uint8_t *want,
		      size_t want_len, const char *where, unsigned line)
{
	static const size_t chunks[] = { 1, 7, 16 };
	uint8_t out[PRF_MAX_OUT];
	bool ok;
	int rc;

	if (want_len > prf_out_len(alg)) {
		return tap_ok(false, "%s:%u: expected %zu octets, %s gives %zu", where,
			      line, want_len, prf_name(alg), prf_out_len(alg));
	}
	memset(out, 0, sizeof(out));
	rc = prf_once(alg, key, key_len, msg, len, out);
	ok = tap_eq_int(rc, 0, "%s:%u: %s accepts a %zu-octet key", where, line,
			prf_name(alg), key_len);
	ok &= tap_eq_bytes(out, want_len, want, want_len, "%s:%u: %s(%zu-octet key, %zu octets)",
			   where, line, prf_name(alg), key_len, len);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		prf_chunked(alg, key, key_len, msg, len, chunks[i], out);
		ok &= tap_eq_bytes(out, want_len, want, want_len, "%s:%u: streamed in %zu-octet pieces",
				   where, line, chunks[i]);
	}
	return ok;
}

/*
 * HMAC.fax has no blank line between records ("Count = n" starts each), so
 * vec_next() would run them together. Re-feed the file to the reader with a
 * blank line before each Count line.
 */
static bool open_fax_split(struct vec_file *f, const char *rel)
{
	char line[65536];
	FILE *split;

	if (!vec_open(f, rel))
		return false;
	split = tmpfile();
	if (!split) {
		vec_close(f);
		return false;
	}
	while (fgets(line, sizeof(line), f->fp)) {
		if (strncmp(line, "Count", 5) == 0)
			fputc('\n', split);
		fputs(line, split);
	}
	fclose(f->fp);
	rewind(split);
	f->fp = split;
	return true;
}

static enum prf_alg hmac_for_len(const char *l)
{
	if (!l)
		return (enum prf_alg)0;
	switch (atoi(l)) {
	case 20: return PRF_HMAC_SHA1;
	case 32: return PRF_HMAC_SHA2_256;
	case 48: return PRF_HMAC_SHA2_384;
	case 64: return PRF_HMAC_SHA2_512;
	}
	return (enum prf_alg)0;
}

static void test_cavp_hmac(void)
{
	const char *rel = "cavp-hmac/HMAC.fax";
	struct vec_file f;
	struct vec_rec r = { 0 };
	unsigned checked = 0, skipped = 0, bad = 0;

	if (!open_fax_split(&f, rel)) {
		tap_ok(false, "open %s", rel);
		return;
	}
	while (vec_next(&f, &r)) {
		const char *l = vec_section(&r, "L"), *tlen = vec_get(&r, "Tlen");
		enum prf_alg alg = hmac_for_len(l);
		uint8_t *key = NULL, *msg = NULL, *mac = NULL;
		size_t key_len, msg_len, mac_len;

		if (l && atoi(l) == 28) {
			tap_skip("%s:%u: HMAC-SHA-224 (L=28) is not an IKE algorithm", rel,
				 r.first_line);
			skipped++;
			continue;
		}
		if (!alg || !tlen || !vec_get_hex(&r, "Key", &key, &key_len) ||
		    !vec_get_hex(&r, "Msg", &msg, &msg_len) ||
		    !vec_get_hex(&r, "Mac", &mac, &mac_len) ||
		    mac_len != (size_t)atoi(tlen)) {
			tap_ok(false, "%s:%u: record is readable (L=%s)", rel, r.first_line,
			       l ? l : "?");
			bad++;
		} else {
			check_prf(alg, key, key_len, msg, msg_len, mac, mac_len, rel, r.first_line);
			checked++;
		}
		free(key);
		free(msg);
		free(mac);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_ok(checked + skipped == 360 && bad == 0, "%s: all 360 records seen", rel);
	tap_diag("%s: %u vectors checked, %u skipped (SHA-224)", rel, checked, skipped);
}

struct prf_walk {
	enum prf_alg alg;
	bool full_output; /* the expected value is the whole PRF output */
	bool key16_only;  /* records with other key sizes are not for this PRF */
};

/* Records with key, message and output as fields 0, 1, 2. */
static void check_prf_rec(void *arg, const struct vec_hex_rec *h)
{
	const struct prf_walk *w = arg;
	unsigned line = h->rec->first_line;

	if (w->full_output)
		tap_eq_int((long long)h->len[2], (long long)prf_out_len(w->alg),
			   "%s:%u: MD is the full %s output", h->relpath, line, prf_name(w->alg));
	if (w->key16_only && h->len[0] != 16) {
		tap_ok(false, "%s:%u: record has a 16-octet key", h->relpath, line);
		return;
	}
	check_prf(w->alg, h->val[0], h->len[0], h->val[1], h->len[1], h->val[2], h->len[2],
		  h->relpath, line);
}

static void test_pyca_hmac(const char *rel, enum prf_alg alg)
{
	static const char *const names[] = { "Key", "Msg", "MD" };
	struct prf_walk w = { .alg = alg, .full_output = true };
	unsigned n = vec_walk_hex(rel, names, 3, NULL, check_prf_rec, &w);

	tap_diag("%s: %u vectors checked", rel, n);
}

/* The message of an aes-xcbc.txt record: hex "msg" or msg_zero_octets zeros. */
static bool xcbc_msg(const struct vec_rec *r, uint8_t **msg, size_t *len)
{
	const char *zeros = vec_get(r, "msg_zero_octets");

	if (zeros) {
		*len = (size_t)atoi(zeros);
		*msg = calloc(1, *len ? *len : 1);
		return *msg != NULL;
	}
	return vec_get_hex(r, "msg", msg, len);
}

static void test_xcbc(void)
{
	const char *rel = "rfc3566-rfc4434/aes-xcbc.txt";
	struct vec_file f;
	struct vec_rec r = { 0 };
	unsigned macs = 0, prfs = 0;
	bool key_lens[3] = { false, false, false };

	if (!vec_open(&f, rel)) {
		tap_ok(false, "open %s", rel);
		return;
	}
	while (vec_next(&f, &r)) {
		uint8_t *key = NULL, *msg = NULL, *want = NULL;
		size_t key_len, msg_len = 0, want_len;
		const char *msg_len_s = vec_get(&r, "msg_len");
		/* RFC 3566 cases give the full MAC ("mac"); RFC 4434 cases "prf". */
		const char *field = vec_get(&r, "prf") ? "prf" : "mac";

		if (!vec_get_hex(&r, "key", &key, &key_len) || !xcbc_msg(&r, &msg, &msg_len) ||
		    !vec_get_hex(&r, field, &want, &want_len) || !msg_len_s ||
		    (size_t)atoi(msg_len_s) != msg_len) {
			tap_ok(false, "%s:%u: record is readable", rel, r.first_line);
		} else {
			check_prf(PRF_AES128_XCBC, key, key_len, msg, msg_len, want, want_len,
				  rel, r.first_line);
			if (field[0] == 'p') {
				prfs++;
				key_lens[0] |= key_len == 16;
				key_lens[1] |= key_len == 10;
				key_lens[2] |= key_len == 18;
			} else {
				macs++;
			}
		}
		free(key);
		free(msg);
		free(want);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_ok(macs == 7 && prfs == 3, "%s: 7 RFC 3566 MACs and 3 RFC 4434 PRFs", rel);
	tap_ok(key_lens[0] && key_lens[1] && key_lens[2], "%s: 16-, 10- and 18-octet PRF keys", rel);
	tap_diag("%s: %u vectors checked (%u XCBC-MAC, %u XCBC-PRF)", rel, macs + prfs, macs, prfs);
}

/* A file of key/message/output records for one PRF, field names given. */
static void test_kat_file(const char *rel, enum prf_alg alg, const char *kf,
			  const char *mf, const char *of, bool key16_only)
{
	const char *const names[] = { kf, mf, of };
	struct prf_walk w = { .alg = alg, .key16_only = key16_only };
	unsigned n = vec_walk_hex(rel, names, 3, NULL, check_prf_rec, &w);

	tap_diag("%s: %u vectors checked", rel, n);
}

static void test_api(void)
{
	static const uint8_t key[16] = { 1 };
	struct prf_ctx c;
	uint8_t out[PRF_MAX_OUT];

	tap_eq_int((long long)prf_out_len(PRF_AES128_XCBC), 16, "XCBC PRF output is 16");
	tap_eq_int((long long)prf_out_len(PRF_AES128_CMAC), 16, "CMAC PRF output is 16");
	tap_eq_int((long long)prf_key_len(PRF_AES128_XCBC), 16, "XCBC PRF key is 16");
	tap_ok(prf_fixed_key(PRF_AES128_CMAC) && !prf_fixed_key(PRF_HMAC_SHA1),
	       "only the AES PRFs take fixed-size keys");
	tap_eq_int(prf_once((enum prf_alg)3, key, 16, "x", 1, out), ERR_UNSUPPORTED,
		   "an unknown PRF is refused");
	tap_eq_int(prf_init(&c, PRF_AES128_XCBC, key, sizeof(key)), 0, "XCBC init");
	prf_update(&c, "abc", 3);
	prf_final(&c, out);
	tap_ok(c.alg == 0 && c.u.xcbc.buf_len == 0 && c.u.xcbc.k2[0] == 0 && c.u.xcbc.k3[15] == 0,
	       "XCBC context is wiped at final");
	tap_eq_int(prf_init(&c, PRF_AES128_CMAC, key, 10), 0, "CMAC init with a 10-octet key");
	prf_final(&c, out);
	tap_ok(c.alg == 0, "CMAC context is wiped at final");
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_api();
	test_cavp_hmac();
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-2202-md5.txt", PRF_HMAC_MD5);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-2202-sha1.txt", PRF_HMAC_SHA1);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-4231-sha256.txt", PRF_HMAC_SHA2_256);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-4231-sha384.txt", PRF_HMAC_SHA2_384);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-4231-sha512.txt", PRF_HMAC_SHA2_512);
	test_xcbc();
	test_kat_file("rfc4615/aes-cmac-prf-128.txt", PRF_AES128_CMAC, "key", "msg", "prf", false);
	test_kat_file("pyca-cryptography-vectors/CMAC/nist-800-38b-aes128.txt", PRF_AES128_CMAC,
		      "KEY", "MESSAGE", "OUTPUT", true);
	return tap_done();
}
