#define _GNU_SOURCE
#include "CLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <spawn.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>

int gb_accept_nonblocking(int listen_fd) {
    return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int gb_socket_nonblocking(int domain, int type) {
    return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int gb_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int gb_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int gb_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &ev);
}

int gb_epoll_wait(int epfd, gb_epoll_event *events, int max_events, int timeout_ms) {
    enum { batch = 256 };
    struct epoll_event raw[batch];
    if (max_events > batch) max_events = batch;
    int n = epoll_wait(epfd, raw, max_events, timeout_ms);
    for (int i = 0; i < n; i++) {
        events[i].events = raw[i].events;
        events[i].token = raw[i].data.u64;
    }
    return n;
}

const uint32_t GB_EPOLLIN = EPOLLIN;
const uint32_t GB_EPOLLOUT = EPOLLOUT;
const uint32_t GB_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t GB_EPOLLHUP = EPOLLHUP;
const uint32_t GB_EPOLLERR = EPOLLERR;
const uint32_t GB_EPOLLET = EPOLLET;
const int GB_EPOLL_ADD = EPOLL_CTL_ADD;
const int GB_EPOLL_MOD = EPOLL_CTL_MOD;
const int GB_EPOLL_DEL = EPOLL_CTL_DEL;

const int GB_TCP_NODELAY = TCP_NODELAY;
const int GB_TCP_DEFER_ACCEPT = TCP_DEFER_ACCEPT;
const int GB_TCP_FASTOPEN = TCP_FASTOPEN;
const int GB_SO_REUSEPORT = SO_REUSEPORT;

int gb_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int gb_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

int gb_allowed_cpus(int *out, int max) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++) {
        if (CPU_ISSET(cpu, &set)) out[n++] = cpu;
    }
    return n;
}

void gb_set_thread_name(const char *name) {
    char truncated[16];
    int i = 0;
    for (; i < 15 && name[i] != 0; i++) truncated[i] = name[i];
    truncated[i] = 0;
    pthread_setname_np(pthread_self(), truncated);
}

uint64_t gb_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t gb_monotonic_coarse_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void gb_wall_clock(int64_t *seconds, int32_t *nanoseconds) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *seconds = (int64_t)ts.tv_sec;
    *nanoseconds = (int32_t)ts.tv_nsec;
}

static __thread int gb_loop_index = -1;

int gb_current_loop_index(void) { return gb_loop_index; }

void gb_set_current_loop_index(int index) { gb_loop_index = index; }

int gb_spawn_file_actions_closefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int gb_spawn_file_actions_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int gb_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int gb_timerfd_create(void) {
    return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

int gb_timerfd_set_absolute(int fd, uint64_t deadline_ns) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
    spec.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

int gb_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}
