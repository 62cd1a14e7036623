/* secrets.c - the PSK file: checks, parsing, lookup (see secrets.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/err.h"
#include "src/secrets.h"

struct secrets_entry {
	struct conf_id sel[SECRETS_MAX_SELECTORS];
	size_t n_sel; /* %any selectors are not stored */
	struct secret *psk;
	int line;
};

struct secrets {
	struct secrets_entry *v;
	size_t n;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The secret starting at s (after "PSK"); *end receives what follows it.
 * Decodes into buf, which the caller wipes. Returns a reason or NULL.
 */
static const char *parse_psk(char *s, uint8_t *buf, size_t *len, char **end)
{
	size_t n = 0;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			if (n == SECRETS_MAX_PSK)
				return "the PSK is longer than 1024 bytes";
			buf[n++] = (uint8_t)*s;
		}
		if (*s != '"')
			return "the quoted PSK has no closing quote; write PSK \"...\" (\\\" for a quote)";
		*end = s + 1;
	} else if (strncasecmp(s, "0x", 2) == 0) {
		for (s += 2; isxdigit((unsigned char)s[0]); s += 2) {
			if (!isxdigit((unsigned char)s[1]))
				return "the hex PSK has an odd number of digits";
			if (n == SECRETS_MAX_PSK)
				return "the PSK is longer than 1024 bytes";
			buf[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		}
		*end = s;
	} else if (strncmp(s, "0s", 2) == 0) {
		char *e = s + 2;

		while (*e && !isspace((unsigned char)*e) && *e != '#')
			e++;
		if (sodium_base642bin(buf, SECRETS_MAX_PSK, s + 2, (size_t)(e - s - 2), NULL,
				      &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			return "the base64 PSK (0s...) does not decode or is longer than 1024 bytes";
		*end = e;
	} else {
		return "write the PSK as \"text\", 0xHEX or 0sBASE64";
	}
	if (n == 0)
		return "the PSK is empty";
	*len = n;
	return NULL;
}

/* The " : " between selectors and secret: a colon with space (or line start) before and space after. */
static char *find_separator(char *line)
{
	for (char *p = line; *p; p++)
		if (*p == ':' && (p == line || isspace((unsigned char)p[-1])) &&
		    (isspace((unsigned char)p[1])))
			return p;
	return NULL;
}

static int parse_selectors(char *s, struct secrets_entry *e, const char **why)
{
	char *save = NULL;

	for (char *tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "%any") == 0)
			continue;
		if (e->n_sel == SECRETS_MAX_SELECTORS) {
			*why = "more than 8 selectors; split the line";
			return ERR_PARSE;
		}
		if (!conf_id_parse(tok, &e->sel[e->n_sel], why))
			return ERR_PARSE;
		e->n_sel++;
	}
	return 0;
}

static int parse_line(char *line, int lineno, struct secrets *s, const char *path,
		      struct config_errors *errs)
{
	uint8_t psk[SECRETS_MAX_PSK];
	struct secrets_entry e = { .line = lineno };
	char *p = line, *sep, *end;
	const char *why = NULL;
	size_t len = 0;
	int rc = ERR_PARSE;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	sep = find_separator(p);
	if (!sep) {
		config_error_add(errs, path, lineno, "no ' : ' separating selectors from the "
				 "secret; write SELECTORS : PSK \"secret\" (spaces around the colon)");
		return ERR_PARSE;
	}
	*sep = '\0';
	if (parse_selectors(p, &e, &why)) {
		config_error_add(errs, path, lineno, "bad selector: %s", why);
		return ERR_PARSE;
	}
	p = sep + 1;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "PSK", 3) != 0 || !isspace((unsigned char)p[3])) {
		config_error_add(errs, path, lineno, "only PSK secrets are supported; write "
				 ": PSK \"secret\"");
		return ERR_PARSE;
	}
	for (p += 3; isspace((unsigned char)*p); p++)
		;
	why = parse_psk(p, psk, &len, &end);
	if (!why) {
		while (isspace((unsigned char)*end))
			end++;
		if (*end && *end != '#')
			why = "text after the PSK; put comments after a #";
	}
	if (why) {
		config_error_add(errs, path, lineno, "%s", why);
		goto out;
	}
	e.psk = secret_dup(psk, len);
	if (!e.psk) {
		rc = ERR_NOMEM;
		goto out;
	}
	struct secrets_entry *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v) {
		secret_free(e.psk);
		rc = ERR_NOMEM;
		goto out;
	}
	s->v = v;
	v[s->n++] = e;
	rc = 0;
out:
	secret_wipe(psk, sizeof(psk));
	return rc;
}

/* Refuse what others could have read or swapped (iked: check_file_secrecy). */
static int check_file(int fd, const char *path, off_t *size, struct config_errors *errs)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		config_error_add(errs, path, 0, "cannot stat: %s", strerror(errno));
		return ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		config_error_add(errs, path, 0, "not a regular file; the secrets file must "
				 "be a plain file");
		return ERR_PERM;
	}
	/* a file another user owns could be rewritten by that user: iked and
	 * sshd refuse such key files too */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		config_error_add(errs, path, 0, "owned by uid %u, not by the user dualiked "
				 "runs as (uid %u) or root; another user could change the PSKs. "
				 "Fix: chown %u %s", (unsigned)st.st_uid, (unsigned)geteuid(),
				 (unsigned)geteuid(), path);
		return ERR_PERM;
	}
	if (st.st_mode & 077) {
		config_error_add(errs, path, 0, "mode %04o lets group or others access the "
				 "PSKs; refusing to read it. Fix: chmod 600 %s",
				 (unsigned)(st.st_mode & 07777), path);
		return ERR_PERM;
	}
	if (st.st_size > SECRETS_MAX_FILE) {
		config_error_add(errs, path, 0, "larger than 1 MiB; is this the secrets file?");
		return ERR_PARSE;
	}
	*size = st.st_size;
	return 0;
}

static int read_all(int fd, char *buf, size_t size, size_t *got)
{
	*got = 0;
	while (*got < size) {
		ssize_t r = read(fd, buf + *got, size - *got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ERR_IO;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	buf[*got] = '\0';
	return 0;
}

int secrets_load(const char *path, struct secrets **out, struct config_errors *errs)
{
	struct secrets *s = NULL;
	char *buf = NULL, *line, *save = NULL;
	size_t got = 0, cap = 0;
	off_t size = 0;
	int fd, rc, lineno = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		config_error_add(errs, path, 0, "cannot open: %s", strerror(errno));
		return ERR_IO;
	}
	rc = check_file(fd, path, &size, errs);
	if (rc)
		goto out;
	cap = (size_t)size + 1;
	buf = malloc(cap);
	s = calloc(1, sizeof(*s));
	if (!buf || !s) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (read_all(fd, buf, (size_t)size, &got)) {
		config_error_add(errs, path, 0, "read error: %s", strerror(errno));
		rc = ERR_IO;
		goto out;
	}
	/* Lines are cut by hand: strtok would merge empty lines and lose the count. */
	for (line = buf; line; line = save) {
		char *nl = strchr(line, '\n');

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		int r = parse_line(line, lineno, s, path, errs);

		if (r == ERR_NOMEM) {
			rc = r;
			break;
		}
		if (r && !rc)
			rc = r;
	}
out:
	close(fd);
	if (buf) {
		secret_wipe(buf, cap);
		free(buf);
	}
	if (rc) {
		secrets_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void secrets_free(struct secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		secret_free(s->v[i].psk);
	free(s->v);
	free(s);
}

size_t secrets_count(const struct secrets *s)
{
	return s ? s->n : 0;
}

static bool sel_is(const struct conf_id *sel, const struct conf_id *id,
		   const struct conf_addr *addr)
{
	struct conf_id as_id;

	if (id && id->type != CONF_ID_NONE && conf_id_equal(sel, id))
		return true;
	if (!addr || addr->family == AF_UNSPEC)
		return false;
	conf_id_from_addr(addr, &as_id);
	return conf_id_equal(sel, &as_id);
}

const struct secret *secrets_find_psk(const struct secrets *s,
				      const struct conf_id *local_id,
				      const struct conf_id *remote_id,
				      const struct conf_addr *local_addr,
				      const struct conf_addr *remote_addr, int *line)
{
	const struct secrets_entry *best = NULL;
	int best_score = -1;

	for (size_t i = 0; s && i < s->n; i++) {
		const struct secrets_entry *e = &s->v[i];
		int score = 0;
		bool applies = true;

		for (size_t k = 0; k < e->n_sel && applies; k++) {
			if (sel_is(&e->sel[k], remote_id, remote_addr))
				score += 2;
			else if (sel_is(&e->sel[k], local_id, local_addr))
				score += 1;
			else
				applies = false;
		}
		if (applies && score > best_score) {
			best = e;
			best_score = score;
		}
	}
	if (line)
		*line = best ? best->line : 0;
	return best ? best->psk : NULL;
}
