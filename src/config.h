/*
 * config.h - dualike.conf: the daemon section and the connections.
 *
 * The file is INI, read by iniparser; man/dualike.conf.5 documents every key.
 * config_load() parses and checks everything and collects every problem as
 * "FILE:LINE: what is wrong, what to write instead" in a struct config_errors,
 * so `dualiked --check-config` and a refused reload can print them all.
 *
 * Every object here is plain data (structs and arrays, owned by struct
 * config) freed by config_free(). Transforms point at rows of the
 * registry (common/xform.h), which are static.
 *
 * Reload: load the new file into a second struct config; for each connection,
 * config_conn_change() says whether it was added, removed, changed or is
 * unchanged, so the daemon keeps the SAs of unchanged connections.
 */
#ifndef DUALIKE_SRC_CONFIG_H
#define DUALIKE_SRC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/xform.h"
#include "src/conf_addr.h"
#include "src/conf_errors.h"
#include "src/conf_id.h"

#define CONF_NAME_MAX 48        /* connection name, bytes with the NUL */
#define CONF_MAX_XFORMS 16      /* transforms in one proposal */
#define CONF_XFORM_NAME_MAX 24  /* a transform token, bytes with the NUL */

/* [daemon] crypto_inline: common/job.h enum job_inline, in the same order. */
enum conf_crypto_inline {
	CONF_CRYPTO_INLINE_NEVER,
	CONF_CRYPTO_INLINE_IDLE,
	CONF_CRYPTO_INLINE_ALWAYS,
};

enum conf_kernel {
	CONF_KERNEL_XFRM,
	CONF_KERNEL_NONE,
};

struct daemon_config {
	struct conf_addr *listen; /* addresses to bind 500/4500 on */
	size_t n_listen;
	uint16_t ike_port;        /* 500 unless changed (labs) */
	uint16_t natt_port;       /* 4500 unless changed (labs) */
	enum conf_kernel kernel;
	char *control_socket;
	char *control_group;      /* NULL: socket mode 0600 for root only */
	char *state_dir;
	char *keylog;             /* NULL: no key log */
	char *secrets;            /* path of the secrets file */
	char *policy;             /* path of peers.policy */
	enum log_level log_level;
	enum log_target log_target;
	unsigned cookie_threshold;  /* half-open IKE SAs before cookies are asked */
	unsigned retransmit_tries;
	unsigned retransmit_timeout_ms; /* first wait; doubles per try */
	unsigned retransmit_limit_ms;   /* longest wait between tries; 0: none */
	uint32_t nat_keepalive_s;   /* NAT keepalive period from behind a NAT; 0: off */
	enum conf_crypto_inline crypto_inline; /* where KE/signature jobs run (common/job.h) */
	struct conf_cert *pubkey_defaults; /* ca, crl, send_cert for connections; or NULL */
};

/* conn_config.nat_keepalive_s when the connection does not set it: the daemon's. */
#define CONF_NAT_KEEPALIVE_DAEMON UINT32_MAX

enum conf_version {
	CONF_VERSION_AUTO = 0, /* initiate IKEv2, fall back to IKEv1 (DESIGN.md) */
	CONF_VERSION_IKEV1 = 1,
	CONF_VERSION_IKEV2 = 2,
};

enum conf_auth { CONF_AUTH_PSK, CONF_AUTH_PUBKEY };

struct conf_cert; /* src/conf_cert.h: cert, key, ca, crl, send_cert */
enum conf_v1_mode { CONF_V1_MAIN, CONF_V1_AGGRESSIVE };
enum conf_dpd_action { CONF_DPD_CLEAR, CONF_DPD_HOLD, CONF_DPD_RESTART };
enum conf_auto { CONF_AUTO_ADD, CONF_AUTO_START, CONF_AUTO_ROUTE };

/* One transform of a proposal, as written and as found in the registry. */
struct conf_xform {
	enum xform_type type;
	char name[CONF_XFORM_NAME_MAX]; /* the registry's token (lower case) */
	const struct xform *xf;         /* registry row; never NULL after load */
};

/*
 * One proposal: the transforms in the order written, grouped by nothing;
 * use conf_proposal_count()/conf_proposal_get() to see them per type.
 * For IKE proposals a PRF not written is derived from the integrity
 * algorithm (sha256 -> prfsha256) and appended.
 */
struct conf_proposal {
	struct conf_xform xforms[CONF_MAX_XFORMS];
	size_t n_xforms;
};

struct conf_proposals {
	struct conf_proposal *v;
	size_t n;
};

/* A traffic selector: a subnet, an IP protocol (0 = any) and a port range. */
struct conf_ts {
	struct conf_addr addr; /* the network address (host bits zero) */
	uint8_t prefix;        /* 0..32 or 0..128 */
	uint8_t proto;         /* 0 = any */
	uint16_t port_lo;      /* 0..65535 = any */
	uint16_t port_hi;
};

#define CONF_FRAGMENT_SIZE_MIN 576 /* fragment_size: the IPv4 minimum (RFC 7383 2.5.1) */

struct conn_config {
	char name[CONF_NAME_MAX];
	int line;                      /* line of its [conn NAME] header */
	enum conf_version version;
	struct conf_addr local;        /* AF_UNSPEC: chosen by routing */
	struct conf_addr remote;       /* AF_UNSPEC: %any (responder only) */
	struct conf_id local_id;       /* CONF_ID_NONE: the local address */
	struct conf_id remote_id;      /* CONF_ID_NONE: any (or the address) */
	enum conf_auth auth;
	unsigned signature;            /* IKEv2 AUTH method choice: enum conf_signature (conf_sig.h) */
	struct conf_proposals ike;
	struct conf_proposals esp;
	enum conf_v1_mode ikev1_mode;
	bool aggressive_psk_ok;
	const struct xform *pfs;       /* NULL: no PFS */
	struct conf_ts *local_ts;      /* none: the local IKE address alone */
	size_t n_local_ts;
	struct conf_ts *remote_ts;     /* none: the remote IKE address alone */
	size_t n_remote_ts;
	uint32_t ike_lifetime_s;
	uint32_t child_lifetime_s;
	uint32_t rekey_margin_s;
	uint32_t dpd_delay_s;          /* 0: no DPD / liveness checks */
	uint32_t dpd_timeout_s;
	enum conf_dpd_action dpd_action;
	enum conf_auto start;          /* the `auto` key */
	bool childless;                /* RFC 6023, IKEv2 only */
	bool fragmentation;            /* IKE fragmentation (default yes): RFC 7383, IKEv1 Cisco format */
	uint16_t fragment_size;        /* IP packet size of a fragment, 0: 576 / 1280 (2.5.1) */
	bool transport;                /* child SAs in transport mode (`mode`) */
	uint32_t nat_keepalive_s;      /* 0: off; CONF_NAT_KEEPALIVE_DAEMON: [daemon]'s */
	struct conf_cert *pubkey;      /* auth = pubkey: loaded cert, key, CAs; else NULL */
};

struct config {
	char *path;
	struct daemon_config daemon;
	struct conn_config *conns;
	size_t n_conns;
};

/*
 * Parse and check the file. On success *out is the config and errs is
 * empty; otherwise *out is NULL, errs holds every problem found and the
 * result is ERR_PARSE (or ERR_IO / ERR_NOMEM).
 */
int config_load(const char *path, struct config **out, struct config_errors *errs);
void config_free(struct config *cfg);

const struct conn_config *config_find_conn(const struct config *cfg, const char *name);

/* True when two connections would negotiate exactly the same SAs. */
bool conn_config_equal(const struct conn_config *a, const struct conn_config *b);

enum conf_change {
	CONF_CONN_UNCHANGED,
	CONF_CONN_CHANGED,
	CONF_CONN_ADDED,   /* only in new */
	CONF_CONN_REMOVED, /* only in old */
};
/* How the connection NAME differs between an old and a new config. */
enum conf_change config_conn_change(const struct config *old_cfg,
				    const struct config *new_cfg, const char *name);

/*
 * Check and resolve every token of a proposal list against the registry
 * for one use: ike true for IKE SA proposals, false for ESP; version for
 * the IKEv1 restrictions. Reports through errs at file:line.
 */
int config_check_proposals(struct conf_proposals *props, bool ike,
			   enum conf_version version, const char *file,
			   int line, struct config_errors *errs);

/* Parse "aes256-sha256-modp2048, aes256gcm16-prfsha256-x25519" into props. */
int conf_proposals_parse(const char *text, struct conf_proposals *props,
			 const char *file, int line, struct config_errors *errs);
void conf_proposals_free(struct conf_proposals *props);
/* Count / find the i-th transform of one type in a proposal (NULL past the end). */
size_t conf_proposal_count(const struct conf_proposal *p, enum xform_type type);
const struct xform *conf_proposal_get(const struct conf_proposal *p,
				      enum xform_type type, size_t i);
/* "aes256-sha256-prfsha256-modp2048" into buf (truncated); returns buf. */
const char *conf_proposal_str(const struct conf_proposal *p, char *buf, size_t len);

/*
 * Traffic selectors: "10.1.0.0/24, fd00:1::/64[tcp/443], 192.0.2.7[udp/500-501]".
 * Appends to *ts / *n; reports problems at file:line.
 */
int conf_ts_parse_list(const char *text, struct conf_ts **ts, size_t *n,
		       const char *file, int line, struct config_errors *errs);
/* "10.1.0.0/24[tcp/443]" into buf; returns buf. */
const char *conf_ts_str(const struct conf_ts *ts, char *buf, size_t len);

/* Durations: "90", "90s", "15m", "4h", "1d" -> seconds. */
bool conf_duration_parse(const char *s, uint32_t *seconds);

#endif
