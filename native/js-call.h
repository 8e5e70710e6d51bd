/* Registers the foreign-call functions and the frame buffer. */
#ifndef TRAMPFD_JS_CALL_H
#define TRAMPFD_JS_CALL_H
#include "napi-util.h"
struct env_state;
bool js_call_init(napi_env env, napi_value exports, struct env_state *e);
/* The call stub of the target (native/arch/<target>/call.S): calls what the filled frame describes. */
void trampfd_call(uint8_t *frame);
/* Calls the function the filled frame describes (capturing errno when its flags ask). */
void call_frame(uint8_t *frame);
/* On the JS thread, before a call: hands the value errno(value) set to a call capturing errno. */
void errno_in(struct env_state *e, uint8_t *frame);
#endif
