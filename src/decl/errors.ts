// DeclarationError: every problem in a C declaration, with its line, column and a caret under the source.

export type DeclarationErrorCode =
  | 'ERR_TRAMPFD_DECL_SYNTAX'      // not C: unexpected token or character
  | 'ERR_TRAMPFD_DECL_UNKNOWN'     // unknown type name, tag or constant
  | 'ERR_TRAMPFD_DECL_UNSUPPORTED' // valid C that trampfd cannot pass (long double, __int128...)
  | 'ERR_TRAMPFD_DECL_INVALID';    // well-formed but wrong: conflicting redefinition, bad array size...

export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
  /** The message without position and excerpt. */
  readonly reason: string;

  constructor(
    reason: string,
    source: string,
    /** 1-based line and column (in UTF-16 code units) where the problem is. */
    readonly line: number,
    readonly column: number,
    readonly code: DeclarationErrorCode = 'ERR_TRAMPFD_DECL_SYNTAX',
  ) {
    const text = (source.split(/\r\n|\r|\n/)[line - 1] ?? '').replace(/\t/g, ' ');
    super(`${reason} at ${line}:${column}\n  ${text}\n  ${' '.repeat(Math.max(0, column - 1))}^`);
    this.reason = reason;
  }
}
