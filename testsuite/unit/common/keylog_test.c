/*
 * keylog_test.c - key log lines against Wireshark's own key tables (the
 * .tmpl files beside its test captures in the vectors folder), and the
 * file rules: mode 0600, refusal of files others can read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/keylog.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

#define MAX_FIELDS 8

static char last_log[1200];

/* Split one CSV line of a Wireshark UAT file; quotes are removed. */
static size_t split_csv(char *line, char *fields[MAX_FIELDS])
{
	size_t n = 0;
	char *p = line;

	while (n < MAX_FIELDS) {
		if (*p == '"') {
			fields[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				break;
			*p++ = '\0';
		} else {
			fields[n++] = p;
			p += strcspn(p, ",\n");
		}
		if (*p != ',')
			break;
		*p++ = '\0';
	}
	if (p && *p == '\n')
		*p = '\0';
	return n;
}

static uint8_t *hex(const char *h, size_t *len)
{
	uint8_t *out = NULL;

	if (strncmp(h, "0x", 2) == 0)
		h += 2;
	if (!vec_hex(h, &out, len))
		tap_diag("bad hex %s", h);
	return out;
}

static FILE *open_tmpl(const char *name)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/captures/wireshark/%s", vec_dir(), name);
	return fopen(path, "r");
}

/* The test's own reading of Wireshark's names back to IKEv2 IDs. */
static uint16_t ikev2_encr_id(const char *name)
{
	if (!strncmp(name, "AES-CBC", 7)) return KERNEL_ENCR_AES_CBC;
	if (!strncmp(name, "AES-CTR", 7)) return KERNEL_ENCR_AES_CTR;
	if (!strncmp(name, "3DES", 4)) return KERNEL_ENCR_3DES;
	if (!strncmp(name, "NULL", 4)) return KERNEL_ENCR_NULL;
	if (!strncmp(name, "AES-GCM", 7))
		return strstr(name, " 8 octet") ? 18 : strstr(name, " 12 octet") ? 19 : 20;
	if (!strncmp(name, "AES-CCM", 7))
		return strstr(name, " 8 octet") ? 14 : strstr(name, " 12 octet") ? 15 : 16;
	return 0xffff;
}

static uint16_t ikev2_integ_id(const char *name)
{
	if (!strncmp(name, "NONE", 4)) return 0;
	if (!strncmp(name, "HMAC_SHA1_160", 13)) return 7;
	if (!strncmp(name, "HMAC_SHA2_256_128", 17)) return 12;
	if (!strncmp(name, "HMAC_SHA2_512_256", 17)) return 14;
	if (!strncmp(name, "ANY 96-bits", 11)) return KERNEL_INTEG_AES_XCBC_96;
	return 0xffff;
}

static void test_ikev2_table(void)
{
	FILE *f = open_tmpl("ikev2_decryption_table.tmpl");
	char line[2048], orig[2048], out[KEYLOG_LINE_MAX], *fl[MAX_FIELDS];
	unsigned n = 0;

	if (!tap_ok(f != NULL, "open ikev2_decryption_table.tmpl"))
		return;
	while (fgets(line, sizeof(line), f)) {
		struct keylog_ikev2 e;
		uint8_t *b[6];
		size_t len[6], i;
		int rc;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(orig, sizeof(orig), "%s", line);
		if (!tap_ok(split_csv(line, fl) == 8, "ikev2 line has 8 fields"))
			continue;
		b[0] = hex(fl[0], &len[0]);
		b[1] = hex(fl[1], &len[1]);
		b[2] = hex(fl[2], &len[2]);
		b[3] = hex(fl[3], &len[3]);
		b[4] = hex(fl[5], &len[4]);
		b[5] = hex(fl[6], &len[5]);
		memset(&e, 0, sizeof(e));
		memcpy(e.spi_i, b[0], 8);
		memcpy(e.spi_r, b[1], 8);
		e.encr_id = ikev2_encr_id(fl[4]);
		e.sk_ei = b[2];
		e.sk_er = b[3];
		e.sk_e_len = len[2];
		e.integ_id = ikev2_integ_id(fl[7]);
		e.sk_ai = b[4];
		e.sk_ar = b[5];
		e.sk_a_len = len[4];
		rc = keylog_fmt_ikev2(out, sizeof(out), &e);
		tap_eq_str(rc > 0 ? out : err_str(rc), orig, "ikev2 line %u (%s / %s) as Wireshark's",
			   n, fl[4], fl[7]);
		tap_eq_int(rc, (long long)strlen(orig), "ikev2 line %u length returned", n);
		for (i = 0; i < 6; i++)
			free(b[i]);
		n++;
	}
	fclose(f);
	tap_ok(n >= 9, "every entry of Wireshark's IKEv2 table checked (%u)", n);
}

static void test_ikev1_table(void)
{
	FILE *f = open_tmpl("ikev1_decryption_table.tmpl");
	char line[1024], orig[1024], out[KEYLOG_LINE_MAX], *fl[MAX_FIELDS];
	unsigned n = 0;

	if (!tap_ok(f != NULL, "open ikev1_decryption_table.tmpl"))
		return;
	while (fgets(line, sizeof(line), f)) {
		uint8_t *cky, *key;
		size_t cl, kl;
		int rc;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(orig, sizeof(orig), "%s", line);
		if (!tap_ok(split_csv(line, fl) == 2, "ikev1 line has 2 fields"))
			continue;
		cky = hex(fl[0], &cl);
		key = hex(fl[1], &kl);
		rc = keylog_fmt_ikev1(out, sizeof(out), cky, key, kl);
		tap_eq_str(rc > 0 ? out : err_str(rc), orig, "ikev1 line %u as Wireshark's", n);
		free(cky);
		free(key);
		n++;
	}
	fclose(f);
	tap_ok(n >= 3, "every entry of Wireshark's IKEv1 table checked (%u)", n);
}

static void test_esp_table(void)
{
	FILE *f = open_tmpl("esp_sa.tmpl");
	char line[2048], orig[2048], out[KEYLOG_LINE_MAX], *fl[MAX_FIELDS];
	unsigned n = 0;

	if (!tap_ok(f != NULL, "open esp_sa.tmpl"))
		return;
	while (fgets(line, sizeof(line), f)) {
		struct kernel_sa sa;
		uint8_t *ek, *ak;
		size_t el, al;
		int rc;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(orig, sizeof(orig), "%s", line);
		if (!tap_ok(split_csv(line, fl) == 8, "esp line has 8 fields"))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.proto = KERNEL_PROTO_ESP;
		kernel_addr_parse(fl[1], &sa.src);
		kernel_addr_parse(fl[2], &sa.dst);
		sa.spi = (uint32_t)strtoul(fl[3], NULL, 16);
		/* The template uses AES-CBC + HMAC-SHA-1-96 only. */
		sa.encr_id = strcmp(fl[4], "AES-CBC [RFC3602]") == 0 ? KERNEL_ENCR_AES_CBC : 0xffff;
		sa.integ_id = strcmp(fl[6], "HMAC-SHA-1-96 [RFC2404]") == 0
				      ? KERNEL_INTEG_HMAC_SHA1_96 : 0xffff;
		ek = hex(fl[5], &el);
		ak = hex(fl[7], &al);
		sa.encr_key = ek;
		sa.encr_key_len = el;
		sa.integ_key = ak;
		sa.integ_key_len = al;
		rc = keylog_fmt_esp(out, sizeof(out), &sa);
		tap_eq_str(rc > 0 ? out : err_str(rc), orig, "esp_sa line %u as Wireshark's", n);
		free(ek);
		free(ak);
		n++;
	}
	fclose(f);
	tap_ok(n >= 2, "every entry of Wireshark's ESP table checked (%u)", n);
}

static void test_names_and_limits(void)
{
	static const uint8_t k36[36] = { 0 };
	struct kernel_sa sa;
	struct keylog_ikev2 e;
	char out[KEYLOG_LINE_MAX], small[40];

	memset(&sa, 0, sizeof(sa));
	sa.proto = KERNEL_PROTO_ESP;
	sa.spi = 0xc0ffee01;
	kernel_addr_parse("2001:db8::1", &sa.src);
	kernel_addr_parse("2001:db8::2", &sa.dst);
	sa.encr_id = KERNEL_ENCR_CHACHA20_POLY1305;
	sa.encr_key = k36;
	sa.encr_key_len = 4;
	keylog_fmt_esp(out, sizeof(out), &sa);
	tap_eq_str(out, "\"IPv6\",\"2001:db8::1\",\"2001:db8::2\",\"0xc0ffee01\","
		   "\"ChaCha20 with Poly1305 [RFC7634]\",\"0x00000000\",\"NULL\",\"\"",
		   "IPv6 AEAD ESP line: ChaCha20 name, NULL authentication with empty key");
	sa.encr_id = KERNEL_ENCR_AES_GCM_12;
	tap_ok(keylog_fmt_esp(out, sizeof(out), &sa) > 0 &&
	       strstr(out, "\"AES-GCM with 12 octet ICV [RFC4106]\""), "GCM-12 ESP name");
	tap_eq_int(keylog_fmt_esp(small, sizeof(small), &sa), ERR_OVERFLOW,
		   "a line that does not fit is ERR_OVERFLOW");
	tap_eq_str(small, "", "and the buffer holds no partial key");
	sa.encr_id = 99;
	tap_eq_int(keylog_fmt_esp(out, sizeof(out), &sa), ERR_UNSUPPORTED,
		   "an algorithm Wireshark cannot name is ERR_UNSUPPORTED");
	memset(&e, 0, sizeof(e));
	e.encr_id = KERNEL_ENCR_CHACHA20_POLY1305;
	e.sk_ei = e.sk_er = k36;
	e.sk_e_len = 36;
	tap_eq_int(keylog_fmt_ikev2(out, sizeof(out), &e), ERR_UNSUPPORTED,
		   "IKEv2 ChaCha20 (no Wireshark IKE decryption) is ERR_UNSUPPORTED");
	tap_eq_str(keylog_esp_auth_name(KERNEL_INTEG_HMAC_SHA2_256_128), "HMAC-SHA-256-128 [RFC4868]",
		   "ESP SHA-256 name");
	tap_eq_str(keylog_ikev2_integ_name(KERNEL_INTEG_HMAC_SHA2_384_192),
		   "HMAC_SHA2_384_192 [RFC4868]", "IKEv2 SHA-384 name");
	tap_ok(keylog_ikev2_encr_name(KERNEL_ENCR_AES_CBC, 20, out, sizeof(out)) == NULL,
	       "AES-CBC with a 160-bit key has no name");
}

static void read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, cap - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
}

static void test_files(void)
{
	static const uint8_t cky[8] = { 0xfa, 0xfa, 0xeb, 0x49, 0x38, 0x2a, 0x76, 0x3c };
	static const uint8_t key[4] = { 0xde, 0xad, 0xbe, 0xef };
	char dir[200];
	char path[256], buf[256], elsewhere[256];
	struct keylog *kl = NULL;
	struct stat st;
	mode_t old;
	const char *names[] = { "ikev1_decryption_table", "ikev2_decryption_table", "esp_sa" };
	size_t i;
	int fd;

	if (!tap_ok(tap_mkdtemp(dir, sizeof(dir), "keylog_test") != NULL, "temporary directory"))
		return;
	old = umask(0); /* prove the 0600 does not come from the umask */
	tap_eq_int(keylog_open(dir, &kl), 0, "open a key log in a fresh directory");
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		memset(&st, 0, sizeof(st));
		stat(path, &st);
		tap_ok((st.st_mode & 07777) == 0600,
		       "%s created with mode 0600 (%o)", names[i], (unsigned)(st.st_mode & 07777));
	}
	tap_eq_int(keylog_ikev1(kl, cky, key, sizeof(key)), 0, "append an IKEv1 line");
	tap_eq_int(keylog_ikev1(kl, cky, key, sizeof(key)), 0, "append it again");
	snprintf(path, sizeof(path), "%s/ikev1_decryption_table", dir);
	read_file(path, buf, sizeof(buf));
	tap_eq_str(buf, "fafaeb49382a763c,deadbeef\nfafaeb49382a763c,deadbeef\n",
		   "lines are appended, one per SA");
	tap_eq_int(keylog_ikev1(NULL, cky, key, sizeof(key)), 0, "a disabled key log ignores writes");
	keylog_close(kl);
	kl = NULL;
	tap_eq_int(keylog_open(dir, &kl), 0, "reopening existing 0600 files works");
	keylog_close(kl);
	kl = NULL;

	snprintf(path, sizeof(path), "%s/esp_sa", dir);
	chmod(path, 0644);
	tap_eq_int(keylog_open(dir, &kl), ERR_PERM, "an existing world-readable esp_sa is refused");
	tap_ok(strstr(last_log, "esp_sa: refused") && strstr(last_log, "chmod 600"),
	       "the refusal names the file and the fix: %s", last_log);
	tap_ok(kl == NULL, "no key log handed out");
	chmod(path, 0640);
	tap_eq_int(keylog_open(dir, &kl), ERR_PERM, "a group-readable one too");
	unlink(path);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere-keylog-target", dir);
	fd = symlink(elsewhere, path);
	tap_eq_int(fd == 0 ? keylog_open(dir, &kl) : ERR_IO, ERR_IO,
		   "a symlink in place of a table is not followed");
	tap_ok(access(elsewhere, F_OK) != 0, "nothing created through it");
	unlink(path);
	umask(old);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void sink(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl;
	(void)arg;
	snprintf(last_log, sizeof(last_log), "%s", line);
}

int main(void)
{
	log_set_sink(sink, NULL);
	test_names_and_limits();
	test_files();
	if (!vec_dir()) {
		tap_skip("vectors folder not found: Wireshark tables not compared");
		return tap_done();
	}
	test_ikev1_table();
	test_ikev2_table();
	test_esp_table();
	return tap_done();
}
