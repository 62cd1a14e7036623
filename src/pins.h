/*
 * pins.h - downgrade protection (DESIGN.md "Versions per peer").
 *
 * Once a peer (its address or its identity, as text) has completed an
 * IKEv2 SA, it is pinned: a later fall back to IKEv1 for it is refused
 * until an operator runs `dualikectl unpin PEER`. The pins survive
 * restarts in STATE_DIR/pins:
 *
 *   dualike-pins 1
 *   pin 198.51.100.7 1700000000 1700003600     (peer, first and last IKEv2 completion)
 *   end 1                                      (number of pin lines)
 *
 * Saving never puts the pins at risk: the new list goes to pins.tmp,
 * which is fsync'd, the current good file is kept as pins.old (hard
 * link), pins.tmp is renamed over pins (atomic), and the folder is
 * fsync'd. A crash at any step leaves a complete pins file. The trailer
 * catches a truncated file anyway (a file system without ordered data,
 * an edit by hand): loading refuses it, says why at FILE:LINE, and falls
 * back to pins.old; a refused file is kept as pins.corrupt on the next
 * save, never linked over pins.old.
 */
#ifndef DUALIKE_SRC_PINS_H
#define DUALIKE_SRC_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "src/conf_errors.h"

#define PINS_PEER_MAX 256 /* bytes of a peer key with the NUL */

struct pin {
	char peer[PINS_PEER_MAX];
	int64_t first; /* unix time of the first IKEv2 completion */
	int64_t last;  /* and of the latest */
};

struct pins;

/*
 * Read STATE_DIR/pins. 0: loaded, or no file yet (empty), or recovered:
 * the pins file was damaged (or missing while pins.old exists) and the
 * pins of a good pins.old were loaded instead; pins_recovered() is then
 * true and errs says, at FILE:LINE, why the pins file was refused (log it
 * loudly: the latest pins may be missing). ERR_PARSE: damaged and no good
 * pins.old, every problem in errs, *out NULL. ERR_IO, ERR_NOMEM otherwise.
 */
int pins_load(const char *state_dir, struct pins **out, struct config_errors *errs);
void pins_free(struct pins *p);
/* True when the pins came from pins.old because pins was refused. */
bool pins_recovered(const struct pins *p);

bool pins_is_pinned(const struct pins *p, const char *peer);
/* Pin peer (or refresh its time); ERR_INVAL for an empty or spaced key. */
int pins_pin(struct pins *p, const char *peer, int64_t now);
/* ERR_NOTFOUND when peer was not pinned. */
int pins_unpin(struct pins *p, const char *peer);
/*
 * What pins_save() would change on disk. A pin added or removed since the
 * last save (the protection itself: save it at once) ...
 */
bool pins_unsaved_members(const struct pins *p);
/* ... or that, or only a pin's latest time (the daemon saves that later). */
bool pins_unsaved(const struct pins *p);
/* All pins, in the order they were made. */
const struct pin *pins_list(const struct pins *p, size_t *n);
/* Write atomically as described above; errs says what failed. */
int pins_save(struct pins *p, struct config_errors *errs);
/*
 * The same, cheaper, when a pin was made or removed: every pin is written
 * (a new one appended to the lines kept from the last write), but a time
 * refreshed since the last pins_save() may be written with its older
 * value; pins_unsaved() stays true for it.
 */
int pins_save_members(struct pins *p, struct config_errors *errs);

/* The key of a peer address (IPv4-mapped IPv6 as IPv4), into buf. */
const char *pins_peer_from_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

#endif
