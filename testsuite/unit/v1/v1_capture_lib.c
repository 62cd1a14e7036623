/* v1_capture_lib.c - capture loading and the decrypting observer (v1_capture_lib.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsuite/lib/pcap.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "testsuite/unit/v1/v1_capture_lib.h"



/* IKE datagrams of a capture: NAT-T marker stripped, keepalives and ESP skipped. */
size_t load(const char *path, struct dg *out)
{
	struct pcap_file *p = pcap_open(path);
	struct pcap_udp u;
	size_t n = 0;

	if (!p)
		return 0;
	while (n < MAX_DG && pcap_next_udp(p, &u)) {
		const uint8_t *d = u.payload;
		size_t len = u.len;

		if (u.sport == 4500 || u.dport == 4500) {
			static const uint8_t marker[4];

			if (len < 4 || memcmp(d, marker, 4) != 0)
				continue; /* keepalive or ESP */
			d += 4;
			len -= 4;
		}
		out[n].data = malloc(len ? len : 1);
		memcpy(out[n].data, d, len);
		out[n].len = len;
		out[n].index = u.index;
		out[n].dup = false;
		for (size_t i = 0; i < n; i++)
			if (out[i].len == len && memcmp(out[i].data, d, len) == 0)
				out[n].dup = true;
		n++;
	}
	pcap_close(p);
	return n;
}

void unload(struct dg *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].data);
}

void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* ---- a decrypting observer: what Wireshark does with a key table ---- */



bool table_key(const char *ckyi, uint8_t *key, size_t *key_len)
{
	char path[1200], line[256];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/captures/wireshark/ikev1_decryption_table.tmpl", vec_dir());
	if (!(f = fopen(path, "r")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *comma = strchr(line, ',');
		uint8_t *k;
		size_t n;

		if (line[0] == '#' || !comma || strncmp(line, ckyi, 16) != 0)
			continue;
		comma[1 + strcspn(comma + 1, "\r\n")] = '\0';
		if (vec_hex(comma + 1, &k, &n) && n <= 32) {
			memcpy(key, k, n);
			*key_len = n;
			found = true;
		}
		free(k);
	}
	fclose(f);
	return found;
}

void observe_clear(struct observer *o, const struct v1_msg *m)
{
	const struct v1_payload *sa = v1_msg_find(m, V1_P_SA, 0);
	const struct v1_payload *ke = v1_msg_find(m, V1_P_KE, 0);
	struct v1_sa s;

	static const uint8_t zero[V1_COOKIE_SIZE];

	/* The responder's SA (responder cookie set) holds the one chosen transform. */
	if (sa && !o->have_p1 && memcmp(m->hdr.cky_r, zero, sizeof(zero)) != 0 &&
	    v1_sa_parse(sa, &s, NULL) == 0 && s.n_xf == 1 &&
	    v1_attr_decode_p1(s.xf[0].attrs, s.xf[0].attrs_len, &o->p1, NULL) == 0)
		o->have_p1 = true;
	if (ke && o->n_ke < 2 && ke->body_len <= sizeof(o->gx[0])) {
		memcpy(o->gx[o->n_ke], ke->body, ke->body_len);
		o->gx_len[o->n_ke++] = ke->body_len;
	}
}

/* Decrypt one encrypted message; true when it parsed. */
bool observe_encrypted(struct observer *o, const struct dg *d, const struct v1_hdr *h)
{
	struct v1_iv iv, next;
	bool phase1 = h->exch == V1_EXCH_IDPROT || h->exch == V1_EXCH_AGGRESSIVE;
	unsigned slot = o->n_x;
	enum hash_alg hash;

	if (!o->ready) {
		if (!o->have_p1 || o->n_ke < 2 || !o->p1.x_encr || !o->p1.x_hash)
			return false;
		hash = (enum hash_alg)o->p1.x_hash->hash;
		if (v1_crypt_init(&o->c, (enum cipher_alg)o->p1.x_encr->v2_id, o->key, o->key_len) < 0 ||
		    v1_crypt_iv_phase1(&o->c, hash, o->gx[0], o->gx_len[0], o->gx[1], o->gx_len[1],
				       &o->p1_iv) < 0)
			return false;
		o->ready = true;
	}
	hash = (enum hash_alg)o->p1.x_hash->hash;
	if (phase1) {
		iv = o->p1_iv;
	} else {
		for (unsigned i = 0; i < o->n_x; i++)
			if (o->x[i].id == h->msg_id)
				slot = i;
		if (slot == o->n_x) {
			if (o->n_x == 32)
				return false;
			o->x[slot].id = h->msg_id;
			v1_crypt_iv_msgid(&o->c, hash, &o->p1_iv, h->msg_id, &o->x[slot].iv);
			o->n_x++;
		}
		iv = o->x[slot].iv;
	}
	if (d->len > sizeof(o->plain) ||
	    v1_msg_open(d->data, d->len, &o->c, &iv, o->plain, sizeof(o->plain), &next, &o->m,
			&o->e) < 0) {
		o->failed++;
		tap_diag("packet %u: %s", d->index, o->e.text);
		return false;
	}
	if (phase1)
		o->p1_iv = next;
	else
		o->x[slot].iv = next;
	o->decrypted++;
	return true;
}

/* "HASH SA NONCE KE ID ID" */
void type_list(const struct v1_msg *m, char *out, size_t cap)
{
	static const char *const short_names[] = {
		[V1_P_SA] = "SA", [V1_P_KE] = "KE", [V1_P_ID] = "ID", [V1_P_CERT] = "CERT",
		[V1_P_CR] = "CR", [V1_P_HASH] = "HASH", [V1_P_SIG] = "SIG", [V1_P_NONCE] = "NONCE",
		[V1_P_N] = "N", [V1_P_D] = "D", [V1_P_VID] = "VID", [V1_P_ATTR] = "ATTR",
		[V1_P_NAT_D] = "NAT-D", [V1_P_NAT_OA] = "NAT-OA",
	};
	size_t at = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < m->n && at < cap; i++) {
		uint8_t t = m->pl[i].type;
		const char *nm = t < sizeof(short_names) / sizeof(short_names[0]) && short_names[t]
				 ? short_names[t] : "?";

		at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? " " : "", nm);
	}
}

