/*
 * cipher_test.c - common/cipher.c: 3DES-CBC, AES-CBC and AES-CTR.
 *
 * The vectors folder has no CBC or RFC 3686 CTR files, so the modes are
 * checked against their definitions built here from the raw block cipher
 * (Nettle's AES and 3DES in ECB): CBC C[i] = E(P[i] ^ C[i-1]) with C[-1] =
 * IV (RFC 3602 2, RFC 2451 2); CTR block i = E(nonce || IV || i+1) (RFC
 * 3686 4), and also against Nettle's ctr_crypt() with that counter block.
 * Plus round trips, in-place use, refusal of bad lengths and keys, and
 * Nettle's 3DES key handling (parity ignored, weak keys reported).
 */
#include <string.h>

#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/des.h>

#include "common/cipher.h"
#include "common/err.h"
#include "testsuite/lib/tap.h"

#define MSG_MAX 96

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 37);
}

/* One raw block encryption with the key of keymat (16/24/32 AES or 24 3DES). */
static void block_encrypt(enum cipher_alg alg, const uint8_t *key, size_t key_len,
			  const uint8_t *in, uint8_t *out)
{
	if (alg == CIPHER_3DES) {
		struct des3_ctx d;

		des3_set_key(&d, key);
		des3_encrypt(&d, DES3_BLOCK_SIZE, out, in);
		return;
	}
	if (key_len == 16) {
		struct aes128_ctx a;

		aes128_set_encrypt_key(&a, key);
		aes128_encrypt(&a, 16, out, in);
	} else if (key_len == 24) {
		struct aes192_ctx a;

		aes192_set_encrypt_key(&a, key);
		aes192_encrypt(&a, 16, out, in);
	} else {
		struct aes256_ctx a;

		aes256_set_encrypt_key(&a, key);
		aes256_encrypt(&a, 16, out, in);
	}
}

/* CBC by its definition, block by block. */
static void cbc_reference(enum cipher_alg alg, const uint8_t *key, size_t key_len,
			  const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t bl = cipher_block_len(alg);
	uint8_t x[16];
	const uint8_t *prev = iv;

	for (size_t off = 0; off < len; off += bl) {
		for (size_t i = 0; i < bl; i++)
			x[i] = in[off + i] ^ prev[i];
		block_encrypt(alg, key, key_len, x, out + off);
		prev = out + off;
	}
}

static void test_cbc(enum cipher_alg alg, size_t key_len, const char *label)
{
	uint8_t key[32], iv[16], iv_copy[16], plain[MSG_MAX], ct[MSG_MAX], ref[MSG_MAX],
		back[MSG_MAX];
	size_t bl = cipher_block_len(alg), len = 4 * bl;

	fill(key, sizeof(key), 0x11);
	fill(iv, sizeof(iv), 0x5a);
	fill(plain, sizeof(plain), 0x03);
	memcpy(iv_copy, iv, sizeof(iv));
	tap_eq_int(cipher_encrypt(alg, key, key_len, iv, plain, len, ct), 0, "%s encrypts", label);
	cbc_reference(alg, key, key_len, iv, plain, len, ref);
	tap_eq_bytes(ct, len, ref, len, "%s: C[i] = E(P[i] ^ C[i-1]), C[-1] = IV", label);
	tap_eq_bytes(iv, sizeof(iv), iv_copy, sizeof(iv_copy), "%s: the IV is left as it was", label);
	tap_eq_int(cipher_decrypt(alg, key, key_len, iv, ct, len, back), 0, "%s decrypts", label);
	tap_eq_bytes(back, len, plain, len, "%s round trip", label);
	memcpy(back, plain, len);
	cipher_encrypt(alg, key, key_len, iv, back, len, back);
	tap_eq_bytes(back, len, ct, len, "%s encrypts in place", label);
	cipher_decrypt(alg, key, key_len, iv, back, len, back);
	tap_eq_bytes(back, len, plain, len, "%s decrypts in place", label);
	tap_eq_int(cipher_encrypt(alg, key, key_len, iv, plain, len - 1, ct), ERR_INVAL,
		   "%s refuses %zu octets (not whole blocks)", label, len - 1);
	tap_eq_int(cipher_decrypt(alg, key, key_len, iv, ct, bl + 1, back), ERR_INVAL,
		   "%s refuses to decrypt %zu octets", label, bl + 1);
	tap_eq_int(cipher_encrypt(alg, key, key_len, iv, plain, 0, ct), 0,
		   "%s accepts an empty input", label);
	tap_eq_int(cipher_encrypt(alg, key, key_len - 1, iv, plain, len, ct), ERR_INVAL,
		   "%s refuses a %zu-octet key", label, key_len - 1);
	tap_eq_int(cipher_encrypt(alg, key, key_len + 1, iv, plain, len, ct), ERR_INVAL,
		   "%s refuses a %zu-octet key", label, key_len + 1);
}

/* CTR by RFC 3686 4: key stream block i = E(K, nonce || IV || (i + 1)). */
static void ctr_reference(const uint8_t *keymat, size_t key_len, const uint8_t *iv,
			  const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t block[16], ks[16];

	for (size_t off = 0, i = 1; off < len; off += 16, i++) {
		memcpy(block, keymat + key_len, 4);
		memcpy(block + 4, iv, 8);
		block[12] = (uint8_t)(i >> 24);
		block[13] = (uint8_t)(i >> 16);
		block[14] = (uint8_t)(i >> 8);
		block[15] = (uint8_t)i;
		block_encrypt(CIPHER_AES_CTR, keymat, key_len, block, ks);
		for (size_t j = 0; j < 16 && off + j < len; j++)
			out[off + j] = in[off + j] ^ ks[j];
	}
}

static void aes128_ecb(const void *c, size_t n, uint8_t *d, const uint8_t *s)
{
	aes128_encrypt(c, n, d, s);
}

static void test_ctr(size_t key_len)
{
	uint8_t keymat[36], iv[8], plain[MSG_MAX], ct[MSG_MAX], ref[MSG_MAX], back[MSG_MAX];
	size_t len = 37; /* three blocks, the last one partial */

	fill(keymat, sizeof(keymat), 0x21);
	fill(iv, sizeof(iv), 0x77);
	fill(plain, sizeof(plain), 0x09);
	tap_eq_int(cipher_encrypt(CIPHER_AES_CTR, keymat, key_len + 4, iv, plain, len, ct), 0,
		   "aes%zuctr encrypts %zu octets", key_len * 8, len);
	ctr_reference(keymat, key_len, iv, plain, len, ref);
	tap_eq_bytes(ct, len, ref, len, "aes%zuctr: block i = E(nonce || IV || i+1)", key_len * 8);
	tap_eq_int(cipher_decrypt(CIPHER_AES_CTR, keymat, key_len + 4, iv, ct, len, back), 0,
		   "aes%zuctr decrypts", key_len * 8);
	tap_eq_bytes(back, len, plain, len, "aes%zuctr round trip", key_len * 8);
	tap_eq_int(cipher_encrypt(CIPHER_AES_CTR, keymat, key_len, iv, plain, len, ct), ERR_INVAL,
		   "aes%zuctr refuses keying material without room for the nonce", key_len * 8);
	if (key_len == 16) {
		struct aes128_ctx a;
		uint8_t counter[16];

		aes128_set_encrypt_key(&a, keymat);
		memcpy(counter, keymat + 16, 4);
		memcpy(counter + 4, iv, 8);
		memset(counter + 12, 0, 3);
		counter[15] = 1;
		ctr_crypt(&a, aes128_ecb, 16, counter, len, ref, plain);
		tap_eq_bytes(ct, len, ref, len, "aes128ctr equals Nettle ctr_crypt from counter 1");
	}
}

/* Nettle ignores the DES parity bits and reports weak keys; we refuse weak keys. */
static void test_3des_keys(void)
{
	uint8_t key[24], key2[24], iv[8] = { 0 }, plain[16], ct1[16], ct2[16];

	fill(key, sizeof(key), 0x40);
	fill(plain, sizeof(plain), 0x01);
	for (size_t i = 0; i < sizeof(key); i++)
		key2[i] = key[i] ^ 0x01; /* flip every parity bit */
	tap_eq_int(cipher_encrypt(CIPHER_3DES, key, 24, iv, plain, 16, ct1), 0, "3des with key A");
	tap_eq_int(cipher_encrypt(CIPHER_3DES, key2, 24, iv, plain, 16, ct2), 0,
		   "3des with key A, parity bits flipped");
	tap_eq_bytes(ct1, 16, ct2, 16, "3des: Nettle ignores the parity bits");
	memset(key2, 0x01, 8); /* 0101010101010101: a DES weak key, as K1 */
	tap_eq_int(cipher_encrypt(CIPHER_3DES, key2, 24, iv, plain, 16, ct2), ERR_INVAL,
		   "3des refuses a weak DES key as K1");
	memcpy(key2, key, 24);
	memset(key2 + 16, 0xfe, 8); /* fefefefefefefefe: weak, as K3 */
	tap_eq_int(cipher_decrypt(CIPHER_3DES, key2, 24, iv, ct1, 16, ct2), ERR_INVAL,
		   "3des refuses a weak DES key as K3 (decrypt too)");
}

static void test_sizes(void)
{
	tap_eq_int((long long)cipher_block_len(CIPHER_3DES), 8, "3des block is 8");
	tap_eq_int((long long)cipher_block_len(CIPHER_AES_CBC), 16, "aes-cbc block is 16");
	tap_eq_int((long long)cipher_block_len(CIPHER_AES_CTR), 1, "aes-ctr takes any length");
	tap_eq_int((long long)cipher_iv_len(CIPHER_3DES), 8, "3des IV is 8");
	tap_eq_int((long long)cipher_iv_len(CIPHER_AES_CBC), 16, "aes-cbc IV is 16");
	tap_eq_int((long long)cipher_iv_len(CIPHER_AES_CTR), 8, "aes-ctr IV is 8");
	tap_ok(cipher_key_len_valid(CIPHER_AES_CBC, 128) && cipher_key_len_valid(CIPHER_AES_CBC, 192) &&
	       cipher_key_len_valid(CIPHER_AES_CBC, 256), "aes-cbc takes 128/192/256");
	tap_ok(!cipher_key_len_valid(CIPHER_AES_CBC, 0) && !cipher_key_len_valid(CIPHER_AES_CTR, 64) &&
	       !cipher_key_len_valid(CIPHER_AES_CTR, 512), "aes refuses 0, 64 and 512 bits");
	tap_ok(cipher_key_len_valid(CIPHER_3DES, 0) && cipher_key_len_valid(CIPHER_3DES, 192) &&
	       !cipher_key_len_valid(CIPHER_3DES, 128), "3des: no attribute or 192, not 128");
	tap_eq_int((long long)cipher_keymat_len(CIPHER_AES_CTR, 256), 36, "aes256ctr keymat is 36");
	tap_eq_int((long long)cipher_keymat_len(CIPHER_AES_CBC, 192), 24, "aes192 keymat is 24");
	tap_eq_int((long long)cipher_keymat_len(CIPHER_3DES, 0), 24, "3des keymat is 24");
	tap_eq_int((long long)cipher_keymat_len(CIPHER_AES_CBC, 100), 0, "no keymat for 100 bits");
	tap_eq_int((long long)cipher_block_len((enum cipher_alg)2), 0, "unknown cipher: no block");
	tap_eq_str(cipher_name(CIPHER_AES_CTR), "aesctr", "aes-ctr name");
}

static void test_refusals(void)
{
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[16] = { 0 };

	tap_eq_int(cipher_encrypt((enum cipher_alg)2, key, 16, iv, buf, 16, buf), ERR_UNSUPPORTED,
		   "an unknown cipher is refused");
	tap_eq_int(cipher_encrypt(CIPHER_3DES, key, 16, iv, buf, 16, buf), ERR_INVAL,
		   "3des refuses a 16-octet (two-key) key");
	tap_eq_int(cipher_encrypt(CIPHER_AES_CBC, NULL, 16, iv, buf, 16, buf), ERR_INVAL,
		   "a missing key is refused");
	tap_eq_int(cipher_encrypt(CIPHER_AES_CTR, key, 3, iv, buf, 16, buf), ERR_INVAL,
		   "aes-ctr refuses keying material shorter than the nonce");
}

int main(void)
{
	test_sizes();
	test_cbc(CIPHER_AES_CBC, 16, "aes128-cbc");
	test_cbc(CIPHER_AES_CBC, 24, "aes192-cbc");
	test_cbc(CIPHER_AES_CBC, 32, "aes256-cbc");
	test_cbc(CIPHER_3DES, 24, "3des-cbc");
	test_ctr(16);
	test_ctr(24);
	test_ctr(32);
	test_3des_keys();
	test_refusals();
	return tap_done();
}
