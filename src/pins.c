/* pins.c - the downgrade-protection memory and its crash-safe file (see pins.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

struct pins {
	char *dir;
	struct pin *v;
	size_t n;
	bool recovered; /* loaded from pins.old */
	bool main_bad;  /* the pins file was refused: never link it over pins.old */
};

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
	for (size_t i = 0; i < p->n; i++)
		if (strcasecmp(p->v[i].peer, peer) == 0)
			return &p->v[i];
	return NULL;
}

static int add(struct pins *p, const char *peer, int64_t first, int64_t last)
{
	struct pin *v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v)
		return ERR_NOMEM;
	p->v = v;
	memset(&v[p->n], 0, sizeof(v[p->n]));
	snprintf(v[p->n].peer, sizeof(v[p->n].peer), "%s", peer);
	v[p->n].first = first;
	v[p->n].last = last;
	p->n++;
	return 0;
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
		pin->last = now;
		return 0;
	}
	return add(p, peer, now, now);
}

int pins_unpin(struct pins *p, const char *peer)
{
	struct pin *pin = p && peer ? find(p, peer) : NULL;

	if (!pin)
		return ERR_NOTFOUND;
	memmove(pin, pin + 1, (size_t)(p->v + p->n - (pin + 1)) * sizeof(*pin));
	p->n--;
	return 0;
}

const struct pin *pins_list(const struct pins *p, size_t *n)
{
	*n = p ? p->n : 0;
	return p ? p->v : NULL;
}

static int write_tmp(const struct pins *p, const char *tmp, struct config_errors *errs)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FILE *f;
	int rc = 0;

	if (fd < 0) {
		config_error_add(errs, tmp, 0, "cannot create: %s", strerror(errno));
		return ERR_IO;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return ERR_NOMEM;
	}
	fprintf(f, "%s\n", PINS_MAGIC);
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "pin %s %" PRId64 " %" PRId64 "\n", p->v[i].peer, p->v[i].first,
			p->v[i].last);
	fprintf(f, "end %zu\n", p->n);
	if (fflush(f) != 0 || fsync(fd) != 0) {
		config_error_add(errs, tmp, 0, "cannot write: %s", strerror(errno));
		rc = ERR_IO;
	}
	if (fclose(f) != 0 && rc == 0) {
		config_error_add(errs, tmp, 0, "cannot write: %s", strerror(errno));
		rc = ERR_IO;
	}
	if (rc)
		unlink(tmp);
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

int pins_save(struct pins *p, struct config_errors *errs)
{
	char *main_path = path_in(p, "pins"), *old_path = path_in(p, "pins.old");
	char *tmp = path_in(p, "pins.tmp");
	int rc, dfd;

	if (!main_path || !old_path || !tmp) {
		rc = ERR_NOMEM;
		goto out;
	}
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
