/*
 * keylog.c - Wireshark key tables for IKEv1, IKEv2 and ESP; see keylog.h.
 *
 * Algorithm names are the strings Wireshark's ISAKMP and ESP dissectors
 * list in their UAT choices (epan/dissectors/packet-isakmp.c,
 * packet-ipsec.c); a name Wireshark does not know makes the entry useless,
 * so such an SA is refused with ERR_UNSUPPORTED instead of written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/keylog.h"
#include "common/log.h"
#include "common/secret.h"

/* IKEv2 transform IDs Wireshark also knows, beyond kernel.h's (IANA). */
#define IKEV2_ENCR_AES_CCM_8 14
#define IKEV2_ENCR_AES_CCM_12 15
#define IKEV2_ENCR_AES_CCM_16 16
#define IKEV2_INTEG_HMAC_MD5_128 6
#define IKEV2_INTEG_HMAC_SHA1_160 7

enum keylog_table { TABLE_IKEV1, TABLE_IKEV2, TABLE_ESP, TABLE_COUNT };

static const char *const table_files[TABLE_COUNT] = {
	"ikev1_decryption_table", "ikev2_decryption_table", "esp_sa",
};

struct keylog {
	int fd[TABLE_COUNT];
};

/* ---- names --------------------------------------------------------- */

const char *keylog_esp_encr_name(uint16_t encr_id)
{
	switch (encr_id) {
	case KERNEL_ENCR_NULL: return "NULL";
	case KERNEL_ENCR_3DES: return "TripleDES-CBC [RFC2451]";
	case KERNEL_ENCR_AES_CBC: return "AES-CBC [RFC3602]";
	case KERNEL_ENCR_AES_CTR: return "AES-CTR [RFC3686]";
	case KERNEL_ENCR_AES_GCM_8: return "AES-GCM with 8 octet ICV [RFC4106]";
	case KERNEL_ENCR_AES_GCM_12: return "AES-GCM with 12 octet ICV [RFC4106]";
	case KERNEL_ENCR_AES_GCM_16: return "AES-GCM with 16 octet ICV [RFC4106]";
	case KERNEL_ENCR_CHACHA20_POLY1305: return "ChaCha20 with Poly1305 [RFC7634]";
	}
	return NULL;
}

const char *keylog_esp_auth_name(uint16_t integ_id)
{
	switch (integ_id) {
	case KERNEL_INTEG_NONE: return "NULL";
	case KERNEL_INTEG_HMAC_MD5_96: return "HMAC-MD5-96 [RFC2403]";
	case KERNEL_INTEG_HMAC_SHA1_96: return "HMAC-SHA-1-96 [RFC2404]";
	case KERNEL_INTEG_HMAC_SHA2_256_128: return "HMAC-SHA-256-128 [RFC4868]";
	case KERNEL_INTEG_HMAC_SHA2_384_192: return "HMAC-SHA-384-192 [RFC4868]";
	case KERNEL_INTEG_HMAC_SHA2_512_256: return "HMAC-SHA-512-256 [RFC4868]";
	/* Wireshark cannot check AES-XCBC/CMAC ICVs but can skip 96 bits. */
	case KERNEL_INTEG_AES_XCBC_96:
	case KERNEL_INTEG_AES_CMAC_96: return "ANY 96 bit authentication [no checking]";
	}
	return NULL;
}

const char *keylog_ikev2_encr_name(uint16_t encr_id, size_t key_len, char *buf, size_t len)
{
	const char *mode = NULL;
	size_t salt = 0, bits;
	int icv = 0;

	switch (encr_id) {
	case KERNEL_ENCR_3DES: return key_len == 24 ? "3DES [RFC2451]" : NULL;
	case KERNEL_ENCR_NULL: return "NULL [RFC2410]";
	case KERNEL_ENCR_AES_CBC: mode = "CBC"; break;
	case KERNEL_ENCR_AES_CTR: mode = "CTR"; salt = 4; break;
	case KERNEL_ENCR_AES_GCM_8: mode = "GCM"; salt = 4; icv = 8; break;
	case KERNEL_ENCR_AES_GCM_12: mode = "GCM"; salt = 4; icv = 12; break;
	case KERNEL_ENCR_AES_GCM_16: mode = "GCM"; salt = 4; icv = 16; break;
	case IKEV2_ENCR_AES_CCM_8: mode = "CCM"; salt = 3; icv = 8; break;
	case IKEV2_ENCR_AES_CCM_12: mode = "CCM"; salt = 3; icv = 12; break;
	case IKEV2_ENCR_AES_CCM_16: mode = "CCM"; salt = 3; icv = 16; break;
	default: return NULL;
	}
	if (key_len < salt)
		return NULL;
	bits = (key_len - salt) * 8;
	if (bits != 128 && bits != 192 && bits != 256)
		return NULL;
	if (icv)
		snprintf(buf, len, "AES-%s-%zu with %d octet ICV [RFC5282]", mode, bits, icv);
	else
		snprintf(buf, len, "AES-%s-%zu [%s]", mode, bits,
			 encr_id == KERNEL_ENCR_AES_CBC ? "RFC3602" : "RFC5930");
	return buf;
}

const char *keylog_ikev2_integ_name(uint16_t integ_id)
{
	switch (integ_id) {
	case KERNEL_INTEG_NONE: return "NONE [RFC4306]";
	case KERNEL_INTEG_HMAC_MD5_96: return "HMAC_MD5_96 [RFC2403]";
	case KERNEL_INTEG_HMAC_SHA1_96: return "HMAC_SHA1_96 [RFC2404]";
	case IKEV2_INTEG_HMAC_MD5_128: return "HMAC_MD5_128 [RFC4595]";
	case IKEV2_INTEG_HMAC_SHA1_160: return "HMAC_SHA1_160 [RFC4595]";
	case KERNEL_INTEG_HMAC_SHA2_256_128: return "HMAC_SHA2_256_128 [RFC4868]";
	case KERNEL_INTEG_HMAC_SHA2_384_192: return "HMAC_SHA2_384_192 [RFC4868]";
	case KERNEL_INTEG_HMAC_SHA2_512_256: return "HMAC_SHA2_512_256 [RFC4868]";
	case KERNEL_INTEG_AES_XCBC_96:
	case KERNEL_INTEG_AES_CMAC_96: return "ANY 96-bits of Authentication [No Checking]";
	}
	return NULL;
}

/* ---- line building -------------------------------------------------- */

struct line {
	char *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= l->cap - l->len) {
		l->overflow = true;
		return;
	}
	l->len += (size_t)n;
}

static void put_hex(struct line *l, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put(l, "%02x", b[i]);
}

static int line_end(struct line *l)
{
	if (l->overflow) {
		secret_wipe(l->p, l->cap);
		if (l->cap)
			l->p[0] = '\0';
		return ERR_OVERFLOW;
	}
	return (int)l->len;
}

int keylog_fmt_ikev1(char *out, size_t cap, const uint8_t cky_i[8], const uint8_t *enc_key,
		     size_t enc_key_len)
{
	struct line l = { out, cap, 0, cap == 0 };

	put_hex(&l, cky_i, 8);
	put(&l, ",");
	put_hex(&l, enc_key, enc_key_len);
	return line_end(&l);
}

int keylog_fmt_ikev2(char *out, size_t cap, const struct keylog_ikev2 *e)
{
	struct line l = { out, cap, 0, cap == 0 };
	const char *integ = keylog_ikev2_integ_name(e->integ_id);
	char ebuf[64];
	const char *encr = keylog_ikev2_encr_name(e->encr_id, e->sk_e_len, ebuf, sizeof(ebuf));

	if (!encr || !integ)
		return ERR_UNSUPPORTED;
	put_hex(&l, e->spi_i, 8);
	put(&l, ",");
	put_hex(&l, e->spi_r, 8);
	put(&l, ",");
	put_hex(&l, e->sk_ei, e->sk_e_len);
	put(&l, ",");
	put_hex(&l, e->sk_er, e->sk_e_len);
	put(&l, ",\"%s\",", encr);
	put_hex(&l, e->sk_ai, e->sk_a_len);
	put(&l, ",");
	put_hex(&l, e->sk_ar, e->sk_a_len);
	put(&l, ",\"%s\"", integ);
	return line_end(&l);
}

int keylog_fmt_esp(char *out, size_t cap, const struct kernel_sa *sa)
{
	struct line l = { out, cap, 0, cap == 0 };
	const char *encr = keylog_esp_encr_name(sa->encr_id);
	const char *auth = keylog_esp_auth_name(sa->integ_id);
	char src[64], dst[64];

	if (!encr || !auth || kernel_addr_len(&sa->src) == 0)
		return ERR_UNSUPPORTED;
	put(&l, "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"", sa->src.ss_family == AF_INET6 ? "IPv6" : "IPv4",
	    kernel_addr_str(&sa->src, src, sizeof(src)), kernel_addr_str(&sa->dst, dst, sizeof(dst)),
	    sa->spi, encr);
	if (sa->encr_key_len) {
		put(&l, "0x");
		put_hex(&l, sa->encr_key, sa->encr_key_len);
	}
	put(&l, "\",\"%s\",\"", auth);
	if (sa->integ_key_len) {
		put(&l, "0x");
		put_hex(&l, sa->integ_key, sa->integ_key_len);
	}
	put(&l, "\"");
	return line_end(&l);
}

/* ---- files ----------------------------------------------------------- */

static int open_table(const char *dir, const char *name, int *fd_out)
{
	char path[4096];
	struct stat st;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return ERR_INVAL;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error(&log_global, "key log %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		log_error(&log_global, "key log %s: refused, it must be a regular file that only "
			  "its owner can access (chmod 600)", path);
		close(fd);
		return ERR_PERM;
	}
	*fd_out = fd;
	return 0;
}

int keylog_open(const char *dir, struct keylog **out)
{
	struct keylog *kl;
	int i, err;

	if (!dir || !out)
		return ERR_INVAL;
	*out = NULL;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_error(&log_global, "key log directory %s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	kl = malloc(sizeof(*kl));
	if (!kl)
		return ERR_NOMEM;
	for (i = 0; i < TABLE_COUNT; i++)
		kl->fd[i] = -1;
	for (i = 0; i < TABLE_COUNT; i++) {
		err = open_table(dir, table_files[i], &kl->fd[i]);
		if (err < 0) {
			keylog_close(kl);
			return err;
		}
	}
	log_warn(&log_global, "key log enabled in %s: SA keys are written to disk", dir);
	*out = kl;
	return 0;
}

void keylog_close(struct keylog *kl)
{
	int i;

	if (!kl)
		return;
	for (i = 0; i < TABLE_COUNT; i++)
		if (kl->fd[i] >= 0)
			close(kl->fd[i]);
	free(kl);
}

static int append(struct keylog *kl, enum keylog_table t, char *line, int len)
{
	ssize_t n;

	if (len < 0) {
		secret_wipe(line, KEYLOG_LINE_MAX);
		return len;
	}
	line[len] = '\n'; /* room: formatters were given KEYLOG_LINE_MAX - 1 */
	n = write(kl->fd[t], line, (size_t)len + 1);
	secret_wipe(line, KEYLOG_LINE_MAX);
	if (n != len + 1) {
		log_error(&log_global, "key log %s: write failed", table_files[t]);
		return ERR_IO;
	}
	return 0;
}

int keylog_ikev1(struct keylog *kl, const uint8_t cky_i[8], const uint8_t *enc_key,
		 size_t enc_key_len)
{
	char line[KEYLOG_LINE_MAX];

	if (!kl)
		return 0;
	return append(kl, TABLE_IKEV1, line,
		      keylog_fmt_ikev1(line, sizeof(line) - 1, cky_i, enc_key, enc_key_len));
}

int keylog_ikev2(struct keylog *kl, const struct keylog_ikev2 *e)
{
	char line[KEYLOG_LINE_MAX];

	if (!kl)
		return 0;
	return append(kl, TABLE_IKEV2, line, keylog_fmt_ikev2(line, sizeof(line) - 1, e));
}

int keylog_esp(struct keylog *kl, const struct kernel_sa *sa)
{
	char line[KEYLOG_LINE_MAX];

	if (!kl)
		return 0;
	return append(kl, TABLE_ESP, line, keylog_fmt_esp(line, sizeof(line) - 1, sa));
}
