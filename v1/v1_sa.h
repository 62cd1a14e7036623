/*
 * v1_sa.h - inside the IKEv1 engine: the ISAKMP SA and IPsec SA structs,
 * the states, the handler verdicts and the transition rows.
 *
 * struct v1_isakmp_sa and struct v1_ipsec_sa are separate (STYLE.md "What
 * not to copy"), each embedding a struct sad_entry. A Quick Mode exchange
 * lives in its v1_ipsec_sa from its first message (RFC 2409 5.5: one
 * message ID, its own IV chain), so several run in parallel on one ISAKMP
 * SA.
 *
 * Handlers return a verdict; v1_complete() (v1_states.c) is the one place
 * that sends or caches the reply, switches the state and arms the timer.
 */
#ifndef DUALIKE_V1_SA_H
#define DUALIKE_V1_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/sad.h"
#include "v1/v1_crypt.h"
#include "v1/v1_engine.h"
#include "v1/v1_keymat.h"
#include "v1/v1_msg.h"
#include "v1/v1_proposal.h"
#include "v1/v1_rules.h"

#define V1_MSG_CAP 8192

enum v1_state {
	V1S_NONE = 0,   /* made, nothing sent or accepted yet */
	V1S_MM_I1,      /* initiator sent MM1, waits for MM2 */
	V1S_MM_I2,      /* sent MM3, waits for MM4 */
	V1S_MM_I3,      /* sent MM5, waits for MM6 */
	V1S_MM_R1,      /* responder sent MM2, waits for MM3 */
	V1S_MM_R2,      /* sent MM4, waits for MM5 */
	V1S_AM_I1,      /* initiator sent AM1, waits for AM2 */
	V1S_AM_R1,      /* responder sent AM2, waits for AM3 */
	V1S_ESTABLISHED,/* phase 1 done */
	V1S_QM_I1,      /* Quick Mode initiator sent QM1, waits for QM2 */
	V1S_QM_R1,      /* responder sent QM2, waits for QM3 */
	V1S_QM_DONE,    /* IPsec SAs installed */
	V1S_DEAD,       /* being deleted */
};

const char *v1_state_name(enum v1_state s);

enum v1_verdict {
	V1V_OK,           /* reply (if built) sent, state switched */
	V1V_IGNORE,       /* drop the message, nothing changes */
	V1V_REPLY_NOTIFY, /* answer with step->notify, then drop the half-made SA */
	V1V_FAIL_DELETE,  /* delete the (half-made) SA without answering */
	V1V_SUSPEND,      /* a crypto job runs; its completion resumes the step */
};

/* A sent message kept for retransmission and for duplicates of the last received one. */
struct v1_xmit {
	uint8_t *out;          /* last message we sent (as on the wire), or NULL */
	size_t out_len;
	bool out_natt;         /* sent from the NAT-T port */
	bool armed;            /* a reply is expected: retransmit on timeout */
	unsigned tries;
	struct event *timer;
	uint8_t last_in[32];   /* SHA-256 of the last message accepted */
	bool have_last_in;
};

/* A timer that works with an event base, or is fired by hand in tests. */
struct v1_timer {
	struct event *ev;
	bool armed;
	uint32_t secs;          /* what it was armed for */
};

/* What an SA's lifetime timer does when it fires next (v1_rekey.c). */
enum v1_life_next { V1_LIFE_NONE, V1_LIFE_REKEY, V1_LIFE_EXPIRE };

struct v1_engine;
struct v1_ipsec_sa;
struct v1_sig_state;
struct v1_frag_rx;

struct v1_isakmp_sa {
	struct sad_entry sad;           /* CKY-I / CKY-R, peer, conn, logger */
	struct v1_engine *eng;
	struct v1_conn *conn;
	enum v1_state state;
	bool initiator;
	bool aggressive;
	struct sockaddr_storage local;  /* our address and port in use */
	struct sockaddr_storage peer;   /* theirs (after a float: their 4500) */
	/* vendor IDs and NAT-T (RFC 3947 or a draft, v1_natt.c) */
	bool peer_dpd;
	unsigned peer_natt_vids;        /* V1_NATT_OFFER bits of the NAT-T vendor IDs the peer sent */
	enum v1_natt_method natt;       /* the method both speak; NONE: no NAT-T */
	bool nat_local, nat_peer;       /* we are / the peer is behind a NAT */
	bool floated;
	/* phase 1 */
	struct v1_p1_choice choice;
	uint8_t *sai_b; size_t sai_len; /* the initiator's SA payload body (HASH_I/R) */
	uint8_t ni[V1_NONCE_MAX]; size_t ni_len;
	uint8_t nr[V1_NONCE_MAX]; size_t nr_len;
	uint8_t *gxi; size_t gxi_len;
	uint8_t *gxr; size_t gxr_len;
	struct ke_keypair *kp;          /* initiator's DH keypair */
	struct secret *gxy;
	struct v1_keyset ks;
	bool have_keys;
	struct v1_crypt crypt;
	size_t enc_key_len;
	struct v1_iv iv;                /* phase-1 CBC chain */
	struct v1_iv p1_last;           /* last phase-1 block: base of phase-2 IVs */
	struct id *peer_id;
	uint8_t *chosen_attrs; size_t chosen_attrs_len; /* responder: the transform taken, as sent */
	uint8_t *peer_id_b; size_t peer_id_len; /* peer's ID body (aggressive: checked after the job) */
	uint8_t peer_hash[PRF_MAX_OUT]; size_t peer_hash_len;
	/* exchange machinery */
	struct v1_xmit x;
	struct job *job;
	const struct v1_row *pending;   /* the suspended step */
	struct v1_ipsec_sa *qms;        /* Quick Modes and IPsec SAs of this SA */
	bool start_qm;                  /* initiator: start Quick Mode once established */
	bool report;                    /* v1_engine_initiate(): tell the caller how it ends */
	bool peer_notify_auth;          /* ... inside an authenticated message */
	uint16_t peer_notify;           /* the last error notify the peer sent (for a report) */
	/* DPD, RFC 3706 (v1_dpd.c) */
	struct v1_timer dpd;
	bool heard;                     /* an authenticated message came since the last check */
	bool dpd_waiting;               /* an R-U-THERE is out */
	uint32_t dpd_seq;               /* the last sequence number sent */
	uint32_t dpd_waited_s;
	uint64_t dpd_answered;          /* R-U-THERE from the peer answered */
	uint64_t dpd_acks_in;           /* R-U-THERE-ACKs from the peer */
	/* lifetime (v1_rekey.c) */
	struct v1_timer life;
	enum v1_life_next life_next;
	uint64_t replaces;              /* re-authentication: serial of the SA it replaces */
	struct v1_sig_state *sig;       /* signature authentication under way (v1_auth_sig.c) */
	/* IKE fragmentation (v1_frag.c): the peer sent the FRAGMENTATION vendor ID */
	bool peer_frag;
	uint16_t frag_tx_id;            /* Fragment ID of the last message we fragmented */
	uint8_t frag_tx_hash[32];       /* ... and its SHA-256 (a resend keeps the ID) */
	bool frag_tx_have;
	struct v1_frag_rx *frag_rx;     /* the peer's message being reassembled */
	struct v1_timer frag_timer;     /* drops it when the rest does not come */
};

struct v1_ipsec_sa {
	struct sad_entry sad;           /* child entry once installed */
	struct v1_ipsec_sa *next;
	struct v1_isakmp_sa *isakmp;
	enum v1_state state;
	bool initiator;
	uint32_t msg_id;
	struct v1_iv iv;                /* this exchange's CBC chain */
	struct v1_xmit x;
	struct job *job;
	const struct v1_row *pending;
	struct ts ts_local, ts_remote;
	bool ids_sent;                  /* IDci/IDcr on the wire */
	struct v1_qm_choice choice;
	uint8_t *sa_b; size_t sa_len;   /* initiator: our SA payload (to read QM2 against) */
	uint8_t ni[V1_NONCE_MAX]; size_t ni_len;
	uint8_t nr[V1_NONCE_MAX]; size_t nr_len;
	struct ke_keypair *kp;
	uint8_t *ke_peer; size_t ke_peer_len;
	uint8_t *ke_ours; size_t ke_ours_len;
	struct secret *gqm;             /* PFS shared secret */
	bool pfs;
	uint32_t spi_in, spi_out;
	uint32_t reqid;
	bool udp_encap;
	/* the peer's NAT-OA payloads (v1_natoa.c): original initiator / responder address */
	struct v1_natoa oa_i, oa_r;     /* family 0: not received */
	struct secret *key_in, *key_out; /* KEYMAT per direction */
	bool installed;
	bool in_sad;
	struct kernel_selector sel_out, sel_in;
	/* lifetime (v1_rekey.c) */
	struct v1_timer life;
	enum v1_life_next life_next;
	uint32_t rekey_of;              /* spi_in of the pair this Quick Mode replaces */
	bool rekeying;                  /* a replacement is under way */
};

/* What a handler sees. */
struct v1_step {
	struct v1_engine *eng;
	struct v1_isakmp_sa *sa;
	struct v1_ipsec_sa *qm;
	const struct v1_msg *m;           /* NULL for starts and resumes */
	const struct v1_datagram *dg;     /* NULL for starts and resumes */
	struct job_ke_result *ke;         /* resumes after a KE job */
	/* the reply the handler builds (cleartext; v1_complete encrypts) */
	uint8_t *reply;
	size_t reply_len;
	bool reply_encrypt;
	uint16_t notify;                  /* V1V_REPLY_NOTIFY */
	struct v1_iv iv_next;             /* the IV after the message received */
	bool has_iv_next;
};

/* Start the reply in the step's buffer / close it (0 or ERR_OVERFLOW). */
void v1_reply_start(struct v1_step *st, struct v1_builder *b, struct wr *w, uint8_t exch,
		    uint32_t msg_id);
int v1_reply_finish(struct v1_step *st, struct v1_builder *b, bool encrypt);

typedef enum v1_verdict (*v1_handler_fn)(struct v1_step *st);

/* One transition (STYLE.md: state tables). kind < 0: a start (no message). */
struct v1_row {
	enum v1_state from;
	bool initiator;
	uint8_t exch;
	int kind;                 /* enum v1_msg_kind, or -1 */
	v1_handler_fn fn;         /* checks the message, builds the reply */
	v1_handler_fn resume;     /* after SUSPEND: the job's result in step->ke */
	enum v1_state to;
	bool expect_reply;        /* arm the retransmission timer */
	const char *what;
};

struct v1_engine {
	struct v1_env env;
	bool freeing;                   /* v1_engine_free(): no outcome reports */
	struct v1_conn **conns;
	size_t n_conns;
	struct v1_counters counters;
	uint32_t next_reqid;
	uint8_t scratch[V1_MSG_CAP];
	uint8_t plain[V1_MSG_CAP];
};

/* ---- v1_states.c ---- */
const struct v1_row *v1_row_find(enum v1_state from, bool initiator, uint8_t exch, int kind);
/* Run a row's handler (or a resume) and complete it. */
void v1_run(struct v1_step *st, const struct v1_row *row, bool resume);
/* The one completion: send/cache, switch state, arm timers, or tear down. */
void v1_complete(struct v1_step *st, const struct v1_row *row, enum v1_verdict v);
/* Prepare a step for a suspended SA / QM when its job finished. */
void v1_resume_ke(struct v1_isakmp_sa *sa, struct v1_ipsec_sa *qm, struct job_ke_result *r);

/* ---- v1_isakmp_sa.c ---- */
struct v1_isakmp_sa *v1_isakmp_sa_new(struct v1_engine *e, struct v1_conn *c, bool initiator,
				      const struct sockaddr_storage *local,
				      const struct sockaddr_storage *peer);
void v1_isakmp_sa_free(struct v1_isakmp_sa *sa);
struct v1_conn *v1_conn_find(struct v1_engine *e, const struct sockaddr_storage *local,
			     const struct sockaddr_storage *peer);
struct v1_conn *v1_conn_by_name(struct v1_engine *e, const char *name);
/* A message header for this SA. */
void v1_sa_hdr(const struct v1_isakmp_sa *sa, struct v1_hdr *h, uint8_t exch, uint32_t msg_id);
/* Send raw bytes (adding the non-ESP marker when floated). */
int v1_sa_send(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len);

/* ---- v1_p1.c: shared phase-1 pieces ---- */
void v1_p1_build_sa(struct v1_isakmp_sa *sa, struct v1_builder *b);
int v1_p1_select(struct v1_step *st, const struct v1_payload *pl);
int v1_p1_keys(struct v1_isakmp_sa *sa);
int v1_p1_hash(const struct v1_isakmp_sa *sa, bool of_initiator, const uint8_t *id_b,
	       size_t id_len, uint8_t *out, size_t *out_len);
void v1_p1_build_id(struct v1_isakmp_sa *sa, struct v1_builder *b, uint8_t *body_out,
		    size_t *body_len);
int v1_p1_check_hash(struct v1_step *st, bool of_initiator, const struct v1_payload *id,
		     const struct v1_payload *hash);
bool v1_p1_copy_blob(const struct v1_msg *m, uint8_t type, uint8_t **dst, size_t *len);
bool v1_p1_copy_nonce(const struct v1_msg *m, uint8_t *dst, size_t *len);
/* The peer's KE and nonce into g^xi, Ni (from_initiator) or g^xr, Nr; false when either
 * is missing or of the wrong size (KE: exactly the chosen group's public value). */
bool v1_p1_copy_ke_nonce(struct v1_isakmp_sa *sa, const struct v1_msg *m, bool from_initiator);
/* Keep SAi_b, the body of the initiator's SA payload, for HASH_I / HASH_R. */
int v1_p1_keep_sai(struct v1_isakmp_sa *sa, const uint8_t *body, size_t len);
/* The phase-1 KE jobs; the step resumes (v1_resume_ke) when one is done. 0 or ERR_*.
 * keypair: ours for `group`; derive: g^xy from our key pair and g^xr (initiator);
 * respond: our value and g^xy from g^xi (responder). */
int v1_p1_ke_keypair(struct v1_step *st, uint16_t group);
int v1_p1_ke_derive(struct v1_step *st);
int v1_p1_ke_respond(struct v1_step *st);
/* A finished keypair job (initiator): our key pair kept, g^xi its public value, a fresh
 * Ni. 0 or ERR_* (logged). */
int v1_p1_ke_made(struct v1_step *st);
/* A finished derive job (initiator): our key pair back, g^xy taken, SKEYID* made; the
 * refusal of the peer's value logged naming msg ("MM4"). 0 or ERR_*. */
int v1_p1_ke_derived(struct v1_step *st, const char *msg);
/* A finished respond job (responder): g^xr and g^xy taken, a fresh Nr, SKEYID* made;
 * the refusal of the peer's value logged naming msg ("MM3"). 0 or ERR_*. */
int v1_p1_ke_responded(struct v1_step *st, const char *msg);
void v1_p1_established(struct v1_isakmp_sa *sa);
int v1_p1_take_id(struct v1_isakmp_sa *sa, const struct v1_payload *id);
int v1_p1_verify(struct v1_isakmp_sa *sa, bool of_initiator, const uint8_t *hash, size_t hash_len);

/* ---- v1_natt.c ---- */
/* Our vendor IDs (DPD, NAT-T) for MM1/MM2/AM1/AM2; the peer's, and the NAT-T method chosen. */
void v1_p1_vids(struct v1_isakmp_sa *sa, struct v1_builder *b);
void v1_p1_read_vids(struct v1_isakmp_sa *sa, const struct v1_msg *m);
/* The NAT-T method a vendor ID stands for (RFC 3947 or a draft); V1_NATT_NONE for others. */
enum v1_natt_method v1_natt_method_of_vid(enum v1_vid_kind k);
/* NAT-D (20) or NAT-OA (21), or the drafts' 130 / 131, for the method spoken. */
uint8_t v1_natt_natd_type(const struct v1_isakmp_sa *sa);
uint8_t v1_natt_natoa_type(const struct v1_isakmp_sa *sa);
/* UDP-encapsulated tunnel or transport: RFC 3947 5.1 values or the drafts'. */
uint16_t v1_natt_udp_mode(const struct v1_isakmp_sa *sa, bool transport);
bool v1_natt_encap_is_udp_transport(uint16_t mode);
void v1_natt_build(struct v1_isakmp_sa *sa, struct v1_builder *b);
void v1_natt_check(struct v1_isakmp_sa *sa, const struct v1_msg *m,
		   const struct v1_datagram *dg);
void v1_natt_float(struct v1_isakmp_sa *sa);

/* ---- v1_natoa.c: NAT-OA in Quick Mode (RFC 3947 5.2) ---- */
/* Add our NAT-OA payload(s) when the encapsulation mode is UDP-encapsulated transport. */
void v1_natoa_build(struct v1_ipsec_sa *qm, uint16_t encap, struct v1_builder *b);
/* Check and keep the peer's NAT-OA payloads for the chosen mode; 0, or ERR_PARSE with the
 * notify to answer in *notify. */
int v1_natoa_take(struct v1_ipsec_sa *qm, const struct v1_msg *m, uint16_t *notify);
/* The peer's original address from its NAT-OA (RFC 3947 5.2: NAT-OAr when we initiated,
 * NAT-OAi when we responded); false, and ss AF_UNSPEC, when none was received. */
bool v1_natoa_peer_original(const struct v1_ipsec_sa *qm, struct sockaddr_storage *ss);

/* ---- v1_main.c, v1_aggr.c, v1_quick.c ---- */
extern const struct v1_row v1_main_rows[];
extern const struct v1_row v1_aggr_rows[];
extern const struct v1_row v1_quick_rows[];
/* Initiate phase 1: Main Mode, or Aggressive Mode when asked. */
int v1_p1_start(struct v1_isakmp_sa *sa, bool aggressive);
int v1_quick_start(struct v1_isakmp_sa *sa, const struct ts *local, const struct ts *remote);
void v1_quick_start_all(struct v1_isakmp_sa *sa);

/* ---- v1_ipsec_sa.c ---- */
struct v1_ipsec_sa *v1_ipsec_sa_new(struct v1_isakmp_sa *sa, bool initiator, uint32_t msg_id);
struct v1_ipsec_sa *v1_ipsec_sa_find(struct v1_isakmp_sa *sa, uint32_t msg_id);
void v1_ipsec_sa_free(struct v1_ipsec_sa *qm); /* unlinks, removes kernel SAs */
int v1_ipsec_sa_install(struct v1_ipsec_sa *qm);

/* ---- v1_info.c ---- */
void v1_info_input(struct v1_engine *e, struct v1_isakmp_sa *sa, const struct v1_datagram *dg,
		   const struct v1_hdr *h);
int v1_info_send_notify(struct v1_isakmp_sa *sa, uint16_t type, uint8_t protocol,
			const uint8_t *spi, size_t spi_len);
int v1_info_send_delete_ipsec(struct v1_ipsec_sa *qm);
int v1_info_send_delete_isakmp(struct v1_isakmp_sa *sa);
/* R-U-THERE (RFC 3706 5): the cookies as SPI, the sequence number as data. */
int v1_info_send_dpd(struct v1_isakmp_sa *sa, uint16_t type, uint32_t seq);
/* Answer a message that has no usable SA with a cleartext notify. */
void v1_info_notify_clear(struct v1_engine *e, const struct v1_datagram *dg,
			  const struct v1_hdr *h, uint16_t type);

/* ---- v1_timer.c ---- */
void v1_timer_arm(struct v1_engine *e, struct v1_timer *t, uint32_t secs,
		  void (*fire)(int, short, void *), void *arg);
void v1_timer_stop(struct v1_timer *t);
void v1_timer_free(struct v1_timer *t);

/* ---- v1_dpd.c ---- */
/* Phase 1 done: start DPD when configured and the peer sent the DPD vendor ID. */
void v1_dpd_start(struct v1_isakmp_sa *sa);
void v1_dpd_fire(int fd, short what, void *arg);
/* An R-U-THERE-ACK with this sequence number arrived (authenticated). */
void v1_dpd_ack(struct v1_isakmp_sa *sa, uint32_t seq);

/* ---- v1_rekey.c ---- */
void v1_life_isakmp_start(struct v1_isakmp_sa *sa);
void v1_life_ipsec_start(struct v1_ipsec_sa *qm);
/* A Quick Mode finished: arm its lifetime; a rekey deletes the pair it replaces. */
void v1_life_ipsec_done(struct v1_ipsec_sa *qm);
void v1_life_isakmp_fire(int fd, short what, void *arg);
void v1_life_ipsec_fire(int fd, short what, void *arg);
/* A new ISAKMP SA is up: if it re-authenticates an old one, take over its IPsec SAs. */
void v1_reauth_done(struct v1_isakmp_sa *sa);
/* Move the installed IPsec SAs of old to the newest other established ISAKMP SA of
 * the same connection and peer (RFC 2409: IPsec SAs outlive their ISAKMP SA).
 * Returns how many moved. */
unsigned v1_isakmp_sa_adopt(struct v1_isakmp_sa *old);
/* Start an ISAKMP SA for a connection as initiator. */
int v1_initiate_conn(struct v1_engine *e, struct v1_conn *c, bool start_qm, uint64_t replaces,
		     struct v1_isakmp_sa **out);
/* Rekey an IPsec SA pair: a new Quick Mode for the same selectors. */
int v1_quick_rekey(struct v1_ipsec_sa *old);

/* ---- v1_outcome.c: the initiated_up / initiated_failed hooks ---- */
/* A Quick Mode we initiated installed its pair: the first one of a reported SA is "up". */
void v1_outcome_qm_done(struct v1_ipsec_sa *qm);
/* The reported SA (or its first Quick Mode) failed: why, then the peer's notify if any. */
void v1_outcome_failed(struct v1_isakmp_sa *sa, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An error notify arrived for sa (protected or not): kept for the failure report. */
void v1_outcome_peer_notify(struct v1_isakmp_sa *sa, uint16_t type, bool authenticated);

/* ---- v1_retransmit.c ---- */
/* Remember a sent message; expect_reply arms the timer. */
int v1_xmit_sent(struct v1_engine *e, struct v1_xmit *x, const uint8_t *msg, size_t len,
		 bool natt, bool expect_reply, void (*fire)(int, short, void *), void *arg);
void v1_xmit_stop(struct v1_xmit *x);
void v1_xmit_free(struct v1_xmit *x);
void v1_xmit_note_in(struct v1_xmit *x, const uint8_t *msg, size_t len);
bool v1_xmit_is_dup(const struct v1_xmit *x, const uint8_t *msg, size_t len);
void v1_xmit_fire_isakmp(int fd, short what, void *arg);
void v1_xmit_fire_ipsec(int fd, short what, void *arg);
uint64_t v1_xmit_next_ms(const struct v1_engine *e, unsigned tries);

#endif
