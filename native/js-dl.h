/* Registers the library-loading functions (dlopen, dlsym, interposed symbols). */
#ifndef TRAMPFD_JS_DL_H
#define TRAMPFD_JS_DL_H
#include "napi-util.h"
bool js_dl_init(napi_env env, napi_value exports);
#endif
