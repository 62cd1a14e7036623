/*
 * integ_test.c - common/integ.c: ICVs are the PRF outputs truncated.
 * Vectors: pyca HMAC rfc-2202-md5/sha1 and rfc-4231-sha256/384/512 (the
 * ICV is the leftmost 12/12/16/24/32 octets of MD, RFC 2403/2404/4868),
 * rfc3566-rfc4434/aes-xcbc.txt "mac96" records (RFC 3566 4) and pyca
 * CMAC/nist-800-38b-aes128.txt truncated to 96 bits (RFC 4494 2). Each
 * vector also checks that integ_verify() accepts the right ICV and refuses a
 * flipped ICV octet and a flipped message octet.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/integ.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

/* want holds at least integ_icv_len(alg) octets (the full MAC is fine). */
static void check_icv(enum integ_alg alg, const uint8_t *key, size_t key_len,
		      uint8_t *msg, size_t len, const uint8_t *want, size_t want_len,
		      const char *where, unsigned line)
{
	size_t icv_len = integ_icv_len(alg);
	uint8_t icv[INTEG_MAX_ICV], bad[INTEG_MAX_ICV];

	if (want_len < icv_len) {
		tap_ok(false, "%s:%u: expected value shorter than the %zu-octet ICV", where,
		       line, icv_len);
		return;
	}
	memset(icv, 0, sizeof(icv));
	tap_eq_int(integ_compute(alg, key, key_len, msg, len, icv), 0, "%s:%u: %s computes",
		   where, line, integ_name(alg));
	tap_eq_bytes(icv, icv_len, want, icv_len, "%s:%u: %s ICV (%zu octets)", where, line,
		     integ_name(alg), icv_len);
	tap_ok(integ_verify(alg, key, key_len, msg, len, want), "%s:%u: %s verifies", where,
	       line, integ_name(alg));
	memcpy(bad, want, icv_len);
	bad[icv_len - 1] ^= 0x01;
	tap_ok(!integ_verify(alg, key, key_len, msg, len, bad),
	       "%s:%u: a flipped ICV octet is refused", where, line);
	if (len) {
		msg[len / 2] ^= 0x80;
		tap_ok(!integ_verify(alg, key, key_len, msg, len, want),
		       "%s:%u: a flipped message octet is refused", where, line);
		msg[len / 2] ^= 0x80;
	}
}

struct icv_walk {
	enum integ_alg alg;
};

/* Records with key, message and MAC as fields 0, 1, 2. */
static void check_icv_rec(void *arg, const struct vec_hex_rec *h)
{
	const struct icv_walk *w = arg;

	check_icv(w->alg, h->val[0], h->len[0], h->val[1], h->len[1], h->val[2], h->len[2],
		  h->relpath, h->rec->first_line);
}

static void test_pyca_hmac(const char *rel, enum integ_alg alg)
{
	static const char *const names[] = { "Key", "Msg", "MD" };
	struct icv_walk w = { alg };
	unsigned n = vec_walk_hex(rel, names, 3, NULL, check_icv_rec, &w);

	tap_diag("%s: %u vectors checked as %s", rel, n, integ_name(alg));
}

static void test_xcbc96(void)
{
	const char *rel = "rfc3566-rfc4434/aes-xcbc.txt";
	struct vec_file f;
	struct vec_rec r = { 0 };
	unsigned checked = 0;

	if (!vec_open(&f, rel)) {
		tap_ok(false, "open %s", rel);
		return;
	}
	while (vec_next(&f, &r)) {
		uint8_t *key = NULL, *msg = NULL, *mac96 = NULL;
		size_t key_len, msg_len = 0, mac_len;
		const char *zeros = vec_get(&r, "msg_zero_octets");

		if (!vec_get(&r, "mac96"))
			continue; /* the RFC 4434 PRF records: prf_test */
		if (zeros) {
			msg_len = (size_t)atoi(zeros);
			msg = calloc(1, msg_len + 1);
		} else if (!vec_get_hex(&r, "msg", &msg, &msg_len)) {
			msg = NULL;
		}
		if (msg && vec_get_hex(&r, "key", &key, &key_len) &&
		    vec_get_hex(&r, "mac96", &mac96, &mac_len) && mac_len == 12) {
			check_icv(INTEG_AES_XCBC_96, key, key_len, msg, msg_len, mac96, mac_len,
				  rel, r.first_line);
			checked++;
		} else {
			tap_ok(false, "%s:%u: record is readable", rel, r.first_line);
		}
		free(key);
		free(msg);
		free(mac96);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_eq_int(checked, 7, "%s: all 7 RFC 3566 test cases", rel);
	tap_diag("%s: %u vectors checked as aesxcbc (96)", rel, checked);
}

static void test_cmac96(void)
{
	static const char *const names[] = { "KEY", "MESSAGE", "OUTPUT" };
	const char *rel = "pyca-cryptography-vectors/CMAC/nist-800-38b-aes128.txt";
	struct icv_walk w = { INTEG_AES_CMAC_96 };
	unsigned n = vec_walk_hex(rel, names, 3, NULL, check_icv_rec, &w);

	tap_diag("%s: %u vectors checked as aescmac (96)", rel, n);
}

static void test_lengths(void)
{
	static const struct {
		enum integ_alg alg;
		size_t key, icv;
	} t[] = {
		{ INTEG_HMAC_MD5_96, 16, 12 },       { INTEG_HMAC_SHA1_96, 20, 12 },
		{ INTEG_AES_XCBC_96, 16, 12 },       { INTEG_AES_CMAC_96, 16, 12 },
		{ INTEG_HMAC_SHA2_256_128, 32, 16 }, { INTEG_HMAC_SHA2_384_192, 48, 24 },
		{ INTEG_HMAC_SHA2_512_256, 64, 32 },
	};
	uint8_t key[64] = { 0 }, icv[INTEG_MAX_ICV];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tap_eq_int((long long)integ_key_len(t[i].alg), (long long)t[i].key,
			   "%s key is %zu octets", integ_name(t[i].alg), t[i].key);
		tap_eq_int((long long)integ_icv_len(t[i].alg), (long long)t[i].icv,
			   "%s ICV is %zu octets", integ_name(t[i].alg), t[i].icv);
	}
	tap_eq_int(integ_compute(INTEG_AES_XCBC_96, key, 15, "x", 1, icv), ERR_INVAL,
		   "aesxcbc refuses a 15-octet key");
	tap_eq_int(integ_compute(INTEG_AES_XCBC_96, key, 17, "x", 1, icv), ERR_INVAL,
		   "aesxcbc refuses a 17-octet key");
	tap_eq_int(integ_compute(INTEG_AES_CMAC_96, key, 10, "x", 1, icv), ERR_INVAL,
		   "aescmac refuses a 10-octet key");
	tap_eq_int(integ_compute((enum integ_alg)3, key, 16, "x", 1, icv), ERR_UNSUPPORTED,
		   "an unknown integrity algorithm is refused");
	tap_ok(!integ_verify((enum integ_alg)3, key, 16, "x", 1, icv),
	       "an unknown algorithm never verifies");
	tap_eq_int((long long)integ_icv_len((enum integ_alg)3), 0, "unknown algorithm: no ICV length");
	tap_eq_str(integ_name(INTEG_HMAC_SHA2_256_128), "sha256", "sha256 name");
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_lengths();
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-2202-md5.txt", INTEG_HMAC_MD5_96);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-2202-sha1.txt", INTEG_HMAC_SHA1_96);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-4231-sha256.txt",
		       INTEG_HMAC_SHA2_256_128);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-4231-sha384.txt",
		       INTEG_HMAC_SHA2_384_192);
	test_pyca_hmac("pyca-cryptography-vectors/HMAC/rfc-4231-sha512.txt",
		       INTEG_HMAC_SHA2_512_256);
	test_xcbc96();
	test_cmac96();
	return tap_done();
}
