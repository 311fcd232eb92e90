// wakefloor: how long this machine takes to run a thread woken on a CPU
// that was idle, measured without Go. Old-revision reads and Redis replies
// hand work from one goroutine to another; when the other CPU has gone
// idle meanwhile, the hand-off waits for it to wake, and on a virtual
// machine that wait is the hypervisor's. docs/PERFORMANCE.md ("Old
// revisions, eighth session") explains why this is the floor under the
// 99th percentile of 16 reads at once.
//
// Two threads, each pinned to its own CPU. For each idle time (0, 1 ms,
// 10 ms) and ROUNDS times: both threads sleep for the idle time, then the
// waker spins 50 µs, stamps the time, wakes the sleeper through an eventfd
// and spins on for 3 ms, so that the sleeper must run on its own CPU. The
// sleeper notes how long after the stamp it ran. It prints the median,
// 99th percentile and longest wait per idle time.
//
//	make wakefloor    # or: cc -O2 -pthread -o bin/wakefloor tools/wakefloor/wake.c && bin/wakefloor
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 300 };

static int wake_fd, done_fd;
static volatile int64_t stamp;
static int64_t waits[ROUNDS];

static void die(const char *what) {
	perror(what);
	exit(1);
}

static int64_t now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void spin(int64_t ns) {
	for (int64_t end = now_ns() + ns; now_ns() < end;)
		;
}

static void pin(int cpu) {
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
		die("pthread_setaffinity_np");
}

// sleeper runs on CPU 1: it waits for each wake and notes how long after
// the waker's stamp it ran.
static void *sleeper(void *arg) {
	(void)arg;
	pin(1);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t v;
		if (read(wake_fd, &v, sizeof v) != sizeof v)
			die("read");
		waits[i] = now_ns() - stamp;
		v = 1;
		if (write(done_fd, &v, sizeof v) != sizeof v)
			die("write");
	}
	return NULL;
}

static int by_value(const void *a, const void *b) {
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int main(void) {
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "wakefloor needs two CPUs\n");
		return 1;
	}
	const int64_t idles[] = {0, 1000000, 10000000};
	for (size_t k = 0; k < sizeof idles / sizeof idles[0]; k++) {
		wake_fd = eventfd(0, 0);
		done_fd = eventfd(0, 0);
		if (wake_fd < 0 || done_fd < 0)
			die("eventfd");
		pthread_t t;
		if (pthread_create(&t, NULL, sleeper, NULL) != 0)
			die("pthread_create");
		pin(0);
		for (int i = 0; i < ROUNDS; i++) {
			struct timespec idle = {0, idles[k]};
			nanosleep(&idle, NULL);
			spin(50000);
			stamp = now_ns();
			uint64_t v = 1;
			if (write(wake_fd, &v, sizeof v) != sizeof v)
				die("write");
			spin(3000000);
			if (read(done_fd, &v, sizeof v) != sizeof v)
				die("read");
		}
		pthread_join(t, NULL);
		close(wake_fd);
		close(done_fd);
		qsort(waits, ROUNDS, sizeof waits[0], by_value);
		printf("idle %5.1f ms: woken thread ran after p50 %6.1f µs, p99 %7.1f µs, max %7.1f µs\n",
		       idles[k] / 1e6, waits[ROUNDS / 2] / 1e3, waits[ROUNDS * 99 / 100] / 1e3, waits[ROUNDS - 1] / 1e3);
	}
	return 0;
}
