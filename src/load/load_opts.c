/*
 * load_opts.c - dualike-load's command line. Proposals use dualike.conf's
 * tokens ("aes128-sha256-x25519"), checked by the daemon's own parser
 * later, in load_run.c, so the two never disagree.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "src/conf_errors.h"
#include "src/config.h"
#include "src/load/load.h"
#include "src/load/load_loop.h"

void load_usage(FILE *to)
{
	fprintf(to,
		"usage: dualike-load [options] TARGET\n"
		"  initiate IKE SAs (PSK, one child each) to TARGET (an IP address)\n"
		"      --version V         2: IKEv2 (default); 1: IKEv1 Main Mode + Quick Mode\n"
		"      --aggressive        IKEv1: Aggressive Mode instead of Main Mode\n"
		"  -n, --count N           IKE SAs to set up (100)\n"
		"  -w, --window N          at most N negotiations in flight (100)\n"
		"  -r, --rate R            at most R initiations per second (no limit)\n"
		"  -t, --time S            give up after S seconds (no limit)\n"
		"      --ike TOKENS        IKE proposals, dualike.conf tokens (aes128-sha256-x25519;\n"
		"                          IKEv1: aes128-sha256-modp2048)\n"
		"      --esp TOKENS        ESP proposals (aes128gcm16; IKEv1: aes128-sha256)\n"
		"      --psk SECRET        the pre-shared key (or DUALIKE_LOAD_PSK)\n"
		"      --local-id ID       our identity: address, fqdn or user@fqdn (our address)\n"
		"      --remote-id ID      the peer's expected identity (any)\n"
		"      --id-template T     one local identity per SA: T with %%u (0, 1, ...),\n"
		"                          e.g. init%%u.bench; overrides --local-id\n"
		"      --source ADDR       our address (from the route to TARGET)\n"
		"      --src-range A-B     one source address per SA, round robin (IPv4, local)\n"
		"      --src-ports N       send from N distinct UDP ports (500 alone)\n"
		"      --src-port-base P   first of those ports (20000)\n"
		"      --workers N         N generator processes, each a share of the count,\n"
		"                          window and rate, from its own UDP port(s) (1)\n"
		"      --threads N         crypto threads per process (one per core; 1 with\n"
		"                          --workers)\n"
		"      --ke-reuse N        use each of our KE keypairs for N SAs (RFC 7296 2.12;\n"
		"                          the responder's work is the same): a cheaper generator\n"
		"      --retransmit-tries N    sends of a request (5)\n"
		"      --retransmit-timeout MS first wait, doubled per try (1000)\n"
		"      --rekey N           then N child SA rekeys (CREATE_CHILD_SA; IKEv1: Quick\n"
		"                          Modes replacing IPsec SA pairs), timed\n"
		"      --pfs GROUP         rekeys with a KE of GROUP (x25519, ecp256, modp2048...);\n"
		"                          IKEv1: every Quick Mode, the first ones too\n"
		"      --delete            then delete every IKE SA and time it (IKEv1: Deletes\n"
		"                          for the IPsec and ISAKMP SAs, never answered)\n"
		"      --hold S            keep the SAs S seconds before leaving\n"
		"      --json              summary as one JSON object on stdout\n"
		"      --no-progress       no live line on a terminal\n"
		"  -q, --quiet             summary only\n");
}

static bool parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

/* "198.18.0.1-198.18.7.254" or "198.18.0.0/21" (every address of the prefix). */
static bool parse_range(const char *s, uint32_t *first, uint32_t *count)
{
	char buf[64];
	char *sep;
	struct in_addr a, b;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if ((sep = strchr(buf, '-'))) {
		*sep = 0;
		if (inet_pton(AF_INET, buf, &a) != 1 || inet_pton(AF_INET, sep + 1, &b) != 1)
			return false;
		if (ntohl(b.s_addr) < ntohl(a.s_addr))
			return false;
		*first = ntohl(a.s_addr);
		*count = ntohl(b.s_addr) - *first + 1;
		return true;
	}
	if ((sep = strchr(buf, '/'))) {
		char *end;
		long len;

		*sep = 0;
		len = strtol(sep + 1, &end, 10);
		if (*end || len < 8 || len > 32 || inet_pton(AF_INET, buf, &a) != 1)
			return false;
		*count = len == 32 ? 1 : (uint32_t)1 << (32 - len);
		*first = ntohl(a.s_addr) & ~(*count - 1);
		return true;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	*first = ntohl(a.s_addr);
	*count = 1;
	return true;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_pos(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static bool set_psk(struct load_opts *o, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(o->psk))
		return false;
	memcpy(o->psk, s, n);
	o->psk_len = n;
	return true;
}

/*
 * "init%u.bench": exactly one %u, no other '%', so the identity is the
 * template with the SA's number in place of %u (expanded by hand, never
 * handed to printf as a format).
 */
bool load_id_template_ok(const char *tmpl)
{
	const char *u = strstr(tmpl, "%u");

	return u && !strchr(u + 2, '%') && strchr(tmpl, '%') == u;
}

int load_id_expand(const char *tmpl, unsigned n, char *out, size_t out_len)
{
	const char *u = strstr(tmpl, "%u");
	int len;

	if (!u)
		return ERR_INVAL;
	len = snprintf(out, out_len, "%.*s%u%s", (int)(u - tmpl), tmpl, n, u + 2);
	return len < 0 || (size_t)len >= out_len ? ERR_INVAL : 0;
}

enum {
	OPT_IKE = 256, OPT_ESP, OPT_PSK, OPT_LID, OPT_RID, OPT_SOURCE, OPT_RANGE, OPT_PORTS,
	OPT_PORT_BASE, OPT_WORKERS, OPT_TRIES, OPT_TIMEOUT, OPT_DELETE, OPT_HOLD, OPT_JSON,
	OPT_NO_PROGRESS, OPT_HELP, OPT_ID_TEMPLATE, OPT_THREADS, OPT_REKEY, OPT_PFS,
	OPT_VERSION, OPT_AGGRESSIVE, OPT_KE_REUSE,
};

static const struct option longopts[] = {
	{ "count", required_argument, NULL, 'n' },
	{ "version", required_argument, NULL, OPT_VERSION },
	{ "aggressive", no_argument, NULL, OPT_AGGRESSIVE },
	{ "ke-reuse", required_argument, NULL, OPT_KE_REUSE },
	{ "window", required_argument, NULL, 'w' },
	{ "rate", required_argument, NULL, 'r' },
	{ "time", required_argument, NULL, 't' },
	{ "ike", required_argument, NULL, OPT_IKE },
	{ "esp", required_argument, NULL, OPT_ESP },
	{ "psk", required_argument, NULL, OPT_PSK },
	{ "local-id", required_argument, NULL, OPT_LID },
	{ "remote-id", required_argument, NULL, OPT_RID },
	{ "id-template", required_argument, NULL, OPT_ID_TEMPLATE },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "src-range", required_argument, NULL, OPT_RANGE },
	{ "src-ports", required_argument, NULL, OPT_PORTS },
	{ "src-port-base", required_argument, NULL, OPT_PORT_BASE },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "retransmit-tries", required_argument, NULL, OPT_TRIES },
	{ "retransmit-timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "rekey", required_argument, NULL, OPT_REKEY },
	{ "pfs", required_argument, NULL, OPT_PFS },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *what, const char *val)
{
	fprintf(stderr, "dualike-load: bad %s: %s\n", what, val ? val : "(missing)");
	return ERR_INVAL;
}

int load_opts_parse(int argc, char **argv, struct load_opts *o)
{
	const char *env_psk = getenv("DUALIKE_LOAD_PSK");
	unsigned u;
	bool threads_given = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->workers = 1;
	o->count = 100;
	o->window = 100;
	o->ike_version = 2;
	o->src_port_base = 20000;
	o->retransmit_tries = 5;
	o->retransmit_timeout_ms = 1000;
	o->progress = isatty(STDERR_FILENO);
	if (env_psk && !set_psk(o, env_psk))
		return bad("DUALIKE_LOAD_PSK", "(empty or too long)");
	while ((c = getopt_long(argc, argv, "n:w:r:t:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!parse_uint(optarg, 1, 10000000, &o->count))
				return bad("--count", optarg);
			break;
		case 'w':
			if (!parse_uint(optarg, 1, 100000, &o->window))
				return bad("--window", optarg);
			break;
		case 'r':
			if (!parse_pos(optarg, &o->rate))
				return bad("--rate", optarg);
			break;
		case 't':
			if (!parse_pos(optarg, &o->time_limit_s))
				return bad("--time", optarg);
			break;
		case OPT_VERSION:
			if (!parse_uint(optarg, 1, 2, &o->ike_version))
				return bad("--version (1 or 2)", optarg);
			break;
		case OPT_AGGRESSIVE: o->aggressive = true; break;
		case OPT_KE_REUSE:
			if (!parse_uint(optarg, 0, 1000000, &o->ke_reuse))
				return bad("--ke-reuse", optarg);
			break;
		case OPT_IKE: o->ike = optarg; break;
		case OPT_ESP: o->esp = optarg; break;
		case OPT_PSK:
			if (!set_psk(o, optarg))
				return bad("--psk", "(empty or too long)");
			break;
		case OPT_LID: o->local_id = optarg; break;
		case OPT_RID: o->remote_id = optarg; break;
		case OPT_ID_TEMPLATE:
			if (!load_id_template_ok(optarg))
				return bad("--id-template (one %u, no other %)", optarg);
			o->id_template = optarg;
			break;
		case OPT_SOURCE:
			if (!parse_addr(optarg, &o->source))
				return bad("--source", optarg);
			break;
		case OPT_RANGE:
			if (!parse_range(optarg, &o->src_first, &o->src_count))
				return bad("--src-range", optarg);
			break;
		case OPT_PORTS:
			if (!parse_uint(optarg, 1, 4096, &o->src_ports))
				return bad("--src-ports", optarg);
			break;
		case OPT_PORT_BASE:
			if (!parse_uint(optarg, 1, 65535, &u))
				return bad("--src-port-base", optarg);
			o->src_port_base = (uint16_t)u;
			break;
		case OPT_WORKERS:
			if (!parse_uint(optarg, 1, 64, &o->workers))
				return bad("--workers", optarg);
			break;
		case OPT_THREADS:
			if (!parse_uint(optarg, 0, 256, &o->threads))
				return bad("--threads", optarg);
			threads_given = true;
			break;
		case OPT_TRIES:
			if (!parse_uint(optarg, 1, 100, &o->retransmit_tries))
				return bad("--retransmit-tries", optarg);
			break;
		case OPT_TIMEOUT:
			if (!parse_uint(optarg, 10, 600000, &o->retransmit_timeout_ms))
				return bad("--retransmit-timeout", optarg);
			break;
		case OPT_DELETE: o->delete_phase = true; break;
		case OPT_REKEY:
			if (!parse_uint(optarg, 1, 10000000, &o->rekeys))
				return bad("--rekey", optarg);
			break;
		case OPT_PFS: o->pfs = optarg; break;
		case OPT_HOLD:
			if (!parse_pos(optarg, &o->hold_s))
				return bad("--hold", optarg);
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_NO_PROGRESS: o->progress = false; break;
		case 'q': o->quiet = true; o->progress = false; break;
		case OPT_HELP: load_usage(stdout); exit(0);
		default: load_usage(stderr); return ERR_INVAL;
		}
	}
	if (optind != argc - 1) {
		load_usage(stderr);
		return ERR_INVAL;
	}
	if (!parse_addr(argv[optind], &o->target))
		return bad("target address", argv[optind]);
	if (o->psk_len == 0)
		return bad("PSK", "give --psk or DUALIKE_LOAD_PSK");
	if (o->aggressive && o->ike_version != 1)
		return bad("--aggressive", "IKEv1 only (--version 1)");
	if (!o->ike) /* one group in Aggressive Mode: its KE goes out in the first message */
		o->ike = o->ike_version == 1 ? "aes128-sha256-modp2048" : "aes128-sha256-x25519";
	if (!o->esp)
		o->esp = o->ike_version == 1 ? "aes128-sha256" : "aes128gcm16";
	if (o->src_count && o->target.ss_family != AF_INET)
		return bad("--src-range", "IPv4 ranges need an IPv4 target");
	if ((unsigned)o->src_port_base + o->src_ports > 65536)
		return bad("--src-ports", "range runs past port 65535");
	if (o->window > o->count)
		o->window = o->count;
	if (o->workers > o->count)
		o->workers = o->count;
	if (o->workers > 1) {
		/* each worker binds its own port(s) from the base (load_workers.c) */
		unsigned ports = o->src_ports > o->workers ? o->src_ports : o->workers;

		if ((unsigned)o->src_port_base + ports > 65536)
			return bad("--workers", "their ports run past port 65535");
		if (!threads_given)
			o->threads = 1; /* the cores go to the processes */
	}
	return 0;
}

int load_proposals_parse(const char *text, bool ike, bool ikev1, struct conf_proposals *out)
{
	struct config_errors errs;
	const char *what = ike ? "--ike" : "--esp";
	int rc;

	memset(out, 0, sizeof(*out));
	config_errors_init(&errs);
	rc = conf_proposals_parse(text, out, what, 0, &errs);
	if (rc == 0)
		rc = config_check_proposals(out, ike, ikev1 ? CONF_VERSION_IKEV1 : CONF_VERSION_IKEV2,
					    what, 0, &errs);
	if (rc || errs.n) {
		config_errors_print(&errs, stderr);
		rc = rc ? rc : ERR_INVAL;
		conf_proposals_free(out);
	}
	config_errors_free(&errs);
	return rc;
}
