/*
 * v1_attr.c - SA attributes: TLV codec (RFC 2408 3.3) and the phase-1
 * (RFC 2409 appendix A) and IPsec DOI (RFC 2407 4.5) decoders. The
 * refusal rules are listed in v1_attr.h; one decoder (decode_list) applies
 * them to both families, described by struct attr_family.
 */
#include <string.h>

#include "common/err.h"
#include "v1/v1_attr.h"

bool v1_attr_read(struct rd *r, struct v1_attr *a)
{
	uint16_t type, v;

	memset(a, 0, sizeof(*a));
	if (rd_left(r) == 0)
		return false;
	rd_u16(r, &type);
	rd_u16(r, &v);
	if (!rd_ok(r))
		return false;
	a->type = type & (uint16_t)~V1_ATTR_AF;
	a->basic = (type & V1_ATTR_AF) != 0;
	if (a->basic) {
		a->value = v;
		return true;
	}
	a->len = v;
	return rd_ptr(r, v, &a->data);
}

int v1_attr_walk(const uint8_t *p, size_t len, struct v1_err *e)
{
	struct rd r;
	struct v1_attr a;

	rd_init(&r, p, len);
	while (v1_attr_read(&r, &a))
		;
	if (!rd_ok(&r))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "attribute list of %zu bytes ends inside an attribute", len);
	return 0;
}

bool v1_attr_uint(const struct v1_attr *a, uint64_t *v)
{
	if (a->basic) {
		*v = a->value;
		return true;
	}
	if (a->len == 0 || a->len > 8)
		return false;
	*v = 0;
	for (size_t i = 0; i < a->len; i++)
		*v = (*v << 8) | a->data[i];
	return true;
}

bool v1_attr_put_basic(struct wr *w, uint16_t type, uint16_t value)
{
	wr_u16(w, (uint16_t)(type | V1_ATTR_AF));
	return wr_u16(w, value);
}

bool v1_attr_put_var(struct wr *w, uint16_t type, const uint8_t *data, size_t len)
{
	if (len > 0xffff) {
		w->err = true;
		return false;
	}
	wr_u16(w, type & (uint16_t)~V1_ATTR_AF);
	wr_u16(w, (uint16_t)len);
	return wr_bytes(w, data, len);
}

bool v1_attr_put_uint(struct wr *w, uint16_t type, uint64_t value)
{
	uint8_t b[8];
	size_t n = value > 0xffffffffu ? 8 : 4;

	if (value <= 0xffff)
		return v1_attr_put_basic(w, type, (uint16_t)value);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(value >> (8 * (n - 1 - i)));
	return v1_attr_put_var(w, type, b, n);
}

/* ---- one decoder for both attribute families ---- */

/*
 * What sets the phase-1 classes (RFC 2409 appendix A) and the IPsec DOI
 * classes (RFC 2407 4.5) apart: their names, the numbers of Life Type,
 * Life Duration and Key Length, and which other classes we implement.
 * Every implemented class is basic-only and may appear once; the rules
 * themselves (v1_attr.h) are the same for both families.
 */
struct attr_family {
	const char *what;              /* "phase-1", "IPsec" */
	const char *(*name)(unsigned);
	uint8_t life_type, life_dur, key_len;
	uint32_t taken;                /* (1u << class) of the other implemented classes */
};

static const struct attr_family p1_family = {
	"phase-1", v1_ike_attr_name, V1_IKE_LIFE_TYPE, V1_IKE_LIFE_DURATION, V1_IKE_KEY_LENGTH,
	1u << V1_IKE_ENCRYPTION_ALGORITHM | 1u << V1_IKE_HASH_ALGORITHM |
	1u << V1_IKE_AUTHENTICATION_METHOD | 1u << V1_IKE_GROUP_DESCRIPTION |
	1u << V1_IKE_GROUP_TYPE,
};

static const struct attr_family ipsec_family = {
	"IPsec", v1_ipsec_attr_name, V1_IPSEC_SA_LIFE_TYPE, V1_IPSEC_SA_LIFE_DURATION,
	V1_IPSEC_KEY_LENGTH,
	1u << V1_IPSEC_GROUP_DESCRIPTION | 1u << V1_IPSEC_ENCAPSULATION_MODE |
	1u << V1_IPSEC_AUTH_ALGORITHM | 1u << V1_IPSEC_KEY_ROUNDS,
};

struct decode {
	const struct attr_family *fam;
	uint32_t present;     /* classes seen */
	uint16_t value[32];   /* basic values by class */
	uint16_t life_type;   /* the pending life type, 0 when none */
	bool life_s, life_kb; /* a duration of this type was given */
	uint64_t seconds, kbytes;
};

static int no_pending_life(const struct decode *d, struct v1_err *e)
{
	if (d->life_type)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "%s life type %u not followed by a life duration", d->fam->what,
			       d->life_type);
	return 0;
}

/* Life Type then Life Duration, once per type (RFC 2409 appendix A, RFC 2407 4.5). */
static int life_type(const struct v1_attr *a, struct decode *d, struct v1_err *e)
{
	int rc = no_pending_life(d, e);

	if (rc < 0)
		return rc;
	if (a->value != V1_LIFE_SECONDS && a->value != V1_LIFE_KILOBYTES)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_ATTRIBUTES_NOT_SUPPORTED, V1_P_SA,
			       "life type %u", a->value);
	if ((a->value == V1_LIFE_SECONDS && d->life_s) ||
	    (a->value == V1_LIFE_KILOBYTES && d->life_kb))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "duplicate life type %s",
			       a->value == V1_LIFE_SECONDS ? "seconds" : "kilobytes");
	d->life_type = a->value;
	return 0;
}

static int life_duration(const struct v1_attr *a, struct decode *d, struct v1_err *e)
{
	uint64_t v;

	if (!d->life_type)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "life duration without a life type before it");
	if (!a->basic && a->len > V1_ATTR_MAX_DURATION_LEN)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "life duration of %zu bytes (at most %d)", a->len,
			       V1_ATTR_MAX_DURATION_LEN);
	if (!v1_attr_uint(a, &v) || v == 0)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "life duration is empty or zero");
	if (d->life_type == V1_LIFE_SECONDS) {
		d->seconds = v;
		d->life_s = true;
	} else {
		d->kbytes = v;
		d->life_kb = true;
	}
	d->life_type = 0;
	return 0;
}

static int decode_one(const struct v1_attr *a, struct decode *d, struct v1_err *e)
{
	const struct attr_family *f = d->fam;
	bool taken = a->type < 32 && ((f->taken | 1u << f->key_len) & (1u << a->type));
	int rc;

	if (a->type == f->life_dur) {
		if ((rc = life_duration(a, d, e)) < 0)
			return rc;
		d->present |= 1u << a->type;
		return 0;
	}
	if (a->type != f->life_type && (rc = no_pending_life(d, e)) < 0)
		return rc;
	if (a->type != f->life_type && !taken)
		/* custom groups, PRF, compression, private and unknown classes */
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_ATTRIBUTES_NOT_SUPPORTED, V1_P_SA,
			       "%s attribute %s (class %u) is not supported", f->what,
			       f->name(a->type), a->type);
	if (!a->basic)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "%s (class %u) in variable form (RFC 2409 appendix A: basic only)",
			       f->name(a->type), a->type);
	if (a->type == f->life_type) {
		if ((rc = life_type(a, d, e)) < 0)
			return rc;
		d->present |= 1u << a->type;
		return 0;
	}
	if (d->present & (1u << a->type))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "duplicate attribute %s (class %u)", f->name(a->type), a->type);
	if (a->type == f->key_len && a->value == 0)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA, "key length 0");
	d->present |= 1u << a->type;
	d->value[a->type] = a->value;
	return 0;
}

/* Decode a whole attribute list of a family into d; the caller maps d to its struct. */
static int decode_list(const uint8_t *attrs, size_t len, const struct attr_family *f,
		       struct decode *d, struct v1_err *e)
{
	struct v1_attr a;
	struct rd r;
	int rc;

	memset(d, 0, sizeof(*d));
	d->fam = f;
	rd_init(&r, attrs, len);
	while (v1_attr_read(&r, &a))
		if ((rc = decode_one(&a, d, e)) < 0)
			return rc;
	if (!rd_ok(&r))
		return v1_attr_walk(attrs, len, e);
	return no_pending_life(d, e);
}

/* What both families keep alike: the classes present and the lifetimes. */
static void take_common(const struct decode *d, uint32_t *present, uint64_t *seconds,
			uint64_t *kbytes)
{
	*present = d->present;
	*seconds = d->seconds;
	*kbytes = d->kbytes;
}

/* Life Type and Life Duration pairs, seconds first (durations basic when they fit). */
static void put_lifetimes(struct wr *w, uint16_t type_cls, uint16_t dur_cls, uint64_t seconds,
			  uint64_t kbytes)
{
	if (seconds) {
		v1_attr_put_basic(w, type_cls, V1_LIFE_SECONDS);
		v1_attr_put_uint(w, dur_cls, seconds);
	}
	if (kbytes) {
		v1_attr_put_basic(w, type_cls, V1_LIFE_KILOBYTES);
		v1_attr_put_uint(w, dur_cls, kbytes);
	}
}

/* ---- phase 1 ---- */

int v1_attr_decode_p1(const uint8_t *attrs, size_t len, struct v1_p1_attrs *o,
		      struct v1_err *e)
{
	struct decode d;
	int rc = decode_list(attrs, len, &p1_family, &d, e);

	memset(o, 0, sizeof(*o));
	if (rc < 0)
		return rc;
	take_common(&d, &o->present, &o->life_seconds, &o->life_kbytes);
	o->encr = d.value[V1_IKE_ENCRYPTION_ALGORITHM];
	o->hash = d.value[V1_IKE_HASH_ALGORITHM];
	o->auth = d.value[V1_IKE_AUTHENTICATION_METHOD];
	o->group = d.value[V1_IKE_GROUP_DESCRIPTION];
	o->group_type = d.value[V1_IKE_GROUP_TYPE];
	o->key_len = d.value[V1_IKE_KEY_LENGTH];
	/* RFC 2409 5: these four are mandatory in a phase-1 transform. */
	if (!o->encr || !o->hash || !o->auth || !o->group)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "phase-1 transform without %s (RFC 2409 5)",
			       !o->encr ? "an encryption algorithm" : !o->hash ? "a hash algorithm" :
			       !o->auth ? "an authentication method" : "a group description");
	if (V1_ATTR_HAS(o, V1_IKE_GROUP_TYPE) && o->group_type != V1_GROUP_MODP &&
	    o->group_type != V1_GROUP_ECP)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_ATTRIBUTES_NOT_SUPPORTED, V1_P_SA,
			       "group type %u", o->group_type);
	o->x_encr = xform_by_ike(XFORM_IKE_ENCR, o->encr, o->key_len);
	/* RFC 2409 appendix A: Key Length MUST NOT be sent with a fixed-length cipher. */
	if (o->x_encr && o->key_len && !o->x_encr->key_attr)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "key length %u with fixed-length cipher %s", o->key_len,
			       o->x_encr->iana_ike);
	o->x_hash = xform_by_ike(XFORM_IKE_HASH, o->hash, 0);
	o->x_group = xform_by_ike(XFORM_IKE_GROUP, o->group, 0);
	return 0;
}

bool v1_attr_encode_p1(struct wr *w, const struct v1_p1_attrs *a)
{
	v1_attr_put_basic(w, V1_IKE_ENCRYPTION_ALGORITHM, a->encr);
	if (a->key_len)
		v1_attr_put_basic(w, V1_IKE_KEY_LENGTH, a->key_len);
	v1_attr_put_basic(w, V1_IKE_HASH_ALGORITHM, a->hash);
	v1_attr_put_basic(w, V1_IKE_GROUP_DESCRIPTION, a->group);
	if (V1_ATTR_HAS(a, V1_IKE_GROUP_TYPE))
		v1_attr_put_basic(w, V1_IKE_GROUP_TYPE, a->group_type);
	v1_attr_put_basic(w, V1_IKE_AUTHENTICATION_METHOD, a->auth);
	put_lifetimes(w, V1_IKE_LIFE_TYPE, V1_IKE_LIFE_DURATION, a->life_seconds, a->life_kbytes);
	return wr_ok(w);
}

/* ---- IPsec DOI ---- */

static bool encap_known(uint16_t m)
{
	return m == V1_ENCAP_TUNNEL || m == V1_ENCAP_TRANSPORT || m == V1_ENCAP_UDP_TUNNEL ||
	       m == V1_ENCAP_UDP_TRANSPORT || m == V1_ENCAP_UDP_TUNNEL_DRAFT ||
	       m == V1_ENCAP_UDP_TRANSPORT_DRAFT;
}

int v1_attr_decode_ipsec(uint8_t protocol, uint8_t transform_id, const uint8_t *attrs,
			 size_t len, struct v1_ipsec_attrs *o, struct v1_err *e)
{
	struct decode d;
	int rc;

	memset(o, 0, sizeof(*o));
	o->protocol = protocol;
	o->transform_id = transform_id;
	if (protocol != V1_PROTO_IPSEC_ESP)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_INVALID_PROTOCOL_ID, V1_P_SA,
			       "protocol %s is not supported (ESP only)", v1_protocol_name(protocol));
	if ((rc = decode_list(attrs, len, &ipsec_family, &d, e)) < 0)
		return rc;
	take_common(&d, &o->present, &o->life_seconds, &o->life_kbytes);
	o->group = d.value[V1_IPSEC_GROUP_DESCRIPTION];
	o->encap = d.value[V1_IPSEC_ENCAPSULATION_MODE];
	o->auth = d.value[V1_IPSEC_AUTH_ALGORITHM];
	o->key_len = d.value[V1_IPSEC_KEY_LENGTH];
	o->key_rounds = d.value[V1_IPSEC_KEY_ROUNDS];
	if (V1_ATTR_HAS(o, V1_IPSEC_ENCAPSULATION_MODE) && !encap_known(o->encap))
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_ATTRIBUTES_NOT_SUPPORTED, V1_P_SA,
			       "encapsulation mode %u", o->encap);
	if (o->key_rounds)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_ATTRIBUTES_NOT_SUPPORTED, V1_P_SA,
			       "key rounds %u (no cipher we offer has rounds)", o->key_rounds);
	o->x_encr = xform_by_esp(transform_id, o->key_len);
	if (o->x_encr && o->key_len && !o->x_encr->key_attr)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "key length %u with fixed-length cipher %s", o->key_len,
			       o->x_encr->iana_ipsec);
	o->x_integ = xform_by_ipsec_auth(o->auth);
	/* RFC 4106 8.4: an AEAD transform carries no authentication algorithm. */
	if (o->x_encr && o->x_encr->aead && o->auth)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "authentication algorithm %u with AEAD %s", o->auth,
			       o->x_encr->iana_ipsec);
	o->x_group = xform_by_ike(XFORM_IKE_GROUP, o->group, 0);
	return 0;
}

bool v1_attr_encode_ipsec(struct wr *w, const struct v1_ipsec_attrs *a)
{
	put_lifetimes(w, V1_IPSEC_SA_LIFE_TYPE, V1_IPSEC_SA_LIFE_DURATION, a->life_seconds,
		      a->life_kbytes);
	if (a->group)
		v1_attr_put_basic(w, V1_IPSEC_GROUP_DESCRIPTION, a->group);
	if (a->encap)
		v1_attr_put_basic(w, V1_IPSEC_ENCAPSULATION_MODE, a->encap);
	if (a->auth)
		v1_attr_put_basic(w, V1_IPSEC_AUTH_ALGORITHM, a->auth);
	if (a->key_len)
		v1_attr_put_basic(w, V1_IPSEC_KEY_LENGTH, a->key_len);
	return wr_ok(w);
}
