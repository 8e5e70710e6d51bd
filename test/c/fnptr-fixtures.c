/* Area: calls through function pointers. Purpose: C hands out function pointers — returned by
   get_op (int (*get_op(const char *))(int, int)), stored in a struct, to a variadic function —
   and JS calls them with fnptr(). Each function checks its inputs: a wrong value returns a
   sentinel the test cannot mistake for a result. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef int (*binop)(int, int);

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }

/* The operator named `name`, or NULL for an unknown or missing name. */
int (*get_op(const char *name))(int, int) {
  if (!name) return NULL;
  if (strcmp(name, "add") == 0) return op_add;
  if (strcmp(name, "sub") == 0) return op_sub;
  if (strcmp(name, "mul") == 0) return op_mul;
  return NULL;
}

static double scale_by(double x, double k) { return x * k; }

struct calculator {
  const char *name;
  binop op;
  double (*scale)(double, double);
  long calls;
};

/* Fills `c` for operator `name`; returns 0, or -1 when c is NULL or the name is unknown. */
int calculator_init(struct calculator *c, const char *name) {
  if (!c) return -1;
  binop op = get_op(name);
  if (!op) return -1;
  c->name = name;
  c->op = op;
  c->scale = scale_by;
  c->calls = 0;
  return 0;
}

/* Sums `n` int arguments; -999999 when n is out of [0, 16]. */
static int sum_ints(int n, ...) {
  if (n < 0 || n > 16) return -999999;
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}

int (*get_sum(void))(int, ...) { return sum_ints; }

/* Calls f(a, b): lets the test check that a JS-made pointer and a C one behave alike. */
int apply(binop f, int a, int b) { return f ? f(a, b) : -999999; }
