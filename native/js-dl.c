/* Library loading: dlopen with trampfd's mode bits, dlsym, and the list of a library's functions
   whose own internal calls bind to another definition in the global scope (the node binary
   exports its zlib, OpenSSL...). Loader knowledge (ELF dynamic tables), no ABI. */
#define _GNU_SOURCE
#include "js-dl.h"
#include "napi-util.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The symbol index of a relocation's r_info (the ELF64_ST_* macros read both classes alike). */
#if UINTPTR_MAX > 0xffffffffu
#define REL_SYM(info) ELF64_R_SYM(info)
#else
#define REL_SYM(info) ELF32_R_SYM(info)
#endif

/* load() options as the JS side passes them (src/library.ts, DL_* there). */
enum { DL_LAZY = 1, DL_GLOBAL = 2, DL_DEEP = 4 };

static bool get_path(napi_env env, napi_value v, char *path, size_t size, const char **out) {
  napi_valuetype t = napi_undefined;
  napi_typeof(env, v, &t);
  *out = NULL;
  if (t == napi_null) return true;
  if (t != napi_string) {
    throw_type(env, "ERR_TRAMPFD_LOAD", "load(path) expects a string, or null for the running process");
    return false;
  }
  size_t len;
  napi_get_value_string_utf8(env, v, path, size, &len);
  if (len >= size - 1) { throw_type(env, "ERR_TRAMPFD_LOAD", "library path is too long"); return false; }
  if (strlen(path) != len) { throw_type(env, "ERR_TRAMPFD_LOAD", "library path contains a NUL byte"); return false; }
  *out = path;
  return true;
}

/* dlopen(path, mode) -> { handle, loaded }: `loaded` says the object was in the process before
   this call, in which case the mode's binding flags (DL_DEEP) could not apply to it. */
static napi_value js_dlopen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char path[4096];
  const char *p;
  uint32_t mode = 0;
  if (argc != 2 || napi_get_value_uint32(env, argv[1], &mode) != napi_ok)
    return throw_type(env, "ERR_TRAMPFD_LOAD", "dlopen(path, mode)");
  if (!get_path(env, argv[0], path, sizeof path, &p)) return NULL;
  int flags = (mode & DL_LAZY ? RTLD_LAZY : RTLD_NOW) | (mode & DL_GLOBAL ? RTLD_GLOBAL : RTLD_LOCAL);
  if (mode & DL_DEEP) {
#ifdef RTLD_DEEPBIND
    flags |= RTLD_DEEPBIND;
#else
    return throw_error(env, "ERR_TRAMPFD_LOAD", "{ deep: true } needs RTLD_DEEPBIND, which this C library lacks");
#endif
  }
  void *before = p ? dlopen(p, RTLD_LAZY | RTLD_NOLOAD) : NULL;
  if (before) dlclose(before); /* only a probe: drop the reference it took */
  dlerror();
  void *h = dlopen(p, flags);
  if (!h) {
    const char *err = dlerror();
    return throw_error(env, "ERR_TRAMPFD_LOAD", "cannot load %s: %s", p ? p : "the running process", err ? err : "unknown error");
  }
  napi_value out, loaded;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "handle", make_address(env, (uintptr_t)h));
  napi_get_boolean(env, p == NULL || before != NULL, &loaded);
  napi_set_named_property(env, out, "loaded", loaded);
  return out;
}

static napi_value js_dlsym(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uintptr_t h;
  char name[1024];
  size_t len;
  if (argc != 2) return throw_type(env, "ERR_TRAMPFD_SYMBOL", "dlsym(handle, name)");
  if (!get_address(env, argv[0], "library handle", &h)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], name, sizeof name, &len) != napi_ok || len >= sizeof name - 1)
    return throw_type(env, "ERR_TRAMPFD_SYMBOL", "symbol name must be a string shorter than 1023 bytes");
  dlerror();
  void *sym = dlsym((void *)h, name);
  if (dlerror()) return NULL; /* undefined: not found */
  return make_address(env, (uintptr_t)sym);
}

/* A dynamic-section address. glibc relocates these entries in place on most targets, musl and
   glibc with a read-only dynamic section do not; an unrelocated one is an offset below the
   object's base. */
static uintptr_t dyn_addr(const struct link_map *lm, ElfW(Addr) p) {
  return p < lm->l_addr ? lm->l_addr + p : p;
}

/* The dynamic tables of one loaded object that symbol lookups need. */
struct dyn_tables {
  uintptr_t base;
  const ElfW(Sym) *symtab;
  const char *strtab;
  const uint32_t *hash, *gnu_hash;
};

static void read_tables(const struct link_map *lm, struct dyn_tables *t) {
  *t = (struct dyn_tables){.base = lm->l_addr};
  for (const ElfW(Dyn) *d = lm->l_ld; d && d->d_tag != DT_NULL; d++) {
    switch (d->d_tag) {
      case DT_SYMTAB: t->symtab = (const ElfW(Sym) *)dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_STRTAB: t->strtab = (const char *)dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_HASH: t->hash = (const uint32_t *)dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_GNU_HASH: t->gnu_hash = (const uint32_t *)dyn_addr(lm, d->d_un.d_ptr); break;
      default: break;
    }
  }
}

static bool is_definition(const struct dyn_tables *t, const ElfW(Sym) *s, const char *name, uintptr_t at) {
  return s->st_shndx != SHN_UNDEF && ELF64_ST_TYPE(s->st_info) == STT_FUNC &&
         t->base + s->st_value == at && strcmp(t->strtab + s->st_name, name) == 0;
}

/* Whether the object defines function `name` at address `at` (a DT_GNU_HASH or DT_HASH lookup). */
static bool defined_at(const struct dyn_tables *t, const char *name, uintptr_t at) {
  if (!t->symtab || !t->strtab) return false;
  if (t->gnu_hash) {
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) h = h * 33 + *c;
    const uint32_t *g = t->gnu_hash;
    uint32_t nbuckets = g[0], symoffset = g[1], bloom_words = g[2];
    const uint32_t *buckets = g + 4 + bloom_words * (sizeof(ElfW(Addr)) / 4);
    const uint32_t *chain = buckets + nbuckets;
    if (nbuckets == 0) return false;
    for (uint32_t i = buckets[h % nbuckets]; i >= symoffset && i != 0; i++) {
      uint32_t ch = chain[i - symoffset];
      if ((ch | 1) == (h | 1) && is_definition(t, &t->symtab[i], name, at)) return true;
      if (ch & 1) break;
    }
    return false;
  }
  if (t->hash) {
    uint32_t h = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
      h = (h << 4) + *c;
      uint32_t g = h & 0xf0000000u;
      if (g) h ^= g >> 24;
      h &= ~g;
    }
    uint32_t nbucket = t->hash[0], nchain = t->hash[1];
    const uint32_t *bucket = t->hash + 2, *chain = bucket + nbucket;
    if (nbucket == 0) return false;
    for (uint32_t i = bucket[h % nbucket]; i != 0 && i < nchain; i = chain[i])
      if (is_definition(t, &t->symtab[i], name, at)) return true;
  }
  return false;
}

/* Marks in `used` (n entries) the dynamic symbols that `count` bytes of relocations at `rel`
   (entries of `size` bytes, Rel or Rela) refer to; returns the largest index seen. */
static uint32_t scan_relocations(uintptr_t rel, size_t count, size_t size, uint8_t *used, uint32_t n) {
  uint32_t top = 0;
  if (!rel || size < sizeof(ElfW(Rel))) return 0;
  for (size_t off = 0; off + size <= count; off += size) {
    uint32_t sym = (uint32_t)REL_SYM(((const ElfW(Rel) *)(rel + off))->r_info);
    if (sym > top) top = sym;
    if (used && sym < n) used[sym] = 1;
  }
  return top;
}

/* interposed(handle) -> names of functions the library defines and also refers to through a
   relocation (its own calls through the PLT or GOT), for which the global scope finds the main
   program's definition first: those calls bind to the program's copy. */
static napi_value js_dlinterposed(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], list;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uintptr_t h;
  if (argc != 1) return throw_type(env, "ERR_TRAMPFD_LOAD", "interposed(handle)");
  if (!get_address(env, argv[0], "library handle", &h)) return NULL;
  napi_create_array(env, &list);
  struct link_map *lm = NULL;
  if (dlinfo((void *)h, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !lm->l_ld) return list;
  const ElfW(Sym) *symtab = NULL;
  const char *strtab = NULL;
  const ElfW(Half) *versym = NULL;
  uintptr_t rela = 0, rel = 0, jmprel = 0;
  size_t relasz = 0, relsz = 0, pltrelsz = 0, pltent = sizeof(ElfW(Rela));
  for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
    switch (d->d_tag) {
      case DT_SYMTAB: symtab = (const ElfW(Sym) *)dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_STRTAB: strtab = (const char *)dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_VERSYM: versym = (const ElfW(Half) *)dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_RELA: rela = dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_RELASZ: relasz = d->d_un.d_val; break;
      case DT_REL: rel = dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_RELSZ: relsz = d->d_un.d_val; break;
      case DT_JMPREL: jmprel = dyn_addr(lm, d->d_un.d_ptr); break;
      case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
      case DT_PLTREL: pltent = d->d_un.d_val == DT_REL ? sizeof(ElfW(Rel)) : sizeof(ElfW(Rela)); break;
      default: break;
    }
  }
  if (!symtab || !strtab) return list;
  uint32_t n = scan_relocations(rela, relasz, sizeof(ElfW(Rela)), NULL, 0);
  uint32_t m = scan_relocations(rel, relsz, sizeof(ElfW(Rel)), NULL, 0);
  if (m > n) n = m;
  m = scan_relocations(jmprel, pltrelsz, pltent, NULL, 0);
  if (m > n) n = m;
  n++; /* symbol indices 0..n-1 */
  uint8_t *used = calloc(n, 1);
  void *global = used ? dlopen(NULL, RTLD_LAZY) : NULL;
  struct link_map *main_map = NULL;
  if (!global || dlinfo(global, RTLD_DI_LINKMAP, &main_map) != 0 || !main_map) {
    if (global) dlclose(global);
    free(used);
    return list;
  }
  struct dyn_tables program;
  read_tables(main_map, &program);
  scan_relocations(rela, relasz, sizeof(ElfW(Rela)), used, n);
  scan_relocations(rel, relsz, sizeof(ElfW(Rel)), used, n);
  scan_relocations(jmprel, pltrelsz, pltent, used, n);
  uint32_t found = 0;
  for (uint32_t i = 1; i < n; i++) {
    const ElfW(Sym) *s = &symtab[i];
    int bind = ELF64_ST_BIND(s->st_info);
    /* Defined, exported, default-visibility plain functions: protected ones bind locally, IFUNC
       addresses are resolvers (never equal to what dlsym returns), hidden versions are not what
       an unversioned lookup finds. */
    if (!used[i] || s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
        (bind != STB_GLOBAL && bind != STB_WEAK) || ELF64_ST_VISIBILITY(s->st_other) != STV_DEFAULT ||
        (versym && (versym[i] & 0x8000)))
      continue;
    const char *name = strtab + s->st_name;
    dlerror();
    void *there = dlsym(global, name);
    if (dlerror() || !there || (uintptr_t)there == lm->l_addr + s->st_value) continue;
    /* The program's own definition, not its canonical PLT stub for a function it only imports
       (other objects' PLT lookups skip those), nor a later library's copy. */
    if (!defined_at(&program, name, (uintptr_t)there)) continue;
    napi_value v;
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
    napi_set_element(env, list, found++, v);
  }
  dlclose(global);
  free(used);
  return list;
}

bool js_dl_init(napi_env env, napi_value exports) {
  static const export_fn fns[] = {
    {"dlopen", js_dlopen}, {"dlsym", js_dlsym}, {"dlInterposed", js_dlinterposed},
  };
  return export_all(env, exports, fns, (int)(sizeof fns / sizeof fns[0]));
}
