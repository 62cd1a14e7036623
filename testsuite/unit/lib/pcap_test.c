/* pcap_test.c - the capture reader finds every IKE datagram in pcap, pcapng and gzip'd files. */
#include <stdlib.h>
#include <string.h>

#include "testsuite/lib/pcap.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

/* Count UDP datagrams; check the first one's first 8 bytes (the IKE SPIi). */
static void check_capture(const char *path, unsigned want, const char *spi_hex)
{
	struct pcap_file *p = pcap_open(path);
	struct pcap_udp u;
	unsigned n = 0;
	uint8_t *spi = NULL;
	size_t spi_len = 0;
	bool first_ok = false;

	if (!tap_ok(p != NULL, "%s opens", path))
		return;
	vec_hex(spi_hex, &spi, &spi_len);
	while (pcap_next_udp(p, &u)) {
		const uint8_t *ike = u.payload;
		size_t len = u.len;

		if (u.sport == 4500 || u.dport == 4500) {
			ike += 4;
			len = len >= 4 ? len - 4 : 0;
		}
		if (n == 0)
			first_ok = len >= 8 && memcmp(ike, spi, spi_len) == 0;
		n++;
	}
	tap_eq_int(n, want, "%s: %u UDP datagrams", path, want);
	tap_ok(first_ok, "%s: the first carries SPIi %s", path, spi_hex);
	free(spi);
	pcap_close(p);
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("no vectors folder (../shared/vectors or $DUALIKE_VECTORS)");
	check_capture("captures/wireshark/ikev1-certs.pcap", 10, "fafaeb49382a763c");
	check_capture("captures/wireshark/ikev2-decrypt-aes256gcm16.pcap", 6, "0158b8fb90b7623d");
	check_capture("captures/wireshark/ikev2-decrypt-aes256cbc.pcapng", 4, "191ccd371a7a1f7b");
	check_capture("captures/wireshark/ikev1-bug-12610.pcapng.gz", 16, "ab3e0f1f8bc3be8e");
	check_capture("captures/tcpdump/ikev2pI2.pcap", 2, "0001020304050607");
	tap_ok(pcap_open("captures/no-such-file.pcap") == NULL, "a missing file is NULL, not a crash");
	return tap_done();
}
