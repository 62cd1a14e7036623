/*
 * ke_x_test.c - groups 31 (Curve25519) and 32 (Curve448): RFC 7748 section 5.2
 * scalar multiplications and section 6 Diffie-Hellman through the KE
 * interface, and refusal of low-order peer values (RFC 8031 2, RFC 7748 6).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ke.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

/* priv * u through ke_keypair_from_private + ke_derive. */
static void check_mult(uint16_t group, const struct vec_rec *r, const char *k_name,
		       const char *u_name, const char *out_name)
{
	uint8_t *k = NULL, *u = NULL, *want = NULL;
	size_t kl, ul, wl;
	struct ke_keypair *kp = NULL;
	struct secret *s = NULL;

	if (!vec_get_hex(r, k_name, &k, &kl) || !vec_get_hex(r, u_name, &u, &ul) ||
	    !vec_get_hex(r, out_name, &want, &wl))
		goto out;
	if (tap_eq_int(ke_keypair_from_private(group, k, kl, &kp), 0, "group %u line %u: keypair",
		       group, r->first_line) &&
	    tap_eq_int(ke_derive(kp, u, ul, &s), 0, "group %u line %u: derive", group, r->first_line))
		tap_eq_bytes(s->bytes, s->len, want, wl, "group %u line %u: %s", group,
			     r->first_line, out_name);
out:
	secret_free(s);
	ke_keypair_free(kp);
	free(k);
	free(u);
	free(want);
}

static void test_pyca(uint16_t group, const char *path)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	unsigned n = 0;

	if (!vec_open(&f, path))
		return;
	while (vec_next(&f, &r)) {
		check_mult(group, &r, "INPUT_SCALAR", "INPUT_U", "OUTPUT_U");
		n++;
	}
	vec_close(&f);
	vec_rec_free(&r);
	tap_eq_int(n, 3, "%s: three RFC 7748 5.2 vectors", path);
}

/* A public value = X(priv, base point), compared with the file's. */
static void check_public(uint16_t group, const struct vec_rec *r, const char *priv_name,
			 const char *pub_name)
{
	uint8_t *k = NULL, *want = NULL;
	size_t kl, wl, len;
	struct ke_keypair *kp = NULL;

	if (!vec_get_hex(r, priv_name, &k, &kl) || !vec_get_hex(r, pub_name, &want, &wl))
		goto out;
	if (tap_eq_int(ke_keypair_from_private(group, k, kl, &kp), 0, "group %u: %s keypair",
		       group, priv_name)) {
		const uint8_t *pub = ke_public(kp, &len);

		tap_eq_bytes(pub, len, want, wl, "group %u: %s", group, pub_name);
	}
out:
	ke_keypair_free(kp);
	free(k);
	free(want);
}

static void test_rfc7748_dh(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	bool seen25519 = false, seen448 = false;

	if (!vec_open(&f, "rfc7748/x25519-x448-dh.txt"))
		return;
	while (vec_next(&f, &r)) {
		const char *curve = vec_get(&r, "curve");
		uint16_t group = 0;

		if (curve && strcmp(curve, "X25519") == 0) {
			group = KE_CURVE25519;
			seen25519 = true;
		} else if (curve && strcmp(curve, "X448") == 0) {
			group = KE_CURVE448;
			seen448 = true;
		}
		if (!tap_ok(group != 0, "RFC 7748 line %u: known curve", r.first_line))
			continue;
		check_public(group, &r, "alice_priv", "alice_pub");
		check_public(group, &r, "bob_priv", "bob_pub");
		check_mult(group, &r, "alice_priv", "bob_pub", "shared");
		check_mult(group, &r, "bob_priv", "alice_pub", "shared");
	}
	vec_close(&f);
	vec_rec_free(&r);
	tap_ok(seen25519 && seen448, "RFC 7748 section 6.1 and 6.2 both used");
}

static void expect_refused(uint16_t group, struct ke_keypair *kp, const char *hex,
			   const char *what)
{
	uint8_t *u = NULL;
	size_t len = 0;
	struct secret *s = NULL;

	if (!vec_hex(hex, &u, &len))
		return;
	tap_eq_int(ke_derive(kp, u, len, &s), ERR_BAD_PUBLIC, "group %u: u = %s is refused",
		   group, what);
	tap_ok(s == NULL, "group %u: u = %s yields no secret", group, what);
	free(u);
}

/*
 * Low-order u-coordinates (and their non-canonical aliases, u + p) make the
 * shared secret all zero; RFC 8031 2 says to refuse it.
 */
static void test_low_order(void)
{
	struct ke_keypair *kp = NULL;

	if (ke_keypair_new(KE_CURVE25519, &kp) == 0) {
		expect_refused(31, kp, "0000000000000000000000000000000000000000000000000000000000000000", "0");
		expect_refused(31, kp, "0100000000000000000000000000000000000000000000000000000000000000", "1");
		expect_refused(31, kp, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
			       "an order-8 point");
		expect_refused(31, kp, "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
			       "the other order-8 point");
		expect_refused(31, kp, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "p-1");
		expect_refused(31, kp, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "p");
		expect_refused(31, kp, "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "p+1");
		expect_refused(31, kp, "00000000000000000000000000000000000000000000000000000000000000", "31 octets");
		ke_keypair_free(kp);
	}
	kp = NULL;
	if (ke_keypair_new(KE_CURVE448, &kp) == 0) {
		static const char zero[] = "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
		static const char one[] = "0100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
		/* p = 2^448 - 2^224 - 1, little-endian */
		static const char p_minus_1[] = "feffffffffffffffffffffffffffffffffffffffffffffffffffffff"
						"feffffffffffffffffffffffffffffffffffffffffffffffffffffff";
		static const char p[] = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
						"feffffffffffffffffffffffffffffffffffffffffffffffffffffff";
		static const char p_plus_1[] = "00000000000000000000000000000000000000000000000000000000"
						"ffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

		expect_refused(32, kp, zero, "0");
		expect_refused(32, kp, one, "1");
		expect_refused(32, kp, p_minus_1, "p-1");
		expect_refused(32, kp, p, "p");
		expect_refused(32, kp, p_plus_1, "p+1");
		expect_refused(32, kp, "00", "1 octet");
		ke_keypair_free(kp);
	}
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_pyca(KE_CURVE25519, "pyca-cryptography-vectors/X25519/rfc7748.txt");
	test_pyca(KE_CURVE448, "pyca-cryptography-vectors/X448/rfc7748.txt");
	test_rfc7748_dh();
	test_low_order();
	return tap_done();
}
