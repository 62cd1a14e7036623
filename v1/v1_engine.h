/*
 * v1_engine.h - the IKEv1 engine's contract with whoever runs it (the
 * daemon's glue in src/engine_v1.c, or the exchange tests).
 *
 * The engine knows nothing of the daemon: it gets its connections as
 * struct v1_conn (made by the caller from its configuration), its
 * surroundings as struct v1_env (SAD, kernel backend, key log, job pool,
 * event base, a send function and a PSK lookup), and is driven by
 * v1_engine_input() for every IKEv1 datagram and v1_engine_initiate() /
 * v1_engine_delete_conn() for the operator.
 *
 * Implemented: Main Mode and Aggressive Mode with pre-shared keys
 * (RFC 2409 5, 5.4), Quick Mode with and without PFS (RFC 2409 5.5),
 * Informational Delete (RFC 2408 4.8, 3.15; RFC 2409 5.7), NAT-T
 * (RFC 3947: vendor ID, NAT-D, float to 4500, UDP-encapsulated tunnel),
 * retransmission by the last sender and cached replies to duplicates.
 * DPD (RFC 3706, v1_dpd.c), lifetimes with Quick Mode rekey and phase-1
 * re-authentication (v1_rekey.c), INITIAL-CONTACT, transport mode, IKE
 * fragmentation in the Cisco format (v1_frag.c).
 */
#ifndef DUALIKE_V1_ENGINE_H
#define DUALIKE_V1_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/id.h"
#include "common/secret.h"
#include "common/ts.h"
#include "common/xform.h"

struct event_base;
struct job_pool;
struct kernel;
struct kernel_sa;
struct keylog;
struct sad;
struct v1_pubkey;

#define V1_CONN_NAME_MAX 48
#define V1_CONN_MAX_PROPOSALS 8
#define V1_CONN_MAX_XF 16

struct v1_xf_list {
	const struct xform *x[V1_CONN_MAX_XF];
	size_t n;
};

/* One phase-1 proposal: any encr with any hash with any group. */
struct v1_conn_p1 {
	struct v1_xf_list encr, hash, group;
};

/* One ESP proposal: any encr with any integrity (none for AEAD). */
struct v1_conn_esp {
	struct v1_xf_list encr, integ;
};

/* What to do when DPD declares the peer dead (RFC 3706 leaves it local). */
enum v1_dpd_action {
	V1_DPD_CLEAR,   /* delete the SAs */
	V1_DPD_HOLD,    /* delete the SAs, env.hold keeps a trap policy (else as clear) */
	V1_DPD_RESTART, /* delete, then Main Mode + Quick Mode again */
};

/*
 * NAT traversal methods (RFC 3947 3.1 and the drafts before it), weakest
 * first: the vendor IDs both sides sent decide which one an ISAKMP SA
 * speaks (v1_natt.c). The drafts 02, 02n and 03 use private payload
 * numbers (NAT-D 130, NAT-OA 131) and encapsulation modes (61443, 61444).
 */
enum v1_natt_method {
	V1_NATT_NONE = 0,
	V1_NATT_DRAFT_02N,      /* MD5("draft-ietf-ipsec-nat-t-ike-02\n") */
	V1_NATT_DRAFT_02,
	V1_NATT_DRAFT_03,
	V1_NATT_RFC3947,
};
#define V1_NATT_OFFER(m) (1u << (m))
/* What we announce unless a connection says otherwise: RFC 3947 and the drafts. */
#define V1_NATT_OFFER_ALL (V1_NATT_OFFER(V1_NATT_RFC3947) | V1_NATT_OFFER(V1_NATT_DRAFT_03) | \
			   V1_NATT_OFFER(V1_NATT_DRAFT_02) | V1_NATT_OFFER(V1_NATT_DRAFT_02N))
/* "RFC 3947", "draft-ietf-ipsec-nat-t-ike-03", ...; "" for V1_NATT_NONE. */
const char *v1_natt_method_name(enum v1_natt_method m);

/*
 * A connection as the engine sees it. Made with v1_conn_new(), filled by
 * the caller, handed to v1_engine_set_conns(); reference counted, since
 * SAs keep the connection they were made for across a reload.
 */
struct v1_conn {
	char name[V1_CONN_NAME_MAX];
	unsigned refs;
	struct sockaddr_storage local;  /* ss_family AF_UNSPEC: any */
	struct sockaddr_storage remote; /* AF_UNSPEC: any (responder only) */
	struct id *local_id;            /* NULL: the local address */
	struct id *remote_id;           /* NULL: any */
	bool aggressive;                /* initiate Aggressive Mode */
	bool aggressive_ok;             /* accept Aggressive Mode as responder */
	struct v1_conn_p1 p1[V1_CONN_MAX_PROPOSALS];
	size_t n_p1;
	struct v1_conn_esp esp[V1_CONN_MAX_PROPOSALS];
	size_t n_esp;
	const struct xform *pfs;        /* NULL: no PFS */
	struct ts *local_ts;            /* none: the local address */
	size_t n_local_ts;
	struct ts *remote_ts;           /* none: the remote address */
	size_t n_remote_ts;
	uint32_t ike_life_s;
	uint32_t child_life_s;
	uint32_t rekey_margin_s;        /* 0: never rekey, expire */
	uint32_t dpd_delay_s;           /* 0: no DPD */
	uint32_t dpd_timeout_s;
	enum v1_dpd_action dpd_action;
	bool transport;                 /* ask for / accept transport mode */
	/*
	 * IKE fragmentation (v1_frag.c): announce the FRAGMENTATION vendor ID,
	 * accept fragments, fragment long messages to a peer that announced it
	 * (a zeroed conn: off; the daemon's default is on). fragment_size: the
	 * IP packet size a fragment may reach, 0: 576 (IPv4) / 1280 (IPv6).
	 */
	bool fragmentation;
	uint16_t fragment_size;
	struct v1_pubkey *pubkey;       /* signatures (v1/v1_pubkey.h); NULL: PSK */
	/* NAT-T methods announced and accepted (V1_NATT_OFFER bits); 0: V1_NATT_OFFER_ALL,
	 * V1_NATT_OFFER(V1_NATT_NONE) alone: no NAT-T. */
	unsigned natt_offer;
};

struct v1_conn *v1_conn_new(const char *name);
struct v1_conn *v1_conn_ref(struct v1_conn *c);
/* Drop a reference; the last one frees ids, selectors and the struct. */
void v1_conn_unref(struct v1_conn *c);

/* A datagram in or out. local carries our address and port (500 or NAT-T). */
struct v1_datagram {
	const uint8_t *data;
	size_t len;
	struct sockaddr_storage local;
	struct sockaddr_storage peer;
};

struct v1_env {
	struct sad *sad;
	struct kernel *kernel;
	struct keylog *keylog;        /* NULL: no key log */
	struct job_pool *jobs;
	struct event_base *base;      /* NULL: no timers (tests call v1_engine_timeout_all) */
	unsigned retransmit_tries;
	unsigned retransmit_timeout_ms;
	unsigned retransmit_limit_ms; /* longest wait; 0: none */
	uint16_t ike_port;            /* our IKE port (500) */
	uint16_t natt_port;           /* our NAT-T port (4500) */
	/* Send one datagram (the non-ESP marker is already in data when
	 * local's port is natt_port). 0 or a negative ERR_*. */
	int (*send)(void *arg, const struct v1_datagram *dg);
	/* The PSK between us and a peer for a connection (peer_id may be NULL
	 * when not known yet: Main Mode hides it until message 5). */
	const struct secret *(*psk)(void *arg, const struct v1_conn *c,
				    const struct sockaddr_storage *local,
				    const struct sockaddr_storage *peer,
				    const struct id *peer_id);
	/* Counters the caller wants bumped (may be NULL). */
	uint64_t *sas_made;
	uint64_t *sas_failed;
	/*
	 * How what v1_engine_initiate() started ended, for callers that count
	 * outcomes (the load generator); each may be NULL. Exactly one of the
	 * two is called per initiation: initiated_up when the ISAKMP SA's first
	 * IPsec SA pair is installed (phase 1 and Quick Mode done),
	 * initiated_failed when the ISAKMP SA or that first Quick Mode is given
	 * up, with why: the step, the cause and the last error notify the peer
	 * sent (v1_outcome.c). Not called while the engine is being freed.
	 */
	void (*initiated_up)(void *arg, const char *conn, uint64_t serial);
	void (*initiated_failed)(void *arg, const char *conn, const char *why);
	/*
	 * dpd_action = hold: DPD found the peer of this connection dead and its
	 * SAs are about to go; the user installs the connection's trap policy so
	 * that the next packet makes the kernel ACQUIRE a new negotiation
	 * (RFC 4301 5.2). 0, or a negative ERR_* when no trap could be made
	 * (then the SAs are cleared as with clear). NULL: hold acts as clear.
	 */
	int (*hold)(void *arg, const char *conn);
	/* Tests: both SAs of an IPsec SA pair just installed (keys valid during the call). */
	void (*ipsec_installed)(void *arg, const struct kernel_sa *in, const struct kernel_sa *out);
	void *arg;
};

struct v1_engine;

int v1_engine_new(const struct v1_env *env, struct v1_engine **out);
/* Free every SA (kernel SAs removed, nothing sent) and the engine. */
void v1_engine_free(struct v1_engine *e);
/* Replace the connection list (references are taken; old ones dropped). */
int v1_engine_set_conns(struct v1_engine *e, struct v1_conn *const *conns, size_t n);

/* One IKEv1 message (non-ESP marker stripped). 0, or ERR_* when dropped. */
int v1_engine_input(struct v1_engine *e, const struct v1_datagram *dg);

/* Start Main (or Aggressive) Mode and then Quick Mode for a connection. */
int v1_engine_initiate(struct v1_engine *e, const char *conn, char *why, size_t why_len);
/*
 * Rekey one installed IPsec SA pair of the connection: a new Quick Mode
 * for the same selectors on its established ISAKMP SA (with a KE when the
 * connection has pfs); once installed, the old pair is deleted (Delete
 * payload) and counters.rekeys grows. Picks a pair not already being
 * rekeyed. 0, or ERR_NOTFOUND when there is none.
 */
int v1_engine_rekey_ipsec(struct v1_engine *e, const char *conn);
/* Delete every SA of a connection, sending Deletes; returns how many ISAKMP SAs. */
int v1_engine_delete_conn(struct v1_engine *e, const char *conn);
/* Send Deletes for everything established and remove all SAs (daemon stop). */
void v1_engine_shutdown(struct v1_engine *e);

/* Tests: every armed retransmission timer fires now. Returns how many. */
unsigned v1_engine_timeout_all(struct v1_engine *e);

/*
 * Tests: fire every armed DPD timer (each fire is one dpd_delay, or the
 * shorter dpd_timeout, gone by), lifetime timer (the next rekey,
 * re-authentication or expiry of each SA) or fragment reassembly timer
 * (V1_TIMER_FRAG: the partial messages time out) now. Returns how many fired.
 */
enum v1_timer_kind { V1_TIMER_DPD, V1_TIMER_ISAKMP_LIFE, V1_TIMER_IPSEC_LIFE, V1_TIMER_FRAG };
unsigned v1_engine_fire_timers(struct v1_engine *e, enum v1_timer_kind kind);

/* What a listing shows of an ISAKMP SA. */
struct v1_sa_info {
	const char *conn;
	const char *state;     /* "ESTABLISHED", "MM_R1", ... */
	bool established;
	bool initiator;
	bool aggressive;
	bool nat;
	const char *natt;      /* NAT-T method spoken (v1_natt_method_name), "" when none */
	uint64_t serial;
	uint8_t cky_i[8], cky_r[8];
	struct sockaddr_storage peer;
	const char *encr, *hash, *group; /* registry names, "" before selection */
	unsigned ipsec_sas;    /* installed IPsec SA pairs */
	uint64_t dpd_answered; /* R-U-THERE from the peer answered (RFC 3706 5) */
	uint64_t dpd_acks_in;  /* R-U-THERE-ACKs received from the peer */
};
typedef void (*v1_sa_visit_fn)(const struct v1_sa_info *info, void *arg);
void v1_engine_foreach_sa(struct v1_engine *e, v1_sa_visit_fn fn, void *arg);

/* What an installed IPsec SA pair looks like (for tests and listings). */
struct v1_ipsec_info {
	const char *conn;
	uint32_t spi_in, spi_out;
	const uint8_t *key_in, *key_out; /* KEYMAT per direction (tests only) */
	size_t key_len;
	bool pfs;
	uint64_t life_seconds;           /* negotiated (after RESPONDER-LIFETIME) */
	bool transport;
	bool udp_encap;                  /* ESP in UDP (RFC 3948) */
	uint16_t encap_mode;             /* as negotiated: 1-4, or the drafts' 61443/61444 */
	/* The peer's NAT-OA payloads (RFC 3947 5.2; one in the drafts): the original
	 * initiator and responder addresses, kept for transport-mode checksum fixing;
	 * "" when not received. */
	char natoa_i[48], natoa_r[48];
};
typedef void (*v1_ipsec_visit_fn)(const struct v1_ipsec_info *info, void *arg);
void v1_engine_foreach_ipsec(struct v1_engine *e, v1_ipsec_visit_fn fn, void *arg);

struct v1_counters {
	uint64_t dropped;       /* messages dropped (malformed, unknown SA, wrong state) */
	uint64_t duplicates;    /* duplicates answered from the cache */
	uint64_t retransmits;
	uint64_t notifies_sent;
	uint64_t p1_done, p1_failed, qm_done, qm_failed, deletes_in, deletes_out;
	uint64_t dpd_sent, dpd_acked, dpd_dead;   /* R-U-THERE out, awaited ACKs in, peers declared dead */
	uint64_t dpd_answered, dpd_acks_in;       /* R-U-THERE answered; every R-U-THERE-ACK in */
	uint64_t dpd_held;                        /* dead peers whose traffic a trap now holds */
	uint64_t rekeys, reauths, expired;        /* Quick Mode rekeys, phase-1 re-auths, expiries */
	/* IKE fragmentation (v1_frag.c) */
	uint64_t frag_messages_fragmented;        /* our messages sent as fragments (once each) */
	uint64_t frag_fragments_sent;             /* fragments sent, retransmissions included */
	uint64_t frag_fragments_received;         /* the peer's fragments kept for reassembly */
	uint64_t frag_messages_reassembled;       /* the peer's messages put together */
	uint64_t frag_fragments_dropped;          /* refused, or thrown away (timeout, new ID) */
};
const struct v1_counters *v1_engine_counters(const struct v1_engine *e);

#endif
