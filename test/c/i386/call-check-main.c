/* Area: native call stub and closure entry (i386). Purpose: the executable around
   call-check.c, in a shared library linked like the addon. */
#include <stdio.h>

int call_check(const char *scenario);

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: call-check call|closure|bits\n");
    return 2;
  }
  return call_check(argv[1]);
}
