/*
 * ctl_cmds.h - the daemon's control commands (the grammar dualikectl speaks).
 * Each takes the struct daemon as its context; dualikectl(8) documents the
 * text and --json output of each.
 */
#ifndef DUALIKE_SRC_CTL_CMDS_H
#define DUALIKE_SRC_CTL_CMDS_H

#include <sys/types.h>

#include "src/control.h"

extern const struct control_cmd ctl_commands[];

/* The gid of a group name, or (gid_t)-1 for NULL / unknown (logged). */
gid_t ctl_group_id(const char *name);

#endif
