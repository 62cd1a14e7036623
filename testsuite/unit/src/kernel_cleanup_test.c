/*
 * kernel_cleanup_test.c - src/kernel_cleanup.c on the `none` backend: the
 * SAs and policies an earlier run left with one of our IKE addresses as
 * their endpoint are removed; those of other endpoints, policies without
 * an IPsec template and trap-less selectors of others stay; with no
 * address to go by, nothing is touched.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/kernel.h"
#include "common/log.h"
#include "src/config.h"
#include "src/kernel_cleanup.h"
#include "testsuite/lib/tap.h"

static struct sockaddr_storage addr(const char *s)
{
	struct sockaddr_storage ss;

	kernel_addr_parse(s, &ss);
	return ss;
}

static void add_sa(struct kernel *k, const char *src, const char *dst, uint32_t spi)
{
	static const uint8_t key[16];
	struct kernel_sa sa = { .proto = KERNEL_PROTO_ESP, .spi = spi, .mode = KERNEL_MODE_TUNNEL,
				.reqid = 7, .encr_id = KERNEL_ENCR_AES_GCM_16, .encr_key = key,
				.encr_key_len = sizeof(key) };

	sa.src = addr(src);
	sa.dst = addr(dst);
	if (kernel_add_sa(k, &sa) < 0)
		tap_diag("kernel_add_sa %s -> %s refused", src, dst);
}

static void add_policy(struct kernel *k, const char *from, const char *to, enum kernel_dir dir,
		       enum kernel_mode mode, const char *t_src, const char *t_dst, uint8_t prefix)
{
	struct kernel_policy p = { .dir = dir, .proto = KERNEL_PROTO_ESP, .mode = mode, .reqid = 7 };

	p.sel.src = addr(from);
	p.sel.dst = addr(to);
	p.sel.src_prefix = p.sel.dst_prefix = prefix;
	if (t_src) {
		p.tmpl_src = addr(t_src);
		p.tmpl_dst = addr(t_dst);
	}
	if (kernel_add_policy(k, &p) < 0)
		tap_diag("kernel_add_policy %s -> %s refused", from, to);
}

static void conf_addr_of(const char *s, struct conf_addr *a)
{
	if (!conf_addr_parse(s, true, a))
		tap_diag("conf_addr_parse %s", s);
}

int main(void)
{
	struct kernel *k = NULL;
	struct config cfg;
	struct conf_addr listen;
	struct conn_config conn;
	int n;

	log_set_level(LOG_LEVEL_ERROR);
	if (kernel_open("none", &k) < 0)
		return tap_skip_all("no none backend");
	memset(&cfg, 0, sizeof(cfg));
	memset(&conn, 0, sizeof(conn));
	/* ours: 192.0.2.2 (listen) and 2001:db8::2 (a connection's local) */
	conf_addr_of("192.0.2.2", &listen);
	conf_addr_of("2001:db8::2", &conn.local);
	cfg.daemon.listen = &listen;
	cfg.daemon.n_listen = 1;
	cfg.conns = &conn;
	cfg.n_conns = 1;

	add_sa(k, "192.0.2.1", "192.0.2.2", 0x1001);          /* in, ours */
	add_sa(k, "192.0.2.2", "192.0.2.1", 0x1002);          /* out, ours */
	add_sa(k, "2001:db8::1", "2001:db8::2", 0x1003);      /* IPv6, ours */
	add_sa(k, "203.0.113.1", "203.0.113.2", 0x2001);      /* someone else's */
	add_policy(k, "198.51.100.0", "198.51.100.64", KERNEL_DIR_OUT, KERNEL_MODE_TUNNEL,
		   "192.0.2.2", "192.0.2.1", 26);               /* tunnel from us */
	add_policy(k, "198.51.100.64", "198.51.100.0", KERNEL_DIR_IN, KERNEL_MODE_TUNNEL,
		   "192.0.2.1", "192.0.2.2", 26);               /* tunnel to us */
	add_policy(k, "192.0.2.2", "192.0.2.9", KERNEL_DIR_OUT, KERNEL_MODE_TRANSPORT,
		   NULL, NULL, 32);                             /* transport, our host */
	add_policy(k, "10.0.0.0", "10.0.1.0", KERNEL_DIR_OUT, KERNEL_MODE_TUNNEL,
		   "203.0.113.1", "203.0.113.2", 24);           /* someone else's tunnel */
	add_policy(k, "192.0.2.0", "192.0.2.128", KERNEL_DIR_OUT, KERNEL_MODE_TRANSPORT,
		   NULL, NULL, 25);                             /* transport, subnets: not a host */
	tap_eq_int(kernel_count_sas(k), 4, "four SAs before");
	tap_eq_int(kernel_count_policies(k), 5, "five policies before");

	n = kernel_cleanup_stale(k, &cfg);
	tap_eq_int(n, 6, "six objects removed (3 SAs, 3 policies)");
	tap_eq_int(kernel_count_sas(k), 1, "the SA between two other hosts stays");
	tap_eq_int(kernel_count_policies(k), 2, "the other tunnel's policy and the subnet transport one stay");
	tap_eq_int(kernel_cleanup_stale(k, &cfg), 0, "a second run finds nothing");

	cfg.daemon.n_listen = 0;
	cfg.n_conns = 0;
	add_sa(k, "192.0.2.1", "192.0.2.2", 0x1004);
	tap_eq_int(kernel_cleanup_stale(k, &cfg), 0, "no listen or local address: nothing touched");
	tap_eq_int(kernel_count_sas(k), 2, "... the SA stays");
	kernel_close(k);
	return tap_done();
}
