/* control_test.c - control socket protocol, mode, grammar errors, JSON escaping. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/log.h"
#include "src/control.h"
#include "src/json.h"
#include "testsuite/lib/tap.h"

static int cmd_echo(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	(void)ctx;
	if (json) {
		struct json j;

		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "args");
		for (int i = 1; i < argc; i++)
			json_string(&j, NULL, argv[i]);
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		evbuffer_add_printf(out, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
	return 0;
}

static int cmd_fail(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	(void)ctx; (void)argc; (void)argv; (void)json;
	evbuffer_add_printf(out, "no such connection\n");
	return 1;
}

/* A reply the size of a 100,000-SA listing's JSON (~3 MB). */
#define BIG_SAS 100000

static int cmd_big(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	(void)ctx; (void)argc; (void)argv; (void)json;
	for (unsigned i = 0; i < BIG_SAS; i++)
		evbuffer_add_printf(out, "{\"ike_sa\":%u,\"state\":\"ESTABLISHED\"}\n", i);
	return 0;
}

static const struct control_cmd table[] = {
	{ "echo", "[WORD...]", 0, 3, cmd_echo, "print the words back" },
	{ "fail", "", 0, 0, cmd_fail, "always fails" },
	{ "big", "", 0, 0, cmd_big, "a large reply" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static void test_json(void)
{
	struct evbuffer *b = evbuffer_new();
	struct json j;
	char out[256];
	size_t n;

	json_init(&j, b);
	json_object_begin(&j, NULL);
	json_string(&j, "name", "a\"b\\c\n\x01");
	json_uint(&j, "n", 42);
	json_array_begin(&j, "list");
	json_bool(&j, NULL, true);
	json_null(&j, NULL);
	json_int(&j, NULL, -3);
	json_array_end(&j);
	json_object_begin(&j, "empty");
	json_object_end(&j);
	json_object_end(&j);
	n = evbuffer_remove(b, out, sizeof(out) - 1);
	out[n] = '\0';
	tap_eq_str(out, "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":42,\"list\":[true,null,-3],\"empty\":{}}",
		   "JSON: escaping, commas, nesting");
	evbuffer_free(b);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * A stand-in daemon that answers slowly: "status 0", then `chunks` lines
 * `gap_ms` apart, then (after stall_ms more) closes. As a large listing
 * arrives: in pieces, over longer than the client's timeout in total.
 */
static pid_t slow_server(const char *sock, int chunks, int gap_ms, int stall_ms,
			 const char *first)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	unlink(sock);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 1) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char req[256], line[32];
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0 || read(fd, req, sizeof(req)) <= 0)
			_exit(1);
		if (write(fd, first, strlen(first)) != (ssize_t)strlen(first))
			_exit(1);
		for (int i = 0; i < chunks; i++) {
			int n = snprintf(line, sizeof(line), "sa %d\n", i);

			usleep((useconds_t)gap_ms * 1000);
			if (write(fd, line, (size_t)n) != n)
				_exit(1);
		}
		usleep((useconds_t)stall_ms * 1000);
		close(fd);
		_exit(0);
	}
	close(lfd);
	return pid;
}

static void test_slow_replies(const char *dir)
{
	char sock[128], *body = NULL, *argv[] = { "list-sas" };
	int status = -1, rc;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/slow", dir);
	/* 12 lines 100 ms apart: 1.2 s in all, each gap well under 500 ms */
	pid = slow_server(sock, 12, 100, 0, "status 0\n");
	rc = control_request(sock, 1, argv, 500, &body, &status);
	tap_ok(rc == 0 && status == 0, "a reply longer in total than the timeout completes");
	tap_eq_int(body ? (long long)count_lines(body) : -1, 12, "every line of it arrives");
	tap_ok(body && strstr(body, "sa 11\n"), "up to the last");
	free(body);
	body = NULL;
	waitpid(pid, NULL, 0);

	/* a daemon that stalls mid-reply: an error, never the part as the whole */
	pid = slow_server(sock, 2, 10, 1500, "status 0\n");
	rc = control_request(sock, 1, argv, 300, &body, &status);
	tap_ok(rc < 0 && body == NULL, "a reply stalled before EOF is an error (rc %d)", rc);
	free(body);
	body = NULL;
	waitpid(pid, NULL, 0);

	/* a daemon that closes before the length it announced: cut, an error */
	pid = slow_server(sock, 3, 1, 0, "status 0 length 4096\n");
	rc = control_request(sock, 1, argv, 1000, &body, &status);
	tap_ok(rc < 0 && body == NULL, "a reply shorter than its length is an error (rc %d)", rc);
	free(body);
	body = NULL;
	waitpid(pid, NULL, 0);

	/* 3 lines "sa N\n" are 15 octets: exactly the length announced */
	pid = slow_server(sock, 3, 1, 0, "status 0 length 15\n");
	rc = control_request(sock, 1, argv, 1000, &body, &status);
	tap_ok(rc == 0 && status == 0 && body && strcmp(body, "sa 0\nsa 1\nsa 2\n") == 0,
	       "a reply of its announced length is whole");
	free(body);
	waitpid(pid, NULL, 0);
	unlink(sock);
}

/* A request line past CONTROL_MAX_LINE, sent by hand (control_request refuses to). */
static void test_too_long(const char *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[CONTROL_MAX_LINE + 64], reply[256];
	size_t used = 0;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		tap_ok(false, "socket path fits sun_path");
		if (fd >= 0)
			close(fd);
		return;
	}
	memcpy(sun.sun_path, sock, strlen(sock) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    write(fd, line, sizeof(line)) != (ssize_t)sizeof(line)) {
		tap_ok(false, "a too-long request reaches the server");
		if (fd >= 0)
			close(fd);
		return;
	}
	while (used < sizeof(reply) - 1 && (n = read(fd, reply + used, sizeof(reply) - 1 - used)) > 0)
		used += (size_t)n;
	reply[used] = 0;
	close(fd);
	tap_eq_str(reply, "status 2 length 17\nrequest too long\n",
		   "a request past the line limit: status 2, its length, the reason");
}

static void silence(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl; (void)line; (void)arg;
}

int main(void)
{
	char path[100]; /* with "/ctl", within a Unix socket's 108 bytes */
	char sock[128];
	struct stat st;
	pid_t pid;
	char *body = NULL;
	int status = -1, rc;

	test_json();
	if (!tap_mkdtemp(path, sizeof(path), "dualike-ctl"))
		return tap_skip_all("cannot make a temporary folder");
	snprintf(sock, sizeof(sock), "%s/ctl", path);
	pid = fork();
	if (pid == 0) {
		struct event_base *base = event_base_new();
		struct control *c;
		struct timeval limit = { .tv_sec = 10 };

		log_set_sink(silence, NULL);
		if (control_open(base, sock, (gid_t)-1, table, NULL, &c) != 0)
			_exit(1);
		event_base_loopexit(base, &limit); /* bounded even if the parent dies */
		event_base_dispatch(base);
		control_close(c);
		event_base_free(base);
		_exit(0);
	}
	for (int i = 0; i < 200 && stat(sock, &st) != 0; i++)
		usleep(10000);
	tap_ok(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode), "control socket exists");
	tap_eq_int(st.st_mode & 0777, 0600, "control socket is mode 0600");

	{
		char *argv[] = { "echo", "hello", "world" };

		rc = control_request(sock, 3, argv, 3000, &body, &status);
		tap_ok(rc == 0 && status == 0, "echo succeeds");
		tap_eq_str(body, "hello world\n", "echo body");
		free(body);
	}
	{
		char *argv[] = { "echo", "x\"y", "--json" };

		rc = control_request(sock, 3, argv, 3000, &body, &status);
		tap_eq_str(body, "{\"args\":[\"x\\\"y\"]}\n", "--json gives the JSON shape");
		free(body);
	}
	{
		char *argv[] = { "fail" };

		rc = control_request(sock, 1, argv, 3000, &body, &status);
		tap_ok(rc == 0 && status == 1 && strstr(body, "no such connection"),
		       "a failing command returns its status and message");
		free(body);
	}
	{
		char *argv[] = { "nonsense" };

		rc = control_request(sock, 1, argv, 3000, &body, &status);
		tap_ok(rc == 0 && status == 2 && strstr(body, "unknown command 'nonsense'") &&
		       strstr(body, "echo"), "unknown command: status 2 and the command list");
		free(body);
	}
	{
		char *argv[] = { "fail", "extra" };

		rc = control_request(sock, 2, argv, 3000, &body, &status);
		tap_ok(rc == 0 && status == 2 && strstr(body, "usage: fail"),
		       "wrong argument count: status 2 and usage");
		free(body);
	}
	{
		char *argv[] = { "big" };

		rc = control_request(sock, 1, argv, 3000, &body, &status);
		tap_ok(rc == 0 && status == 0, "a %d-line reply succeeds", BIG_SAS);
		tap_eq_int(body ? (long long)count_lines(body) : -1, BIG_SAS, "all its lines arrive");
		tap_ok(body && strstr(body, "{\"ike_sa\":99999,"), "the last one included");
		free(body);
	}
	test_slow_replies(path);
	test_too_long(sock);
	{
		char *argv[] = { "echo" };

		rc = control_request("/tmp/dualike-no-such-socket", 1, argv, 500, &body, &status);
		tap_ok(rc < 0 && body == NULL, "no daemon: an error, not a hang");
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(sock);
	rmdir(path);
	return tap_done();
}
