#ifndef GROUPBUY_CLINUX_H
#define GROUPBUY_CLINUX_H

// What Swift cannot see or call directly in glibc: flag enums that import as odd types,
// macros (cpu_set_t), and socket options missing from the Glibc module.

#include <spawn.h>
#include <stdint.h>

// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC: new connections never block and never leak into children.
int gb_accept_nonblocking(int listen_fd);

// socket(2) with SOCK_NONBLOCK | SOCK_CLOEXEC.
int gb_socket_nonblocking(int domain, int type);

// eventfd(2) with EFD_NONBLOCK | EFD_CLOEXEC.
int gb_eventfd(void);

// epoll_create1(EPOLL_CLOEXEC).
int gb_epoll_create(void);

// epoll_ctl with the (events, u64 token) pair; op is one of GB_EPOLL_ADD/MOD/DEL.
int gb_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);

// epoll event as a plain struct: glibc's epoll_event is packed on x86_64, awkward from Swift.
typedef struct {
    uint32_t events;
    uint64_t token;
} gb_epoll_event;

// epoll_wait into a buffer of gb_epoll_event (converted from the packed kernel layout).
int gb_epoll_wait(int epfd, gb_epoll_event *events, int max_events, int timeout_ms);

extern const uint32_t GB_EPOLLIN;
extern const uint32_t GB_EPOLLOUT;
extern const uint32_t GB_EPOLLRDHUP;
extern const uint32_t GB_EPOLLHUP;
extern const uint32_t GB_EPOLLERR;
extern const uint32_t GB_EPOLLET;
extern const int GB_EPOLL_ADD;
extern const int GB_EPOLL_MOD;
extern const int GB_EPOLL_DEL;

extern const int GB_TCP_NODELAY;
extern const int GB_TCP_DEFER_ACCEPT;
extern const int GB_TCP_FASTOPEN;
extern const int GB_SO_REUSEPORT;

// Pins the calling thread to one CPU; returns 0 or an errno value.
int gb_pin_current_thread(int cpu);

// Number of CPUs this process may run on (honours taskset / cgroup cpusets).
int gb_available_cpus(void);

// Writes up to `max` ids of the CPUs this process may run on; returns how many.
int gb_allowed_cpus(int *out, int max);

// Names the calling thread (shown by top -H, perf, gdb); at most 15 bytes are kept.
void gb_set_thread_name(const char *name);

// Monotonic nanoseconds (CLOCK_MONOTONIC) and the coarse variant used for timers.
uint64_t gb_monotonic_ns(void);
uint64_t gb_monotonic_coarse_ns(void);

// Wall clock in seconds since the epoch and the nanosecond remainder.
void gb_wall_clock(int64_t *seconds, int32_t *nanoseconds);

// Index of the event loop running on the calling thread, or -1 on any other thread.
// A C thread-local: Swift has no native one, and pthread_getspecific costs a call more.
int gb_current_loop_index(void);
void gb_set_current_loop_index(int index);

// pipe2(O_CLOEXEC): a pipe no child process inherits (atomically, unlike pipe + fcntl).
int gb_pipe_cloexec(int fds[2]);

// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+) needs _GNU_SOURCE, which Swift's
// Glibc module does not define: the child closes every descriptor from `lowest` up.
int gb_spawn_file_actions_closefrom(posix_spawn_file_actions_t *actions, int lowest);

// posix_spawn_file_actions_addchdir_np (glibc 2.29+), hidden the same way: the child starts in `path`.
int gb_spawn_file_actions_chdir(posix_spawn_file_actions_t *actions, const char *path);

// timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC): precise wake-ups on a loop's epoll.
int gb_timerfd_create(void);

// Arms a timerfd to fire once at an absolute CLOCK_MONOTONIC time in nanoseconds (0 disarms).
int gb_timerfd_set_absolute(int fd, uint64_t deadline_ns);

// prctl(PR_SET_TIMERSLACK, nanoseconds) for the calling thread (prctl is variadic: not callable from Swift).
int gb_set_timer_slack(unsigned long nanoseconds);

#endif
