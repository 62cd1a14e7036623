/*
 * dualiked - the dual-stack IKEv1/IKEv2 daemon.
 *
 *   dualiked [-f] [-c FILE] [--check-config] [--list-algorithms] [--version]
 *
 * Without -f it daemonises (fork, setsid, stdio to /dev/null, logs to
 * syslog). Under systemd (Type=notify) it tells the manager it is ready by
 * writing "READY=1" to $NOTIFY_SOCKET itself: the protocol is one datagram,
 * and writing it here spares the daemon a libsystemd dependency.
 */
#include "dualike-build.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/xform.h"
#include "src/conf_cert.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/engine_v1_cert.h"

#ifndef DUALIKE_CONFIG_FILE
#define DUALIKE_CONFIG_FILE "/etc/dualike/dualike.conf"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualiked [-f] [-c FILE] [--check-config] [--list-algorithms] [--version]\n"
		"  -f, --foreground     stay in the foreground and log to stderr\n"
		"  -c, --config FILE    configuration (default %s)\n"
		"  --check-config       parse everything, print each problem, exit non-zero if any\n"
		"  --list-algorithms    print the transform registry and exit\n"
		"  --version            print the version and exit\n", DUALIKE_CONFIG_FILE);
}

/* Tell systemd we are up (sd_notify protocol: one datagram to $NOTIFY_SOCKET). */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sun, len) < 0)
		log_warn(&log_global, "could not notify systemd at %s", path);
	close(fd);
}

static int check_config(const char *path)
{
	struct config_errors errs;
	struct config *cfg = NULL;
	size_t refused;
	int rc;

	config_errors_init(&errs);
	rc = config_load(path, &cfg, &errs);
	if (rc) {
		config_errors_print(&errs, stdout);
		if (errs.n == 0)
			printf("%s: %s\n", path, err_str(rc));
		config_errors_free(&errs);
		return 1;
	}
	/* what the IKEv1 engine will refuse at load (an Ed25519 key, ...) is a problem too */
	refused = engine_v1_check_config(cfg, stdout);
	if (refused)
		printf("%s: %zu IKEv1 connection(s) refused\n", path, refused);
	else
		printf("%s: ok, %zu connection(s)\n", path, cfg->n_conns);
	conf_cert_print(cfg, stdout);
	config_free(cfg);
	config_errors_free(&errs);
	return refused ? 1 : 0;
}

static void list_algorithms(void)
{
	printf("%-6s %-18s %6s %6s %6s %5s %4s %4s %-7s %s\n", "type", "name", "ikev2",
	       "ikev1", "esp", "key", "iv", "icv", "weak", "library");
	for (size_t i = 0; i < xform_count(); i++) {
		const struct xform *x = xform_at(i);

		printf("%-6s %-18s %6u %6u %6u %5u %4u %4u %-7s %s\n", xform_type_name(x->type),
		       x->name, x->v2_id, x->ike_value, x->ipsec_value, x->key_bits,
		       x->iv_size, x->icv_size, x->weak ? "weak" : "", x->impl);
	}
}

static int daemonise(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return ERR_IO;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return ERR_IO;
	if (chdir("/") < 0)
		return ERR_IO;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ERR_IO;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "list-algorithms", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DUALIKE_CONFIG_FILE;
	bool foreground = false, check = false;
	struct daemon d;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "fc:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': foreground = true; break;
		case 'c': config_path = optarg; break;
		case 'C': check = true; break;
		case 'L': list_algorithms(); return 0;
		case 'V': printf("dualiked %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (check)
		return check_config(config_path);
	log_setup(foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG, LOG_LEVEL_INFO, "dualiked");
	/* before anything draws: SPIs, nonces, IVs, KE private values (rand.h) */
	if (rand_pool_setup() != 0) {
		log_error(&log_global, "libsodium did not initialise");
		return 1;
	}
	if (daemon_start(&d, config_path) != 0)
		return 1;
	if (!foreground && (daemonise() != 0 || daemon_after_fork(&d) != 0)) {
		log_error(&log_global, "could not daemonise");
		daemon_stop(&d);
		return 1;
	}
	notify_ready();
	rc = daemon_run(&d);
	daemon_stop(&d);
	rand_pool_drop(); /* the main thread's; workers' go with their threads */
	log_info(&log_global, "stopped");
	return rc ? 1 : 0;
}
