/*
 * sad-bench.c - SA database costs at 10k, 100k and 1M IKE SAs (each with a
 * child SA): inserts, lookups (pair, half-open SPIi, child SPI) and removes
 * per second, and bytes per entry (struct + index buckets). Prints figures,
 * asserts nothing.
 *
 *   testsuite/bench/sad-bench [max-ike-sas]     (default 1000000)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sad.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void shuffle(size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	srand(7);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
}

static void run(size_t n)
{
	struct sad *db;
	struct sad_entry *ike = calloc(n, sizeof(*ike)), *child = calloc(n, sizeof(*child));
	size_t *idx = calloc(n, sizeof(*idx));
	struct sockaddr_storage peer;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&peer;
	size_t hits = 0;
	double t0, t_ins, t_pair, t_spii, t_child, t_rm;

	if (!ike || !child || !idx || sad_new(&db) < 0) {
		fprintf(stderr, "out of memory at %zu\n", n);
		exit(1);
	}
	memset(&peer, 0, sizeof(peer));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(500);
	shuffle(idx, n);

	t0 = now();
	for (size_t i = 0; i < n; i++) {
		uint8_t spi_i[8], spi_r[8];
		uint32_t cspi;

		s4->sin_addr.s_addr = htonl(0x0a000000u + (uint32_t)(i % 65000));
		sad_entry_init(db, &ike[i], 2, SAD_KIND_IKE, "bench", &peer);
		sad_new_ike_spi(db, 2, spi_r);
		for (int b = 0; b < 8; b++)
			spi_i[b] = (uint8_t)((i + 1) >> (8 * (7 - b)));
		/* As a responder: add under the peer's SPIi and ours. */
		sad_add_ike(db, &ike[i], spi_i, spi_r, false);
		sad_entry_init(db, &child[i], 2, SAD_KIND_CHILD, "bench", &peer);
		sad_new_child_spi(db, 50, &cspi);
		sad_add_child(db, &child[i], 50, cspi, cspi ^ 1u, ike[i].serial);
	}
	t_ins = now() - t0;

	t0 = now();
	for (size_t k = 0; k < n; k++) {
		const struct sad_entry *e = &ike[idx[k]];

		hits += sad_find_ike(db, 2, e->spi_i, e->spi_r) == e;
	}
	t_pair = now() - t0;
	t0 = now();
	for (size_t k = 0; k < n; k++) {
		const struct sad_entry *e = &ike[idx[k]];

		hits += sad_find_ike_by_spi_i(db, 2, e->spi_i, NULL) != NULL;
	}
	t_spii = now() - t0;
	t0 = now();
	for (size_t k = 0; k < n; k++) {
		const struct sad_entry *e = &child[idx[k]];

		hits += sad_find_child(db, 50, e->spi_in) == e;
	}
	t_child = now() - t0;

	printf("%8zu IKE SAs + %zu children: %zu bytes/entry (struct %zu + indexes %zu)\n", n, n,
	       sizeof(struct sad_entry) + sad_index_bytes(db) / (2 * n),
	       sizeof(struct sad_entry), sad_index_bytes(db) / (2 * n));

	t0 = now();
	for (size_t k = 0; k < n; k++) {
		sad_remove(db, &child[idx[k]]);
		sad_remove(db, &ike[idx[k]]);
	}
	t_rm = now() - t0;

	printf("  insert (SPI draws + add IKE + add child)  : %10.0f IKE+child/s\n", n / t_ins);
	printf("  lookup by SPI pair:                          %10.0f /s\n", n / t_pair);
	printf("  lookup by SPIi (half-open):                  %10.0f /s\n", n / t_spii);
	printf("  lookup child by inbound SPI:                 %10.0f /s\n", n / t_child);
	printf("  remove (IKE + child):                        %10.0f IKE+child/s\n", n / t_rm);
	printf("  (%zu of %zu lookups hit)\n", hits, 3 * n);
	sad_free(db);
	free(ike);
	free(child);
	free(idx);
}

int main(int argc, char **argv)
{
	size_t max = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;

	for (size_t n = 10000; n <= max; n *= 10)
		run(n);
	return 0;
}
