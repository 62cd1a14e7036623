/* sockets_test.c - real UDP sockets on loopback: local address, NAT-T marker, replies. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/buf.h"
#include "common/log.h"
#include "src/sockets.h"
#include "testsuite/lib/tap.h"

static int got;
static struct datagram last;
static char last_local[64];

static int v2_in(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)arg;
	(void)hdr;
	got++;
	last = *dg;
	sockaddr_str((const struct sockaddr *)&dg->local, last_local, sizeof(last_local));
	return 0;
}

static void silence(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl; (void)line; (void)arg;
}

/* The dispatcher's reply path goes to whatever sockets are open now. */
static struct ike_sockets *open_sockets;

static int send_via_open(void *arg, const struct datagram *dg)
{
	(void)arg;
	return sockets_send(open_sockets, dg);
}

static size_t ike_msg(uint8_t *buf, uint8_t version)
{
	struct wr w;

	wr_init(&w, buf, 28);
	wr_bytes(&w, "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8", 8);
	wr_zero(&w, 8);
	wr_u8(&w, 0);
	wr_u8(&w, version);
	wr_u8(&w, 34);
	wr_u8(&w, 0x08);
	wr_u32(&w, 0);
	wr_u32(&w, 28);
	return wr_len(&w);
}

/* Run the loop until `want` messages arrived or ~2 s passed (bounded). */
static void pump(struct event_base *base, int want)
{
	for (int i = 0; i < 200 && got < want; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(10000);
	}
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct sockaddr_storage addrs[2] = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&addrs[0];
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addrs[1];
	struct ike_sockets *s = NULL;
	struct dispatcher *d;
	struct dispatch_hooks hooks = { .v2_input = v2_in };
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t msg[64], reply[128];
	int rc, cli;
	struct pollfd pfd;

	log_set_sink(silence, NULL);
	a4->sin_family = AF_INET;
	a4->sin_addr.s_addr = htonl(INADDR_ANY);
	a6->sin6_family = AF_INET6;
	a6->sin6_addr = in6addr_any;
	d = dispatch_new(&hooks);
	rc = sockets_open(base, addrs, 2, 0, 0, d, &s);
	if (rc) {
		/* IPv6 may be disabled on a host; fall back to IPv4 only */
		rc = sockets_open(base, addrs, 1, 0, 0, d, &s);
		tap_diag("IPv6 listen failed; testing IPv4 only");
	}
	tap_ok(rc == 0 && s, "sockets open on wildcard addresses with free ports");
	if (!s)
		return tap_done();
	hooks.send = send_via_open;
	dispatch_free(d);
	d = dispatch_new(&hooks);
	sockets_close(s);
	rc = sockets_open(base, addrs, 1, 0, 0, d, &s);
	open_sockets = s;
	tap_ok(rc == 0 && sockets_ike_port(s) != 0 && sockets_natt_port(s) != 0 &&
	       sockets_ike_port(s) != sockets_natt_port(s), "IKE and NAT-T ports are distinct");

	cli = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(sockets_ike_port(s));
	sendto(cli, msg, ike_msg(msg, 0x20), 0, (struct sockaddr *)&to, sizeof(to));
	pump(base, 1);
	tap_eq_int(got, 1, "an IKEv2 datagram on the IKE port reaches the engine");
	tap_ok(strncmp(last_local, "127.0.0.1[", 10) == 0 && !last.natt_port,
	       "the local address is known from PKTINFO (%s)", last_local);

	memset(msg, 0, 4);
	ike_msg(msg + 4, 0x20);
	to.sin_port = htons(sockets_natt_port(s));
	sendto(cli, msg, 32, 0, (struct sockaddr *)&to, sizeof(to));
	pump(base, 2);
	tap_ok(got == 2 && last.natt_port && last.len == 28,
	       "on the NAT-T port the marker is stripped");

	/* IKE 3.0: the dispatcher answers through sockets_send from the same port */
	to.sin_port = htons(sockets_ike_port(s));
	sendto(cli, msg, ike_msg(msg, 0x30), 0, (struct sockaddr *)&to, sizeof(to));
	for (int i = 0; i < 50; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		pfd.fd = cli;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 20) == 1)
			break;
	}
	{
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(cli, reply, sizeof(reply), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		tap_ok(n == 36 && reply[17] == 0x20, "INVALID_MAJOR_VERSION reply received (%zd bytes)", n);
		tap_ok(n > 0 && ntohs(from.sin_port) == sockets_ike_port(s) &&
		       from.sin_addr.s_addr == to.sin_addr.s_addr,
		       "the reply comes from the address and port the request went to");
	}
	close(cli);
	sockets_close(s);
	dispatch_free(d);
	event_base_free(base);
	log_set_sink(NULL, NULL);
	return tap_done();
}
