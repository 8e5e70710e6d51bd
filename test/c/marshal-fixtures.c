/* Area: calls and callbacks. Purpose: C callees for the marshaller tests — exceptions delivered
   to the right call, JS run during argument conversion, pointer objects. Each checks its inputs
   where a wrong value could otherwise pass unnoticed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Calls a, then b: an exception thrown by a belongs to this call, not to calls b makes. */
int mf_call_two(int (*a)(int), int (*b)(int)) { return a(1) + b(2); }

/* Calls cb n times; returns the sum of its results. */
int mf_repeat(int (*cb)(int), int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += cb(i);
  return s;
}

int mf_times10(int x) { return x * 10; }

struct mf_pt { int x; int y; };
struct mf_line { struct mf_pt a; struct mf_pt b; };
struct mf_big { int v[6]; double d; char c[40]; }; /* passed in memory */

int mf_sum_of(int k, struct mf_pt p) { return k + p.x + p.y; }
int mf_sum_line(int k, struct mf_line l) { return k + l.a.x + l.a.y + l.b.x + l.b.y; }
int mf_sum_arr(int k, struct mf_big b) {
  int s = k;
  for (int i = 0; i < 6; i++) s += b.v[i];
  return s + (int)b.d;
}
int mf_sum_ptr(int k, const int *p, int j) { return k + p[0] + p[1] + j; }
int mf_sum_two(struct mf_pt p, struct mf_pt q) { return p.x + p.y + q.x + q.y; }

/* A callback returning a struct: the sum of its members plus k. */
int mf_use_pt(struct mf_pt (*cb)(int), int k) {
  struct mf_pt p = cb(k);
  return k + p.x + p.y;
}

/* Pointers as C saw them. */
uintptr_t mf_ptr_id(const void *p) { return (uintptr_t)p; }
uintptr_t mf_ptr_from(const void *(*cb)(void)) { return (uintptr_t)cb(); }

struct mf_holder { int (*fn)(int); int x; };
int mf_call_holder(struct mf_holder h) { return h.fn(h.x); }
int mf_call_fp(int (*fn)(int), int x) { return fn(x); }
int mf_call_vp(void *fn, int x) { return ((int (*)(int))fn)(x); }

/* A string and a struct in one call: scratch data and register slots. */
int mf_str_pt(const char *s, struct mf_pt p) {
  int n = 0;
  while (s[n]) n++;
  return n * 100 + p.x + p.y;
}
int mf_len(const char *s) {
  int n = 0;
  while (s[n]) n++;
  return n;
}
