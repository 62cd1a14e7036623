/* kernel_none_test.c - the in-memory "none" kernel backend. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"

#define N_SPIS 2000

struct captured {
	char last[1200];
	unsigned lines;
};

static void sink(enum log_level lvl, const char *line, void *arg)
{
	struct captured *c = arg;

	(void)lvl;
	snprintf(c->last, sizeof(c->last), "%s", line);
	c->lines++;
}

static void addr(struct sockaddr_storage *ss, const char *text)
{
	if (!kernel_addr_parse(text, ss))
		tap_diag("bad address %s", text);
}

static const uint8_t ekey[20] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
				  0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0xde, 0xad, 0xbe, 0xef };

static void make_sa(struct kernel_sa *sa, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->proto = KERNEL_PROTO_ESP;
	sa->spi = spi;
	addr(&sa->src, "192.0.2.2");
	addr(&sa->dst, "192.0.2.1");
	sa->mode = KERNEL_MODE_TUNNEL;
	sa->reqid = 7;
	sa->encr_id = KERNEL_ENCR_AES_GCM_16;
	sa->encr_key = ekey;
	sa->encr_key_len = sizeof(ekey);
	sa->replay_window = 64;
}

static void make_policy(struct kernel_policy *p, enum kernel_dir dir)
{
	memset(p, 0, sizeof(*p));
	addr(&p->sel.src, "10.1.0.0");
	addr(&p->sel.dst, "10.2.0.0");
	p->sel.src_prefix = 24;
	p->sel.dst_prefix = 24;
	p->dir = dir;
	p->proto = KERNEL_PROTO_ESP;
	p->mode = KERNEL_MODE_TUNNEL;
	addr(&p->tmpl_src, "192.0.2.1");
	addr(&p->tmpl_dst, "192.0.2.2");
	p->reqid = 7;
}

struct seen {
	uint32_t spi;
	bool found;
	bool larval;
	uint16_t key_bits;
};

static void find_spi(const struct kernel_sa_info *i, void *arg)
{
	struct seen *s = arg;

	if (i->spi == s->spi) {
		s->found = true;
		s->larval = i->larval;
		s->key_bits = i->encr_key_bits;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void test_spis(struct kernel *k)
{
	static uint32_t spis[N_SPIS];
	struct sockaddr_storage src, dst;
	bool ok_range = true, unique = true;
	size_t i;

	addr(&src, "192.0.2.2");
	addr(&dst, "192.0.2.1");
	for (i = 0; i < N_SPIS; i++) {
		if (kernel_alloc_spi(k, &src, &dst, KERNEL_PROTO_ESP, &spis[i]) != 0 ||
		    spis[i] < 256)
			ok_range = false;
	}
	tap_ok(ok_range, "%d SPIs allocated, each non-zero and >= 256", N_SPIS);
	qsort(spis, N_SPIS, sizeof(spis[0]), cmp_u32);
	for (i = 1; i < N_SPIS; i++)
		if (spis[i] == spis[i - 1])
			unique = false;
	tap_ok(unique, "all %d SPIs are distinct", N_SPIS);
	tap_eq_int(kernel_count_sas(k), N_SPIS, "larval SAs are counted");
	for (i = 0; i < N_SPIS; i++)
		kernel_del_sa(k, &dst, spis[i], KERNEL_PROTO_ESP);
	tap_eq_int(kernel_count_sas(k), 0, "deleting every larval SA empties the table");
	tap_eq_int(kernel_alloc_spi(k, &src, &dst, 99, &spis[0]), ERR_INVAL,
		   "SPI for a protocol other than ESP is refused");
}

static void test_sas(struct kernel *k, struct captured *cap)
{
	struct sockaddr_storage src, dst;
	struct kernel_sa sa;
	struct seen seen;
	uint32_t spi = 0;

	addr(&src, "192.0.2.2");
	addr(&dst, "192.0.2.1");
	tap_eq_int(kernel_alloc_spi(k, &src, &dst, KERNEL_PROTO_ESP, &spi), 0, "alloc SPI");
	make_sa(&sa, spi);
	seen = (struct seen){ .spi = spi };
	kernel_list_sas(k, find_spi, &seen);
	tap_ok(seen.found && seen.larval, "the allocated SPI is listed as larval");
	tap_eq_int(kernel_add_sa(k, &sa), ERR_STATE, "add_sa on a larval SPI is refused (use update)");
	tap_eq_int(kernel_update_sa(k, &sa), 0, "update_sa completes the larval SA");
	seen = (struct seen){ .spi = spi };
	kernel_list_sas(k, find_spi, &seen);
	tap_ok(seen.found && !seen.larval, "after update the SA is listed, not larval");
	tap_eq_int(seen.key_bits, 128, "listed key size excludes the 4-byte GCM salt");
	tap_ok(strstr(cap->last, "updated SA esp spi=") != NULL, "the install is logged: %s", cap->last);
	tap_ok(strstr(cap->last, "112233") == NULL && strstr(cap->last, "deadbeef") == NULL,
	       "the log line holds no key bytes");

	make_sa(&sa, 0x12345678);
	tap_eq_int(kernel_add_sa(k, &sa), 0, "add_sa of an outbound SA");
	tap_eq_int(kernel_count_sas(k), 2, "two SAs counted");
	{
		/*
		 * RFC 4301 4.1: an SA is named by its destination, SPI and protocol.
		 * Another peer may pick the same SPI value for its inbound SA (each
		 * picks its own at random: with 10,000s of SAs a collision is
		 * likely), and ours may equal one of the peer's.
		 */
		struct kernel_sa twin;

		make_sa(&twin, 0x12345678);
		addr(&twin.dst, "198.51.100.7");
		tap_eq_int(kernel_add_sa(k, &twin), 0,
			   "an outbound SA to another peer with the same SPI value is accepted");
		make_sa(&twin, spi);
		tap_eq_int(kernel_add_sa(k, &twin), ERR_STATE,
			   "the same destination, SPI and protocol twice is refused");
		make_sa(&twin, spi);
		addr(&twin.src, "192.0.2.1");
		addr(&twin.dst, "192.0.2.2");
		tap_eq_int(kernel_add_sa(k, &twin), 0,
			   "an outbound SA whose SPI equals one of our inbound SPIs is accepted");
		tap_eq_int(kernel_count_sas(k), 4, "four SAs counted");
		tap_eq_int(kernel_del_sa(k, &twin.dst, spi, KERNEL_PROTO_ESP), 0,
			   "each is deleted by its own destination");
		addr(&twin.dst, "198.51.100.7");
		tap_eq_int(kernel_del_sa(k, &twin.dst, 0x12345678, KERNEL_PROTO_ESP), 0,
			   "and the other twin too");
		tap_eq_int(kernel_count_sas(k), 2, "the two first SAs are left");
	}
	tap_eq_int(kernel_update_sa(k, &(struct kernel_sa){ .proto = KERNEL_PROTO_ESP,
		.spi = 0x777, .src = src, .dst = dst, .encr_id = KERNEL_ENCR_AES_GCM_16 }),
		ERR_NOTFOUND, "update of an SA that does not exist is ERR_NOTFOUND");
	sa.integ_id = KERNEL_INTEG_HMAC_SHA1_96;
	tap_eq_int(kernel_add_sa(k, &sa), ERR_INVAL, "AEAD with a separate integrity is refused");
	sa.spi = 0;
	sa.integ_id = 0;
	tap_eq_int(kernel_add_sa(k, &sa), ERR_INVAL, "SPI 0 is refused");
	tap_eq_int(kernel_del_sa(k, &dst, 0x12345678, KERNEL_PROTO_ESP), 0, "del_sa");
	tap_eq_int(kernel_del_sa(k, &dst, 0x12345678, KERNEL_PROTO_ESP), ERR_NOTFOUND,
		   "deleting it again is ERR_NOTFOUND");
	tap_eq_int(kernel_del_sa(k, &dst, 0xabcdef01, KERNEL_PROTO_ESP), ERR_NOTFOUND,
		   "delete of an unknown SPI is ERR_NOTFOUND");
	tap_eq_int(kernel_del_sa(k, &src, spi, KERNEL_PROTO_ESP), ERR_NOTFOUND,
		   "delete with the wrong destination is ERR_NOTFOUND");
	tap_eq_int(kernel_del_sa(k, &dst, spi, KERNEL_PROTO_ESP), 0, "del_sa of the inbound SA");
	tap_eq_int(kernel_count_sas(k), 0, "no SA left");
}

static void count_dir(const struct kernel_policy *p, void *arg)
{
	unsigned *dirs = arg;

	dirs[p->dir]++;
}

static void test_policies(struct kernel *k)
{
	struct kernel_policy p;
	unsigned dirs[3] = { 0, 0, 0 };

	make_policy(&p, KERNEL_DIR_OUT);
	tap_eq_int(kernel_add_policy(k, &p), 0, "add out policy");
	make_policy(&p, KERNEL_DIR_IN);
	tap_eq_int(kernel_add_policy(k, &p), 0, "add in policy");
	make_policy(&p, KERNEL_DIR_FWD);
	tap_eq_int(kernel_add_policy(k, &p), 0, "add fwd policy");
	tap_eq_int(kernel_add_policy(k, &p), ERR_STATE, "adding the same policy twice is refused");
	tap_eq_int(kernel_count_policies(k), 3, "three policies counted");
	kernel_list_policies(k, count_dir, dirs);
	tap_ok(dirs[0] == 1 && dirs[1] == 1 && dirs[2] == 1, "listing shows one per direction");
	p.sel.src_prefix = 40;
	tap_eq_int(kernel_add_policy(k, &p), ERR_INVAL, "prefix /40 on IPv4 is refused");
	make_policy(&p, KERNEL_DIR_IN);
	tap_eq_int(kernel_del_policy(k, &p.sel, KERNEL_DIR_IN), 0, "delete in policy");
	tap_eq_int(kernel_del_policy(k, &p.sel, KERNEL_DIR_IN), ERR_NOTFOUND,
		   "deleting it again is ERR_NOTFOUND");
	tap_eq_int(kernel_count_policies(k), 2, "two policies left");
}

/*
 * Many SAs and policies: the tables grow past their first sizes (and past
 * the 4096 fixed buckets of old), every entry stays findable by exactly its
 * key, duplicates are still refused and replace still replaces.
 */
#define N_SCALE 20000

static void scale_policy(struct kernel_policy *p, unsigned i, enum kernel_dir dir)
{
	struct sockaddr_in *src;

	make_policy(p, dir);
	p->sel.src_prefix = 32;
	src = (struct sockaddr_in *)&p->sel.src;
	src->sin_addr.s_addr = htonl(0x0a000000u | i); /* 10.x.y.z/32 */
}

static void test_scale(struct kernel *k)
{
	struct kernel_policy p;
	struct kernel_sa sa;
	struct sockaddr_storage dst;
	bool ok = true, dup = true, found = true, gone = true, sas_ok = true;
	unsigned i;

	for (i = 1; i <= N_SCALE; i++) {
		scale_policy(&p, i, KERNEL_DIR_OUT);
		ok = ok && kernel_add_policy(k, &p) == 0;
		scale_policy(&p, i, KERNEL_DIR_IN);
		ok = ok && kernel_add_policy(k, &p) == 0;
	}
	tap_ok(ok, "%d in+out policies added", N_SCALE);
	tap_eq_int(kernel_count_policies(k), 2 * N_SCALE + 2, "all counted (with the 2 before)");
	for (i = 1; i <= N_SCALE; i += 97) {
		scale_policy(&p, i, KERNEL_DIR_IN);
		dup = dup && kernel_add_policy(k, &p) == ERR_STATE;
	}
	tap_ok(dup, "re-adding any of them is still ERR_STATE");
	scale_policy(&p, N_SCALE + 1, KERNEL_DIR_OUT);
	tap_eq_int(kernel_trap_add(k, &p), 0, "a trap among them");
	p.reqid = 99;
	tap_eq_int(kernel_add_policy(k, &p), 0, "an SA's policy replaces the trap (UPDPOLICY)");
	tap_eq_int(kernel_count_policies(k), 2 * N_SCALE + 3, "replace did not add an entry");
	tap_eq_int(kernel_del_policy(k, &p.sel, KERNEL_DIR_OUT), 0, "its delete puts the trap back");
	tap_eq_int(kernel_count_policies(k), 2 * N_SCALE + 3, "the trap holds the place");
	tap_eq_int(kernel_trap_del(k, &p.sel, KERNEL_DIR_OUT), 0, "trap removed");
	tap_eq_int(kernel_count_policies(k), 2 * N_SCALE + 2, "and its entry gone");
	for (i = 1; i <= N_SCALE; i += 2) {
		scale_policy(&p, i, KERNEL_DIR_OUT);
		found = found && kernel_del_policy(k, &p.sel, KERNEL_DIR_OUT) == 0;
		gone = gone && kernel_del_policy(k, &p.sel, KERNEL_DIR_OUT) == ERR_NOTFOUND;
	}
	tap_ok(found, "every odd out policy found and deleted by its selector");
	tap_ok(gone, "each deleted one is ERR_NOTFOUND after");
	scale_policy(&p, 2, KERNEL_DIR_FWD);
	tap_eq_int(kernel_del_policy(k, &p.sel, KERNEL_DIR_FWD), ERR_NOTFOUND,
		   "same selector, other direction: not found");
	found = true;
	for (i = 1; i <= N_SCALE; i++) {
		scale_policy(&p, i, KERNEL_DIR_IN);
		found = found && kernel_del_policy(k, &p.sel, KERNEL_DIR_IN) == 0;
		if (i % 2 == 0) {
			scale_policy(&p, i, KERNEL_DIR_OUT);
			found = found && kernel_del_policy(k, &p.sel, KERNEL_DIR_OUT) == 0;
		}
	}
	tap_ok(found, "the rest deleted one by one");
	tap_eq_int(kernel_count_policies(k), 2, "only the 2 first policies left");

	addr(&dst, "192.0.2.1");
	for (i = 0; i < N_SCALE; i++) {
		make_sa(&sa, 0x10000u + i * 7919u);
		sas_ok = sas_ok && kernel_add_sa(k, &sa) == 0;
	}
	tap_ok(sas_ok, "%d SAs added", N_SCALE);
	make_sa(&sa, 0x10000u + 5 * 7919u);
	tap_eq_int(kernel_add_sa(k, &sa), ERR_STATE, "a duplicate SA is still refused");
	sas_ok = true;
	for (i = 0; i < N_SCALE; i++)
		sas_ok = sas_ok && kernel_del_sa(k, &dst, 0x10000u + i * 7919u, KERNEL_PROTO_ESP) == 0;
	tap_ok(sas_ok, "each found and deleted by SPI");
	tap_eq_int(kernel_count_sas(k), 0, "no SA left");
}

int main(void)
{
	struct captured cap = { "", 0 };
	struct kernel *k = NULL;

	log_set_sink(sink, &cap);
	tap_eq_int(kernel_open("bogus", &k), ERR_NOTFOUND, "unknown backend name is ERR_NOTFOUND");
	if (!tap_ok(kernel_open("none", &k) == 0 && k, "open the none backend"))
		return tap_done();
	tap_eq_str(kernel_name(k), "none", "backend name");
	tap_eq_int(kernel_event_fd(k), -1, "none has no event fd");
	tap_eq_int(kernel_process_events(k), 0, "processing events is a no-op");
	test_spis(k);
	test_sas(k, &cap);
	test_policies(k);
	test_scale(k);
	kernel_close(k);
	log_set_sink(NULL, NULL);
	return tap_done();
}
