#ifndef GROUPBUY_CHIREDIS_SHIM_H
#define GROUPBUY_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

// The version macros are not visible to Swift as one number; the Redis module reads this.
static inline int groupbuy_hiredis_version(void) {
    return HIREDIS_MAJOR * 10000 + HIREDIS_MINOR * 100 + HIREDIS_PATCH;
}

// An event-loop adapter, written like hiredis' own adapters/*.h: hiredis calls these hooks
// with `data` when it wants (or no longer wants) to read or write, and `cleanup` once, before
// it closes the socket and frees the context. Set in C so the Swift side does not depend on
// the layout of `ev`, which grew a `scheduleTimer` hook in hiredis 1.0 (left unset here: our
// loop arms its own timers).
typedef void (*groupbuy_redis_hook)(void *data);

static inline int groupbuy_redis_attach(redisAsyncContext *ac, void *data,
                                        groupbuy_redis_hook addRead, groupbuy_redis_hook delRead,
                                        groupbuy_redis_hook addWrite, groupbuy_redis_hook delWrite,
                                        groupbuy_redis_hook cleanup) {
    if (ac->ev.data != NULL) return REDIS_ERR;
    ac->data = data;
    ac->ev.data = data;
    ac->ev.addRead = addRead;
    ac->ev.delRead = delRead;
    ac->ev.addWrite = addWrite;
    ac->ev.delWrite = delWrite;
    ac->ev.cleanup = cleanup;
    return REDIS_OK;
}

// The socket of an async context (an int before hiredis 1.0, a redisFD after).
static inline int groupbuy_redis_fd(const redisAsyncContext *ac) {
    return (int)ac->c.fd;
}

// The context's error text: a char array inside redisContext, a 128-tuple to Swift.
static inline const char *groupbuy_redis_errstr(const redisAsyncContext *ac) {
    return ac->c.errstr;
}
#endif
