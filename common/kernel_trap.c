/*
 * kernel_trap.c - trap policies for `auto = route` connections (RFC 4301
 * 5.2: "If the packet is to be protected ... and no SA exists, IKE is
 * invoked"; Linux: XFRM_MSG_ACQUIRE) and injected kernel events.
 *
 * The trap is remembered here so that the policy of the SA negotiated for
 * it can take its place (replace) and, when that SA's policy is deleted,
 * the trap is put back (kernel.c's add/del_policy ask kernel_trap_find).
 * Backends do not know about traps: they only add, replace and delete.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/kernel_backend.h"

struct kernel_trap *kernel_trap_find(const struct kernel *k, const struct kernel_selector *sel,
				     enum kernel_dir dir)
{
	for (size_t i = 0; i < k->n_traps; i++)
		if (k->traps[i].pol.dir == dir && kernel_selector_equal(&k->traps[i].pol.sel, sel))
			return &k->traps[i];
	return NULL;
}

int kernel_trap_add(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_trap *t;
	int err = kernel_policy_check(pol);

	if (err < 0)
		return err;
	if (kernel_trap_find(k, &pol->sel, pol->dir))
		return ERR_STATE;
	t = realloc(k->traps, (k->n_traps + 1) * sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	k->traps = t;
	/* an SA's policy may hold the selector already: the trap then waits under it */
	err = k->ops->add_policy(k, pol, false);
	if (err < 0 && err != ERR_STATE)
		return err;
	k->traps[k->n_traps].pol = *pol;
	k->traps[k->n_traps++].displaced = err == ERR_STATE;
	return 0;
}

int kernel_trap_del(struct kernel *k, const struct kernel_selector *sel, enum kernel_dir dir)
{
	struct kernel_trap *t = kernel_trap_find(k, sel, dir);
	bool displaced;

	if (!t)
		return ERR_NOTFOUND;
	displaced = t->displaced;
	*t = k->traps[--k->n_traps];
	/* an SA's policy in its place stays; it is deleted with its SA */
	return displaced ? 0 : k->ops->del_policy(k, sel, dir);
}

size_t kernel_trap_count(const struct kernel *k)
{
	return k->n_traps;
}

void kernel_traps_free(struct kernel *k)
{
	free(k->traps);
	k->traps = NULL;
	k->n_traps = 0;
}

void kernel_inject_acquire(struct kernel *k, const struct kernel_acquire *acq)
{
	if (k->events.acquire)
		k->events.acquire(acq, k->events_arg);
}

void kernel_inject_expire(struct kernel *k, const struct kernel_expire *exp)
{
	if (k->events.expire)
		k->events.expire(exp, k->events_arg);
}
