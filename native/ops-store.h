/* Store codes shared by the native marshallers (js-ops.c) and callback runners (js-cb-ops.c):
   how a scalar moves between a JS value and frame bytes; each is its name's index in the addon's
   exported `opsStores` array, which TypeScript reads. */
#ifndef TRAMPFD_OPS_STORE_H
#define TRAMPFD_OPS_STORE_H
enum store { S_VOID, S_I8, S_U8, S_I16, S_U16, S_I32, S_U32, S_BOOL, S_F32, S_F64, S_I64, S_U64,
             S_SAFE_I64, S_SAFE_U64, S_POINTER, S_COUNT };
#endif
