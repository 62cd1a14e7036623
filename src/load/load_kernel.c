/*
 * load_kernel.c - the generator's kernel backend: `none` (no kernel
 * state at all), except that a policy whose selector and direction are
 * already held takes that place instead of being refused.
 *
 * Why: a generator sends many SAs from one source address to one target,
 * so their children share traffic selectors (host to host), and it keeps
 * every SA up. `none` answers a second policy for a selector with EEXIST,
 * as the kernel does, so the initiator's engine gave a child to the first
 * SA of each source address only and brought the rest up without one
 * (254 children for 2000 IKEv2 SAs from 254 addresses). The generator
 * moves no traffic: which SA a policy points to does not matter, only
 * that every child is made as the responder made it. A backend of its own
 * (kernel_backend.h's vtable, wrapping kernel_none_ops), so the daemon's
 * `none` keeps the kernel's answer.
 */
#include "common/kernel_backend.h"
#include "src/load/load_loop.h"

static int add_policy_shared(struct kernel *k, const struct kernel_policy *pol, bool replace)
{
	(void)replace;
	return kernel_none_ops.add_policy(k, pol, true);
}

static struct kernel_ops load_kernel_ops;

int load_kernel_open(struct kernel **out)
{
	int rc = kernel_open("none", out);

	if (rc)
		return rc;
	load_kernel_ops = kernel_none_ops;
	load_kernel_ops.name = "none (load generator: shared policies)";
	load_kernel_ops.add_policy = add_policy_shared;
	(*out)->ops = &load_kernel_ops;
	return 0;
}
