/*
 * sockets_bypass_test.c - the daemon's IKE sockets are exempt from IPsec
 * policies (RFC 4301 5.1): in a network namespace of its own, an outbound
 * ESP policy with no SA catches a plain socket's datagram (the kernel
 * drops it) and lets the same datagram from dualiked's IKE and NAT-T
 * sockets through. Needs root (a network namespace, veth, `ip xfrm`);
 * skipped otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/kernel.h"
#include "common/log.h"
#include "src/sockets.h"
#include "testsuite/lib/tap.h"

static int no_input(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)arg; (void)dg; (void)hdr;
	return 0;
}

static void silence(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl; (void)line; (void)arg;
}

/*
 * The namespace: a veth pair, 192.0.2.2/24 on v0, a fixed neighbour
 * 192.0.2.1 behind it (so a datagram leaves at once, no ARP), and an
 * outbound tunnel-mode ESP policy for everything from 192.0.2.2 to
 * 192.0.2.1 with no SA: what a host-to-host tunnel left behind looks like.
 * Loopback cannot serve: the kernel skips XFRM for local routes.
 */
static int make_net(void)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add v0 type veth peer name v1",
		"ip addr add 192.0.2.2/24 dev v0",
		"ip link set v0 up",
		"ip link set v1 up",
		"ip neigh add 192.0.2.1 lladdr 02:00:00:00:00:01 dev v0",
		"ip xfrm policy add src 192.0.2.2/32 dst 192.0.2.1/32 dir out "
		"tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel",
	};
	char cmd[256];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", cmds[i]);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* Packets v0 has sent (/proc/net/dev is this namespace's). */
static long long v0_tx_packets(void)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[512];
	long long v[10], n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "v0:");

		if (p && sscanf(p + 3, "%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1],
				&v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 10)
			n = v[9];
	}
	fclose(f);
	return n;
}

int main(void)
{
	struct event_base *base;
	struct sockaddr_storage listen = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&listen;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(500) };
	struct sockaddr_in plain_addr = { .sin_family = AF_INET };
	struct dispatch_hooks hooks = { .v2_input = no_input };
	struct dispatcher *d;
	struct ike_sockets *s = NULL;
	struct datagram dg = { 0 };
	const uint8_t payload[8] = "ikebypas";
	long long before;
	int plain;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
		return tap_skip_all("needs root and a network namespace of its own");
	if (make_net() != 0 || v0_tx_packets() < 0)
		return tap_skip_all("no veth or ip xfrm in this namespace");
	log_set_sink(silence, NULL);
	inet_pton(AF_INET, "192.0.2.1", &to.sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &plain_addr.sin_addr);

	/* the control: the policy really catches what is sent without a bypass */
	plain = socket(AF_INET, SOCK_DGRAM, 0);
	tap_ok(plain >= 0 && bind(plain, (struct sockaddr *)&plain_addr, sizeof(plain_addr)) == 0,
	       "a plain UDP socket on 192.0.2.2");
	before = v0_tx_packets();
	sendto(plain, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to));
	tap_eq_int(v0_tx_packets() - before, 0,
		   "a plain socket's datagram is caught by the ESP policy (no SA: never sent)");

	base = event_base_new();
	a4->sin_family = AF_INET;
	a4->sin_addr = plain_addr.sin_addr;
	d = dispatch_new(&hooks);
	tap_ok(sockets_open(base, &listen, 1, 0, 0, d, &s) == 0 && s, "IKE sockets open on 192.0.2.2");
	if (!s)
		return tap_done();
	memcpy(&dg.peer, &to, sizeof(to));
	memcpy(&dg.local, &plain_addr, sizeof(plain_addr));
	kernel_addr_set_port(&dg.local, sockets_ike_port(s));
	dg.data = payload;
	dg.len = sizeof(payload);
	before = v0_tx_packets();
	tap_ok(sockets_send(s, &dg) == 0, "the IKE socket sends to 192.0.2.1");
	tap_eq_int(v0_tx_packets() - before, 1,
		   "the IKE socket's datagram leaves past the same policy (per-socket bypass)");

	dg.natt_port = true;
	kernel_addr_set_port(&dg.local, sockets_natt_port(s));
	before = v0_tx_packets();
	tap_ok(sockets_send(s, &dg) == 0 && v0_tx_packets() - before == 1,
	       "so does the NAT-T socket's");

	sockets_close(s);
	dispatch_free(d);
	event_base_free(base);
	close(plain);
	return tap_done();
}
