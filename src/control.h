/*
 * control.h - the daemon's control socket and the client side dualikectl uses.
 *
 * Protocol (one request per connection, text, documented in dualikectl(8)):
 *   request:  one line, words separated by spaces: COMMAND [ARG...] [--json]
 *   response: a first line "status N length L" (N: 0 = success, otherwise
 *             the exit code dualikectl returns; L: the body's length in
 *             octets), then the body, then the server closes. The client
 *             takes a body of another length as cut: an error.
 * The socket is created mode 0600 (or 0660 with a configured group); only
 * root or that group can talk to the daemon. The command grammar is a const
 * table given by the caller (src/ctl_cmds.c for the daemon).
 */
#ifndef DUALIKE_SRC_CONTROL_H
#define DUALIKE_SRC_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct event_base;
struct evbuffer;
struct control;

#define CONTROL_MAX_ARGS 8
#define CONTROL_MAX_LINE 1024

/* Run a command: write the body to out, return the status (0 = ok). */
typedef int (*control_fn)(void *ctx, int argc, char **argv, bool json,
			  struct evbuffer *out);

struct control_cmd {
	const char *name;
	const char *usage;   /* arguments, e.g. "NAME" */
	int min_args;
	int max_args;
	control_fn run;
	const char *help;
};

/*
 * Listen on path. group >= 0 makes the socket 0660 and owned by that group.
 * A stale socket file at path is replaced; any other file there is an error.
 */
int control_open(struct event_base *base, const char *path, gid_t group,
		 const struct control_cmd *table, void *ctx, struct control **out);
void control_close(struct control *c);
/* Find a command by name in a table ending with a NULL name. */
const struct control_cmd *control_find(const struct control_cmd *table, const char *name);

/*
 * Client: send argv as one request, collect the body (NUL-terminated,
 * malloc'd, caller frees) and the status, read until the daemon closes;
 * timeout_ms bounds each wait for more bytes. A stall before EOF: ERR_IO.
 */
int control_request(const char *path, int argc, char **argv, int timeout_ms,
		    char **body, int *status);

#endif
