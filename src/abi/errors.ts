// Errors raised by the ABI planners: one class, a fixed code, a reason, the offending argument.

/** Why a signature cannot be planned. */
export type AbiErrorReason =
  | 'incomplete-type'    // a struct/union only forward-declared, passed or returned by value
  | 'void-value'         // a `void` parameter (other than the empty list) or a void member
  | 'x87-type'           // long double (X87 class): the psABI passes it, we refuse it
  | 'array-value'        // arrays decay to pointers before planning; by value they cannot occur
  | 'function-value'     // functions decay to pointers too
  | 'unsupported-type'   // a scalar representation this planner does not know
  | 'variadic-mismatch'  // extra arguments for a non-variadic function
  | 'calling-convention'; // an i386 convention (stdcall, fastcall, regparm) on another target

/** `argument` is the 0-based argument index, or 'return' for the return value. */
export class AbiError extends Error {
  readonly code = 'ERR_TRAMPFD_ABI' as const;
  override readonly name = 'AbiError';

  constructor(
    readonly reason: AbiErrorReason,
    readonly abi: string,
    readonly argument: number | 'return' | undefined,
    message: string,
  ) {
    super(message);
  }
}
