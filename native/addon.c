/* The addon's entry: registers each native concern's functions on one exports object. */
#include "js-tramp.h"
#include "napi-util.h"

NAPI_MODULE_INIT() {
  if (!js_tramp_init(env, exports)) return NULL;
  return exports;
}
