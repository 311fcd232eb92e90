// cfloor: what the server issue's load costs the kernel alone, measured
// without Go, websockets, JSON or storage. It opens CONNS loopback TCP
// connections to a child process that reads them all (epoll), then writes
// one MSG-byte message to every connection RATE times a second for the
// given number of seconds (TCP_NODELAY, as Go sets it), and prints the
// sender's CPU time scaled to 30 s. docs/load.md explains why this is the
// floor under the server's CPU figure.
//
//	make cfloor    # or: cc -O2 -o bin/cfloor tools/cfloor/floor.c && bin/cfloor 30
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CONNS = 120, RATE = 100, MSG = 70 };

static void die(const char *what) {
	perror(what);
	exit(1);
}

// drain connects CONNS times to addr and reads until all are closed.
static void drain(struct sockaddr_in addr) {
	int ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	for (int i = 0; i < CONNS; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof addr) < 0)
			die("connect");
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0)
			die("epoll_ctl");
	}
	static char buf[65536];
	struct epoll_event evs[64];
	for (int open = CONNS; open > 0;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			if (read(evs[i].data.fd, buf, sizeof buf) <= 0) {
				close(evs[i].data.fd);
				open--;
			}
		}
	}
}

static double seconds(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

int main(int argc, char **argv) {
	int secs = argc > 1 ? atoi(argv[1]) : 30;
	if (secs <= 0) {
		fprintf(stderr, "usage: cfloor [seconds]\n");
		return 2;
	}
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof addr;
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, CONNS) < 0 ||
	    getsockname(ls, (struct sockaddr *)&addr, &len) < 0)
		die("listen");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		drain(addr);
		_exit(0);
	}
	int fds[CONNS];
	for (int i = 0; i < CONNS; i++) {
		int one = 1;
		if ((fds[i] = accept(ls, NULL, NULL)) < 0 ||
		    setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
			die("accept");
	}
	char msg[MSG];
	memset(msg, 'x', sizeof msg);
	struct rusage r0, r1;
	struct timespec next;
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &next);
	long sent = 0;
	for (int round = 0; round < secs * RATE; round++) {
		next.tv_nsec += 1000000000L / RATE;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		for (int i = 0; i < CONNS; i++)
			if (write(fds[i], msg, sizeof msg) == sizeof msg)
				sent++;
	}
	getrusage(RUSAGE_SELF, &r1);
	double user = seconds(r1.ru_utime) - seconds(r0.ru_utime);
	double sys = seconds(r1.ru_stime) - seconds(r0.ru_stime);
	for (int i = 0; i < CONNS; i++)
		close(fds[i]);
	waitpid(child, NULL, 0);
	printf("cfloor: %ld messages of %d bytes to %d loopback connections in %d s\n", sent, MSG, CONNS, secs);
	printf("sender CPU: user %.2f s + system %.2f s = %.2f s per 30 s, %.2f us per message\n", user, sys,
	       (user + sys) * 30 / secs, (user + sys) * 1e6 / sent);
	return sent == (long)secs * RATE * CONNS ? 0 : 1;
}
