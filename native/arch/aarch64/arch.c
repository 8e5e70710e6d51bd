/* AArch64: tables are mapped guarded (PROT_BTI) on CPUs with BTI, so a branch anywhere but a
 * slot's `bti c` faults; the features string says which branch protections are in force. */
#define CALLBACK_NO_RESULT_BITS /* the runners store exactly what the convention returns */
#include "../../callback-arch.h"
#include "../../tramp-arch.h"

#include <sys/auxv.h>
#include <sys/mman.h>

/* Linux uapi values, for headers that predate them. */
#ifndef PROT_BTI
#define PROT_BTI 0x10
#endif
#ifndef HWCAP2_BTI
#define HWCAP2_BTI (1UL << 17)
#endif
#ifndef HWCAP_PACA
#define HWCAP_PACA (1UL << 30)
#endif

/* The addon is linked with -nostartfiles and -z force-bti (binding.gyp): Debian's crt files carry
   no BTI note, so linking them drops ours, and forcing the note over them gives SIGILL at dlopen
   (ld.so calls their _init and frame_dummy, which have no landing pad). Without them,
   crtbeginS.o's __dso_handle is missing; weak, so a link with the crt files keeps theirs. */
__attribute__((weak, visibility("hidden"))) void *__dso_handle = &__dso_handle;

#ifdef __GLIBC__
/* glibc's pthread_atfork lives in libc_nonshared.a, whose objects carry no GNU property note: the
   linker then drops PAC from ours (only BTI can be forced). This is the same three-instruction
   forwarder, built with our branch protection. (Without crtbeginS.o nothing would unregister the
   handlers at dlclose; tramp.c makes the object RTLD_NODELETE, so it is never unloaded.) */
extern int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso);
int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));
int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
  return __register_atfork(prepare, parent, child, __dso_handle);
}
#endif

static int has_bti(void) { return (getauxval(AT_HWCAP2) & HWCAP2_BTI) != 0; }

int tramp_arch_code_prot(void) { return PROT_READ | PROT_EXEC | (has_bti() ? PROT_BTI : 0); }

/* "bti": the CPU has BTI, so the tables (and our own code, if ld.so mapped it guarded) accept
   indirect branches only at landing pads. "pac": the CPU signs return addresses and this build
   uses pac-ret (-mbranch-protection=standard). */
const char *tramp_arch_features(void) {
  int bti = has_bti();
#if defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT
  int pac = (getauxval(AT_HWCAP) & HWCAP_PACA) != 0;
#else
  int pac = 0;
#endif
  return bti && pac ? "bti pac" : bti ? "bti" : pac ? "pac" : "";
}
