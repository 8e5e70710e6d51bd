/* Area: callbacks. Purpose: C callers of JS callbacks — direct calls, 8 pthreads calling back
   100,000 times each, re-entrancy, a detached thread with no JS call in progress, async callees
   that sleep before reading their arguments, and a pointer kept after the call that passed it.
   Every caller checks what the callback returned and records what it received. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

typedef int (*int_fn)(int);
typedef int (*pair_fn)(int, int);

int call_int(int_fn f, int x) { return f(x); }

/* ---- threads: f(t, i) must return t * 1000003 + i ----------------------------------------- */

#define EXPECT(t, i) ((t) * 1000003 + (i))

struct worker {
  pair_fn f;
  int t, iters;
  long mismatches;
};

static void *worker_main(void *p) {
  struct worker *w = p;
  for (int i = 0; i < w->iters; i++)
    if (w->f(w->t, i) != EXPECT(w->t, i)) w->mismatches++;
  return NULL;
}

/* Starts `nthreads` threads that each call f(t, i) for i < iters, joins them; the number of
   wrong results, or -1 when a thread cannot be started. */
long run_threads(pair_fn f, int nthreads, int iters) {
  struct worker w[64];
  pthread_t th[64];
  if (nthreads < 1 || nthreads > 64) return -1;
  int started = 0;
  for (; started < nthreads; started++) {
    w[started] = (struct worker){f, started, iters, 0};
    if (pthread_create(&th[started], NULL, worker_main, &w[started]) != 0) break;
  }
  long bad = started == nthreads ? 0 : -1;
  for (int i = 0; i < started; i++) {
    pthread_join(th[i], NULL);
    if (bad >= 0) bad += w[i].mismatches;
  }
  return bad;
}

/* The same loop on the calling thread. */
long call_same_thread(pair_fn f, int t, int iters) {
  struct worker w = {f, t, iters, 0};
  worker_main(&w);
  return w.mismatches;
}

/* ---- re-entrancy and exceptions: what each level of C received ----------------------------- */

#define SEEN_MAX 256
static int seen[SEEN_MAX];
static int seen_count[SEEN_MAX];

void seen_reset(void) {
  for (int i = 0; i < SEEN_MAX; i++) seen[i] = -1, seen_count[i] = 0;
}
int seen_at(int depth) { return depth >= 0 && depth < SEEN_MAX ? seen[depth] : -2; }
int seen_calls(int depth) { return depth >= 0 && depth < SEEN_MAX ? seen_count[depth] : -2; }

/* Calls f(depth), records what it returned, and returns that plus one. */
int reenter(int_fn f, int depth) {
  int r = f(depth);
  if (depth >= 0 && depth < SEEN_MAX) seen[depth] = r, seen_count[depth]++;
  return r + 1;
}

/* ---- a thread with no JS call in progress -------------------------------------------------- */

static atomic_int detached_done;
static atomic_int detached_value;

static void *detached_main(void *p) {
  int_fn f = (int_fn)(uintptr_t)p;
  atomic_store(&detached_value, f(7));
  atomic_store(&detached_done, 1);
  return NULL;
}

/* Starts a detached thread that calls f(7); 0 if started. Poll detached_state(). */
int start_detached(int_fn f) {
  pthread_t th;
  atomic_store(&detached_done, 0);
  atomic_store(&detached_value, -1);
  if (pthread_create(&th, NULL, detached_main, (void *)(uintptr_t)f) != 0) return -1;
  pthread_detach(th);
  return 0;
}
int detached_state(void) { return atomic_load(&detached_done); }
int detached_result(void) { return atomic_load(&detached_value); }

/* ---- async callees: read their arguments only after sleeping ------------------------------- */

static void sleep_ms(int ms) { usleep((useconds_t)ms * 1000); }

/* Sum of the bytes, read after `ms` milliseconds. */
long sleep_sum(const unsigned char *buf, int n, int ms) {
  sleep_ms(ms);
  long s = 0;
  for (int i = 0; i < n; i++) s += buf[i];
  return s;
}

/* FNV-1a of the NUL-terminated string, read after `ms` milliseconds. */
uint32_t sleep_hash(const char *s, int ms) {
  sleep_ms(ms);
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

double sleep_scale(double x, int64_t k, int ms) {
  sleep_ms(ms);
  return x * (double)k;
}

/* ---- a pointer kept by C after the call that passed it -------------------------------------- */

static int_fn stored;
/* Keeps f for call_stored(); returns it, so the caller learns a transient callback's address. */
void *store_fn(int_fn f) {
  stored = f;
  return (void *)(uintptr_t)f;
}
int call_stored(int x) { return stored ? stored(x) : -1; }
