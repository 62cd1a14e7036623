/* err.c - descriptions of the project's error codes. */
#include "common/err.h"

const char *err_str(int err)
{
	switch (err) {
	case ERR_OK: return "success";
	case ERR_NOMEM: return "out of memory";
	case ERR_INVAL: return "invalid argument";
	case ERR_TRUNCATED: return "input truncated";
	case ERR_OVERFLOW: return "output buffer too small";
	case ERR_UNSUPPORTED: return "not supported";
	case ERR_CRYPTO: return "cryptographic operation failed";
	case ERR_BAD_PUBLIC: return "invalid peer public value";
	case ERR_INTEGRITY: return "integrity check failed";
	case ERR_IO: return "input/output error";
	case ERR_PARSE: return "malformed input";
	case ERR_NOTFOUND: return "not found";
	case ERR_PERM: return "permission refused";
	case ERR_KERNEL: return "kernel refused the operation";
	case ERR_STATE: return "not valid in the current state";
	}
	return "unknown error";
}
