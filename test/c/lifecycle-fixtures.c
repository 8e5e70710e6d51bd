/* Area: callback lifetime. Purpose: C that calls JS callbacks where JS cannot run or has ended —
   in a child forked from C, from an atexit handler, from a thread that outlives its worker — and
   a callback taking a large struct by value, for nesting deep into the frame stack. Each caller
   prints (stdout) or returns what it got, so the test sees what C received. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef int (*int_fn)(int);

/* Forks; the child calls f(x) and exits with its low 7 bits. Returns the child's exit status, or
   minus its signal number, or -1000 when fork or wait failed. */
int fork_call(int_fn f, int x) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1000;
  if (pid == 0) _exit(f(x) & 0x7f);
  int st;
  if (waitpid(pid, &st, 0) != pid) return -1000;
  return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

static int_fn exit_fn;
static int exit_arg;
static void at_exit_call(void) {
  int r = exit_fn(exit_arg);
  printf("atexit got %d\n", r);
  fflush(stdout);
}

/* Registers an atexit handler that calls f(x) and prints what it returned. */
int call_at_exit(int_fn f, int x) {
  exit_fn = f;
  exit_arg = x;
  return atexit(at_exit_call);
}

struct late { int_fn f; int x, ms; };
static void *late_main(void *p) {
  struct late l = *(struct late *)p;
  free(p);
  struct timespec ts = {l.ms / 1000, (long)(l.ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  int r = l.f(l.x);
  printf("late call got %d\n", r);
  fflush(stdout);
  return NULL;
}

/* Starts a detached thread that sleeps `ms` milliseconds, calls f(x) and prints what it got;
   0 when started. */
int call_later(int_fn f, int x, int ms) {
  struct late *l = malloc(sizeof *l);
  if (!l) return -1;
  *l = (struct late){f, x, ms};
  pthread_t th;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  int r = pthread_create(&th, &a, late_main, l);
  pthread_attr_destroy(&a);
  if (r != 0) free(l);
  return r;
}

/* ---- a 60,000-byte struct by value: big.first = depth, big.last = ~depth ------------------ */

#define BIG_BYTES 60000
struct big { int first; unsigned char pad[BIG_BYTES - 8]; int last; };
typedef int (*big_fn)(struct big, int);
_Static_assert(sizeof(struct big) == BIG_BYTES, "struct big layout");

/* Calls f(big, depth) with big.first == depth and big.last == ~depth; returns what f returned. */
int call_big(big_fn f, int depth) {
  static struct big b; /* static: only the by-value copy lands on this thread's stack */
  b.first = depth;
  b.last = ~depth;
  return f(b, depth);
}
