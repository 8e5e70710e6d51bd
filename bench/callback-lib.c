/* C callers for bench/callbacks.mjs: a loop that calls a callback `int f(int)` n times, the same
   for every peer (trampfd, koffi, and the N-API binding in napi-callback/ links it in). */

/* f(i) for i < n; the sum of the results, so no call can be skipped. */
long long bench_cb_loop(int (*f)(int), int n) {
  long long s = 0;
  for (int i = 0; i < n; i++) s += f(i);
  return s;
}
