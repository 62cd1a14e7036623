/*
 * v2_engine.h - the IKEv2 engine (RFC 7296) as its users see it: the
 * daemon's glue (src/engine_v2.c) and the exchange tests.
 *
 * The engine never includes src/: the glue converts its configuration
 * into struct v2_conn rows and hands over the shared parts (job pool,
 * SAD, kernel backend, key log, event loop) and a few callbacks (send a
 * datagram, find a PSK, report an established or failed IKE SA).
 *
 * Scope today: IKE_SA_INIT, IKE_AUTH with PSK or certificates (RFC 7296
 * 2.15 signatures, RFC 7427, RFC 4754) and the first child SA, and
 * INFORMATIONAL (Delete, liveness answers), as initiator and responder,
 * with NAT detection and the move to the NAT-T port (RFC 7296 2.23).
 * CREATE_CHILD_SA: new child, child rekey (PFS), IKE SA rekey, the
 * lowest-nonce rule for simultaneous child rekeys; lifetime rekeys and
 * DPD (v2_maint.c); COOKIE (2.6), both roles (v2_cookie.c); simultaneous
 * IKE SA rekeys (2.8.2, v2_rekey_collision.c); message fragmentation
 * (RFC 7383, v2_frag.c).
 *
 * Single-threaded: every call on the loop thread (DESIGN.md).
 */
#ifndef DUALIKE_V2_ENGINE_H
#define DUALIKE_V2_ENGINE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/secret.h"
#include "common/ts.h"
#include "v2/v2_proposal.h"

#define V2_CONN_NAME_MAX 48
#define V2_CONN_ID_MAX 255
#define V2_CONN_MAX_TS 8
#define V2_COOKIE_NEVER UINT_MAX /* cookie_threshold: never ask for a COOKIE */

/* An identity as configured: the ID payload's type (RFC 7296 3.5) and data; type 0 = none. */
struct v2_conn_id {
	uint8_t type;
	size_t len;
	uint8_t data[V2_CONN_ID_MAX];
};

struct cert;
struct cert_chain;
struct cert_store;
struct sig_privkey;

/* How the ends authenticate in IKE_AUTH (RFC 7296 2.15). */
enum v2_auth_kind {
	V2_AUTH_PSK = 0,
	V2_AUTH_PUBKEY, /* certificates and signatures (v2_auth_sig.c) */
};

/* When our CERT payloads go out (RFC 7296 3.6, 3.7). */
enum v2_send_cert {
	V2_SEND_CERT_IFASKED = 0, /* the peer sent a CERTREQ */
	V2_SEND_CERT_ALWAYS,
	V2_SEND_CERT_NEVER,       /* the peer has our certificate configured */
};

/* Which AUTH method our signatures use. */
enum v2_sig_pref {
	V2_SIG_AUTO = 0,   /* 14 (RFC 7427) when the peer announced hashes, else 1 / 9-11 */
	V2_SIG_CLASSIC,    /* 1 (RSA PKCS#1 v1.5 SHA-1) or 9/10/11 (ECDSA, RFC 4754) */
	V2_SIG_RFC7427,    /* 14 with RSA PKCS#1 v1.5, ECDSA or Ed25519 */
	V2_SIG_RFC7427_PSS,/* 14 with RSA-PSS for RSA keys */
};

/*
 * The credentials of an `auth = pubkey` connection. Borrowed: the user
 * (the daemon's glue, a test) keeps them alive as long as the engine may
 * use the row (v2_engine_set_conns keeps replaced rows for SAs still on
 * them).
 */
struct v2_conn_pubkey {
	const struct cert_chain *chain; /* ours: [0] end-entity, then intermediates to send */
	struct sig_privkey *key;        /* its private key */
	const struct cert_store *ca;    /* trust anchors and CRLs for the peer's chain */
	const struct cert *peer_cert;   /* the peer's certificate if configured, else NULL */
	enum v2_send_cert send_cert;
	enum v2_sig_pref sig;
};

/* One connection, in the engine's own words. */
struct v2_conn {
	char name[V2_CONN_NAME_MAX];
	struct sockaddr_storage local;  /* AF_UNSPEC: any (responder only); port ignored */
	struct sockaddr_storage remote; /* AF_UNSPEC: any (responder only); port ignored */
	struct v2_conn_id local_id;     /* none: the local address */
	struct v2_conn_id remote_id;    /* none: any identity */
	struct v2_local_prop ike[V2_PROP_MAX_LOCAL];
	size_t n_ike;
	struct v2_local_prop esp[V2_PROP_MAX_LOCAL];
	size_t n_esp;
	struct ts local_ts[V2_CONN_MAX_TS];  /* none: the local address alone */
	size_t n_local_ts;
	struct ts remote_ts[V2_CONN_MAX_TS]; /* none: the remote address alone */
	size_t n_remote_ts;
	uint32_t ike_lifetime_s;
	uint32_t child_lifetime_s;
	uint32_t rekey_margin_s;        /* rekey this long before a lifetime ends (0: a tenth) */
	const struct xform *pfs;        /* KE group for CREATE_CHILD_SA (PFS), NULL: none */
	uint32_t dpd_delay_s;           /* liveness check after this much silence, 0: none */
	uint32_t dpd_timeout_s;         /* then dead after this long without an answer */
	enum v2_dpd_action { V2_DPD_CLEAR, V2_DPD_HOLD, V2_DPD_RESTART } dpd_action;
	bool childless; /* RFC 6023: no child SA in IKE_AUTH (initiator) */
	bool transport; /* ask for transport mode (USE_TRANSPORT_MODE) */
	/*
	 * RFC 7383: offer/accept IKE fragmentation (a zeroed row: off; the
	 * daemon's default is on). fragment_size: the IP packet size a
	 * fragment may reach, 0: 576 (IPv4) / 1280 (IPv6) as 2.5.1 suggests.
	 */
	bool fragmentation;
	uint16_t fragment_size;
	enum v2_auth_kind auth;
	struct v2_conn_pubkey pubkey;   /* auth = pubkey */
};

/* A datagram in or out: IKE message bytes (no non-ESP marker) and both ends. */
struct v2_datagram {
	const uint8_t *data;
	size_t len;
	struct sockaddr_storage local; /* with our port */
	struct sockaddr_storage peer;  /* with the peer's port */
	bool natt;                     /* on the NAT-T port: the glue adds the marker */
};

/* What the engine tells its user about an IKE SA (listings, pins). */
struct v2_sa_info {
	char conn[V2_CONN_NAME_MAX];
	uint64_t serial;
	const char *state;      /* "ESTABLISHED", "CONNECTING", "DELETING" */
	bool initiator;
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	struct sockaddr_storage local;
	struct sockaddr_storage peer;
	bool natt;
	const char *encr, *integ, *prf, *ke; /* IANA names; integ "NONE" with AEAD */
	size_t n_children;
	uint32_t child_spi_in, child_spi_out; /* of the first child, 0: none */
	char peer_id[128];      /* the peer's identity as text, "" before IKE_AUTH */
	uint64_t rekey_of;      /* serial of the IKE SA this one replaced by a rekey, 0: initial */
	bool nat_local;         /* a NAT is in front of us (RFC 7296 2.23): we send keepalives */
};

struct kernel_sa;

struct v2_hooks {
	void *arg;
	/* Send one message; 0 or a negative ERR_*. */
	int (*send)(void *arg, const struct v2_datagram *dg);
	/* The PSK between these identities / addresses (peer_id may have type 0). */
	const struct secret *(*psk)(void *arg, const struct v2_conn *c,
				    const struct v2_conn_id *local_id,
				    const struct v2_conn_id *peer_id,
				    const struct sockaddr_storage *local,
				    const struct sockaddr_storage *peer);
	/*
	 * An IKE SA (and its first child, if any) is up: pins, counters. Also
	 * for the new IKE SA of a rekey (info->rekey_of set). May be NULL.
	 */
	void (*established)(void *arg, const struct v2_sa_info *info);
	/*
	 * A negotiation failed or was given up. never_answered: we initiated and
	 * no IKE_SA_INIT response ever came (what `version = auto` falls back
	 * on). May be NULL.
	 */
	void (*failed)(void *arg, const char *conn, const char *why, bool never_answered);
	/* Tests: both directions of a child SA just installed (keys valid during the call). */
	void (*child_installed)(void *arg, const struct kernel_sa *in, const struct kernel_sa *out);
	/*
	 * dpd_action = hold: the peer of this connection is dead and its SAs
	 * are about to go; the user keeps a trap policy so that traffic
	 * negotiates again (RFC 4301 5.2). May be NULL (then hold is clear).
	 */
	void (*hold)(void *arg, const char *conn);
};

struct event_base;
struct job_pool;
struct sad;
struct kernel;
struct keylog;

struct v2_engine_params {
	struct event_base *base; /* NULL: timers fire only in v2_engine_fire_timers() */
	struct job_pool *jobs;
	struct sad *sad;
	struct kernel *kernel;
	struct keylog *keylog;   /* NULL: no key log */
	unsigned retransmit_tries;      /* sends of a request before giving up (>= 1) */
	unsigned retransmit_timeout_ms; /* first wait; doubles per try */
	unsigned retransmit_limit_ms;   /* longest wait; 0: none */
	unsigned half_open_timeout_ms;  /* responder: IKE_AUTH must come within (0: 30 s) */
	uint16_t ike_port;              /* 0: 500; ours and the peer's */
	uint16_t natt_port;             /* 0: 4500 */
	/*
	 * Half-open responder IKE SAs (IKE_SA_INIT answered or its KE job
	 * running, no IKE_AUTH yet) from which on IKE_SA_INIT requests must carry a COOKIE (RFC 7296
	 * 2.6); 0: always ask (as dualike.conf(5) says), V2_COOKIE_NEVER: never.
	 * A zeroed struct therefore asks always.
	 */
	unsigned cookie_threshold;
	struct v2_hooks hooks;
};

/* Counters (monotonic). */
struct v2_engine_stats {
	uint64_t ike_established;
	uint64_t ike_failed;
	uint64_t children_installed;
	uint64_t retransmits;         /* requests sent again */
	uint64_t responses_resent;    /* answers from the response cache */
	uint64_t dropped_malformed;   /* did not parse or broke the payload rules */
	uint64_t dropped_integrity;   /* ICV / tag did not verify */
	uint64_t dropped_no_sa;       /* no IKE SA for the SPIs */
	uint64_t dropped_msgid;       /* stale or unexpected message ID */
	uint64_t dropped_unexpected;  /* no state table row for the message */
	uint64_t dropped_busy;        /* arrived while a crypto job ran */
	uint64_t notifies_sent;       /* error notifies answered */
	uint64_t deletes_received;
	uint64_t children_rekeyed;    /* child rekeys done, either end's (a collision: two) */
	uint64_t ike_rekeyed;         /* IKE SAs replaced by a rekey */
	uint64_t cookies_sent;        /* IKE_SA_INIT answered with a COOKIE request */
	uint64_t cookies_bad;         /* IKE_SA_INIT with a wrong or stale COOKIE */
	uint64_t dpd_dead;            /* peers declared dead by the liveness check */
	uint64_t ike_rekey_collisions; /* simultaneous IKE SA rekeys resolved (2.8.2) */
	uint64_t messages_fragmented; /* our messages sent as SKF fragments (RFC 7383) */
	uint64_t fragments_sent;      /* SKF fragments sent, retransmissions included */
	uint64_t fragments_received;  /* authentic SKF fragments kept for reassembly */
	uint64_t messages_reassembled; /* peer messages put together from fragments */
	uint64_t fragments_dropped;   /* kept fragments thrown away (timeout, refragmented) */
};

struct v2_engine;

int v2_engine_new(const struct v2_engine_params *p, struct v2_engine **out);
/* Free everything without sending (after v2_engine_shutdown for a clean stop). */
void v2_engine_free(struct v2_engine *e);
/* Replace the connections (copied). SAs being negotiated keep the old rows. */
int v2_engine_set_conns(struct v2_engine *e, const struct v2_conn *conns, size_t n);
const struct v2_conn *v2_engine_find_conn(const struct v2_engine *e, const char *name);

/* One IKEv2 message from the network; 0, or a negative ERR_* when dropped. */
int v2_engine_input(struct v2_engine *e, const struct v2_datagram *dg);

/* Initiate the connection: 0 when the first message is on its way (or the KE job). */
int v2_engine_up(struct v2_engine *e, const char *conn);
/* Delete every IKE SA of the connection (sending Delete); how many. */
size_t v2_engine_down(struct v2_engine *e, const char *conn);
/* Daemon stop: send Delete for every established IKE SA once, then remove all SAs. */
void v2_engine_shutdown(struct v2_engine *e);

typedef void (*v2_sa_visit_fn)(const struct v2_sa_info *info, void *arg);
/* Every IKE SA in creation order. */
void v2_engine_foreach_sa(const struct v2_engine *e, v2_sa_visit_fn fn, void *arg);
size_t v2_engine_count_sas(const struct v2_engine *e);
const struct v2_engine_stats *v2_engine_stats(const struct v2_engine *e);

/*
 * CREATE_CHILD_SA on the connection's first established IKE SA (RFC 7296
 * 1.3): a new child, a rekey of its first child (PFS with the connection's
 * `pfs`), a rekey of the IKE SA. 0 when the request (or its KE job) is on
 * its way; ERR_STATE while another exchange is out; ERR_NOTFOUND: no SA.
 * Lifetimes start them on their own (v2_maint.c); these force them.
 */
int v2_engine_create_child(struct v2_engine *e, const char *conn);
int v2_engine_rekey_child(struct v2_engine *e, const char *conn);
int v2_engine_rekey_ike(struct v2_engine *e, const char *conn);
/* Send a liveness check now (an empty INFORMATIONAL, 2.4); now_ms as for housekeep. */
int v2_engine_liveness(struct v2_engine *e, const char *conn, uint64_t now_ms);
/*
 * Run rekey and DPD deadlines against now_ms (the CLOCK_MONOTONIC clock of
 * v2_now_ms(); tests pass a later one). The event loop does this by itself.
 */
size_t v2_engine_housekeep(struct v2_engine *e, uint64_t now_ms);
uint64_t v2_now_ms(void);

/* Replace the COOKIE secret now (it turns over by itself too); the previous one stays valid a while. */
void v2_engine_rotate_cookie_secret(struct v2_engine *e);

/*
 * NAT keepalives (RFC 3948 2.3, RFC 7296 2.23): every established IKE SA
 * on the NAT-T port with a NAT detected in front of us: its connection and
 * addresses (ports included); how many. fn may be NULL (count only).
 */
typedef void (*v2_natted_fn)(const char *conn, const struct sockaddr_storage *local,
			     const struct sockaddr_storage *peer, void *arg);
size_t v2_engine_foreach_natted(const struct v2_engine *e, v2_natted_fn fn, void *arg);

/*
 * Kernel events for this engine's child SAs (v2_kernel_events.c). An
 * EXPIRE names one SA by SPI and destination: soft starts the child's
 * rekey (CREATE_CHILD_SA with REKEY_SA, 1.3.3), hard deletes it and sends
 * the Delete (1.4.1). 0, ERR_NOTFOUND when no child has that SPI.
 */
int v2_engine_child_expired(struct v2_engine *e, uint32_t spi,
			    const struct sockaddr_storage *dst, bool hard);
/* An IKE SA of the connection is up or being set up (ACQUIRE: no second one). */
bool v2_engine_conn_active(const struct v2_engine *e, const char *conn);

/* Tests (engines without an event base): fire every armed timer now; how many. */
size_t v2_engine_fire_timers(struct v2_engine *e);

#endif
