/*
 * hash_test.c - common/hash.c: MD5 (RFC 1321 A.5) and SHA-1/SHA-2
 * (FIPS 180-2 appendix examples) on "" and "abc", SHA-1 on a million 'a'
 * streamed in odd pieces, and the sizes the rest of the code relies on.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/hash.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

struct hash_kat {
	enum hash_alg alg;
	const char *msg;
	const char *digest;
};

/* Published digests (RFC 1321 A.5; FIPS 180-2 appendices A-D, empty-string values). */
static const struct hash_kat kats[] = {
	{ HASH_MD5, "", "d41d8cd98f00b204e9800998ecf8427e" },
	{ HASH_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ HASH_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ HASH_SHA2_256, "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ HASH_SHA2_256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ HASH_SHA2_384, "abc",
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
	  "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
	{ HASH_SHA2_512, "abc",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
};

static void test_known_digests(void)
{
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		const struct hash_kat *k = &kats[i];
		uint8_t out[HASH_MAX_DIGEST], *want = NULL;
		size_t want_len = 0;
		int rc;

		if (!vec_hex(k->digest, &want, &want_len)) {
			tap_ok(false, "bad expected hex for %s", hash_name(k->alg));
			continue;
		}
		memset(out, 0, sizeof(out));
		rc = hash_once(k->alg, k->msg, strlen(k->msg), out);
		tap_eq_int(rc, 0, "%s(\"%s\") succeeds", hash_name(k->alg), k->msg);
		tap_eq_bytes(out, hash_digest_len(k->alg), want, want_len,
			     "%s(\"%.8s\") digest", hash_name(k->alg), k->msg);
		free(want);
	}
}

/* FIPS 180-2 A.3: one million 'a', fed in 7-octet pieces to cross block edges. */
static void test_streaming(void)
{
	static const char piece[7] = { 'a', 'a', 'a', 'a', 'a', 'a', 'a' };
	struct hash_ctx c;
	uint8_t out[HASH_MAX_DIGEST], *want = NULL;
	size_t want_len = 0, left = 1000000;

	tap_eq_int(hash_init(&c, HASH_SHA1), 0, "sha1 init");
	while (left) {
		size_t n = left < sizeof(piece) ? left : sizeof(piece);

		hash_update(&c, piece, n);
		left -= n;
	}
	hash_final(&c, out);
	vec_hex("34aa973cd4c4daa4f61eeb2bdbad27316534016f", &want, &want_len);
	tap_eq_bytes(out, SHA1_DIGEST_SIZE, want, want_len, "sha1 of a million 'a', streamed");
	free(want);
	tap_ok(c.alg == 0, "hash_final wipes the context");
}

static void test_sizes(void)
{
	tap_eq_int((long long)hash_digest_len(HASH_MD5), 16, "md5 digest is 16");
	tap_eq_int((long long)hash_digest_len(HASH_SHA1), 20, "sha1 digest is 20");
	tap_eq_int((long long)hash_digest_len(HASH_SHA2_384), 48, "sha384 digest is 48");
	tap_eq_int((long long)hash_block_len(HASH_SHA2_256), 64, "sha256 block is 64");
	tap_eq_int((long long)hash_block_len(HASH_SHA2_512), 128, "sha512 block is 128");
	tap_eq_int((long long)hash_digest_len((enum hash_alg)3), 0, "unknown hash has no length");
	tap_eq_str(hash_name((enum hash_alg)99), "unknown", "unknown hash is named so");
}

static void test_unknown(void)
{
	uint8_t out[HASH_MAX_DIGEST];

	tap_eq_int(hash_once((enum hash_alg)3, "abc", 3, out), ERR_UNSUPPORTED,
		   "an unknown hash is refused");
}

int main(void)
{
	test_known_digests();
	test_streaming();
	test_sizes();
	test_unknown();
	return tap_done();
}
