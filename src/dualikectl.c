/*
 * dualikectl - talk to dualiked over its control socket.
 *
 *   dualikectl [-s SOCKET] [--json] COMMAND [ARG...]
 *
 * The command grammar lives in the daemon (src/ctl_cmds.c); this client
 * sends the words as one request line, prints the body and exits with the
 * status the daemon returned (dualikectl(8) lists the commands and the
 * --json shapes). `dualikectl help` asks the daemon for its command list.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "src/control.h"

#ifndef DUALIKE_CONTROL_SOCKET
#define DUALIKE_CONTROL_SOCKET "/run/dualike/dualiked.sock"
#endif

/* Long enough for a reload that re-reads every file. */
#define CTL_TIMEOUT_MS 15000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualikectl [-s SOCKET] [--json] COMMAND [ARG...]\n"
		"commands: status, list-conns, list-sas, up NAME, down NAME, rekey NAME [child|ike|new-child],\n"
		"          reload, stats,\n"
		"          pins, unpin PEER, migration-report, help\n"
		"SOCKET defaults to $DUALIKE_CTL or %s\n", DUALIKE_CONTROL_SOCKET);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("DUALIKE_CTL");
	char *words[CONTROL_MAX_ARGS + 2];
	char *body = NULL;
	bool json = false;
	int opt, n = 0, status, rc;

	if (!path || !*path)
		path = DUALIKE_CONTROL_SOCKET;
	while ((opt = getopt_long(argc, argv, "+s:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (argc - optind > CONTROL_MAX_ARGS) {
		fprintf(stderr, "dualikectl: too many arguments\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			words[n++] = argv[i];
	}
	if (json)
		words[n++] = "--json";
	rc = control_request(path, n, words, CTL_TIMEOUT_MS, &body, &status);
	if (rc < 0) {
		fprintf(stderr, "dualikectl: cannot talk to dualiked at %s: %s "
			"(is it running? is -s right?)\n", path, err_str(rc));
		return 1;
	}
	fputs(body, status == 0 ? stdout : stderr);
	free(body);
	return status;
}
