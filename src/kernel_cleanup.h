/*
 * kernel_cleanup.h - at start, remove the IPsec state an earlier dualiked
 * left in the kernel (it crashed, was killed with SIGKILL, or the machine
 * lost power before its SAs expired). See kernel_cleanup.c for which SAs
 * and policies count as ours and why they are removed, not re-adopted.
 */
#ifndef DUALIKE_SRC_KERNEL_CLEANUP_H
#define DUALIKE_SRC_KERNEL_CLEANUP_H

#include <stddef.h>

struct config;
struct kernel;

/*
 * Remove the SAs and policies whose IPsec endpoint is one of our IKE
 * addresses. Returns how many objects were removed, or a negative ERR_*
 * when the kernel could not be listed (logged; the daemon goes on).
 */
int kernel_cleanup_stale(struct kernel *k, const struct config *cfg);

#endif
