/*
 * kernel_backend.h - what a kernel backend implements (kernel.c, kernel_*.c
 * only; engines include kernel.h).
 *
 * kernel.c checks arguments, then calls through the vtable. A backend
 * allocates its own state with struct kernel as its first member.
 */
#ifndef DUALIKE_COMMON_KERNEL_BACKEND_H
#define DUALIKE_COMMON_KERNEL_BACKEND_H

#include "common/kernel.h"
#include "common/log.h"

struct kernel_ops {
	const char *name;
	int (*open)(struct kernel **out);
	void (*close)(struct kernel *k);
	int (*process_events)(struct kernel *k);
	int (*alloc_spi)(struct kernel *k, const struct sockaddr_storage *src,
			 const struct sockaddr_storage *dst, uint8_t proto, uint32_t *spi);
	/* update: the SA replaces a larval one made by alloc_spi. */
	int (*add_sa)(struct kernel *k, const struct kernel_sa *sa, bool update);
	int (*del_sa)(struct kernel *k, const struct sockaddr_storage *dst,
		      uint32_t spi, uint8_t proto);
	/* replace: take the place of a policy with the same selector and direction (a trap) */
	int (*add_policy)(struct kernel *k, const struct kernel_policy *pol, bool replace);
	int (*del_policy)(struct kernel *k, const struct kernel_selector *sel,
			  enum kernel_dir dir);
	int (*list_sas)(struct kernel *k, kernel_sa_visit_fn fn, void *arg);
	int (*list_policies)(struct kernel *k, kernel_policy_visit_fn fn, void *arg);
};

struct kernel {
	const struct kernel_ops *ops;
	int event_fd;
	struct kernel_events events;
	void *events_arg;
	struct logger lg;
	char lg_ctx[32];        /* lg's text: "kernel-NAME" */
	/* trap policies (kernel_trap.c): restored when the SA's policy goes */
	struct kernel_trap *traps;
	size_t n_traps;
};

struct kernel_trap {
	struct kernel_policy pol;
	bool displaced; /* an SA's policy holds its place now */
};

/* kernel_trap.c: the trap for this selector and direction, or NULL. */
struct kernel_trap *kernel_trap_find(const struct kernel *k, const struct kernel_selector *sel,
				     enum kernel_dir dir);
void kernel_traps_free(struct kernel *k);

extern const struct kernel_ops kernel_none_ops;
extern const struct kernel_ops kernel_xfrm_ops;

#endif
