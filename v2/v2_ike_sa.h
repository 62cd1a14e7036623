/*
 * v2_ike_sa.h - the engine's inside: struct v2_engine, the IKE SA and the
 * child SA (separate structs, each embedding a struct sad_entry, STYLE.md
 * "What not to copy"), handler verdicts and the per-message context.
 * Private to v2/.
 */
#ifndef DUALIKE_V2_IKE_SA_H
#define DUALIKE_V2_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/sad.h"
#include "v2/v2_engine.h"
#include "v2/v2_keymat.h"
#include "v2/v2_msg.h"
#include "v2/v2_psk_cache.h"
#include "v2/v2_sk.h"

#define V2_NONCE_LEN 32       /* ours: 256 bits, twice the PRF strength (RFC 7296 2.10) */
#define V2_MSG_MAX 8192       /* largest message we build */
#define V2_HALF_OPEN_MS 30000u
#define V2_COOKIE_MAX 64      /* longest COOKIE we send back (RFC 7296 2.6: 1 to 64 octets) */
#define V2_COOKIE_RETRIES 2   /* COOKIE answers an initiator follows per IKE SA */
#define V2_COOKIE_ROTATE_MS 120000u /* cookie secret lifetime; the previous one is kept as long */
#define V2_DOOMED_WAIT_MS 30000u /* 2.8.2: how long an SA waits for the peer's Delete */

enum v2_state {
	V2S_I_KEYGEN,    /* initiator: KE keypair job running */
	V2S_I_INIT_SENT, /* IKE_SA_INIT request out */
	V2S_I_AUTH_SENT, /* IKE_AUTH request out */
	V2S_R_NEW,       /* responder: first message being handled */
	V2S_R_INIT_DONE, /* IKE_SA_INIT answered, waiting for IKE_AUTH */
	V2S_ESTABLISHED,
	V2S_DELETING,    /* our Delete of the IKE SA is out */
	V2S_GONE,        /* removed; freed by complete() */
};

enum v2_role { V2_ROLE_I, V2_ROLE_R, V2_ROLE_ANY };

/*
 * Handler verdicts (STYLE.md): complete() does what they say.
 *   OK          the step is done: send what ctx holds, go to the row's state
 *   IGNORE      drop the message; nothing changed
 *   REPLY_NOTIFY answer the request with ctx->notify, keep the SA as it was
 *   FAIL_NOTIFY answer with ctx->notify (if a request), then delete the SA
 *   FAIL_DELETE delete the SA (a log line says why)
 *   SUSPEND     a crypto job runs; its completion calls complete() again
 *   DONE_DELETE send ctx's reply (if any) then delete the SA (peer's Delete)
 */
enum v2_verdict {
	V2V_OK,
	V2V_IGNORE,
	V2V_REPLY_NOTIFY,
	V2V_FAIL_NOTIFY,
	V2V_FAIL_DELETE,
	V2V_SUSPEND,
	V2V_DONE_DELETE,
};

struct v2_child_sa {
	struct sad_entry sad;          /* proto, spi_in, spi_out, ike_serial */
	struct v2_child_sa *next;      /* in its IKE SA's list */
	const struct xform *encr, *integ, *esn;
	enum kernel_mode mode;
	bool encap;
	uint32_t reqid;
	/*
	 * The addresses its kernel SAs were installed with: ours here, the
	 * peer's in sad.peer (v2_child_addrs()). Compact: a sockaddr_storage
	 * is 128 bytes, and the kernel selectors (2 x 264) are made from the
	 * traffic selectors when needed (v2_child_selectors()).
	 */
	union sad_addr local;
	struct ts ts_local, ts_remote;  /* as agreed (a rekey offers them again) */
	bool installed;                 /* SAs and policies in the kernel */
	bool owns_policies;             /* a rekeyed child hands them to its successor */
	bool rekeying;                  /* our rekey of it is out */
	uint64_t rekey_at_ms;           /* lifetime minus margin, with jitter; 0: never */
	/* 2.8.1: the peer rekeyed it while ours was out: the lowest nonce of its exchange */
	bool peer_rekeyed;
	uint8_t *peer_low_nonce;        /* v2_nonce_keep(), only in that case */
	size_t peer_low_nonce_len;
};

/* What one CREATE_CHILD_SA (ours or the peer's) needs across a KE job (RFC 7296 1.3). */
enum v2_ccsa_kind { V2X_NONE, V2X_NEW_CHILD, V2X_REKEY_CHILD, V2X_REKEY_IKE };

struct v2_ccsa {
	enum v2_ccsa_kind kind;
	uint16_t group;                 /* KE group, 0: none */
	struct ke_keypair *keypair;     /* ours, as the exchange's initiator */
	struct secret *gir;
	const uint8_t *ke_reply;        /* as responder: KEr, the KE job result's, only while */
	size_t ke_reply_len;            /* the answer is built (no 1 KB buffer per SA) */
	uint8_t ni[V2_NONCE_MAX], nr[V2_NONCE_MAX];
	size_t ni_len, nr_len;
	uint32_t old_spi_in;            /* REKEY_CHILD: our inbound SPI of the old child */
	uint32_t spi_in, spi_out;       /* the new child's */
	uint8_t new_spi_i[8], new_spi_r[8]; /* REKEY_IKE */
	struct v2_chosen ike;           /* REKEY_IKE: chosen transforms */
	struct v2_child_sel *sel;       /* the child's agreed proposal and selectors */
};

/* An identity at its length (ID type and data, RFC 7296 3.5): not a 272-byte v2_conn_id per SA. */
struct v2_peer_id {
	uint8_t type;
	uint8_t len;                    /* V2_CONN_ID_MAX fits */
	uint8_t data[];
};

struct v2_engine;
struct v2_frag_rx;

struct v2_ike_sa {
	struct sad_entry sad;
	struct v2_engine *eng;
	struct v2_ike_sa *prev, *next;  /* engine's list, creation order */
	const struct v2_conn *conn;
	enum v2_state state;
	enum v2_state resume_to;        /* to-state once a SUSPEND completes */
	bool initiator;

	struct sockaddr_storage local, peer;
	bool natt;                      /* IKE moved to the NAT-T port */
	bool nat_local, nat_peer;       /* NAT detected in front of us / the peer */
	/* while nat_local (set it with v2_nat_state_set): the engine's natted list */
	struct v2_ike_sa *nat_prev, *nat_next;

	/* IKE_SA_INIT */
	struct v2_chosen ike;           /* chosen transforms */
	uint16_t ke_group;
	struct ke_keypair *keypair;     /* initiator */
	struct secret *gir;             /* until the keys are made */
	uint8_t *ni, *nr;               /* their own length, until established (2.15, 2.17) */
	size_t ni_len, nr_len;
	uint8_t *init_i, *init_r;       /* both IKE_SA_INIT messages (AUTH, 2.15), until established */
	size_t init_i_len, init_r_len;
	const uint8_t *ke_reply;        /* responder: KEr, the KE job result's, only while */
	size_t ke_reply_len;            /* the answer is built (no 1 KB buffer per SA) */
	unsigned invalid_ke_retries;
	uint8_t *cookie;                /* initiator: the responder's COOKIE (2.6), sent first; */
	size_t cookie_len;              /* v2_nonce_keep(), until established */
	unsigned cookie_retries;
	bool half_open;                 /* responder: KE job started, no IKE_AUTH yet (COOKIE load) */
	uint8_t spi_r_pending[8];       /* initiator: SPIr until the keys are made */
	struct job *job;

	/* keys */
	struct v2_ike_keys keys;
	bool have_keys;
	struct v2_iv_counter iv;

	/* identities */
	struct v2_peer_id *peer_id;     /* the peer's, NULL until IKE_AUTH names it */

	/* public key authentication (v2_cert.h) */
	uint32_t peer_sighash;          /* hash IDs the peer announced, 1 << id (RFC 7427 4) */
	bool peer_certreq;              /* the peer sent CERTREQ (send_cert = ifasked) */
	struct v2_auth_sig *sig;        /* IKE_AUTH signature work across jobs */

	/* RFC 7383: both ends support fragmentation; the peer's message being reassembled */
	bool frag_ok;
	struct v2_frag_rx *frag_rx;

	/* message IDs, window 1 (RFC 7296 2.3) */
	uint32_t send_msgid;            /* ID of our next (or outstanding) request */
	bool req_outstanding;
	uint8_t *req_msg;               /* for retransmission */
	size_t req_len;
	bool req_natt;
	unsigned req_tries;
	uint32_t recv_msgid;            /* ID of the next request we expect */
	uint8_t *resp_msg;              /* our last response, for retransmitted requests */
	size_t resp_len;
	bool have_resp;

	/* timers: one slot (retransmission or half-open) */
	struct event *timer;
	bool timer_armed;
	enum { V2T_NONE, V2T_RETRANSMIT, V2T_HALF_OPEN } timer_kind;

	/*
	 * CREATE_CHILD_SA: ours out (ci) and the peer's being answered (cr),
	 * allocated only while the exchange runs (NULL otherwise): 2 x 672 B
	 * that an idle IKE SA does not carry.
	 */
	struct v2_ccsa *ci, *cr;
	uint64_t rekey_at_ms;           /* IKE SA rekey time, 0: never */
	uint64_t last_heard_ms;         /* last authentic message from the peer (DPD) */
	uint64_t dpd_sent_ms;           /* our liveness check went out, 0: none */
	struct event *maint;            /* housekeeping: rekeys and DPD */
	bool rekeyed;                   /* replaced by a rekeyed IKE SA; only deleting */
	/*
	 * 2.8.2: the peer's rekey of this IKE SA, answered while ours was out:
	 * the IKE SA it made and the lowest nonce of its exchange.
	 */
	uint64_t peer_rekey_serial;
	uint8_t *peer_rekey_low;        /* v2_nonce_keep(), only in that case */
	size_t peer_rekey_low_len;
	bool redundant;                 /* lost a simultaneous rekey: only its Delete is left */
	uint64_t rekey_of;              /* made by rekeying this IKE SA (serial), 0: initial */
	uint64_t doomed_at_ms;          /* the peer should delete it by then, else we do; 0: no */

	struct v2_child_sa *children;
	uint32_t child_spi_offered;     /* initiator: our SPI in the IKE_AUTH offer */
	struct v2_child_sa *child_pending; /* initiator: the child of IKE_AUTH */
};

/* Per message: what a handler read and what it wants sent. */
struct v2_ctx {
	const struct v2_datagram *dg;   /* NULL when a job completion re-enters */
	struct v2_msg *msg;             /* NULL likewise */
	uint8_t exchange;
	bool response_to_send;          /* reply (request handled) in out/out_len */
	bool request_to_send;           /* a new request of ours in out/out_len */
	size_t out_len;
	uint16_t notify;                /* REPLY_NOTIFY / FAIL_NOTIFY */
	uint8_t notify_data[64];
	size_t notify_data_len;
	const char *why;                /* for FAIL_* log lines */
	bool no_answer;                 /* FAIL_*: retransmissions went unanswered */
	bool stay;                      /* OK: the step repeats (COOKIE retry), keep the state */
	/*
	 * Last, so v2_ctx_new() need not clear it: only out_len bytes are ever
	 * read, and it never keeps plaintext (v2_sk_seal wipes what it wrote
	 * when sealing fails).
	 */
	uint8_t out[V2_MSG_MAX];
};

/* The responder's cookie secrets (v2_cookie.c): current and previous. */
struct v2_cookie_state {
	uint8_t cur[32], prev[32];
	uint8_t version, prev_version;  /* the cookie's first octet names its secret */
	bool have_cur, have_prev;
	uint64_t rotated_ms;
};

struct v2_engine {
	struct v2_engine_params p;
	struct v2_conn *conns;
	size_t n_conns;
	struct v2_conn **retired;       /* old rows SAs may still point at */
	size_t n_retired;
	struct v2_ike_sa *first, *last;
	size_t n_sas;
	struct v2_ike_sa *natted;       /* the SAs with nat_local: the keepalive walk's (v2_nat_state.c) */
	size_t n_half_open;             /* responder SAs past the KE job start, before IKE_AUTH (2.6) */
	struct v2_cookie_state cookie;
	struct v2_psk_cache psk_cache;  /* PSK AUTH keys keyed once (v2_psk_cache.h) */
	struct v2_engine_stats stats;
};

/* ---- v2_ike_sa.c ---- */
struct v2_ike_sa *v2_ike_sa_new(struct v2_engine *e, const struct v2_conn *c, bool initiator,
				const struct sockaddr_storage *local,
				const struct sockaddr_storage *peer);
/* Take out of the SAD, delete children from the kernel, free. */
void v2_ike_sa_free(struct v2_ike_sa *sa);
/* The peer's identity is (type, data): data cut at V2_CONN_ID_MAX; 0 or ERR_NOMEM. */
int v2_ike_sa_set_peer_id(struct v2_ike_sa *sa, uint8_t type, const uint8_t *data, size_t len);
/* The peer's identity as a v2_conn_id (type 0 when unknown), for the hooks. */
void v2_ike_sa_peer_id(const struct v2_ike_sa *sa, struct v2_conn_id *out);
/*
 * Established: free what only the handshake needed: the IKE_SA_INIT
 * messages and nonces (AUTH, 2.15; the first child's KEYMAT, 2.17; later
 * exchanges bring their own nonces, 1.3, 2.18).
 */
void v2_ike_sa_drop_init(struct v2_ike_sa *sa);
/*
 * Keep a copy of a nonce in *slot (an allocation of its length, not a
 * V2_NONCE_MAX array in every SA; the old one wiped and freed): p NULL
 * makes V2_NONCE_LEN random octets. ERR_INVAL for 0 or past V2_NONCE_MAX.
 */
int v2_nonce_keep(uint8_t **slot, size_t *slot_len, const uint8_t *p, size_t len);
/* Wipe and free *slot (may be NULL), zero its length. */
void v2_nonce_drop(uint8_t **slot, size_t *len);
struct v2_ike_sa *v2_ike_sa_find(struct v2_engine *e, const struct v2_header *h,
				 const struct sockaddr_storage *peer);
/* SK keys for one direction: the sender's (out) or the peer's (in). */
void v2_ike_sa_sk_keys(const struct v2_ike_sa *sa, bool out, struct v2_sk_keys *k);
void v2_ike_sa_info(const struct v2_ike_sa *sa, struct v2_sa_info *info);
const char *v2_state_name(enum v2_state s);
/* Is there a Notify of this type (inner or clear)? */
bool v2_has_notify(const struct v2_msg *m, uint16_t type);

/* ---- v2_states.c ---- */
/* A context with every field but out[] zeroed (8 KiB less to clear); free() it. */
struct v2_ctx *v2_ctx_new(void);
/* Run the state table for a parsed (and decrypted) message. */
void v2_states_dispatch(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* Do what the verdict says (the one place that sends, switches state, arms timers). */
void v2_complete(struct v2_ike_sa *sa, struct v2_ctx *ctx, enum v2_verdict v, enum v2_state to);
/* Count, log and report (hooks.established) an IKE SA now up: initial or rekeyed. */
void v2_states_established(struct v2_ike_sa *sa);

/* ---- v2_send.c ---- */
/* Header for a message of ours in this SA. */
void v2_send_header(const struct v2_ike_sa *sa, struct v2_header *h, uint8_t exchange,
		    bool response, uint32_t msgid);
/* Seal an inner chain into ctx->out as a protected message. */
int v2_send_seal(struct v2_ike_sa *sa, struct v2_ctx *ctx, uint8_t exchange, bool response,
		 uint32_t msgid, uint8_t first_inner, const uint8_t *inner, size_t inner_len);
/* Put ctx->notify as the whole reply to the request being handled. */
int v2_send_notify_reply(struct v2_ike_sa *sa, struct v2_ctx *ctx);
int v2_send_raw(struct v2_ike_sa *sa, const uint8_t *msg, size_t len);

/* ---- v2_retransmit.c ---- */
void v2_timer_arm(struct v2_ike_sa *sa, int kind, unsigned ms);
void v2_timer_cancel(struct v2_ike_sa *sa);
/* The timer fired (from libevent or v2_engine_fire_timers). */
void v2_timer_fire(struct v2_ike_sa *sa);

/* ---- v2_nat_state.c ---- */
/*
 * Whether a NAT is in front of us (RFC 7296 2.23): sets sa->nat_local and
 * puts the SA on (or takes it off) the engine's natted list, so that the
 * keepalive walk visits these SAs only, not every SA held.
 */
void v2_nat_state_set(struct v2_ike_sa *sa, bool nat_local);

/* ---- v2_natd.c ---- */
/* SHA-1(SPIi | SPIr | IP | port) (RFC 7296 2.23), 20 octets. */
int v2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		 const struct sockaddr_storage *addr, uint8_t out[20]);
int v2_natd_put(struct v2_chain *c, const uint8_t spi_i[8], const uint8_t spi_r[8],
		const struct sockaddr_storage *src, const struct sockaddr_storage *dst);
/* Compare the message's NAT_DETECTION notifies with what we see. */
void v2_natd_check(struct v2_ike_sa *sa, const struct v2_msg *m,
		   const struct sockaddr_storage *src, const struct sockaddr_storage *dst);

/* ---- v2_cookie.c ---- */
/* Is the responder under the load where IKE_SA_INIT needs a COOKIE? */
bool v2_cookie_needed(const struct v2_engine *e);
/*
 * Before any state for a new IKE_SA_INIT request: true when it was
 * answered with N(COOKIE) (no valid cookie while needed) and must go no
 * further; false: go on.
 */
bool v2_cookie_gate(struct v2_engine *e, const struct v2_msg *m, const struct v2_datagram *dg);
/*
 * Responder, half-open SA: IKE_SA_INIT again, now with a valid COOKIE and
 * the same Ni: its bytes are what the initiator signs (2.15), kept in
 * init_i.
 */
void v2_cookie_note_retry(struct v2_ike_sa *sa, const struct v2_msg *m,
			  const struct v2_datagram *dg);
void v2_cookie_rotate(struct v2_engine *e);
void v2_cookie_wipe(struct v2_engine *e);

/* ---- v2_sa_init.c ---- */
enum v2_verdict v2_sa_init_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_sa_init_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* Initiator: start (or restart after INVALID_KE) with the keypair job. */
enum v2_verdict v2_sa_init_start(struct v2_ike_sa *sa);
/* Both sides, once g^ir is known: the seven keys (2.14) and the key log. */
int v2_sa_init_make_keys(struct v2_ike_sa *sa);
struct v2_ike_sa *v2_sa_init_conn_for(struct v2_engine *e, const struct sockaddr_storage *local,
				      const struct sockaddr_storage *peer);

/* ---- v2_auth.c, v2_auth_psk.c ---- */
enum v2_verdict v2_auth_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_auth_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* Initiator: build the IKE_AUTH request into ctx (after the keys). */
enum v2_verdict v2_auth_request(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/*
 * AUTH for PSK (2.15): prf(prf(PSK, "Key Pad for IKEv2"), msg | nonce |
 * prf(SK_p, id_body)). of_initiator selects SK_pi and the initiator's octets.
 */
int v2_auth_psk_compute(const struct v2_ike_sa *sa, bool of_initiator, const struct secret *psk,
			const uint8_t *id_body, size_t id_len, uint8_t *out, size_t *out_len);
/*
 * The same in two steps, for a responder that checks the peer's AUTH and
 * makes its own with one PSK: prf(PSK, "Key Pad for IKEv2") is computed
 * and keyed once (v2_auth_psk_key), then each AUTH starts from a copy of
 * that keyed state (v2_auth_psk_mac). Wipe with v2_auth_psk_key_wipe().
 */
struct v2_psk_key {
	struct prf_ctx keyed; /* prf keyed with prf(PSK, "Key Pad for IKEv2") */
	bool ready;
};
int v2_auth_psk_key(const struct v2_ike_sa *sa, const struct secret *psk, struct v2_psk_key *k);
int v2_auth_psk_mac(const struct v2_ike_sa *sa, bool of_initiator, const struct v2_psk_key *k,
		    const uint8_t *id_body, size_t id_len, uint8_t *out, size_t *out_len);
void v2_auth_psk_key_wipe(struct v2_psk_key *k);
/*
 * The signed octets of 2.15 as three chunks: RealMessage, the other side's
 * nonce, prf(SK_p, id_body) (written to maced_id, PRF_MAX_OUT octets, for
 * the caller to wipe). Shared by PSK and signature AUTH.
 */
struct prf_input;
int v2_auth_octets(const struct v2_ike_sa *sa, bool of_initiator, const uint8_t *id_body,
		   size_t id_len, uint8_t maced_id[PRF_MAX_OUT], struct prf_input *in);

/* ---- v2_initial_contact.c ---- */
/* Index the SA in the SAD under sa->peer_id (no-op while it is unknown). */
int v2_initial_contact_index(struct v2_ike_sa *sa);
/*
 * The peer sent INITIAL_CONTACT in sa (RFC 7296 2.4): free the engine's
 * other IKE SAs of the same connection and peer identity; how many.
 */
unsigned v2_initial_contact(struct v2_ike_sa *sa);

/* ---- v2_initial_contact.c ---- */
/* Index the SA in the SAD under sa->peer_id (no-op while it is unknown). */
int v2_initial_contact_index(struct v2_ike_sa *sa);
/*
 * The peer sent INITIAL_CONTACT in sa (RFC 7296 2.4): free the engine's
 * other IKE SAs of the same connection and peer identity; how many.
 */
unsigned v2_initial_contact(struct v2_ike_sa *sa);

/* ---- v2_child.c ---- */
/* A child's agreed proposal and selectors (responder: narrowed; initiator: answered). */
struct v2_child_sel {
	struct v2_chosen ch;
	struct v2_ts_list tsi, tsr;     /* responder: what to answer */
	struct ts ts_local, ts_remote;  /* what to install */
	bool transport;
};
struct v2_child_args {
	const struct v2_chosen *ch;
	uint32_t spi_in, spi_out;
	const struct ts *ts_local, *ts_remote;
	bool transport;
	const uint8_t *gir;             /* PFS: g^ir (new), else NULL */
	size_t gir_len;
	const uint8_t *ni, *nr;         /* the exchange's nonces */
	size_t ni_len, nr_len;
	bool we_initiated;              /* initiator of this exchange (KEYMAT order, 2.17) */
	struct v2_child_sa *replaces;   /* rekey: keep its reqid and take its policies */
};
int v2_child_install(struct v2_ike_sa *sa, const struct v2_child_args *a,
		     struct v2_child_sa **made);
/* Responder: parse, choose from props, narrow; 0 with *notify set when refused. */
int v2_child_select(struct v2_ike_sa *sa, const struct v2_msg *m,
		    const struct v2_local_prop *props, size_t n_props, uint16_t ke_group,
		    struct v2_child_sel *sel, uint16_t *notify);
/* Responder: the SA (our SPI), TSi, TSr answer; or its two halves. */
int v2_child_answer_sa(const struct v2_child_sel *sel, uint32_t spi_in, struct v2_chain *chain);
int v2_child_answer_ts(const struct v2_child_sel *sel, struct v2_chain *chain);
int v2_child_answer(const struct v2_child_sel *sel, uint32_t spi_in, struct v2_chain *chain);
/* Initiator: check the answer against what props offered. */
int v2_child_check_answer(struct v2_ike_sa *sa, const struct v2_msg *m,
			  const struct v2_local_prop *props, size_t n_props, bool want_transport,
			  struct v2_child_sel *sel);
void v2_child_offer_ts(const struct v2_ike_sa *sa, const struct v2_child_sa *like,
		       struct v2_ts_list *tsi, struct v2_ts_list *tsr);
uint32_t v2_child_spi_of(const struct v2_chosen *ch);
void v2_child_spi_be(uint32_t spi, uint8_t be[4]);
struct v2_child_sa *v2_child_by_spi_in(struct v2_ike_sa *sa, uint32_t spi_in);
/* Set c->rekey_at_ms from the connection (v2_maint.c). */
void v2_child_schedule_rekey(struct v2_ike_sa *sa, struct v2_child_sa *c);
struct v2_child_offer {
	struct v2_sa sa;
	struct v2_ts_list tsi, tsr;
	bool transport;
};
/* Initiator: the child part of IKE_AUTH (allocates the inbound SPI). */
int v2_child_offer_make(struct v2_ike_sa *sa, struct v2_child_offer *o);
/*
 * Responder: choose, narrow and install from the request's SA/TSi/TSr;
 * puts SA, TSi, TSr (and USE_TRANSPORT_MODE) into chain. 0, or the notify
 * to answer instead in *notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE).
 */
int v2_child_respond(struct v2_ike_sa *sa, const struct v2_msg *m, struct v2_chain *chain,
		     uint16_t *notify);
/* Initiator: accept the answer and install. */
int v2_child_accept(struct v2_ike_sa *sa, const struct v2_msg *m);
/* Remove from the kernel and the SAD, free. */
void v2_child_free(struct v2_ike_sa *sa, struct v2_child_sa *c);
/* Our and the peer's address as its kernel SAs have them. */
void v2_child_addrs(const struct v2_child_sa *c, struct sockaddr_storage *local,
		    struct sockaddr_storage *peer);
/* Its kernel selectors, local -> remote (out) and remote -> local (in). */
int v2_child_selectors(const struct v2_child_sa *c, struct kernel_selector *out,
		       struct kernel_selector *in);
struct v2_child_sa *v2_child_by_spi_out(struct v2_ike_sa *sa, uint32_t spi_out);

/* ---- v2_create_child.c ---- */
/* Start our CREATE_CHILD_SA (old: the child to rekey); ERR_STATE while another exchange is out. */
int v2_ccsa_start(struct v2_ike_sa *sa, enum v2_ccsa_kind kind, struct v2_child_sa *old);
enum v2_verdict v2_ccsa_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_ccsa_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* End an exchange's state: free *slot (&sa->ci or &sa->cr, may hold NULL), set it NULL. */
void v2_ccsa_clear(struct v2_ike_sa *sa, struct v2_ccsa **slot);

/* ---- v2_rekey_ike.c ---- */
/*
 * The IKE SA rekey's keys are known (x->gir): make the new IKE SA (2.18),
 * move the children to it; the rekey's initiator then deletes the old one.
 */
int v2_rekey_ike_finish(struct v2_ike_sa *sa, struct v2_ccsa *x, bool we_initiated);

/* ---- v2_rekey_collision.c ---- */
/* The lower nonce of one CREATE_CHILD_SA exchange (2.8.1). */
void v2_ccsa_low_nonce(const struct v2_ccsa *x, const uint8_t **p, size_t *len);
int v2_nonce_cmp(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);
/* Responder of the peer's IKE SA rekey: remember it when ours is out too (2.8.2). */
void v2_rekey_collision_note(struct v2_ike_sa *old, const struct v2_ccsa *x, struct v2_ike_sa *made);
/*
 * Our IKE SA rekey made `ours` (no children yet): when the peer's rekey of
 * `old` made another one, the SA of the exchange with the lowest nonce is
 * redundant (2.8.2). true: ours lost and is being deleted (by us, its
 * creator); false: ours stands (after a won collision it holds the peer's
 * SA's children already) and replaces the old SA as usual.
 */
bool v2_rekey_collision_resolve(struct v2_ike_sa *old, const struct v2_ccsa *x,
				struct v2_ike_sa *ours);
/*
 * The peer deletes `dying`, the SA its rekey made while ours is still
 * out: it lost (2.8.2), and its children go back to the old SA for ours
 * to take, instead of dying with it.
 */
void v2_rekey_collision_orphans(struct v2_ike_sa *dying);

/* ---- v2_maint.c ---- */
void v2_ike_schedule_rekey(struct v2_ike_sa *sa);
/* Start the housekeeping timer (with an event base). */
void v2_maint_arm(struct v2_ike_sa *sa);
/* Deadlines due at now; false when the SA is gone or needs no more ticks. */
bool v2_maint_run(struct v2_ike_sa *sa, uint64_t now);
int v2_dpd_send(struct v2_ike_sa *sa, uint64_t now_ms);
/* The peer did not answer: the connection's DPD action; sa is freed. */
void v2_dpd_dead(struct v2_ike_sa *sa, const char *why);

/* ---- v2_info.c ---- */
enum v2_verdict v2_info_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_info_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_child_refuse(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* Send a Delete of the IKE SA (state DELETING); false when nothing was sent. */
bool v2_info_delete_ike(struct v2_ike_sa *sa);

#endif
