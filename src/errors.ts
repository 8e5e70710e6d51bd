// Error classes of the public API, each with a fixed code.

/** Misuse of a trampoline: freed handle, double free, a value that is not an address. */
export class TrampolineError extends TypeError {
  readonly code = 'ERR_TRAMPFD_TRAMPOLINE';
  constructor(message: string) {
    super(message);
    this.name = 'TrampolineError';
  }
}
