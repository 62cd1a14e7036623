/*
 * bench_sas.h - what mem-bench and maint-bench share: a v2_pair
 * (testsuite/regress/v2_pair.c, `none` kernel) whose responder holds N
 * established IKEv2 SAs with one child each, every SA with its own
 * initiator identity and selector so that none replaces another (the
 * engine sends INITIAL_CONTACT, RFC 7296 2.4), the initiator's side
 * freed without a message.
 */
#ifndef DUALIKE_BENCH_SAS_H
#define DUALIKE_BENCH_SAS_H

struct event_base;
struct job_pool;
struct v2_pair;

/* Open the pair (IKE aes128-sha256-prfsha256-x25519, ESP aes128gcm16); 0 or -1. */
int bench_sas_open(struct v2_pair *p, struct job_pool *pool, const char *prog);
/* Set up n SAs, then free the initiator's; 0, or -1 with a message on stderr. */
int bench_sas_make(struct v2_pair *p, unsigned n, const char *prog);
/*
 * Give the responder an event base and arm every SA's housekeeping timer,
 * as the daemon's SAs have (their libevent events count in the heap).
 */
void bench_sas_arm(struct v2_pair *p, struct event_base *base);

#endif
