// DeclarationError: every problem in a C declaration, with its line, column and a caret under the source.

export type DeclarationErrorCode =
  | 'ERR_TRAMPFD_DECL_SYNTAX'      // not C: unexpected token or character
  | 'ERR_TRAMPFD_DECL_UNKNOWN'     // unknown type name, tag or constant
  | 'ERR_TRAMPFD_DECL_UNSUPPORTED' // valid C that trampfd cannot pass (long double, __int128...)
  | 'ERR_TRAMPFD_DECL_INVALID';    // well-formed but wrong: conflicting redefinition, bad array size...

/** Characters of the source line shown on each side of the error's column. */
const EXCERPT = 60;

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
    let text = (source.split(/\r\n|\r|\n/)[line - 1] ?? '').replace(/\t/g, ' ');
    let caret = Math.max(0, column - 1);
    if (text.length > 2 * EXCERPT) { // a window around the column, not a megabyte of one line
      const from = Math.max(0, caret - EXCERPT);
      text = `${from > 0 ? '...' : ''}${text.slice(from, caret + EXCERPT)}${caret + EXCERPT < text.length ? '...' : ''}`;
      caret += (from > 0 ? 3 : 0) - from;
    }
    super(`${reason} at ${line}:${column}\n  ${text}\n  ${' '.repeat(caret)}^`);
    this.reason = reason;
  }
}
