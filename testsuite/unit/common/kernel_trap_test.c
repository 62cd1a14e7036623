/*
 * kernel_trap_test.c - trap policies on the `none` backend: an SA's policy
 * for the trapped selector replaces the trap, its deletion brings the trap
 * back, kernel_trap_del removes it; injected events reach the callbacks.
 */
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"

static struct kernel_policy seen;
static int n_seen;
static int acquires, expires;
static uint32_t last_reqid;

static void visit(const struct kernel_policy *pol, void *arg)
{
	(void)arg;
	seen = *pol;
	n_seen++;
}

static void on_acquire(const struct kernel_acquire *a, void *arg)
{
	(void)arg;
	acquires++;
	last_reqid = a->reqid;
}

static void on_expire(const struct kernel_expire *e, void *arg)
{
	(void)arg;
	expires += e->hard ? 10 : 1;
}

static void policy(struct kernel_policy *p, uint32_t reqid)
{
	memset(p, 0, sizeof(*p));
	kernel_addr_parse("10.1.0.0", &p->sel.src);
	kernel_addr_parse("10.2.0.0", &p->sel.dst);
	p->sel.src_prefix = p->sel.dst_prefix = 16;
	p->dir = KERNEL_DIR_OUT;
	p->proto = KERNEL_PROTO_ESP;
	p->mode = KERNEL_MODE_TUNNEL;
	kernel_addr_parse("192.0.2.1", &p->tmpl_src);
	kernel_addr_parse("192.0.2.2", &p->tmpl_dst);
	p->reqid = reqid;
}

static void list(struct kernel *k)
{
	n_seen = 0;
	memset(&seen, 0, sizeof(seen));
	kernel_list_policies(k, visit, NULL);
}

int main(void)
{
	struct kernel *k;
	struct kernel_policy trap, sa_pol;
	static const struct kernel_events ev = { .acquire = on_acquire, .expire = on_expire };
	struct kernel_acquire acq;
	struct kernel_expire exp;

	log_set_level(LOG_LEVEL_ERROR);
	if (kernel_open("none", &k))
		return tap_skip_all("no none backend");
	policy(&trap, 0x40000001);
	policy(&sa_pol, 7);
	tap_eq_int(kernel_trap_add(k, &trap), 0, "trap added");
	tap_eq_int(kernel_trap_add(k, &trap), ERR_STATE, "the same trap twice is refused");
	tap_eq_int((long long)kernel_trap_count(k), 1, "one trap remembered");
	list(k);
	tap_eq_int(n_seen, 1, "the trap is a kernel policy");
	tap_eq_int(seen.reqid, 0x40000001, "with the trap's reqid");
	tap_eq_int(kernel_add_policy(k, &sa_pol), 0, "an SA's policy for the trapped selector is taken");
	list(k);
	tap_eq_int(n_seen, 1, "it replaced the trap (one policy)");
	tap_eq_int(seen.reqid, 7, "the SA's reqid is in force");
	tap_eq_int(kernel_add_policy(k, &sa_pol), ERR_STATE, "a second add of it is refused (EEXIST)");
	sa_pol.dir = KERNEL_DIR_IN;
	tap_eq_int(kernel_add_policy(k, &sa_pol), 0, "an untrapped direction is added as usual");
	tap_eq_int(kernel_del_policy(k, &sa_pol.sel, KERNEL_DIR_IN), 0, "and deleted as usual");
	tap_eq_int(kernel_del_policy(k, &trap.sel, KERNEL_DIR_OUT), 0, "the SA's policy is deleted");
	list(k);
	tap_eq_int(n_seen, 1, "the trap is back");
	tap_eq_int(seen.reqid, 0x40000001, "with its own reqid");
	tap_eq_int(kernel_trap_del(k, &trap.sel, KERNEL_DIR_OUT), 0, "trap removed");
	tap_eq_int(kernel_trap_del(k, &trap.sel, KERNEL_DIR_OUT), ERR_NOTFOUND, "only once");
	list(k);
	tap_eq_int(n_seen, 0, "no policy left");
	tap_eq_int((long long)kernel_trap_count(k), 0, "no trap left");

	kernel_inject_acquire(k, &acq); /* no callbacks yet: dropped */
	tap_eq_int(acquires, 0, "events without callbacks are dropped");
	kernel_set_events(k, &ev, NULL);
	memset(&acq, 0, sizeof(acq));
	acq.reqid = 0x40000002;
	kernel_inject_acquire(k, &acq);
	tap_eq_int(acquires, 1, "an injected ACQUIRE reaches the callback");
	tap_eq_int(last_reqid, 0x40000002, "with its reqid");
	memset(&exp, 0, sizeof(exp));
	kernel_inject_expire(k, &exp);
	exp.hard = true;
	kernel_inject_expire(k, &exp);
	tap_eq_int(expires, 11, "a soft and a hard EXPIRE reach the callback");
	/* a trap added under an SA's policy waits under it */
	policy(&sa_pol, 9);
	tap_eq_int(kernel_add_policy(k, &sa_pol), 0, "an SA's policy first");
	tap_eq_int(kernel_trap_add(k, &trap), 0, "then a trap for the same selector");
	list(k);
	tap_eq_int(seen.reqid, 9, "the SA's policy stays in force");
	tap_eq_int(kernel_del_policy(k, &sa_pol.sel, KERNEL_DIR_OUT), 0, "the SA's policy goes");
	list(k);
	tap_eq_int(seen.reqid, 0x40000001, "and the trap takes its place");
	tap_eq_int(kernel_del_policy(k, &sa_pol.sel, KERNEL_DIR_OUT), ERR_NOTFOUND,
		   "a plain delete does not remove a trap");
	tap_eq_int(kernel_trap_del(k, &trap.sel, KERNEL_DIR_OUT), 0, "kernel_trap_del does");
	/* a trap left at close is freed with the backend (ASan checks) */
	policy(&trap, 0x40000003);
	tap_eq_int(kernel_trap_add(k, &trap), 0, "a trap left at close");
	kernel_close(k);
	return tap_done();
}
