/*
 * daemon_kernel_events_test.c - dualiked's side of kernel events, on the
 * `none` kernel with synthetic events: an `auto = route` connection gets
 * its trap policy when the daemon starts (and only it), an ACQUIRE for
 * that trap starts one IKEv2 negotiation and a second one while it is in
 * flight starts none, an ACQUIRE for no trap and an EXPIRE for no SA of
 * ours are counted and ignored, dpd_action = hold installs the connection's
 * trap on the engine's request and its ACQUIRE negotiates again, a reload
 * keeps auto = route's trap only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "src/ctl_cmds.h"
#include "src/daemon.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_engine.h"

/* Whether `dualikectl stats` (text, or --json) says `want`. */
static bool stats_say(struct daemon *dm, bool json, const char *want)
{
	char name[] = "stats", *argv[] = { name, NULL };
	struct evbuffer *out = evbuffer_new();
	bool found = false;

	for (const struct control_cmd *c = ctl_commands; out && c->name; c++) {
		if (strcmp(c->name, "stats") == 0 && c->run(dm, 1, argv, json, out) == 0) {
			size_t n = evbuffer_get_length(out);
			char *text = malloc(n + 1);

			if (text && evbuffer_remove(out, text, n) == (int)n) {
				text[n] = 0;
				found = strstr(text, want) != NULL;
			}
			free(text);
		}
	}
	if (out)
		evbuffer_free(out);
	return found;
}

static char dir[80]; /* holds ctl.sock: within a Unix socket's 108 bytes */
static uint32_t trap_reqid;
static int n_policies;

static void visit(const struct kernel_policy *pol, void *arg)
{
	(void)arg;
	n_policies++;
	trap_reqid = pol->reqid;
}

static uint32_t held_reqid;
static const char *v1_state; /* the IKEv1 engine's ISAKMP SA of held1 */

static void visit_v1(const struct v1_sa_info *in, void *arg)
{
	(void)arg;
	if (strcmp(in->conn, "held1") == 0)
		v1_state = in->state;
}

/* the trap whose template goes to arg (127.0.0.4: the held connection's) */
static void visit_held(const struct kernel_policy *pol, void *arg)
{
	struct sockaddr_storage held;

	kernel_addr_parse(arg ? arg : "127.0.0.4", &held);
	if (kernel_addr_equal(&pol->tmpl_dst, &held))
		held_reqid = pol->reqid;
}

static bool write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode) == 0;
}

static bool write_conf(void)
{
	char conf[2048];
	int port = 30000 + getpid() % 20000;

	snprintf(conf, sizeof(conf),
		 "[daemon]\nlisten = 127.0.0.1\nike_port = %d\nnatt_port = %d\nkernel = none\n"
		 "control_socket = %s/ctl.sock\nstate_dir = %s\nlog_target = stderr\n"
		 "log_level = error\n\n"
		 "[conn routed]\nversion = ikev2\nlocal = 127.0.0.1\nremote = 127.0.0.2\n"
		 "auth = psk\nike = aes128-sha256-x25519\nesp = aes128-sha256\n"
		 "local_ts = 10.1.0.0/16\nremote_ts = 10.2.0.0/16\nauto = route\n\n"
		 "[conn manual]\nversion = ikev2\nlocal = 127.0.0.1\nremote = 127.0.0.3\n"
		 "auth = psk\nike = aes128-sha256-x25519\nesp = aes128-sha256\n\n"
		 "[conn held]\nversion = ikev2\nlocal = 127.0.0.1\nremote = 127.0.0.4\n"
		 "auth = psk\nike = aes128-sha256-x25519\nesp = aes128-sha256\n"
		 "dpd_delay = 10s\ndpd_timeout = 30s\ndpd_action = hold\n\n"
		 "[conn held1]\nversion = ikev1\nlocal = 127.0.0.1\nremote = 127.0.0.5\n"
		 "auth = psk\nike = aes128-sha256-modp2048\nesp = aes128-sha256\n"
		 "local_ts = 10.5.0.0/16\nremote_ts = 10.6.0.0/16\n"
		 "dpd_delay = 10s\ndpd_timeout = 30s\ndpd_action = hold\n",
		 port, port + 1, dir, dir);
	return write_file("dualike.conf", conf, 0644) &&
	       write_file("secrets", "127.0.0.2 : PSK \"route-secret\"\n", 0600) &&
	       write_file("peers.policy", "default any\n", 0644);
}

static size_t ike_sas_of(struct daemon *d)
{
	return sad_count(d->sad, SAD_KIND_IKE);
}

int main(void)
{
	struct daemon d;
	struct kernel_acquire acq;
	struct kernel_expire exp;
	char path[256];

	log_set_level(LOG_LEVEL_ERROR);
	if (!tap_mkdtemp(dir, sizeof(dir), "dualike-kev") || !write_conf())
		return tap_skip_all("no temporary folder");
	snprintf(path, sizeof(path), "%s/dualike.conf", dir);
	if (daemon_start(&d, path)) {
		tap_ok(false, "daemon started");
		return tap_done();
	}
	tap_eq_int((long long)kernel_trap_count(d.kernel), 1, "one trap: the auto = route connection");
	kernel_list_policies(d.kernel, visit, NULL);
	tap_eq_int(n_policies, 1, "it is the kernel's only policy");
	tap_eq_int((long long)ike_sas_of(&d), 0, "no negotiation before traffic");

	memset(&acq, 0, sizeof(acq));
	kernel_addr_parse("10.1.0.5", &acq.sel.src);
	kernel_addr_parse("10.2.0.9", &acq.sel.dst);
	acq.reqid = trap_reqid;
	acq.proto = KERNEL_PROTO_ESP;
	kernel_inject_acquire(d.kernel, &acq);
	tap_eq_int((long long)d.acquires_started, 1, "ACQUIRE on the trap starts the negotiation");
	tap_eq_int((long long)ike_sas_of(&d), 1, "an IKE SA of the connection is being set up");
	kernel_inject_acquire(d.kernel, &acq);
	tap_eq_int((long long)d.acquires_started, 1, "a second ACQUIRE while in flight starts none");
	tap_eq_int((long long)d.acquires_ignored, 1, "... and is counted as ignored");
	tap_eq_int((long long)ike_sas_of(&d), 1, "still one IKE SA");
	acq.reqid = 7;
	kernel_inject_acquire(d.kernel, &acq);
	tap_eq_int((long long)d.acquires_ignored, 2, "an ACQUIRE for no trap of ours is ignored");
	tap_eq_int((long long)d.acquires, 3, "every ACQUIRE is counted");

	memset(&exp, 0, sizeof(exp));
	exp.spi = 0x0badf00d;
	kernel_addr_parse("127.0.0.2", &exp.dst);
	kernel_inject_expire(d.kernel, &exp);
	exp.hard = true;
	kernel_inject_expire(d.kernel, &exp);
	tap_eq_int((long long)d.expires_soft, 1, "a soft EXPIRE is counted");
	tap_eq_int((long long)d.expires_hard, 1, "a hard EXPIRE is counted");
	tap_eq_int((long long)ike_sas_of(&d), 1, "EXPIREs for no SA of ours change nothing");

	exp.spi = 0;
	kernel_inject_expire(d.kernel, &exp);
	tap_eq_int((long long)d.expires_hard, 1, "an ACQUIRE's larval state expiring is no SA's");

	/* dpd_action = hold: the engine asks for the trap when the peer is dead */
	tap_eq_int(daemon_trap_hold(&d, "held"), 0, "hold: the connection's trap is installed");
	tap_eq_int((long long)kernel_trap_count(d.kernel), 2, "two traps now");
	tap_eq_int(daemon_trap_hold(&d, "held"), 0, "holding again is no error");
	tap_eq_int((long long)kernel_trap_count(d.kernel), 2, "and adds none");
	tap_eq_int(daemon_trap_hold(&d, "nosuch"), ERR_NOTFOUND, "no such connection");
	n_policies = 0;
	kernel_list_policies(d.kernel, visit_held, NULL);
	acq.reqid = held_reqid;
	kernel_inject_acquire(d.kernel, &acq);
	tap_eq_int((long long)d.acquires_started, 2, "ACQUIRE on the held trap negotiates again");

	/* an IKEv1 connection held the same way (its DPD calls the same hook) */
	tap_eq_int(daemon_trap_hold(&d, "held1"), 0, "IKEv1 hold: the connection's trap is installed");
	tap_eq_int((long long)kernel_trap_count(d.kernel), 3, "three traps now");
	held_reqid = 0;
	kernel_list_policies(d.kernel, visit_held, "127.0.0.5");
	tap_ok(held_reqid != 0, "IKEv1 hold: its trap's template goes to the peer");
	kernel_addr_parse("10.5.0.1", &acq.sel.src);
	kernel_addr_parse("10.6.0.1", &acq.sel.dst);
	acq.reqid = held_reqid;
	kernel_inject_acquire(d.kernel, &acq);
	tap_eq_int((long long)d.acquires_started, 3, "IKEv1 hold: ACQUIRE on its trap negotiates again");
	if (d.engine_state[1])
		v1_engine_foreach_sa(d.engine_state[1], visit_v1, NULL);
	tap_eq_str(v1_state ? v1_state : "none", "MM_I1",
		   "IKEv1 hold: the IKEv1 engine is in Main Mode for the connection");
	/* the engine counts the peers it held (its DPD); this hold came from the test */
	tap_ok(stats_say(&d, true, "\"peers_dead\":0,\"peers_held\":0}"),
	       "stats --json: ikev1_dpd has peers_held beside peers_dead");
	tap_ok(stats_say(&d, false, "peers dead 0, peers held 0\n"),
	       "stats: the IKEv1 DPD line has peers held");
	tap_ok(stats_say(&d, true, "\"ikev1_fragmentation\":{\"messages_fragmented\":0,"
			 "\"fragments_sent\":0,\"fragments_received\":0,\"messages_reassembled\":0,"
			 "\"fragments_dropped\":0}"),
	       "stats --json: the IKEv1 fragmentation counters");
	tap_ok(stats_say(&d, false, "IKEv1 fragmentation: messages fragmented 0, fragments sent 0, "
			 "fragments received 0, messages reassembled 0, fragments dropped 0\n"),
	       "stats: the IKEv1 fragmentation line");

	tap_eq_int(daemon_reload(&d, NULL), 0, "reload");
	tap_eq_int((long long)kernel_trap_count(d.kernel), 1, "after a reload only auto = route's trap");
	daemon_stop(&d);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
