/*
 * kernel_xfrm_sa.c - SAD entries through libnl-xfrm: add/update, delete,
 * list, and the map from IKEv2 transform IDs to the kernel's crypto names.
 *
 * Key layout the kernel expects (and KEYMAT provides, RFC 7296 2.17):
 * AES-CTR key || 4-byte nonce (RFC 3686 5.1), AES-GCM key || 4-byte salt
 * (RFC 4106 8.1), ChaCha20-Poly1305 key || 4-byte salt (RFC 7634 2).
 * ICV and truncation lengths are in bits, as XFRM wants them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netlink/cache.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>

#include "common/err.h"
#include "common/kernel_xfrm_priv.h"

enum xfrm_alg_kind { ALG_CRYPT, ALG_AEAD, ALG_AUTH };

struct xfrm_alg {
	uint16_t id;
	enum xfrm_alg_kind kind;
	const char *name;
	unsigned icv_bits; /* AEAD ICV or integrity truncation */
	uint8_t key_lens[3]; /* accepted key lengths in bytes (0 = end) */
};

static const struct xfrm_alg encr_algs[] = {
	{ KERNEL_ENCR_3DES, ALG_CRYPT, "cbc(des3_ede)", 0, { 24 } },
	{ KERNEL_ENCR_AES_CBC, ALG_CRYPT, "cbc(aes)", 0, { 16, 24, 32 } },
	{ KERNEL_ENCR_AES_CTR, ALG_CRYPT, "rfc3686(ctr(aes))", 0, { 20, 28, 36 } },
	{ KERNEL_ENCR_AES_GCM_8, ALG_AEAD, "rfc4106(gcm(aes))", 64, { 20, 28, 36 } },
	{ KERNEL_ENCR_AES_GCM_12, ALG_AEAD, "rfc4106(gcm(aes))", 96, { 20, 28, 36 } },
	{ KERNEL_ENCR_AES_GCM_16, ALG_AEAD, "rfc4106(gcm(aes))", 128, { 20, 28, 36 } },
	{ KERNEL_ENCR_CHACHA20_POLY1305, ALG_AEAD, "rfc7539esp(chacha20,poly1305)", 128, { 36 } },
};

static const struct xfrm_alg integ_algs[] = {
	{ KERNEL_INTEG_HMAC_MD5_96, ALG_AUTH, "hmac(md5)", 96, { 16 } },
	{ KERNEL_INTEG_HMAC_SHA1_96, ALG_AUTH, "hmac(sha1)", 96, { 20 } },
	{ KERNEL_INTEG_AES_XCBC_96, ALG_AUTH, "xcbc(aes)", 96, { 16 } },
	{ KERNEL_INTEG_AES_CMAC_96, ALG_AUTH, "cmac(aes)", 96, { 16 } },
	{ KERNEL_INTEG_HMAC_SHA2_256_128, ALG_AUTH, "hmac(sha256)", 128, { 32 } },
	{ KERNEL_INTEG_HMAC_SHA2_384_192, ALG_AUTH, "hmac(sha384)", 192, { 48 } },
	{ KERNEL_INTEG_HMAC_SHA2_512_256, ALG_AUTH, "hmac(sha512)", 256, { 64 } },
};

static const struct xfrm_alg *find_alg(const struct xfrm_alg *t, size_t n, uint16_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].id == id)
			return &t[i];
	return NULL;
}

static bool key_len_ok(const struct xfrm_alg *a, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(a->key_lens) && a->key_lens[i]; i++)
		if (a->key_lens[i] == len)
			return true;
	return false;
}

/* ESP with NULL encryption still needs a crypt attribute (RFC 2410). */
static const struct xfrm_alg null_encr = { KERNEL_ENCR_NULL, ALG_CRYPT, "ecb(cipher_null)", 0, { 0 } };

static int set_algorithms(struct kernel *k, struct xfrmnl_sa *xsa, const struct kernel_sa *sa)
{
	const struct xfrm_alg *e, *i = NULL;
	int rc;

	e = sa->encr_id == KERNEL_ENCR_NULL
		    ? &null_encr
		    : find_alg(encr_algs, sizeof(encr_algs) / sizeof(encr_algs[0]), sa->encr_id);
	if (!e) {
		log_error(&k->lg, "SPI 0x%08x: encryption transform %u is not supported by the "
			  "xfrm backend", sa->spi, sa->encr_id);
		return ERR_UNSUPPORTED;
	}
	if (e != &null_encr && !key_len_ok(e, sa->encr_key_len)) {
		log_error(&k->lg, "SPI 0x%08x: %s key of %zu bytes is not valid", sa->spi,
			  e->name, sa->encr_key_len);
		return ERR_INVAL;
	}
	if (sa->integ_id != KERNEL_INTEG_NONE) {
		i = find_alg(integ_algs, sizeof(integ_algs) / sizeof(integ_algs[0]), sa->integ_id);
		if (!i) {
			log_error(&k->lg, "SPI 0x%08x: integrity transform %u is not supported "
				  "by the xfrm backend", sa->spi, sa->integ_id);
			return ERR_UNSUPPORTED;
		}
		if (!key_len_ok(i, sa->integ_key_len)) {
			log_error(&k->lg, "SPI 0x%08x: %s key of %zu bytes is not valid",
				  sa->spi, i->name, sa->integ_key_len);
			return ERR_INVAL;
		}
	}
	if (e->kind == ALG_AEAD)
		rc = xfrmnl_sa_set_aead_params(xsa, e->name, (unsigned)sa->encr_key_len * 8,
					       e->icv_bits, (const char *)sa->encr_key);
	else
		rc = xfrmnl_sa_set_crypto_params(xsa, e->name, (unsigned)sa->encr_key_len * 8,
						 (const char *)sa->encr_key);
	if (rc == 0 && i)
		rc = xfrmnl_sa_set_auth_params(xsa, i->name, (unsigned)sa->integ_key_len * 8,
					       i->icv_bits, (const char *)sa->integ_key);
	return rc == 0 ? 0 : ERR_NOMEM;
}

static uint64_t limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

static int set_lifetime(struct xfrmnl_sa *xsa, const struct kernel_lifetime *l)
{
	struct xfrmnl_ltime_cfg *lt = xfrmnl_ltime_cfg_alloc();

	if (!lt)
		return ERR_NOMEM;
	xfrmnl_ltime_cfg_set_soft_bytelimit(lt, limit(l->soft_bytes));
	xfrmnl_ltime_cfg_set_hard_bytelimit(lt, limit(l->hard_bytes));
	xfrmnl_ltime_cfg_set_soft_packetlimit(lt, limit(l->soft_packets));
	xfrmnl_ltime_cfg_set_hard_packetlimit(lt, limit(l->hard_packets));
	/* Seconds: 0 already means "never" to the kernel. */
	xfrmnl_ltime_cfg_set_soft_addexpires(lt, l->soft_seconds);
	xfrmnl_ltime_cfg_set_hard_addexpires(lt, l->hard_seconds);
	xfrmnl_sa_set_lifetime_cfg(xsa, lt);
	xfrmnl_ltime_cfg_put(lt);
	return 0;
}

static int set_selector(struct xfrmnl_sa *xsa, const struct kernel_selector *ks)
{
	struct xfrmnl_sel *sel;
	struct nl_addr *src, *dst;

	if (ks->src.ss_family == AF_UNSPEC)
		return 0; /* kernel takes the SA's family, any traffic */
	sel = xfrmnl_sel_alloc();
	src = xfrm_nl_addr(&ks->src);
	dst = xfrm_nl_addr(&ks->dst);
	if (sel && src && dst) {
		xfrmnl_sel_set_saddr(sel, src);
		xfrmnl_sel_set_daddr(sel, dst);
		xfrmnl_sel_set_prefixlen_s(sel, ks->src_prefix);
		xfrmnl_sel_set_prefixlen_d(sel, ks->dst_prefix);
		xfrmnl_sel_set_family(sel, ks->src.ss_family);
		xfrmnl_sel_set_proto(sel, ks->proto);
		xfrmnl_sel_set_sport(sel, ks->src_port);
		xfrmnl_sel_set_sportmask(sel, ks->src_port ? 0xffff : 0);
		xfrmnl_sel_set_dport(sel, ks->dst_port);
		xfrmnl_sel_set_dportmask(sel, ks->dst_port ? 0xffff : 0);
		xfrmnl_sa_set_sel(xsa, sel);
	}
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	if (!sel)
		return ERR_NOMEM;
	xfrmnl_sel_put(sel);
	return src && dst ? 0 : ERR_NOMEM;
}

static int set_replay(struct xfrmnl_sa *xsa, const struct kernel_sa *sa)
{
	uint32_t bmp[128];
	unsigned words;

	if (!sa->esn) {
		xfrmnl_sa_set_replay_window(xsa, sa->replay_window > 32 ? 32 : sa->replay_window);
		if (sa->replay_window <= 32)
			return 0;
	}
	/* ESN, or a window wider than the legacy 32-bit bitmap (RFC 4303 3.4.3). */
	words = (sa->replay_window + 31) / 32;
	if (words > sizeof(bmp) / sizeof(bmp[0]))
		return ERR_INVAL;
	memset(bmp, 0, sizeof(bmp));
	xfrmnl_sa_set_replay_window(xsa, 0);
	if (sa->esn)
		xfrmnl_sa_set_flags(xsa, XFRM_STATE_ESN);
	return xfrmnl_sa_set_replay_state_esn(xsa, 0, 0, 0, 0, sa->replay_window, words, bmp) == 0
		       ? 0 : ERR_NOMEM;
}

static int build_sa(struct kernel *k, struct xfrmnl_sa *xsa, const struct kernel_sa *sa)
{
	struct nl_addr *src = xfrm_nl_addr(&sa->src);
	struct nl_addr *dst = xfrm_nl_addr(&sa->dst);
	struct nl_addr *oa = NULL;
	int err = ERR_NOMEM;

	if (!src || !dst)
		goto out;
	xfrmnl_sa_set_family(xsa, sa->dst.ss_family);
	xfrmnl_sa_set_daddr(xsa, dst);
	xfrmnl_sa_set_saddr(xsa, src);
	xfrmnl_sa_set_spi(xsa, sa->spi);
	xfrmnl_sa_set_proto(xsa, sa->proto);
	xfrmnl_sa_set_mode(xsa, sa->mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL
							       : XFRM_MODE_TRANSPORT);
	xfrmnl_sa_set_reqid(xsa, sa->reqid);
	if ((err = set_algorithms(k, xsa, sa)) < 0 || (err = set_lifetime(xsa, &sa->lifetime)) < 0 ||
	    (err = set_selector(xsa, &sa->sel)) < 0 || (err = set_replay(xsa, sa)) < 0)
		goto out;
	if (sa->encap) {
		/* RFC 3948: ESP in UDP; the peer's original address (RFC 3947 5.2
		 * NAT-OA) when the negotiation gave one, else the all-zero one */
		oa = sa->encap_oa.ss_family != AF_UNSPEC ? xfrm_nl_addr(&sa->encap_oa)
							 : xfrm_nl_any(sa->dst.ss_family);
		if (!oa || xfrmnl_sa_set_encap_tmpl(xsa, UDP_ENCAP_ESPINUDP, sa->encap_sport,
						    sa->encap_dport, oa) < 0) {
			err = ERR_NOMEM;
			goto out;
		}
	}
	err = 0;
out:
	if (oa)
		nl_addr_put(oa);
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	return err;
}

/* This kernel has XFRM but no ESP (no esp4/esp6, or their algorithms). */
static bool means_no_esp(int error)
{
	return error == EPROTONOSUPPORT || error == ENOSYS || error == ENOENT ||
	       error == EOPNOTSUPP;
}

static int sa_result(struct kernel *k, const struct kernel_sa *sa, bool update,
		     const struct xfrm_reply *r)
{
	struct kernel_xfrm *kx = to_xfrm(k);
	char src[64], dst[64], reason[256];

	kernel_addr_str(&sa->src, src, sizeof(src));
	kernel_addr_str(&sa->dst, dst, sizeof(dst));
	if (r->error == 0) {
		log_info(&k->lg, "%s SA esp spi=0x%08x %s->%s mode=%s reqid=%u",
			 update ? "updated" : "added", sa->spi, src, dst,
			 kernel_mode_str(sa->mode), sa->reqid);
		return 0;
	}
	xfrm_reply_reason(r, reason, sizeof(reason));
	if (means_no_esp(r->error)) {
		kx->esp_missing++;
		log_error(&k->lg, "kernel has no ESP support (add SA failed: SPI 0x%08x %s->%s: %s)",
			  sa->spi, src, dst, reason);
		return ERR_KERNEL;
	}
	log_error(&k->lg, "%s SA SPI 0x%08x %s->%s failed: %s", update ? "update" : "add",
		  sa->spi, src, dst, reason);
	return r->error == ESRCH ? ERR_NOTFOUND : ERR_KERNEL;
}

int xfrm_add_sa(struct kernel *k, const struct kernel_sa *sa, bool update)
{
	struct xfrmnl_sa *xsa = xfrmnl_sa_alloc();
	struct nl_msg *msg = NULL;
	struct xfrm_reply r;
	int err;

	if (!xsa)
		return ERR_NOMEM;
	err = build_sa(k, xsa, sa);
	if (err == 0) {
		err = update ? xfrmnl_sa_build_update_request(xsa, 0, &msg)
			     : xfrmnl_sa_build_add_request(xsa, NLM_F_CREATE | NLM_F_EXCL, &msg);
		err = err < 0 ? ERR_NOMEM : xfrm_transact(to_xfrm(k), msg, &r);
	}
	/* libnl frees its copy of the keys without wiping; see the report. */
	xfrmnl_sa_put(xsa);
	if (err < 0)
		return err;
	return sa_result(k, sa, update, &r);
}

int xfrm_del_sa(struct kernel *k, const struct sockaddr_storage *dst, uint32_t spi,
		uint8_t proto)
{
	struct xfrmnl_sa *xsa = xfrmnl_sa_alloc();
	struct nl_addr *d = xfrm_nl_addr(dst);
	struct nl_msg *msg = NULL;
	struct xfrm_reply r;
	char reason[256];
	int err = ERR_NOMEM;

	if (xsa && d) {
		xfrmnl_sa_set_daddr(xsa, d);
		xfrmnl_sa_set_spi(xsa, spi);
		xfrmnl_sa_set_proto(xsa, proto);
		if (xfrmnl_sa_build_delete_request(xsa, 0, &msg) == 0)
			err = xfrm_transact(to_xfrm(k), msg, &r);
	}
	if (d)
		nl_addr_put(d);
	if (xsa)
		xfrmnl_sa_put(xsa);
	if (err < 0)
		return err;
	if (r.error) {
		xfrm_reply_reason(&r, reason, sizeof(reason));
		log_debug(&k->lg, "delete SA SPI 0x%08x: %s", spi, reason);
		return xfrm_errno_err(r.error);
	}
	log_info(&k->lg, "deleted SA esp spi=0x%08x", spi);
	return 0;
}

struct sa_walk {
	kernel_sa_visit_fn fn;
	void *arg;
};

static void visit_sa(struct nl_object *obj, void *arg)
{
	struct xfrmnl_sa *xsa = (struct xfrmnl_sa *)obj;
	struct sa_walk *w = arg;
	struct kernel_sa_info i;

	memset(&i, 0, sizeof(i));
	i.proto = (uint8_t)xfrmnl_sa_get_proto(xsa);
	i.spi = (uint32_t)xfrmnl_sa_get_spi(xsa);
	i.reqid = (uint32_t)xfrmnl_sa_get_reqid(xsa);
	i.mode = xfrmnl_sa_get_mode(xsa) == XFRM_MODE_TUNNEL ? KERNEL_MODE_TUNNEL
							     : KERNEL_MODE_TRANSPORT;
	xfrm_ss_from_nl(xfrmnl_sa_get_saddr(xsa), &i.src);
	xfrm_ss_from_nl(xfrmnl_sa_get_daddr(xsa), &i.dst);
	w->fn(&i, w->arg);
}

int xfrm_list_sas(struct kernel *k, kernel_sa_visit_fn fn, void *arg)
{
	struct sa_walk w = { fn, arg };
	struct nl_cache *cache = NULL;
	int err = xfrmnl_sa_alloc_cache(to_xfrm(k)->cmd, &cache);

	if (err < 0) {
		log_error(&k->lg, "SA dump failed: %s", nl_geterror(err));
		return ERR_KERNEL;
	}
	nl_cache_foreach(cache, visit_sa, &w);
	nl_cache_free(cache);
	return 0;
}
