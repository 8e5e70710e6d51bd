// Error classes of the public API, each with a fixed code.

/** Misuse of a trampoline (freed handle, double free, not an address), or no slot left (EXHAUSTED). */
export class TrampolineError extends TypeError {
  readonly code: 'ERR_TRAMPFD_TRAMPOLINE' | 'ERR_TRAMPFD_EXHAUSTED';
  constructor(message: string, code: 'ERR_TRAMPFD_TRAMPOLINE' | 'ERR_TRAMPFD_EXHAUSTED' = 'ERR_TRAMPFD_TRAMPOLINE') {
    super(message);
    this.name = 'TrampolineError';
    this.code = code;
  }
}

/** A library or symbol that cannot be found or opened. */
export class LoadError extends Error {
  readonly code = 'ERR_TRAMPFD_LOAD';
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

/**
 * Misuse of callback(): a non-function, a variadic type, a double free (ERR_TRAMPFD_CALLBACK);
 * a freed Callback passed to C (ERR_TRAMPFD_FREED).
 */
export class CallbackError extends TypeError {
  readonly code: 'ERR_TRAMPFD_CALLBACK' | 'ERR_TRAMPFD_FREED';
  constructor(message: string, code: 'ERR_TRAMPFD_CALLBACK' | 'ERR_TRAMPFD_FREED' = 'ERR_TRAMPFD_CALLBACK') {
    super(message);
    this.name = 'CallbackError';
    this.code = code;
  }
}
