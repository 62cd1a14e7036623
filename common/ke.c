/*
 * ke.c - the key exchange method table and the calls every method shares
 * (see ke.h): keypair allocation and wiping, peer length checks, and the
 * responder's "keypair + derive" for Diffie-Hellman methods.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/ke_impl.h"

/*
 * Strength estimates, used only to report and flag weak groups: MODP 5 and
 * 14-18 from RFC 3526 section 8 (the lower of its two estimates); groups 1
 * and 2 rough figures (NIST SP 800-57 part 1 table 2 puts 1024-bit at 80,
 * 768-bit is below it; RFC 8247 2.4 says MUST NOT / SHOULD NOT); ECP from
 * RFC 5903 1; Curve25519/448 from RFC 7748 1 (~128 / ~224).
 */
static const struct ke_method ke_methods[] = {
	{ KE_MODP_768, "MODP_768", KE_KIND_DH, 96, 96, 96, 64, &ke_modp_768_impl },
	{ KE_MODP_1024, "MODP_1024", KE_KIND_DH, 128, 128, 128, 80, &ke_modp_1024_impl },
	{ KE_MODP_1536, "MODP_1536", KE_KIND_DH, 192, 192, 192, 90, &ke_modp_1536_impl },
	{ KE_MODP_2048, "MODP_2048", KE_KIND_DH, 256, 256, 256, 110, &ke_modp_2048_impl },
	{ KE_MODP_3072, "MODP_3072", KE_KIND_DH, 384, 384, 384, 130, &ke_modp_3072_impl },
	{ KE_MODP_4096, "MODP_4096", KE_KIND_DH, 512, 512, 512, 150, &ke_modp_4096_impl },
	{ KE_MODP_6144, "MODP_6144", KE_KIND_DH, 768, 768, 768, 170, &ke_modp_6144_impl },
	{ KE_MODP_8192, "MODP_8192", KE_KIND_DH, 1024, 1024, 1024, 190, &ke_modp_8192_impl },
	{ KE_ECP_256, "ECP_256", KE_KIND_DH, 64, 64, 32, 128, &ke_ecp_256_impl },
	{ KE_ECP_384, "ECP_384", KE_KIND_DH, 96, 96, 48, 192, &ke_ecp_384_impl },
	{ KE_ECP_521, "ECP_521", KE_KIND_DH, 132, 132, 66, 256, &ke_ecp_521_impl },
	{ KE_CURVE25519, "Curve25519", KE_KIND_DH, 32, 32, 32, 128, &ke_x25519_impl },
	{ KE_CURVE448, "Curve448", KE_KIND_DH, 56, 56, 56, 224, &ke_x448_impl },
};

#define KE_N_METHODS (sizeof(ke_methods) / sizeof(ke_methods[0]))

/*
 * One allocation per keypair: the header, then the public value, then room
 * for the private value, so ke_keypair_free() wipes everything at once.
 */
struct ke_keypair {
	const struct ke_method *method;
	size_t alloc_len; /* bytes of the whole allocation, for the wipe */
	size_t priv_len;
	uint8_t *pub;
	uint8_t *priv;
	uint8_t tail[];
};

const struct ke_method *ke_method_find(uint16_t group)
{
	for (size_t i = 0; i < KE_N_METHODS; i++)
		if (ke_methods[i].group == group)
			return &ke_methods[i];
	return NULL;
}

const struct ke_method *ke_method_at(size_t index)
{
	return index < KE_N_METHODS ? &ke_methods[index] : NULL;
}

static pthread_once_t ke_sodium_once = PTHREAD_ONCE_INIT;
static int ke_sodium_status;

static void ke_sodium_start(void)
{
	ke_sodium_status = sodium_init() < 0 ? ERR_CRYPTO : 0;
}

int ke_random_ready(void)
{
	pthread_once(&ke_sodium_once, ke_sodium_start);
	return ke_sodium_status;
}

static struct ke_keypair *ke_keypair_alloc(const struct ke_method *m)
{
	size_t priv_max = m->impl->priv_max;
	size_t len = sizeof(struct ke_keypair) + m->public_len + priv_max;
	struct ke_keypair *kp = calloc(1, len);

	if (!kp)
		return NULL;
	kp->method = m;
	kp->alloc_len = len;
	kp->pub = kp->tail;
	kp->priv = kp->tail + m->public_len;
	return kp;
}

void ke_keypair_free(struct ke_keypair *kp)
{
	if (!kp)
		return;
	sodium_memzero(kp, kp->alloc_len);
	free(kp);
}

int ke_keypair_dup(const struct ke_keypair *kp, struct ke_keypair **out)
{
	struct ke_keypair *c = malloc(kp->alloc_len);

	*out = NULL;
	if (!c)
		return ERR_NOMEM;
	memcpy(c, kp, kp->alloc_len);
	c->pub = c->tail;
	c->priv = c->tail + kp->method->public_len;
	*out = c;
	return 0;
}

int ke_keypair_new(uint16_t group, struct ke_keypair **out)
{
	const struct ke_method *m = ke_method_find(group);
	struct ke_keypair *kp;
	int rc;

	*out = NULL;
	if (!m)
		return ERR_UNSUPPORTED;
	rc = ke_random_ready();
	if (rc < 0)
		return rc;
	kp = ke_keypair_alloc(m);
	if (!kp)
		return ERR_NOMEM;
	rc = m->impl->generate(m, kp->priv, &kp->priv_len, kp->pub);
	if (rc < 0) {
		ke_keypair_free(kp);
		return rc;
	}
	*out = kp;
	return 0;
}

int ke_keypair_from_private(uint16_t group, const uint8_t *priv, size_t len,
			    struct ke_keypair **out)
{
	const struct ke_method *m = ke_method_find(group);
	struct ke_keypair *kp;
	int rc;

	*out = NULL;
	if (!m)
		return ERR_UNSUPPORTED;
	if (!priv || len == 0 || len > m->impl->priv_max)
		return ERR_INVAL;
	kp = ke_keypair_alloc(m);
	if (!kp)
		return ERR_NOMEM;
	memcpy(kp->priv, priv, len);
	kp->priv_len = len;
	rc = m->impl->from_private(m, kp->priv, len, kp->pub);
	if (rc < 0) {
		ke_keypair_free(kp);
		return rc;
	}
	*out = kp;
	return 0;
}

const struct ke_method *ke_keypair_method(const struct ke_keypair *kp)
{
	return kp->method;
}

const uint8_t *ke_public(const struct ke_keypair *kp, size_t *len)
{
	*len = kp->method->public_len;
	return kp->pub;
}

int ke_derive(const struct ke_keypair *kp, const uint8_t *peer, size_t peer_len,
	      struct secret **shared)
{
	const struct ke_method *m = kp->method;
	struct secret *s;
	int rc;

	*shared = NULL;
	/* Exact length first (RFC 7296 3.4, RFC 5903 7, RFC 8031 3). */
	if (!peer || peer_len != m->response_len)
		return ERR_BAD_PUBLIC;
	s = secret_new(m->shared_len);
	if (!s)
		return ERR_NOMEM;
	rc = m->impl->agree(m, kp->priv, kp->priv_len, peer, s->bytes);
	if (rc < 0) {
		secret_free(s);
		return rc;
	}
	*shared = s;
	return 0;
}

int ke_respond(uint16_t group, const uint8_t *peer, size_t peer_len,
	       uint8_t *out, size_t out_cap, size_t *out_len,
	       struct secret **shared)
{
	const struct ke_method *m = ke_method_find(group);
	struct ke_keypair *kp = NULL;
	struct secret *s = NULL;
	int rc;

	*shared = NULL;
	if (!m)
		return ERR_UNSUPPORTED;
	if (m->kind != KE_KIND_DH)
		return ERR_UNSUPPORTED; /* a KEM brings its own encapsulation here */
	if (out_cap < m->response_len)
		return ERR_OVERFLOW;
	/* Refuse a wrong length before paying for a keypair. */
	if (!peer || peer_len != m->public_len)
		return ERR_BAD_PUBLIC;
	rc = ke_keypair_new(group, &kp);
	if (rc < 0)
		return rc;
	rc = ke_derive(kp, peer, peer_len, &s);
	if (rc == 0) {
		memcpy(out, kp->pub, m->response_len);
		*out_len = m->response_len;
		*shared = s;
	}
	ke_keypair_free(kp);
	return rc;
}
