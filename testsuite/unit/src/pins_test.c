/*
 * pins_test.c - downgrade-protection pins: a save/load cycle (a restart),
 * unpin, and torn writes: a garbage pins.tmp left by a crash is ignored, a
 * truncated or garbled pins file is refused with its line and the pins of
 * pins.old are used, and the refused file never replaces pins.old.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "src/pins.h"
#include "testsuite/lib/tap.h"

static char dir[256];

static const char *in_dir(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(in_dir(name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool exists(const char *name)
{
	return access(in_dir(name), F_OK) == 0;
}

/* Cut the pins file to its first n bytes, as a torn write would. */
static void truncate_pins(long n)
{
	if (truncate(in_dir("pins"), n) != 0)
		tap_diag("truncate failed");
}

static bool has_error(const struct config_errors *e, const char *file, int line, const char *a)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].line == line && strstr(e->v[i].msg, a) &&
		    (!file || strcmp(e->v[i].file, in_dir(file)) == 0))
			return true;
	return false;
}

static void test_cycle(void)
{
	struct pins *p = NULL;
	struct config_errors e;
	const struct pin *list;
	size_t n;

	config_errors_init(&e);
	tap_eq_int(pins_load(dir, &p, &e), 0, "an empty state folder loads");
	pins_list(p, &n);
	tap_ok(p && n == 0, "with no pins");
	tap_ok(!pins_is_pinned(p, "198.51.100.7"), "nothing is pinned yet");
	tap_eq_int(pins_pin(p, "198.51.100.7", 1000), 0, "pin an address");
	tap_eq_int(pins_pin(p, "office@example.com", 2000), 0, "pin an identity");
	tap_eq_int(pins_pin(p, "198.51.100.7", 3000), 0, "pinning again refreshes");
	tap_eq_int(pins_pin(p, "bad peer", 1), ERR_INVAL, "a key with a space is refused");
	tap_eq_int(pins_pin(p, "", 1), ERR_INVAL, "an empty key is refused");
	tap_eq_int(pins_save(p, &e), 0, "save");
	tap_ok(exists("pins") && !exists("pins.tmp"), "pins written, no temp file left");
	pins_free(p);

	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "load after a restart");
	list = pins_list(p, &n);
	tap_eq_int((long long)n, 2, "both pins survive");
	tap_ok(n == 2 && strcmp(list[0].peer, "198.51.100.7") == 0 && list[0].first == 1000 &&
	       list[0].last == 3000, "first and latest completion times survive");
	tap_ok(pins_is_pinned(p, "OFFICE@example.com"), "identities match without case");
	tap_ok(!pins_recovered(p), "not a recovery");
	tap_eq_int(pins_unpin(p, "198.51.100.7"), 0, "unpin");
	tap_eq_int(pins_unpin(p, "198.51.100.7"), ERR_NOTFOUND, "unpin twice: not found");
	tap_ok(!pins_is_pinned(p, "198.51.100.7"), "no longer pinned");
	tap_eq_int(pins_save(p, &e), 0, "save after unpin");
	tap_ok(exists("pins.old"), "the previous good file is kept as pins.old");
	pins_free(p);
	p = NULL;
	pins_load(dir, &p, &e);
	tap_ok(p && !pins_is_pinned(p, "198.51.100.7") && pins_is_pinned(p, "office@example.com"),
	       "the unpin survives a restart");
	tap_eq_int((long long)e.n, 0, "no problem reported along the way");
	pins_free(p);
	config_errors_free(&e);
}

static void test_torn(void)
{
	struct pins *p = NULL;
	struct config_errors e;
	size_t n;

	config_errors_init(&e);
	/* Start over: pins.old = {a}, pins = {a, b}. */
	unlink(in_dir("pins"));
	unlink(in_dir("pins.old"));
	pins_load(dir, &p, &e);
	pins_pin(p, "192.0.2.10", 10);
	pins_save(p, &e);
	pins_pin(p, "192.0.2.11", 11);
	pins_save(p, &e);
	pins_free(p);

	/* A crash while writing pins.tmp: the file left behind is garbage. */
	write_file("pins.tmp", "dualike-pins 1\npin 192.0.2.99 1 1\npin 192.0.2.");
	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "a torn pins.tmp does not disturb loading");
	tap_ok(p && pins_is_pinned(p, "192.0.2.11") && !pins_is_pinned(p, "192.0.2.99"),
	       "the pins are the saved ones, not the torn temp file's");
	tap_eq_int(pins_save(p, &e), 0, "the next save replaces the torn temp file");
	pins_free(p);

	/* The pins file itself cut short (no end line). */
	truncate_pins(40);
	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "a truncated pins file: loading recovers");
	tap_ok(has_error(&e, "pins", 3, "damaged"), "the pins file is refused with its line and why");
	tap_ok(has_error(&e, "pins", 0, "pins.old"), "and says pins.old is used");
	tap_ok(p && pins_recovered(p), "the pins of pins.old are used");
	tap_ok(p && pins_is_pinned(p, "192.0.2.10") && pins_is_pinned(p, "192.0.2.11"),
	       "no saved pin is lost");
	for (size_t i = 0; i < e.n; i++)
		tap_diag("%s:%d: %s", e.v[i].file, e.v[i].line, e.v[i].msg);
	config_errors_free(&e);
	tap_eq_int(pins_save(p, &e), 0, "saving after a recovery works");
	tap_ok(exists("pins.corrupt"), "the refused file is kept as pins.corrupt");
	pins_free(p);
	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "and the next load is clean");
	pins_list(p, &n);
	tap_eq_int((long long)n, 2, "with both pins");
	pins_free(p);

	/* pins.old must still be a good file: the bad one was never linked over it. */
	write_file("pins", "dualike-pins 1\npin 192.0.2.10 10 10\ngarbage here\nend 1\n");
	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "a garbled line: loading recovers");
	tap_ok(has_error(&e, "pins", 3, "damaged"), "the pins file is refused at its line (3)");
	tap_ok(p && pins_is_pinned(p, "192.0.2.11"), "pins.old was good and is used");
	pins_free(p);
	config_errors_free(&e);

	write_file("pins", "dualike-pins 1\npin 192.0.2.10 10 10\nend 5\n");
	write_file("pins.old", "");
	p = (struct pins *)&p;
	tap_eq_int(pins_load(dir, &p, &e), ERR_PARSE, "a wrong count with no good pins.old is refused");
	tap_ok(has_error(&e, "pins", 3, "counts 5"), "the count mismatch is named");
	tap_ok(p == NULL && has_error(&e, "pins", 0, "no good"), "and nothing is made up");
	config_errors_free(&e);

	unlink(in_dir("pins"));
	write_file("pins.old", "dualike-pins 1\npin 192.0.2.10 10 10\nend 1\n");
	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "pins missing while pins.old exists: recovers");
	tap_ok(p && pins_recovered(p) && pins_is_pinned(p, "192.0.2.10") && has_error(&e, "pins", 0, "missing"),
	       "from pins.old, and says the pins file is missing");
	pins_free(p);
	config_errors_free(&e);
}

static void test_peer_key(void)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	char buf[64];

	inet_pton(AF_INET6, "::ffff:192.0.2.1", &in6.sin6_addr);
	tap_eq_str(pins_peer_from_sockaddr((struct sockaddr *)&in6, buf, sizeof(buf)), "192.0.2.1",
		   "an IPv4-mapped peer is keyed by its IPv4 address");
	inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
	tap_eq_str(pins_peer_from_sockaddr((struct sockaddr *)&in6, buf, sizeof(buf)), "2001:db8::1",
		   "an IPv6 peer");
}

/* The index: thousands of pins, case-insensitive, unpin in the middle, a reload. */
static void test_many(void)
{
	struct pins *p = NULL;
	struct config_errors e;
	char key[64];
	size_t n, found = 0;
	bool order = true;
	const struct pin *list;

	config_errors_init(&e);
	unlink(in_dir("pins"));
	unlink(in_dir("pins.old"));
	tap_eq_int(pins_load(dir, &p, &e), 0, "a fresh folder loads");
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "peer%u.Example.COM", i);
		if (pins_pin(p, key, 100 + i) != 0)
			break;
	}
	list = pins_list(p, &n);
	tap_eq_int((int)n, 3000, "3000 pins made");
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "PEER%u.example.com", i);
		found += pins_is_pinned(p, key);
	}
	tap_eq_int((int)found, 3000, "each is found, whatever the case of its key");
	tap_ok(!pins_is_pinned(p, "peer3000.example.com") && !pins_is_pinned(p, "peer1"),
	       "keys never pinned are not found");
	tap_eq_int(pins_unpin(p, "peer1500.example.com"), 0, "unpin one in the middle");
	found = 0;
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "peer%u.example.com", i);
		found += pins_is_pinned(p, key);
	}
	tap_eq_int((int)found, 2999, "the others are still found after the unpin");
	tap_eq_int(pins_save(p, &e), 0, "saved");
	pins_free(p);
	p = NULL;
	tap_eq_int(pins_load(dir, &p, &e), 0, "and loaded again");
	list = pins_list(p, &n);
	for (size_t i = 0; p && i < n; i++) {
		snprintf(key, sizeof(key), "peer%zu.Example.COM", i < 1500 ? i : i + 1);
		order = order && strcmp(list[i].peer, key) == 0 && list[i].first == (int64_t)(100 + (i < 1500 ? i : i + 1));
	}
	tap_ok(n == 2999 && order, "2999 pins, in the order made, with their times");
	tap_ok(pins_is_pinned(p, "PEER2999.EXAMPLE.COM") && !pins_is_pinned(p, "peer1500.example.com"),
	       "the loaded index finds them");
	pins_free(p);
	config_errors_free(&e);
}

/* The saved file, loaded apart: n pins, 192.0.2.2's latest time is last2. */
static void check_file(const struct pins *live, size_t n, int64_t last2, const char *what)
{
	struct pins *p = NULL;
	struct config_errors e;
	const struct pin *list;
	size_t got = 0;
	bool same = true;

	config_errors_init(&e);
	if (pins_load(dir, &p, &e) == 0) {
		const struct pin *mine = pins_list(live, &got);

		list = pins_list(p, &got);
		for (size_t i = 0; i < got && i < n; i++)
			same = same && strcmp(list[i].peer, mine[i].peer) == 0 &&
			       (strcmp(list[i].peer, "192.0.2.2") ? list[i].last == mine[i].last
								  : list[i].last == last2);
	}
	tap_ok(p && got == n && same, "%s", what);
	pins_free(p);
	config_errors_free(&e);
}

/* What needs saving: a membership change at once, a time refresh later. */
static void test_unsaved(void)
{
	struct pins *p = NULL;
	struct config_errors e;

	config_errors_init(&e);
	unlink(in_dir("pins"));
	unlink(in_dir("pins.old"));
	tap_eq_int(pins_load(dir, &p, &e), 0, "a fresh folder loads");
	tap_ok(!pins_unsaved(p) && !pins_unsaved_members(p), "nothing to save after a load");
	pins_pin(p, "192.0.2.1", 10);
	tap_ok(pins_unsaved_members(p) && pins_unsaved(p), "a new pin must be saved at once");
	pins_save(p, &e);
	tap_ok(!pins_unsaved(p), "nothing to save after the save");
	pins_pin(p, "192.0.2.1", 10);
	tap_ok(!pins_unsaved(p), "the same peer at the same second changes nothing");
	pins_pin(p, "192.0.2.1", 11);
	tap_ok(pins_unsaved(p) && !pins_unsaved_members(p), "a later completion: only its time to save");
	pins_save(p, &e);
	pins_unpin(p, "192.0.2.1");
	tap_ok(pins_unsaved_members(p), "an unpin must be saved at once");
	pins_pin(p, "192.0.2.2", 20);
	pins_pin(p, "192.0.2.3", 30);
	tap_eq_int(pins_save(p, &e), 0, "saved");
	pins_pin(p, "192.0.2.2", 25);
	pins_pin(p, "192.0.2.4", 40);
	tap_eq_int(pins_save_members(p, &e), 0, "a new pin saved with pins_save_members");
	tap_ok(pins_unsaved(p) && !pins_unsaved_members(p), "the refreshed time is still to save");
	check_file(p, 3, 20, "the file has every pin, the refreshed one with its older time");
	tap_eq_int(pins_save(p, &e), 0, "then the full save");
	tap_ok(!pins_unsaved(p), "leaves nothing to save");
	check_file(p, 3, 25, "and the file has the refreshed time");
	pins_free(p);
	config_errors_free(&e);
}

int main(void)
{
	const char *names[] = { "pins", "pins.old", "pins.tmp", "pins.corrupt" };

	if (!tap_mkdtemp(dir, sizeof(dir), "pins_test"))
		return tap_skip_all("cannot make a temporary folder");
	test_cycle();
	test_torn();
	test_peer_key();
	test_many();
	test_unsaved();
	for (size_t i = 0; i < 4; i++)
		unlink(in_dir(names[i]));
	rmdir(dir);
	return tap_done();
}
