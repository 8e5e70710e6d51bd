// Error classes of the type model; each has a fixed `code` so callers can branch on it.

/** A JS value of the wrong kind for a C type (a string for an int, a missing struct field). */
export class TrampfdTypeError extends TypeError {
  readonly code = 'ERR_TRAMPFD_VALUE_TYPE';
  override readonly name = 'TrampfdTypeError';
}

/** A JS value of the right kind that the C type cannot hold exactly (1.5 for an int, 2**40 for a uint32_t). */
export class TrampfdRangeError extends RangeError {
  readonly code = 'ERR_TRAMPFD_VALUE_RANGE';
  override readonly name = 'TrampfdRangeError';
}

/**
 * A type that cannot be built: an array of void, a conflicting redefinition, `long double`.
 * The declaration parser turns these into positioned DeclarationErrors.
 */
export class CTypeError extends Error {
  readonly code: 'ERR_TRAMPFD_CTYPE' | 'ERR_TRAMPFD_CTYPE_UNSUPPORTED';
  override readonly name = 'CTypeError';
  constructor(message: string, unsupported = false) {
    super(message);
    this.code = unsupported ? 'ERR_TRAMPFD_CTYPE_UNSUPPORTED' : 'ERR_TRAMPFD_CTYPE';
  }
}
