/* control.c - control socket server and client (see control.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "common/err.h"
#include "common/log.h"
#include "src/control.h"

/* A request must arrive within this time, or the connection is dropped. */
#define CONTROL_READ_TIMEOUT_S 5

struct control {
	struct evconnlistener *listener;
	const struct control_cmd *table;
	void *ctx;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

const struct control_cmd *control_find(const struct control_cmd *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static void control_usage(const struct control_cmd *table, struct evbuffer *out)
{
	evbuffer_add_printf(out, "commands:\n");
	for (; table->name; table++)
		evbuffer_add_printf(out, "  %-18s %-10s %s\n", table->name,
				    table->usage ? table->usage : "", table->help);
}

/* Split a request line, run the command, write "status N" + body. */
static void control_dispatch(struct control *c, char *line, struct evbuffer *reply)
{
	struct evbuffer *body = evbuffer_new();
	char *argv[CONTROL_MAX_ARGS + 1], *save = NULL, *tok;
	const struct control_cmd *cmd;
	int argc = 0, status;
	bool json = false, too_many = false;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "--json") == 0)
			json = true;
		else if (argc < CONTROL_MAX_ARGS)
			argv[argc++] = tok;
		else
			too_many = true;
	}
	argv[argc] = NULL;
	if (argc == 0 || !(cmd = control_find(c->table, argv[0]))) {
		if (argc)
			evbuffer_add_printf(body, "unknown command '%s'\n", argv[0]);
		control_usage(c->table, body);
		status = 2;
	} else if (too_many || argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
		evbuffer_add_printf(body, "usage: %s %s\n", cmd->name, cmd->usage ? cmd->usage : "");
		status = 2;
	} else {
		status = cmd->run(c->ctx, argc, argv, json, body);
	}
	/* the length lets the client tell a whole reply from one cut short */
	evbuffer_add_printf(reply, "status %d length %zu\n", status, evbuffer_get_length(body));
	evbuffer_add_buffer(reply, body);
	evbuffer_free(body);
}

static void control_on_write_done(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void control_on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	bufferevent_free(bev); /* EOF, error or timeout: the request is gone */
}

static void control_on_read(struct bufferevent *bev, void *arg)
{
	struct control *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	static const char too_long[] = "request too long\n";

	if (!line) {
		if (evbuffer_get_length(in) > CONTROL_MAX_LINE)
			bufferevent_free(bev);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	if (n <= CONTROL_MAX_LINE)
		control_dispatch(c, line, bufferevent_get_output(bev));
	else
		evbuffer_add_printf(bufferevent_get_output(bev), "status 2 length %zu\n%s",
				    sizeof(too_long) - 1, too_long);
	free(line);
	bufferevent_setcb(bev, NULL, control_on_write_done, control_on_event, c);
}

static void control_on_accept(struct evconnlistener *l, evutil_socket_t fd,
			      struct sockaddr *sa, int salen, void *arg)
{
	struct timeval tv = { .tv_sec = CONTROL_READ_TIMEOUT_S };
	struct bufferevent *bev;

	(void)sa;
	(void)salen;
	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, control_on_read, NULL, control_on_event, arg);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
}

int control_open(struct event_base *base, const char *path, gid_t group,
		 const struct control_cmd *table, void *ctx, struct control **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *c;
	struct stat st;
	mode_t old_umask;

	*out = NULL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ERR_INVAL;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_error(&log_global, "control socket %s: a non-socket file is in the way", path);
			return ERR_IO;
		}
		unlink(path);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	c->table = table;
	c->ctx = ctx;
	snprintf(c->path, sizeof(c->path), "%s", path);
	/*
	 * Bound and listening under PATH.new, then renamed: the socket appears
	 * at PATH only once it accepts, so a client that waits for the file
	 * (scripts, the lab) is never refused in the moment between bind() and
	 * listen(). Without room for the suffix, PATH itself is bound.
	 */
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s.new", path) >= (int)sizeof(sun.sun_path))
		memcpy(sun.sun_path, path, strlen(path) + 1);
	if (strcmp(sun.sun_path, path) != 0 && lstat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(sun.sun_path); /* left by a process that died before its rename */
	/* created with no group/other bits at all: no window where others could connect */
	old_umask = umask(0177);
	c->listener = evconnlistener_new_bind(base, control_on_accept, c,
					      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
					      (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (!c->listener) {
		log_error(&log_global, "control socket %s: %s", sun.sun_path, strerror(errno));
		free(c);
		return ERR_IO;
	}
	if (group != (gid_t)-1 &&
	    (chown(sun.sun_path, (uid_t)-1, group) < 0 || chmod(sun.sun_path, 0660) < 0))
		log_warn(&log_global, "control socket %s: cannot give group %u access: %s",
			 path, (unsigned)group, strerror(errno));
	if (strcmp(sun.sun_path, path) != 0 && rename(sun.sun_path, path) < 0) {
		log_error(&log_global, "control socket %s: cannot rename %s to it: %s", path,
			  sun.sun_path, strerror(errno));
		evconnlistener_free(c->listener);
		unlink(sun.sun_path);
		free(c);
		return ERR_IO;
	}
	*out = c;
	return 0;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	evconnlistener_free(c->listener);
	unlink(c->path);
	free(c);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int control_request(const char *path, int argc, char **argv, int timeout_ms,
		    char **body, int *status)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char req[CONTROL_MAX_LINE + 2];
	size_t len = 0, cap = 4096, used = 0;
	char *buf;
	int64_t deadline = now_ms() + timeout_ms;
	int fd, rc = 0;

	*body = NULL;
	*status = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ERR_INVAL;
	for (int i = 0; i < argc; i++) {
		int n = snprintf(req + len, sizeof(req) - len, "%s%s", i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(req) - len - 1)
			return ERR_OVERFLOW;
		len += (size_t)n;
	}
	req[len++] = '\n';
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    write(fd, req, len) != (ssize_t)len) {
		close(fd);
		return ERR_IO;
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return ERR_NOMEM;
	}
	/*
	 * The daemon closes the connection once the whole reply is written, so
	 * only EOF means complete. timeout_ms bounds each wait for more bytes,
	 * not the whole transfer: a reply of 100,000 SAs takes longer than any
	 * fixed total (a total deadline cut such listings at ~65k, returning
	 * the part as if it were all). A stall or error before EOF is an error.
	 */
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			rc = ERR_IO;
			break;
		}
		if (used + 1024 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				rc = ERR_NOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = ERR_IO;
		if (n <= 0)
			break;
		used += (size_t)n;
		deadline = now_ms() + timeout_ms;
	}
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[used] = '\0';
	if (sscanf(buf, "status %d", status) != 1) {
		free(buf);
		return ERR_PARSE;
	}
	{
		char *nl = strchr(buf, '\n');
		size_t got = nl ? used - (size_t)(nl + 1 - buf) : 0, want;
		char *b;

		/*
		 * "status N length L": a body of any other length was cut (the
		 * daemon gave up writing, or died): an error, never the part
		 * as the whole. A daemon without the length is taken at EOF.
		 */
		if (nl && sscanf(buf, "status %*d length %zu", &want) == 1 && want != got) {
			free(buf);
			*status = -1;
			return ERR_IO;
		}
		b = strdup(nl ? nl + 1 : "");

		free(buf);
		if (!b)
			return ERR_NOMEM;
		*body = b;
	}
	return 0;
}
