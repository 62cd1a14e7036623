/* pcap.c - UDP payloads from pcap/pcapng captures (see pcap.h). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "testsuite/lib/pcap.h"
#include "testsuite/lib/vec.h"

#define PCAP_MAX_FILE (64u * 1024u * 1024u)

struct pcap_file {
	uint8_t *data;
	size_t len;
	struct rd r;
	bool ng;
	bool swapped;       /* classic pcap written in the other byte order */
	uint32_t linktype;  /* classic: the file's; pcapng: interface 0's */
	uint32_t ng_links[16];
	unsigned n_ifaces;
	unsigned index;
};

static uint8_t *slurp(const char *path, size_t *len)
{
	size_t plen = strlen(path), cap = 65536, n = 0;
	bool gz = plen > 3 && strcmp(path + plen - 3, ".gz") == 0;
	char cmd[1300];
	uint8_t *buf = malloc(cap);
	FILE *f;

	if (!buf)
		return NULL;
	if (gz) {
		snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
		f = popen(cmd, "r");
	} else {
		f = fopen(path, "rb");
	}
	if (!f) {
		free(buf);
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb = cap < PCAP_MAX_FILE ? realloc(buf, cap * 2) : NULL;

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	if (gz)
		pclose(f);
	else
		fclose(f);
	*len = n;
	return buf;
}

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

/* Little-endian read of a 32-bit field (pcap headers are host order of the writer). */
static bool rd_le32(struct rd *r, uint32_t *v)
{
	uint32_t be;

	if (!rd_u32(r, &be))
		return false;
	*v = swap32(be);
	return true;
}

struct pcap_file *pcap_open(const char *path)
{
	struct pcap_file *p = calloc(1, sizeof(*p));
	char full[1200];
	uint32_t magic = 0;

	if (!p)
		return NULL;
	if (path[0] == '/' || !vec_dir())
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", vec_dir(), path);
	p->data = slurp(full, &p->len);
	if (!p->data || p->len < 24) {
		pcap_close(p);
		return NULL;
	}
	rd_init(&p->r, p->data, p->len);
	rd_le32(&p->r, &magic);
	if (magic == 0x0a0d0d0a) {
		p->ng = true;
		rd_init(&p->r, p->data, p->len); /* blocks are read from the start */
		return p;
	}
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
		p->swapped = false;
	} else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
		p->swapped = true;
	} else {
		pcap_close(p);
		return NULL;
	}
	rd_skip(&p->r, 16);
	rd_le32(&p->r, &p->linktype);
	if (p->swapped)
		p->linktype = swap32(p->linktype);
	return p;
}

void pcap_close(struct pcap_file *p)
{
	if (!p)
		return;
	free(p->data);
	free(p);
}

/* Parse one link-layer frame down to UDP; false when it is not UDP. */
static bool frame_udp(uint32_t linktype, struct rd *f, struct pcap_udp *out)
{
	uint16_t ethertype = 0;
	uint8_t vihl, proto = 0;

	switch (linktype) {
	case 1: /* Ethernet */
		rd_skip(f, 12);
		rd_u16(f, &ethertype);
		while (ethertype == 0x8100 || ethertype == 0x88a8) {
			rd_skip(f, 2);
			rd_u16(f, &ethertype);
		}
		break;
	case 113: /* Linux cooked capture */
		rd_skip(f, 14);
		rd_u16(f, &ethertype);
		break;
	case 0:   /* BSD loopback: a 4-byte address family in the writer's byte order, */
	case 108: /* OpenBSD loopback; then IP, whose version nibble says v4 or v6 */
		rd_skip(f, 4);
		/* fall through */
	case 101: /* raw IP */
	case 12:
		if (!rd_peek_u8(f, &vihl))
			return false;
		ethertype = (vihl >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return false;
	}
	if (ethertype == 0x0800) {
		uint8_t ihl;
		uint16_t total, frag;
		struct rd ip;

		if (!rd_u8(f, &vihl) || (vihl >> 4) != 4)
			return false;
		ihl = (uint8_t)((vihl & 0x0f) * 4);
		rd_skip(f, 1);
		rd_u16(f, &total);
		rd_skip(f, 2);
		rd_u16(f, &frag);
		rd_skip(f, 1);
		rd_u8(f, &proto);
		rd_skip(f, 2);
		rd_bytes(f, out->src, 4);
		rd_bytes(f, out->dst, 4);
		if (!rd_ok(f) || ihl < 20 || total < ihl || proto != 17 || (frag & 0x1fff))
			return false;
		rd_skip(f, ihl - 20u);
		if (!rd_sub(f, (size_t)(total - ihl) < rd_left(f) ? (size_t)(total - ihl) : rd_left(f), &ip))
			return false;
		*f = ip;
		out->family = AF_INET;
	} else if (ethertype == 0x86dd) {
		uint16_t plen;

		rd_skip(f, 4);
		rd_u16(f, &plen);
		rd_u8(f, &proto);
		rd_skip(f, 1);
		rd_bytes(f, out->src, 16);
		rd_bytes(f, out->dst, 16);
		if (!rd_ok(f) || proto != 17)
			return false;
		out->family = AF_INET6;
	} else {
		return false;
	}
	{
		uint16_t ulen;
		const uint8_t *pl;
		size_t n;

		rd_u16(f, &out->sport);
		rd_u16(f, &out->dport);
		rd_u16(f, &ulen);
		rd_skip(f, 2);
		if (!rd_ok(f) || ulen < 8)
			return false;
		n = (size_t)(ulen - 8) < rd_left(f) ? (size_t)(ulen - 8) : rd_left(f);
		if (!rd_ptr(f, n, &pl))
			return false;
		out->payload = pl;
		out->len = n;
	}
	return true;
}

static bool next_classic(struct pcap_file *p, struct rd *frame, uint32_t *link)
{
	uint32_t incl;

	rd_skip(&p->r, 8);
	if (!rd_le32(&p->r, &incl))
		return false;
	if (p->swapped)
		incl = swap32(incl);
	rd_skip(&p->r, 4);
	*link = p->linktype;
	return rd_sub(&p->r, incl, frame);
}

static bool next_ng(struct pcap_file *p, struct rd *frame, uint32_t *link)
{
	for (;;) {
		uint32_t type = 0, blen = 0, iface = 0, caplen = 0;
		struct rd body;

		if (!rd_le32(&p->r, &type) || !rd_le32(&p->r, &blen) || blen < 12 ||
		    !rd_sub(&p->r, blen - 12, &body) || !rd_skip(&p->r, 4))
			return false;
		if (type == 1) { /* Interface Description Block */
			uint16_t lt;
			uint8_t lo, hi;

			rd_u8(&body, &lo);
			rd_u8(&body, &hi);
			lt = (uint16_t)(lo | hi << 8);
			if (p->n_ifaces < 16)
				p->ng_links[p->n_ifaces++] = lt;
		} else if (type == 6) { /* Enhanced Packet Block */
			rd_le32(&body, &iface);
			rd_skip(&body, 8);
			rd_le32(&body, &caplen);
			rd_skip(&body, 4);
			*link = iface < p->n_ifaces ? p->ng_links[iface] : 1;
			return rd_sub(&body, caplen, frame);
		} else if (type == 3) { /* Simple Packet Block */
			rd_skip(&body, 4);
			*link = p->n_ifaces ? p->ng_links[0] : 1;
			return rd_rest(&body, frame);
		}
	}
}

bool pcap_next_udp(struct pcap_file *p, struct pcap_udp *out)
{
	for (;;) {
		struct rd frame;
		uint32_t link = 0;

		if (!(p->ng ? next_ng(p, &frame, &link) : next_classic(p, &frame, &link)))
			return false;
		p->index++;
		memset(out, 0, sizeof(*out));
		out->index = p->index;
		if (frame_udp(link, &frame, out))
			return true;
	}
}
