#ifndef GROUPBUY_CHIREDIS_SHIM_H
#define GROUPBUY_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

// The version macros are not visible to Swift as one number; the Redis module reads this.
static inline int groupbuy_hiredis_version(void) {
    return HIREDIS_MAJOR * 10000 + HIREDIS_MINOR * 100 + HIREDIS_PATCH;
}
#endif
