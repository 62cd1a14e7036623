/*
 * ke_ecp_test.c - ECP groups 19, 20, 21: RFC 5903 section 8 exchanges
 * through real KE payloads, NIST CAVS ECC static key-agreement validity
 * records for P-256/384/521, and refusal of invalid points (RFC 6989 2.3).
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/ke.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

#define IKEV2_PAYLOAD_NONE 0

/* The field primes (FIPS 186-4 D.1.2), protocol constants, for the range checks. */
static const char *field_prime_hex(uint16_t group)
{
	switch (group) {
	case 19: return "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF";
	case 20: return "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
			"FFFFFFFF0000000000000000FFFFFFFF";
	case 21: return "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
			"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
	}
	return NULL;
}

/* A field of a record, left-padded to exactly want octets. */
static bool get_fixed(const struct vec_rec *r, const char *name, uint8_t *out, size_t want)
{
	uint8_t *v = NULL;
	size_t len = 0;
	bool ok = vec_get_hex(r, name, &v, &len);

	if (ok && len > want) {
		/* NIST writes leading zero octets sometimes; keep only zeros out. */
		for (size_t i = 0; i < len - want; i++)
			ok = ok && v[i] == 0;
		if (ok)
			memmove(v, v + (len - want), want);
		len = want;
	}
	if (ok) {
		memset(out, 0, want - len);
		memcpy(out + (want - len), v, len);
	}
	free(v);
	return ok;
}

/* IKEv2 KE payload (RFC 7296 3.4): generic header, DH group, RESERVED, data. */
static size_t build_ke_payload(uint8_t *buf, size_t cap, uint16_t group,
			       const uint8_t *data, size_t len)
{
	struct wr w;
	size_t mark;

	wr_init(&w, buf, cap);
	wr_u8(&w, IKEV2_PAYLOAD_NONE); /* next payload */
	wr_u8(&w, 0);                  /* critical bit and reserved */
	wr_reserve_len16(&w, &mark);
	wr_u16(&w, group);
	wr_u16(&w, 0);
	wr_bytes(&w, data, len);
	wr_close_len16(&w, mark, 0);
	return wr_ok(&w) ? wr_len(&w) : 0;
}

/* Parse a KE payload; the key exchange data view is returned in *data. */
static bool parse_ke_payload(const uint8_t *buf, size_t len, uint16_t *group,
			     const uint8_t **data, size_t *data_len)
{
	struct rd r, body;
	uint8_t next, flags;
	uint16_t plen, reserved;

	rd_init(&r, buf, len);
	rd_u8(&r, &next);
	rd_u8(&r, &flags);
	rd_u16(&r, &plen);
	if (!rd_ok(&r) || plen < 8 || !rd_sub(&r, plen - 4, &body) || !rd_done(&r))
		return false;
	rd_u16(&body, group);
	rd_u16(&body, &reserved);
	*data_len = rd_left(&body);
	return rd_ptr(&body, *data_len, data) && rd_done(&body);
}

static void test_rfc5903_record(const struct vec_rec *r)
{
	uint16_t group = (uint16_t)atoi(vec_get(r, "group") ? vec_get(r, "group") : "0");
	const struct ke_method *m = ke_method_find(group);
	struct ke_keypair *ki = NULL, *kr = NULL;
	struct secret *si = NULL, *sr = NULL;
	uint8_t *i = NULL, *rr = NULL, *kei = NULL, *ker = NULL, *girx = NULL;
	uint8_t pl_i[256], pl_r[256], gi[132], gr[132];
	size_t il, rl, keil, kerl, girxl, pli, plr, len, dlen;
	const uint8_t *pub, *data;
	uint16_t pgroup;

	if (!tap_ok(m != NULL, "RFC 5903 group %u is supported", group))
		return;
	if (!vec_get_hex(r, "i", &i, &il) || !vec_get_hex(r, "r", &rr, &rl) ||
	    !vec_get_hex(r, "KEi", &kei, &keil) || !vec_get_hex(r, "KEr", &ker, &kerl) ||
	    !vec_get_hex(r, "girx", &girx, &girxl) ||
	    !get_fixed(r, "gix", gi, m->shared_len) ||
	    !get_fixed(r, "giy", gi + m->shared_len, m->shared_len) ||
	    !get_fixed(r, "grx", gr, m->shared_len) ||
	    !get_fixed(r, "gry", gr + m->shared_len, m->shared_len))
		goto out;
	tap_eq_int(ke_keypair_from_private(group, i, il, &ki), 0, "group %u: keypair from i", group);
	tap_eq_int(ke_keypair_from_private(group, rr, rl, &kr), 0, "group %u: keypair from r", group);
	if (!ki || !kr)
		goto out;
	pub = ke_public(ki, &len);
	tap_eq_bytes(pub, len, gi, m->public_len, "group %u: g^i = gix || giy", group);
	pli = build_ke_payload(pl_i, sizeof(pl_i), group, pub, len);
	tap_eq_bytes(pl_i, pli, kei, keil, "group %u: our KE payload equals KEi", group);
	pub = ke_public(kr, &len);
	tap_eq_bytes(pub, len, gr, m->public_len, "group %u: g^r = grx || gry", group);
	plr = build_ke_payload(pl_r, sizeof(pl_r), group, pub, len);
	tap_eq_bytes(pl_r, plr, ker, kerl, "group %u: our KE payload equals KEr", group);

	/* Initiator reads KEr, responder reads KEi - the RFC's bytes, not ours. */
	if (tap_ok(parse_ke_payload(ker, kerl, &pgroup, &data, &dlen) && pgroup == group,
		   "group %u: KEr parses", group))
		tap_eq_int(ke_derive(ki, data, dlen, &si), 0, "group %u: initiator derives", group);
	if (tap_ok(parse_ke_payload(kei, keil, &pgroup, &data, &dlen) && pgroup == group,
		   "group %u: KEi parses", group))
		tap_eq_int(ke_derive(kr, data, dlen, &sr), 0, "group %u: responder derives", group);
	if (si)
		tap_eq_bytes(si->bytes, si->len, girx, girxl, "group %u: initiator's secret is girx",
			     group);
	if (sr)
		tap_eq_bytes(sr->bytes, sr->len, girx, girxl, "group %u: responder's secret is girx",
			     group);
out:
	secret_free(si);
	secret_free(sr);
	ke_keypair_free(ki);
	ke_keypair_free(kr);
	free(i); free(rr); free(kei); free(ker); free(girx);
}

static void test_rfc5903(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	unsigned n = 0;

	if (!vec_open(&f, "rfc5903/ecp-groups-19-20-21.txt"))
		return;
	while (vec_next(&f, &r)) {
		test_rfc5903_record(&r);
		n++;
	}
	vec_close(&f);
	vec_rec_free(&r);
	tap_eq_int(n, 3, "RFC 5903: three groups' records were used");
}

/* What the NIST file's "[EC - SHA256]"-style section says about the curve. */
static uint16_t kas_group(const struct vec_rec *r)
{
	if (vec_section(r, "EC - SHA256"))
		return 19;
	if (vec_section(r, "ED - SHA384"))
		return 20;
	if (vec_section(r, "EE - SHA512"))
		return 21;
	return 0; /* EA (P-192) and EB (P-224): no IKE group uses them */
}

struct kas_counts {
	unsigned pass, skipped;
	unsigned f_refused;      /* CAVS public key invalid: ke_derive refused it */
	unsigned f_key_mismatch; /* IUT's d does not give its Q: key pair invalid */
	unsigned f_z_differs;    /* everything computes but Z is not the one given */
};

/*
 * Result = P: d_IUT gives Q_IUT and d_IUT * Q_CAVS gives Z.
 * Result = F: the failure must show exactly where the file says it is:
 *   1, 2 (CAVS public X/Y fails validation)  -> ke_derive: ERR_BAD_PUBLIC
 *   5, 6 (IUT public X/Y fails), 7 (d changed) -> our Q from d_IUT != Q_IUT
 *   8 (Z changed)                            -> our Z != Z
 */
static void test_kas_record(const struct vec_rec *r, struct kas_counts *c)
{
	uint16_t group = kas_group(r);
	const struct ke_method *m = ke_method_find(group);
	const char *result = vec_get(r, "Result");
	uint8_t d[66], qc[132], qi[132], z[66];
	struct ke_keypair *kp = NULL;
	struct secret *s = NULL;
	const uint8_t *pub;
	size_t fl, len;
	int reason, rc;
	bool pub_ok, z_ok;

	if (!m) {
		c->skipped++;
		return;
	}
	fl = m->shared_len;
	if (!result || !get_fixed(r, "dsIUT", d, fl) || !get_fixed(r, "QsCAVSx", qc, fl) ||
	    !get_fixed(r, "QsCAVSy", qc + fl, fl) || !get_fixed(r, "QsIUTx", qi, fl) ||
	    !get_fixed(r, "QsIUTy", qi + fl, fl) || !get_fixed(r, "Z", z, fl)) {
		tap_ok(false, "NIST KAS line %u: record readable", r->first_line);
		return;
	}
	reason = atoi(strchr(result, '(') ? strchr(result, '(') + 1 : "-1");
	rc = ke_keypair_from_private(group, d, fl, &kp);
	if (rc != 0) {
		/* A changed d may fall outside [1, n-1]: refusing it is the
		 * private key validity check the record is about. */
		if (result[0] == 'F' && reason == 7)
			c->f_key_mismatch++;
		tap_ok(result[0] == 'F' && reason == 7 && rc == ERR_INVAL,
		       "NIST KAS %s line %u (%s): d_IUT refused only when the file says it changed",
		       m->name, r->first_line, result);
		return;
	}
	pub = ke_public(kp, &len);
	pub_ok = memcmp(pub, qi, len) == 0;
	rc = ke_derive(kp, qc, 2 * fl, &s);
	z_ok = rc == 0 && memcmp(s->bytes, z, fl) == 0;
	if (result[0] == 'P') {
		c->pass++;
		tap_ok(pub_ok && rc == 0 && z_ok,
		       "NIST KAS %s line %u: Q_IUT and Z reproduce", m->name, r->first_line);
	} else if (reason == 1 || reason == 2) {
		c->f_refused++;
		tap_eq_int(rc, ERR_BAD_PUBLIC, "NIST KAS %s line %u (F %d): bad CAVS key refused",
			   m->name, r->first_line, reason);
	} else if (reason == 5 || reason == 6 || reason == 7) {
		c->f_key_mismatch++;
		tap_ok(!pub_ok, "NIST KAS %s line %u (F %d): d_IUT does not give Q_IUT",
		       m->name, r->first_line, reason);
	} else if (reason == 8) {
		c->f_z_differs++;
		tap_ok(rc == 0 && !z_ok, "NIST KAS %s line %u (F 8): our Z differs from the file's",
		       m->name, r->first_line);
	} else {
		tap_ok(false, "NIST KAS line %u: unknown result '%s'", r->first_line, result);
	}
	secret_free(s);
	ke_keypair_free(kp);
}

static void test_nist_kas(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	struct kas_counts c = { 0 };

	if (!vec_open(&f, "pyca-cryptography-vectors/ECDH/"
			  "KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_init.fax"))
		return;
	while (vec_next(&f, &r))
		if (vec_get(&r, "COUNT"))
			test_kas_record(&r, &c);
	vec_close(&f);
	vec_rec_free(&r);
	tap_diag("NIST KAS: %u P, %u F refused, %u F key mismatch, %u F Z differs; "
		 "%u P-192/P-224 records skipped (no IKE group)",
		 c.pass, c.f_refused, c.f_key_mismatch, c.f_z_differs, c.skipped);
	/* 30 records per curve: 18 P, and 2 F for each of the six reasons. */
	tap_eq_int(c.pass, 54, "NIST KAS: 54 P records for P-256/384/521");
	tap_eq_int(c.f_refused, 12, "NIST KAS: 12 F records with a bad CAVS key");
	tap_eq_int(c.f_key_mismatch, 18, "NIST KAS: 18 F records with a bad IUT key pair");
	tap_eq_int(c.f_z_differs, 6, "NIST KAS: 6 F records with a changed Z");
	tap_eq_int(c.skipped, 60, "NIST KAS: 60 P-192/P-224 records skipped");
}

static void expect_refused(struct ke_keypair *kp, const uint8_t *v, size_t len,
			   const char *what, const char *name)
{
	struct secret *s = NULL;

	tap_eq_int(ke_derive(kp, v, len, &s), ERR_BAD_PUBLIC, "%s: %s is refused", name, what);
	secret_free(s);
}

/* Add p to the big-endian value v (len octets); false if it overflows. */
static bool add_bytes(uint8_t *v, const uint8_t *p, size_t len)
{
	unsigned carry = 0;

	for (size_t i = len; i-- > 0;) {
		unsigned s = v[i] + p[i] + carry;

		v[i] = (uint8_t)s;
		carry = s >> 8;
	}
	return carry == 0;
}

static void test_bad_points(uint16_t group)
{
	const struct ke_method *m = ke_method_find(group);
	struct ke_keypair *a = NULL, *b = NULL;
	struct secret *s1 = NULL, *s2 = NULL;
	uint8_t pt[132], bad[132], *p = NULL;
	size_t fl, len, plen = 0;
	const uint8_t *pub;

	if (!m || ke_keypair_new(group, &a) != 0 || ke_keypair_new(group, &b) != 0 ||
	    !vec_hex(field_prime_hex(group), &p, &plen))
		goto out;
	fl = m->shared_len;
	pub = ke_public(b, &len);
	memcpy(pt, pub, len);
	tap_ok(plen == fl, "%s: field prime is %zu octets", m->name, fl);

	memcpy(bad, pt, len);
	bad[len - 1] ^= 1;
	expect_refused(a, bad, len, "a point off the curve (y with its low bit flipped)", m->name);
	memcpy(bad, pt, len);
	bad[fl - 1] ^= 1;
	expect_refused(a, bad, len, "a point off the curve (x with its low bit flipped)", m->name);
	memset(bad, 0, len);
	expect_refused(a, bad, len, "(0, 0)", m->name);
	memcpy(bad, pt, len);
	memcpy(bad, p, fl);
	expect_refused(a, bad, len, "x = p", m->name);
	memcpy(bad, pt, len);
	memcpy(bad + fl, p, fl);
	expect_refused(a, bad, len, "y = p", m->name);
	memset(bad, 0xff, len);
	expect_refused(a, bad, len, "x = y = all ones", m->name);
	/* The same point with y + p: on the curve only if reduced mod p. */
	memcpy(bad, pt, len);
	if (add_bytes(bad + fl, p, fl))
		expect_refused(a, bad, len, "y + p (non-canonical y)", m->name);
	else
		tap_skip("%s: y + p does not fit the field size", m->name);
	memcpy(bad, pt, len);
	if (add_bytes(bad, p, fl))
		expect_refused(a, bad, len, "x + p (non-canonical x)", m->name);
	else
		tap_skip("%s: x + p does not fit the field size", m->name);

	/* -Q = (x, p - y) is valid and d*(-Q) has the same x: accepted, same secret. */
	memcpy(bad, pt, len);
	{
		uint8_t neg[66];
		unsigned borrow = 0;

		for (size_t i = fl; i-- > 0;) {
			int d = (int)p[i] - (int)pt[fl + i] - (int)borrow;

			borrow = d < 0;
			neg[i] = (uint8_t)(d + (borrow ? 256 : 0));
		}
		memcpy(bad + fl, neg, fl);
	}
	tap_ok(ke_derive(a, pt, len, &s1) == 0 && ke_derive(a, bad, len, &s2) == 0 &&
	       memcmp(s1->bytes, s2->bytes, fl) == 0,
	       "%s: -Q is accepted and gives the same x as Q", m->name);
out:
	secret_free(s1);
	secret_free(s2);
	free(p);
	ke_keypair_free(a);
	ke_keypair_free(b);
}

static void test_private_range(void)
{
	uint8_t d[32];
	struct ke_keypair *kp = NULL;

	memset(d, 0, sizeof(d));
	tap_eq_int(ke_keypair_from_private(19, d, sizeof(d), &kp), ERR_INVAL, "ECP_256: d = 0 refused");
	memset(d, 0xff, sizeof(d));
	tap_eq_int(ke_keypair_from_private(19, d, sizeof(d), &kp), ERR_INVAL, "ECP_256: d >= n refused");
	tap_eq_int(ke_keypair_from_private(19, d, 31, &kp), ERR_INVAL, "ECP_256: 31-octet d refused");
	d[0] = 0x7f;
	tap_eq_int(ke_keypair_from_private(19, d, sizeof(d), &kp), 0, "ECP_256: d < n accepted");
	ke_keypair_free(kp);
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_rfc5903();
	test_nist_kas();
	test_bad_points(19);
	test_bad_points(20);
	test_bad_points(21);
	test_private_range();
	return tap_done();
}
