/* trampfd-mdwe-exec: runs a program with PR_SET_MDWE(PR_MDWE_REFUSE_EXEC_GAIN) set, so the
   kernel refuses every writable+executable mapping in it (Linux 6.3+). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: trampfd-mdwe-exec program [args...]\n");
    return 2;
  }
  if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) != 0) {
    fprintf(stderr, "trampfd-mdwe-exec: prctl(PR_SET_MDWE) failed: %s (kernel 6.3+ needed)\n", strerror(errno));
    return 125;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "trampfd-mdwe-exec: cannot run %s: %s\n", argv[1], strerror(errno));
  return 127;
}
