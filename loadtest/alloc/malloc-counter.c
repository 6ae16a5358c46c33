// An LD_PRELOAD library that counts heap allocations of a whole process and writes the
// totals to $MALLOC_COUNTER_OUT when the process exits. Built and used by
// count-allocations.sh; never linked into the product.
//
// It forwards to glibc's __libc_* entry points instead of dlsym(RTLD_NEXT), which would
// itself allocate while we are being called for the first time.
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_ulong allocations;
static atomic_ulong frees;
static atomic_ulong bytes;

static void count(size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes, size, memory_order_relaxed);
}

void *malloc(size_t size) { count(size); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(n * size); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(size); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(size); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count(size);
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
void free(void *p) {
    if (p) atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    __libc_free(p);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("MALLOC_COUNTER_OUT");
    if (!path) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "allocations %lu\nfrees %lu\nbytes %lu\n",
            atomic_load(&allocations), atomic_load(&frees), atomic_load(&bytes));
    fclose(f);
}
