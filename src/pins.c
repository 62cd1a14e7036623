/* pins.c - the downgrade-protection memory and its crash-safe file (see pins.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "src/conf_addr.h"
#include "src/pins.h"

#define PINS_MAGIC "dualike-pins 1"

/* The file's text, built by hand: fprintf cost more than the rest of a handshake. */
struct text {
	char *p;
	size_t len, cap;
};

static bool text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *np;

		while (cap < t->len + n)
			cap *= 2;
		np = realloc(t->p, cap);
		if (!np)
			return false;
		t->p = np;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	return true;
}

static bool text_str(struct text *t, const char *s)
{
	return text_add(t, s, strlen(s));
}

static bool text_i64(struct text *t, int64_t v)
{
	char buf[24], *e = buf + sizeof(buf), *c = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--c = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--c = '-';
	return text_add(t, c, (size_t)(e - c));
}

/* "pin PEER FIRST LAST\n" */
static bool text_pin(struct text *t, const struct pin *pin)
{
	return text_str(t, "pin ") && text_str(t, pin->peer) && text_str(t, " ") &&
	       text_i64(t, pin->first) && text_str(t, " ") && text_i64(t, pin->last) &&
	       text_str(t, "\n");
}

struct pins {
	char *dir;
	struct pin *v;
	size_t n;
	/*
	 * Index of v by peer key, case-insensitive: open addressing, slots hold
	 * an index into v plus one (0: empty), at most half full. Without it
	 * every IKEv2 SA made and every IKEv1 message would walk every pin.
	 */
	size_t *slots;
	size_t n_slots;             /* a power of two, or 0 */
	bool recovered;             /* loaded from pins.old */
	bool main_bad;              /* the pins file was refused: never link it over pins.old */
	bool unsaved_members;       /* a pin added or removed since the last save */
	bool unsaved_times;         /* a pin's latest time refreshed since then */
	/*
	 * The pin lines of the file, kept so that saving a new pin appends one
	 * line instead of formatting them all. lines_ok: they are the pins of v,
	 * in order, with their times as of the last full save or later.
	 */
	struct text lines;
	bool lines_ok;
};

/* FNV-1a over the key folded to lower case (keys compare case-insensitively). */
static size_t key_hash(const char *peer)
{
	uint64_t h = 14695981039346656037u;

	for (const unsigned char *c = (const unsigned char *)peer; *c; c++) {
		h ^= (uint64_t)tolower(*c);
		h *= 1099511628211u;
	}
	return (size_t)(h ^ (h >> 32));
}

static void index_put(struct pins *p, size_t i)
{
	size_t mask = p->n_slots - 1, s = key_hash(p->v[i].peer) & mask;

	while (p->slots[s])
		s = (s + 1) & mask;
	p->slots[s] = i + 1;
}

/* (Re)build the index for p->n pins, growing it to keep it at most half full. */
static int index_rebuild(struct pins *p, size_t want)
{
	size_t n_slots = p->n_slots ? p->n_slots : 16;
	size_t *slots;

	while (n_slots < 2 * want)
		n_slots *= 2;
	slots = calloc(n_slots, sizeof(*slots));
	if (!slots)
		return ERR_NOMEM;
	free(p->slots);
	p->slots = slots;
	p->n_slots = n_slots;
	for (size_t i = 0; i < p->n; i++)
		index_put(p, i);
	return 0;
}

static char *path_in(const struct pins *p, const char *name)
{
	char *s;

	return asprintf(&s, "%s/%s", p->dir, name) < 0 ? NULL : s;
}

static bool peer_ok(const char *peer)
{
	size_t n = strlen(peer);

	if (n == 0 || n >= PINS_PEER_MAX)
		return false;
	for (const char *c = peer; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

static struct pin *find(const struct pins *p, const char *peer)
{
	size_t mask = p->n_slots - 1, s;

	if (!p->n_slots)
		return NULL;
	for (s = key_hash(peer) & mask; p->slots[s]; s = (s + 1) & mask)
		if (strcasecmp(p->v[p->slots[s] - 1].peer, peer) == 0)
			return &p->v[p->slots[s] - 1];
	return NULL;
}

static int add(struct pins *p, const char *peer, int64_t first, int64_t last)
{
	struct pin *v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v)
		return ERR_NOMEM;
	p->v = v;
	if (2 * (p->n + 1) > p->n_slots && index_rebuild(p, p->n + 1))
		return ERR_NOMEM;
	memset(&v[p->n], 0, sizeof(v[p->n]));
	snprintf(v[p->n].peer, sizeof(v[p->n].peer), "%s", peer);
	v[p->n].first = first;
	v[p->n].last = last;
	index_put(p, p->n);
	if (p->lines_ok && !text_pin(&p->lines, &v[p->n]))
		p->lines_ok = false;
	p->n++;
	return 0;
}

/* The pin lines anew, with every current time. */
static bool lines_rebuild(struct pins *p)
{
	p->lines.len = 0;
	p->lines_ok = true;
	for (size_t i = 0; p->lines_ok && i < p->n; i++)
		p->lines_ok = text_pin(&p->lines, &p->v[i]);
	return p->lines_ok;
}

/* One line of the file; false (with the problem in errs) when it is not valid. */
static bool parse_line(struct pins *p, char *line, int lineno, int *count, bool *ended,
		       const char *path, struct config_errors *errs)
{
	char peer[PINS_PEER_MAX + 1], tail;
	long long first, last;
	int n;

	line[strcspn(line, "\n")] = '\0';
	if (lineno == 1) {
		if (strcmp(line, PINS_MAGIC) == 0)
			return true;
		config_error_add(errs, path, lineno, "not a pins file (first line is not \"%s\")",
				 PINS_MAGIC);
		return false;
	}
	if (*ended) {
		config_error_add(errs, path, lineno, "text after the end line");
		return false;
	}
	if (sscanf(line, "end %d%c", &n, &tail) == 1) {
		if (n != *count) {
			config_error_add(errs, path, lineno, "end line counts %d pins but the "
					 "file has %d: the file is damaged", n, *count);
			return false;
		}
		*ended = true;
		return true;
	}
	if (sscanf(line, "pin %256s %lld %lld%c", peer, &first, &last, &tail) != 3 ||
	    !peer_ok(peer) || find(p, peer)) {
		config_error_add(errs, path, lineno, "not a valid \"pin PEER FIRST LAST\" line "
				 "(or a repeated peer): the file is damaged");
		return false;
	}
	if (add(p, peer, first, last))
		return false;
	(*count)++;
	return true;
}

/* Read one file into p. ERR_NOTFOUND when it does not exist. */
static int read_file(struct pins *p, const char *path, struct config_errors *errs)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	int lineno = 0, count = 0, rc = 0;
	bool ended = false;

	if (!f) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		config_error_add(errs, path, 0, "cannot open: %s", strerror(errno));
		return ERR_IO;
	}
	while (getline(&buf, &cap, f) >= 0) {
		if (!parse_line(p, buf, ++lineno, &count, &ended, path, errs)) {
			rc = ERR_PARSE;
			break;
		}
	}
	if (rc == 0 && !ended) {
		config_error_add(errs, path, lineno ? lineno : 0, "ends without its \"end\" line: "
				 "the file is truncated");
		rc = ERR_PARSE;
	}
	free(buf);
	fclose(f);
	if (rc) {
		free(p->v);
		p->v = NULL;
		p->n = 0;
		free(p->slots);
		p->slots = NULL;
		p->n_slots = 0;
		p->lines.len = 0;
		p->lines_ok = true;
	}
	return rc;
}

static struct pins *pins_new(const char *state_dir)
{
	struct pins *p = calloc(1, sizeof(*p));

	if (p && !(p->dir = strdup(state_dir))) {
		free(p);
		p = NULL;
	}
	if (p)
		p->lines_ok = true;
	return p;
}

int pins_load(const char *state_dir, struct pins **out, struct config_errors *errs)
{
	struct pins *p = pins_new(state_dir);
	char *main_path = p ? path_in(p, "pins") : NULL;
	char *old_path = p ? path_in(p, "pins.old") : NULL;
	int rc, rc_old;

	*out = NULL;
	if (!main_path || !old_path) {
		rc = ERR_NOMEM;
		goto fail;
	}
	rc = read_file(p, main_path, errs);
	if (rc == 0)
		goto done;
	if (rc == ERR_IO || rc == ERR_NOMEM)
		goto fail;
	if (rc == ERR_NOTFOUND && access(old_path, F_OK) != 0) {
		rc = 0; /* no pins yet */
		goto done;
	}
	if (rc == ERR_NOTFOUND)
		config_error_add(errs, main_path, 0, "missing, but %s exists", old_path);
	p->main_bad = rc == ERR_PARSE;
	rc_old = read_file(p, old_path, errs);
	if (rc_old == 0) {
		config_error_add(errs, main_path, 0, "refused; using the %zu pins of %s, "
				 "which may miss the latest ones (check `dualikectl pins`)",
				 p->n, old_path);
		p->recovered = true;
		rc = 0;
		goto done;
	} else {
		config_error_add(errs, main_path, 0, "refused, and no good %s to fall back "
				 "to; fix or remove the file (every peer then loses its pin)",
				 old_path);
	}
	rc = ERR_PARSE;
	goto fail;
done:
	*out = p;
	p = NULL;
fail:
	free(main_path);
	free(old_path);
	pins_free(p);
	return rc;
}

void pins_free(struct pins *p)
{
	if (!p)
		return;
	free(p->v);
	free(p->slots);
	free(p->lines.p);
	free(p->dir);
	free(p);
}

bool pins_recovered(const struct pins *p)
{
	return p && p->recovered;
}

bool pins_is_pinned(const struct pins *p, const char *peer)
{
	return p && peer && find(p, peer) != NULL;
}

int pins_pin(struct pins *p, const char *peer, int64_t now)
{
	struct pin *pin;

	if (!p || !peer || !peer_ok(peer))
		return ERR_INVAL;
	pin = find(p, peer);
	if (pin) {
		if (pin->last != now) {
			pin->last = now;
			p->unsaved_times = true;
		}
		return 0;
	}
	if (add(p, peer, now, now))
		return ERR_NOMEM;
	p->unsaved_members = true;
	return 0;
}

int pins_unpin(struct pins *p, const char *peer)
{
	struct pin *pin = p && peer ? find(p, peer) : NULL;

	if (!pin)
		return ERR_NOTFOUND;
	memmove(pin, pin + 1, (size_t)(p->v + p->n - (pin + 1)) * sizeof(*pin));
	p->n--;
	p->unsaved_members = true;
	p->lines_ok = false;
	/* indexes past the removed pin moved down by one: rebuild (rare) */
	memset(p->slots, 0, p->n_slots * sizeof(*p->slots));
	for (size_t i = 0; i < p->n; i++)
		index_put(p, i);
	return 0;
}

bool pins_unsaved_members(const struct pins *p)
{
	return p && p->unsaved_members;
}

bool pins_unsaved(const struct pins *p)
{
	return p && (p->unsaved_members || p->unsaved_times);
}

const struct pin *pins_list(const struct pins *p, size_t *n)
{
	*n = p ? p->n : 0;
	return p ? p->v : NULL;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ERR_IO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Magic line, the pin lines, the end line with the count. */
static int write_tmp(struct pins *p, const char *tmp, struct config_errors *errs)
{
	struct text end = { 0 };
	int fd, rc = 0;

	if ((!p->lines_ok && !lines_rebuild(p)) ||
	    !text_str(&end, "end ") || !text_i64(&end, (int64_t)p->n) || !text_str(&end, "\n")) {
		free(end.p);
		return ERR_NOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		config_error_add(errs, tmp, 0, "cannot create: %s", strerror(errno));
		free(end.p);
		return ERR_IO;
	}
	if (write_all(fd, PINS_MAGIC "\n", strlen(PINS_MAGIC "\n")) != 0 ||
	    write_all(fd, p->lines.p, p->lines.len) != 0 || write_all(fd, end.p, end.len) != 0 ||
	    fsync(fd) != 0) {
		config_error_add(errs, tmp, 0, "cannot write: %s", strerror(errno));
		rc = ERR_IO;
	}
	if (close(fd) != 0 && rc == 0) {
		config_error_add(errs, tmp, 0, "cannot write: %s", strerror(errno));
		rc = ERR_IO;
	}
	if (rc)
		unlink(tmp);
	free(end.p);
	return rc;
}

/* Keep the current file: as pins.old when it was good, as pins.corrupt when refused. */
static void keep_current(struct pins *p, const char *main_path, const char *old_path)
{
	char *bad;

	if (access(main_path, F_OK) != 0)
		return;
	if (!p->main_bad) {
		if (unlink(old_path) == 0 || errno == ENOENT)
			(void)link(main_path, old_path);
		return;
	}
	bad = path_in(p, "pins.corrupt");
	if (bad)
		(void)rename(main_path, bad);
	free(bad);
}

/* full: every refreshed time too; otherwise the pin lines as they are kept. */
static int save_file(struct pins *p, struct config_errors *errs, bool full)
{
	char *main_path = path_in(p, "pins"), *old_path = path_in(p, "pins.old");
	char *tmp = path_in(p, "pins.tmp");
	int rc, dfd;

	if (!main_path || !old_path || !tmp) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (full && p->unsaved_times)
		p->lines_ok = false;
	rc = write_tmp(p, tmp, errs);
	if (rc)
		goto out;
	keep_current(p, main_path, old_path);
	if (rename(tmp, main_path) != 0) {
		config_error_add(errs, main_path, 0, "cannot replace with %s: %s", tmp,
				 strerror(errno));
		unlink(tmp);
		rc = ERR_IO;
		goto out;
	}
	p->main_bad = false;
	p->recovered = false;
	p->unsaved_members = false;
	if (full)
		p->unsaved_times = false;
	/* The rename is durable only once the folder itself is on disk. */
	dfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		config_error_add(errs, p->dir, 0, "cannot sync the folder: %s", strerror(errno));
		rc = ERR_IO;
	}
	if (dfd >= 0)
		close(dfd);
out:
	free(main_path);
	free(old_path);
	free(tmp);
	return rc;
}

int pins_save(struct pins *p, struct config_errors *errs)
{
	return save_file(p, errs, true);
}

int pins_save_members(struct pins *p, struct config_errors *errs)
{
	return save_file(p, errs, false);
}

const char *pins_peer_from_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
	struct conf_addr a;

	if (!conf_addr_from_sockaddr(sa, &a)) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	return conf_addr_str(&a, buf, len);
}
