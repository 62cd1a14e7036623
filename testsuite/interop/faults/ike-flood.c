/*
 * ike-flood.c - the fault lab's IKE_SA_INIT flood generator (issue 7):
 * well-formed IKEv2 IKE_SA_INIT requests (RFC 7296 1.2: SA with one
 * proposal, KE, Ni), each with a fresh SPIi, nonce and key share, sent
 * round-robin from many source addresses that the caller added to its
 * namespace's interface, to one lab address. Bounded in count and time,
 * paced to a rate; it reads the answers and counts the COOKIE requests
 * (RFC 7296 2.6) apart from real IKE_SA_INIT responses.
 *
 *   ike-flood -d DST -s FIRST_SRC -k NSRC [-p PORT] [-c COUNT] [-r RATE/s]
 *             [-t MAX_SECONDS] [-g GROUP]
 *
 * It refuses any destination or source outside the lab's address ranges
 * (192.0.2.0/24, 198.51.100.0/24, 127.0.0.0/8): it is a test tool for
 * namespaces on this machine, never for a network. Prints one line:
 *   sent N in S.SS s (R/s); answers A: cookies C, responses P, other O
 * Limits: COUNT <= 1,000,000, MAX_SECONDS <= 300, NSRC <= 1024.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SRC 1024
#define MAX_COUNT 1000000L
#define MAX_SECONDS 300L
#define KE_LEN 32 /* group 31 (Curve25519) public value */
#define NONCE_LEN 32
#define N_COOKIE 16390

struct flood {
	struct sockaddr_in dst;
	int fd[MAX_SRC];
	int n_src;
	long count, rate, max_s;
	uint16_t group;
	long sent, answers, cookies, responses, other;
	uint64_t rng;
};

static bool in_lab(uint32_t a)
{
	return (a >> 8) == 0xc00002 /* 192.0.2.0/24 */ || (a >> 8) == 0xc63364 /* 198.51.100.0/24 */ ||
	       (a >> 24) == 127;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: not for keys, only for SPIs and filler that must differ. */
static uint64_t next_rand(struct flood *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static size_t put16(uint8_t *b, size_t at, uint16_t v)
{
	b[at] = (uint8_t)(v >> 8);
	b[at + 1] = (uint8_t)v;
	return at + 2;
}

/* One transform substructure (RFC 7296 3.3.2); keylen 0: no attribute. */
static size_t put_xf(uint8_t *b, size_t at, bool last, uint8_t type, uint16_t id, uint16_t keylen)
{
	size_t start = at;

	b[at++] = last ? 0 : 3;
	b[at++] = 0;
	at += 2;
	b[at++] = type;
	b[at++] = 0;
	at = put16(b, at, id);
	if (keylen) {
		at = put16(b, at, 0x800e); /* Key Length, TV format */
		at = put16(b, at, keylen);
	}
	put16(b, start + 2, (uint16_t)(at - start));
	return at;
}

/* IKE_SA_INIT: AES-CBC-128, HMAC-SHA2-256-128, PRF-HMAC-SHA2-256, the group; KE; Ni. */
static size_t build_init(struct flood *f, uint8_t *b)
{
	size_t at = 28, sa, prop;
	uint64_t spi = next_rand(f);

	memcpy(b, &spi, 8);
	memset(b + 8, 0, 8);
	b[16] = 33;   /* SA */
	b[17] = 0x20; /* 2.0 */
	b[18] = 34;   /* IKE_SA_INIT */
	b[19] = 0x08; /* Initiator */
	memset(b + 20, 0, 4);
	sa = at;
	b[at++] = 34; /* next: KE */
	b[at++] = 0;
	at += 2;
	prop = at;
	b[at++] = 0;  /* last proposal */
	b[at++] = 0;
	at += 2;
	b[at++] = 1;  /* proposal 1 */
	b[at++] = 1;  /* IKE */
	b[at++] = 0;  /* no SPI */
	b[at++] = 4;  /* transforms */
	at = put_xf(b, at, false, 1, 12, 128);
	at = put_xf(b, at, false, 2, 5, 0);
	at = put_xf(b, at, false, 3, 12, 0);
	at = put_xf(b, at, true, 4, f->group, 0);
	put16(b, prop + 2, (uint16_t)(at - prop));
	put16(b, sa + 2, (uint16_t)(at - sa));
	b[at++] = 40; /* KE, next: Nonce */
	b[at++] = 0;
	at = put16(b, at, 4 + 4 + KE_LEN);
	at = put16(b, at, f->group);
	at = put16(b, at, 0);
	for (size_t i = 0; i < KE_LEN; i += 8) {
		uint64_t r = next_rand(f);

		memcpy(b + at + i, &r, 8);
	}
	b[at + KE_LEN - 1] &= 0x7f; /* a valid Curve25519 u-coordinate encoding */
	at += KE_LEN;
	b[at++] = 0;  /* Nonce, last */
	b[at++] = 0;
	at = put16(b, at, 4 + NONCE_LEN);
	for (size_t i = 0; i < NONCE_LEN; i += 8) {
		uint64_t r = next_rand(f);

		memcpy(b + at + i, &r, 8);
	}
	at += NONCE_LEN;
	b[24] = 0, b[25] = 0;
	put16(b, 26, (uint16_t)at);
	return at;
}

/* An answer: a COOKIE notify first (2.6), an IKE_SA_INIT response, or else. */
static void count_answer(struct flood *f, const uint8_t *b, ssize_t n)
{
	f->answers++;
	if (n >= 28 + 8 && b[18] == 34 && b[16] == 41 && ((b[28 + 6] << 8) | b[28 + 7]) == N_COOKIE)
		f->cookies++;
	else if (n >= 28 && b[18] == 34 && (b[19] & 0x20) && b[16] == 33)
		f->responses++;
	else
		f->other++;
}

static void drain(struct flood *f)
{
	uint8_t b[2048];

	for (int i = 0; i < f->n_src; i++) {
		ssize_t n;

		while ((n = recv(f->fd[i], b, sizeof(b), MSG_DONTWAIT)) > 0)
			count_answer(f, b, n);
	}
}

static int open_sources(struct flood *f, uint32_t first)
{
	for (int i = 0; i < f->n_src; i++) {
		struct sockaddr_in src = { .sin_family = AF_INET };

		src.sin_addr.s_addr = htonl(first + (uint32_t)i);
		if (!in_lab(first + (uint32_t)i)) {
			fprintf(stderr, "ike-flood: source outside the lab ranges\n");
			return -1;
		}
		f->fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (f->fd[i] < 0 || bind(f->fd[i], (struct sockaddr *)&src, sizeof(src)) < 0) {
			fprintf(stderr, "ike-flood: source %s: %s (add it to the interface first)\n",
				inet_ntoa(src.sin_addr), strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: ike-flood -d DST -s FIRST_SRC -k NSRC [-p PORT] [-c COUNT] "
		"[-r RATE] [-t MAX_SECONDS] [-g GROUP]\n");
	return 2;
}

static void run(struct flood *f)
{
	uint8_t b[512];
	double t0 = now_s(), deadline = t0 + (double)f->max_s;

	while (f->sent < f->count && now_s() < deadline) {
		/* pace: never ahead of rate * elapsed */
		while (f->rate && (double)f->sent >= (now_s() - t0) * (double)f->rate + 64) {
			drain(f);
			usleep(500);
		}
		size_t len = build_init(f, b);
		int fd = f->fd[f->sent % f->n_src];

		if (sendto(fd, b, len, 0, (struct sockaddr *)&f->dst, sizeof(f->dst)) == (ssize_t)len)
			f->sent++;
		else if (errno != EAGAIN && errno != ENOBUFS && errno != EPERM)
			break;
		if ((f->sent & 255) == 0)
			drain(f);
	}
	double spent = now_s() - t0;

	usleep(300000); /* late answers */
	drain(f);
	printf("sent %ld in %.2f s (%.0f/s); answers %ld: cookies %ld, responses %ld, other %ld\n",
	       f->sent, spent, spent > 0 ? (double)f->sent / spent : 0.0, f->answers, f->cookies,
	       f->responses, f->other);
}

int main(int argc, char **argv)
{
	static struct flood f;
	struct in_addr dst = { 0 }, src = { 0 };
	int opt, port = 500;

	f.count = 100000, f.rate = 5000, f.max_s = 60, f.group = 31, f.n_src = 0;
	f.rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	while ((opt = getopt(argc, argv, "d:s:k:p:c:r:t:g:")) != -1) {
		switch (opt) {
		case 'd': if (inet_pton(AF_INET, optarg, &dst) != 1) return usage(); break;
		case 's': if (inet_pton(AF_INET, optarg, &src) != 1) return usage(); break;
		case 'k': f.n_src = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'c': f.count = atol(optarg); break;
		case 'r': f.rate = atol(optarg); break;
		case 't': f.max_s = atol(optarg); break;
		case 'g': f.group = (uint16_t)atoi(optarg); break;
		default: return usage();
		}
	}
	if (!dst.s_addr || !src.s_addr || f.n_src < 1 || f.n_src > MAX_SRC || f.count < 1 ||
	    f.count > MAX_COUNT || f.max_s < 1 || f.max_s > MAX_SECONDS || port < 1 || port > 65535)
		return usage();
	if (!in_lab(ntohl(dst.s_addr))) {
		fprintf(stderr, "ike-flood: %s is not a lab address; refusing\n", inet_ntoa(dst));
		return 2;
	}
	f.dst.sin_family = AF_INET;
	f.dst.sin_addr = dst;
	f.dst.sin_port = htons((uint16_t)port);
	if (open_sources(&f, ntohl(src.s_addr)) < 0)
		return 1;
	run(&f);
	for (int i = 0; i < f.n_src; i++)
		close(f.fd[i]);
	return 0;
}
