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
#include "v2/v2_sk.h"

#define V2_NONCE_LEN 32       /* ours: 256 bits, twice the PRF strength (RFC 7296 2.10) */
#define V2_MSG_MAX 8192       /* largest message we build */
#define V2_HALF_OPEN_MS 30000u

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
	struct sockaddr_storage local, peer;
	struct kernel_selector sel_out; /* local -> remote */
	struct kernel_selector sel_in;  /* remote -> local */
	bool installed;                 /* SAs and policies in the kernel */
};

struct v2_engine;

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

	/* IKE_SA_INIT */
	struct v2_chosen ike;           /* chosen transforms */
	uint16_t ke_group;
	struct ke_keypair *keypair;     /* initiator */
	struct secret *gir;             /* until the keys are made */
	uint8_t ni[V2_NONCE_MAX], nr[V2_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *init_i, *init_r;       /* both IKE_SA_INIT messages (AUTH, 2.15) */
	size_t init_i_len, init_r_len;
	uint8_t ke_peer[KE_MAX_PUBLIC]; /* the peer's KE data, for the job */
	size_t ke_peer_len;
	uint8_t ke_reply[KE_MAX_PUBLIC];/* responder: KEr */
	size_t ke_reply_len;
	unsigned invalid_ke_retries;
	uint8_t spi_r_pending[8];       /* initiator: SPIr until the keys are made */
	struct job *job;

	/* keys */
	struct v2_ike_keys keys;
	bool have_keys;
	struct v2_iv_counter iv;

	/* identities */
	struct v2_conn_id peer_id;

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
	uint8_t out[V2_MSG_MAX];
	size_t out_len;
	uint16_t notify;                /* REPLY_NOTIFY / FAIL_NOTIFY */
	uint8_t notify_data[8];
	size_t notify_data_len;
	const char *why;                /* for FAIL_* log lines */
	bool no_answer;                 /* FAIL_*: retransmissions went unanswered */
};

struct v2_engine {
	struct v2_engine_params p;
	struct v2_conn *conns;
	size_t n_conns;
	struct v2_conn **retired;       /* old rows SAs may still point at */
	size_t n_retired;
	struct v2_ike_sa *first, *last;
	size_t n_sas;
	struct v2_engine_stats stats;
};

/* ---- v2_ike_sa.c ---- */
struct v2_ike_sa *v2_ike_sa_new(struct v2_engine *e, const struct v2_conn *c, bool initiator,
				const struct sockaddr_storage *local,
				const struct sockaddr_storage *peer);
/* Take out of the SAD, delete children from the kernel, free. */
void v2_ike_sa_free(struct v2_ike_sa *sa);
struct v2_ike_sa *v2_ike_sa_find(struct v2_engine *e, const struct v2_header *h,
				 const struct sockaddr_storage *peer);
/* SK keys for one direction: the sender's (out) or the peer's (in). */
void v2_ike_sa_sk_keys(const struct v2_ike_sa *sa, bool out, struct v2_sk_keys *k);
void v2_ike_sa_info(const struct v2_ike_sa *sa, struct v2_sa_info *info);
const char *v2_state_name(enum v2_state s);
/* Is there a Notify of this type (inner or clear)? */
bool v2_has_notify(const struct v2_msg *m, uint16_t type);
void v2_addr_set_port(struct sockaddr_storage *ss, uint16_t port);
uint16_t v2_addr_port(const struct sockaddr_storage *ss);

/* ---- v2_states.c ---- */
/* Run the state table for a parsed (and decrypted) message. */
void v2_states_dispatch(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* Do what the verdict says (the one place that sends, switches state, arms timers). */
void v2_complete(struct v2_ike_sa *sa, struct v2_ctx *ctx, enum v2_verdict v, enum v2_state to);

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

/* ---- v2_natd.c ---- */
/* SHA-1(SPIi | SPIr | IP | port) (RFC 7296 2.23), 20 octets. */
int v2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		 const struct sockaddr_storage *addr, uint8_t out[20]);
int v2_natd_put(struct v2_chain *c, const uint8_t spi_i[8], const uint8_t spi_r[8],
		const struct sockaddr_storage *src, const struct sockaddr_storage *dst);
/* Compare the message's NAT_DETECTION notifies with what we see. */
void v2_natd_check(struct v2_ike_sa *sa, const struct v2_msg *m,
		   const struct sockaddr_storage *src, const struct sockaddr_storage *dst);

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

/* ---- v2_child.c ---- */
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
struct v2_child_sa *v2_child_by_spi_out(struct v2_ike_sa *sa, uint32_t spi_out);

/* ---- v2_info.c ---- */
enum v2_verdict v2_info_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_info_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx);
enum v2_verdict v2_child_refuse(struct v2_ike_sa *sa, struct v2_ctx *ctx);
/* Send a Delete of the IKE SA (state DELETING); false when nothing was sent. */
bool v2_info_delete_ike(struct v2_ike_sa *sa);

#endif
