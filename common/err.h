/*
 * err.h - one error space for the whole project.
 *
 * Functions that can fail return int: 0 on success or a negative ERR_* value.
 * Predicates and byte readers return bool. Nothing returns "true = failure".
 */
#ifndef DUALIKE_COMMON_ERR_H
#define DUALIKE_COMMON_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOMEM = -1,       /* allocation failed */
	ERR_INVAL = -2,       /* caller passed something meaningless */
	ERR_TRUNCATED = -3,   /* input ended before a field did */
	ERR_OVERFLOW = -4,    /* output did not fit */
	ERR_UNSUPPORTED = -5, /* algorithm, group or option not implemented */
	ERR_CRYPTO = -6,      /* a crypto library call failed */
	ERR_BAD_PUBLIC = -7,  /* a peer's public value is invalid */
	ERR_INTEGRITY = -8,   /* ICV / AEAD tag did not verify */
	ERR_IO = -9,          /* file or socket error (see errno) */
	ERR_PARSE = -10,      /* malformed input (config, message) */
	ERR_NOTFOUND = -11,   /* lookup found nothing */
	ERR_PERM = -12,       /* permissions refused (e.g. secrets file mode) */
	ERR_KERNEL = -13,     /* the kernel refused an operation */
	ERR_STATE = -14,      /* operation not valid in this state */
	ERR_LAST_ = -15
};

/* A short English description of an ERR_* value; never NULL. */
const char *err_str(int err);

#endif
