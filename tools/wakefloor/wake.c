// wakefloor: what this machine does to threads that hand work to each
// other, measured without Go. docs/PERFORMANCE.md ("Old revisions, eighth
// session") explains why this is the floor under the 99th percentile of
// 16 reads of old revisions at once.
//
// 1. Waking an idle CPU. Old-revision reads and Redis replies hand work
//    from one goroutine to another; when the other CPU has gone idle
//    meanwhile, the hand-off waits for it to wake, and on a virtual
//    machine that wait is the hypervisor's. Two threads, each pinned to
//    its own CPU. For each idle time (0, 1 ms, 10 ms) and ROUNDS times:
//    both threads sleep for the idle time, then the waker spins 50 µs,
//    stamps the time, wakes the sleeper through an eventfd and spins on
//    for 3 ms, so that the sleeper must run on its own CPU. The sleeper
//    notes how long after the stamp it ran: the median, 99th percentile
//    and longest wait are printed per idle time.
// 2. Losing a busy CPU. One thread per CPU, pinned, spins for SPIN_SECONDS
//    reading the clock; a gap between two readings of more than 0.2 ms is
//    time the thread did not run although it never gave up its CPU (on a
//    virtual machine: the hypervisor ran something else). Printed per
//    CPU: the gaps over 0.2 ms and over 1 ms, their total and the longest.
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

enum { ROUNDS = 300, SPIN_SECONDS = 10 };

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

// gaps is what spinner found on one CPU.
struct gaps {
	int cpu, over_02ms, over_1ms;
	int64_t total, longest;
};

// spinner runs on the CPU its gaps name and notes every gap of more than
// 0.2 ms between two readings of the clock for SPIN_SECONDS.
static void *spinner(void *arg) {
	struct gaps *g = arg;
	pin(g->cpu);
	int64_t prev = now_ns(), end = prev + (int64_t)SPIN_SECONDS * 1000000000;
	while (prev < end) {
		int64_t t = now_ns(), d = t - prev;
		if (d > 200000) {
			g->over_02ms++;
			g->over_1ms += d > 1000000;
			g->total += d;
			if (d > g->longest)
				g->longest = d;
		}
		prev = t;
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
	struct gaps g[2] = {{.cpu = 0}, {.cpu = 1}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, spinner, &g[i]) != 0)
			die("pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		printf("busy CPU %d for %d s: %d gaps over 0.2 ms, %d over 1 ms, %.1f ms in all, longest %.2f ms\n",
		       g[i].cpu, SPIN_SECONDS, g[i].over_02ms, g[i].over_1ms, g[i].total / 1e6, g[i].longest / 1e6);
	return 0;
}
