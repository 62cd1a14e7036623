/*
 * ctl_report.h - the migration side of dualikectl: pins, unpin and the
 * migration report (DESIGN.md "Versions per peer").
 */
#ifndef DUALIKE_SRC_CTL_REPORT_H
#define DUALIKE_SRC_CTL_REPORT_H

#include <stdbool.h>

struct evbuffer;

int ctl_report_pins(void *ctx, int argc, char **argv, bool json, struct evbuffer *out);
int ctl_report_unpin(void *ctx, int argc, char **argv, bool json, struct evbuffer *out);
int ctl_report_migration(void *ctx, int argc, char **argv, bool json, struct evbuffer *out);

#endif
