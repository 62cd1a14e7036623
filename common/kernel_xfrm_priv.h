/*
 * kernel_xfrm_priv.h - shared by kernel_xfrm.c (sockets, SPIs, policies,
 * events) and kernel_xfrm_sa.c (SAs and the algorithm table). Only these
 * two files see libnl.
 */
#ifndef DUALIKE_COMMON_KERNEL_XFRM_PRIV_H
#define DUALIKE_COMMON_KERNEL_XFRM_PRIV_H

#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "common/kernel_backend.h"

struct kernel_xfrm {
	struct kernel base; /* first: struct kernel * converts to this */
	struct nl_sock *cmd; /* requests and their answers, blocking */
	struct nl_sock *ev;  /* XFRMNLGRP_ACQUIRE / _EXPIRE, non-blocking */
	unsigned long esp_missing; /* SA adds refused for lack of ESP */
};

/* What the kernel answered to one request. */
struct xfrm_reply {
	bool done;
	int error;         /* positive errno from NLMSG_ERROR, 0 = ACK */
	char msg[160];     /* the kernel's extended-ack text, if any */
	bool have_spi;     /* ALLOCSPI: the larval SA came back */
	uint32_t spi;
};

static inline struct kernel_xfrm *to_xfrm(struct kernel *k)
{
	return (struct kernel_xfrm *)k;
}

/*
 * Send msg (consumed: its bytes are wiped, as SA requests carry keys, then
 * freed) and read the answer. Returns 0 when the exchange itself worked
 * (r->error tells the kernel's verdict), ERR_IO/ERR_NOMEM otherwise.
 */
int xfrm_transact(struct kernel_xfrm *kx, struct nl_msg *msg, struct xfrm_reply *r);
/* Map a kernel errno to ERR_*. */
int xfrm_errno_err(int error);
/* "Requested type not found (errno 93)" */
void xfrm_reply_reason(const struct xfrm_reply *r, char *buf, size_t len);

/* A libnl address for ss (a prefix length may be set later); NULL on OOM. */
struct nl_addr *xfrm_nl_addr(const struct sockaddr_storage *ss);
/* The all-zero address of a family (libnl needs one where none applies). */
struct nl_addr *xfrm_nl_any(int family);
void xfrm_ss_from_nl(struct nl_addr *a, struct sockaddr_storage *ss);
void xfrm_ss_from_raw(int family, const void *raw, struct sockaddr_storage *ss);

int xfrm_add_sa(struct kernel *k, const struct kernel_sa *sa, bool update);
int xfrm_del_sa(struct kernel *k, const struct sockaddr_storage *dst, uint32_t spi,
		uint8_t proto);
int xfrm_list_sas(struct kernel *k, kernel_sa_visit_fn fn, void *arg);

#endif
