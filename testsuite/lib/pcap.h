/*
 * pcap.h - UDP payloads out of capture files, for tests that feed real
 * traffic from ../shared/vectors/captures to the message parsers.
 *
 * Reads classic pcap (either byte order, micro/nanosecond) and pcapng
 * (Enhanced and Simple Packet Blocks), gzip-compressed files through
 * `gzip -dc`. Link types: Ethernet (with 802.1Q tags), raw IP, Linux cooked
 * (SLL), BSD/OpenBSD loopback. IPv4 (non-first fragments skipped) and IPv6 (no extension headers),
 * then UDP. Every byte is read through the bounds-checked reader.
 */
#ifndef DUALIKE_TESTSUITE_PCAP_H
#define DUALIKE_TESTSUITE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_udp {
	unsigned index;       /* packet number in the file, from 1 */
	int family;           /* AF_INET or AF_INET6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	const uint8_t *payload;
	size_t len;
};

struct pcap_file;

/* Open a capture (path relative to the vectors folder, or absolute). */
struct pcap_file *pcap_open(const char *path);
void pcap_close(struct pcap_file *p);
/*
 * The next UDP datagram; false at the end. The payload stays valid until
 * the next call. Packets that are not UDP are skipped.
 */
bool pcap_next_udp(struct pcap_file *p, struct pcap_udp *out);

#endif
