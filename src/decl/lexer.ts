// Splits C declaration source into tokens that know their line and column.
import { DeclarationError } from './errors.js';

export interface Token {
  readonly kind: 'ident' | 'int' | 'float' | 'char' | 'string' | 'punct' | 'eof';
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** Integer and character constants: the value and the C type the literal has. */
  readonly value?: bigint;
  readonly unsigned?: boolean;
  readonly bits?: 32 | 64;
}

const PUNCT3 = new Set(['...', '<<=', '>>=']);
const PUNCT2 = new Set(['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '->', '++', '--', '+=', '-=', '*=', '/=', '|=', '&=', '^=', '%=']);
const PUNCT1 = '()[]{},;*:=+-/%|&^~!<>?.';

const ESCAPES: Record<string, number> = {
  n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '?': 63, e: 27,
};

const INT_RE = /^(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))(?:([uU])(ll|LL|l|L)?|(ll|LL|l|L)([uU])?)?$/;

/** [A-Za-z_$] */
const identStart = (k: number): boolean => (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || k === 36;
/** [0-9] (false for NaN, past the end) */
const isDigit = (k: number): boolean => k >= 48 && k <= 57;

/** Type of an integer literal by C11 6.4.4.1 (decimal: int, long; others may go unsigned). */
function literalType(v: bigint, decimal: boolean, u: boolean, long: boolean): { unsigned: boolean; bits: 32 | 64 } | undefined {
  const options: [boolean, 32 | 64][] = [];
  if (!long) { if (!u) options.push([false, 32]); if (u || !decimal) options.push([true, 32]); }
  if (!u) options.push([false, 64]);
  if (u || !decimal) options.push([true, 64]);
  for (const [unsigned, bits] of options) {
    if (v < (1n << BigInt(unsigned ? bits : bits - 1))) return { unsigned, bits };
  }
  return undefined;
}

/**
 * Pulls tokens one at a time, so a parser that stops at an error has only lexed up to it:
 * a huge malformed input costs what was read of it, not all of it.
 */
export class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly source: string) {}

  /** The next token; at the end, an 'eof' token every time. */
  next(): Token {
    const source = this.source;
    let { i, line, lineStart } = this;
    const fail = (msg: string, at: number, atLine = line, atStart = lineStart): never => {
      throw new DeclarationError(msg, source, atLine, at - atStart + 1);
    };
    const token = (t: Token): Token => {
      this.i = i;
      this.line = line;
      this.lineStart = lineStart;
      return t;
    };
    while (i < source.length) {
      const c = source[i]!;
      if (c === '\n') { i++; line++; lineStart = i; continue; }
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
      if (c === '/' && source[i + 1] === '/') {
        while (i < source.length && source[i] !== '\n') i++;
        continue;
      }
      if (c === '/' && source[i + 1] === '*') {
        const [startLine, startCol] = [line, lineStart];
        const at = i;
        i += 2;
        while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) {
          if (source[i] === '\n') { line++; lineStart = i + 1; }
          i++;
        }
        if (i >= source.length) fail('unterminated comment', at, startLine, startCol);
        i += 2;
        continue;
      }
      const start = i;
      const column = i - lineStart + 1;
      if (identStart(source.charCodeAt(i))) {
        while (i < source.length && (identStart(source.charCodeAt(i)) || isDigit(source.charCodeAt(i)))) i++;
        const text = source.slice(start, i);
        if ((text === 'L' || text === 'u' || text === 'U' || text === 'u8') && (source[i] === "'" || source[i] === '"')) {
          continue; // a wide/unicode prefix: the literal that follows is lexed on the next turn
        }
        return token({ kind: 'ident', text, line, column });
      }
      if (isDigit(source.charCodeAt(i)) || (c === '.' && isDigit(source.charCodeAt(i + 1)))) {
        while (i < source.length) {
          const d = source[i]!;
          if ((d === '+' || d === '-') && /[eEpP]/.test(source[i - 1]!)) { i++; continue; }
          if (!/[0-9A-Za-z_.]/.test(d)) break;
          i++;
        }
        const text = source.slice(start, i);
        const m = INT_RE.exec(text);
        if (!m) {
          if (/^[0-9.]/.test(text) && /[.eEpP]/.test(text) && /^[0-9a-fA-FxX.eEpP+\-]+[fFlL]?$/.test(text)) {
            return token({ kind: 'float', text, line, column });
          }
          fail(`invalid number '${text}'`, start);
        }
        const [, hex, bin, oct, dec, u1, l1, l2, u2] = m!;
        const value = hex !== undefined ? BigInt(`0x${hex}`) : bin !== undefined ? BigInt(`0b${bin}`)
          : oct !== undefined ? BigInt(`0o${oct === '0' ? '0' : oct.slice(1)}`) : BigInt(dec!);
        const ty = literalType(value, dec !== undefined, (u1 ?? u2) !== undefined, (l1 ?? l2) !== undefined);
        if (!ty) fail(`integer constant '${text}' is too large`, start);
        return token({ kind: 'int', text, line, column, value, ...ty! });
      }
      if (c === "'" || c === '"') {
        i++;
        const chars: number[] = [];
        while (i < source.length && source[i] !== c && source[i] !== '\n') {
          if (source[i] === '\\') {
            const e = source[i + 1] ?? '';
            const hex = /^x([0-9a-fA-F]+)/.exec(source.slice(i + 1));
            const oct = /^[0-7]{1,3}/.exec(source.slice(i + 1));
            if (hex) { chars.push(parseInt(hex[1]!, 16)); i += 1 + hex[0].length; continue; }
            if (oct) { chars.push(parseInt(oct[0], 8)); i += 1 + oct[0].length; continue; }
            if (!(e in ESCAPES)) fail(`unknown escape sequence '\\${e}'`, i);
            chars.push(ESCAPES[e]!);
            i += 2;
            continue;
          }
          chars.push(source.codePointAt(i)!);
          i += source.codePointAt(i)! > 0xffff ? 2 : 1;
        }
        if (source[i] !== c) fail(c === '"' ? 'unterminated string' : 'unterminated character constant', start);
        i++;
        if (c === '"') return token({ kind: 'string', text: source.slice(start, i), line, column });
        if (chars.length !== 1) fail(chars.length ? 'multi-character constant' : 'empty character constant', start);
        return token({ kind: 'char', text: source.slice(start, i), line, column, value: BigInt(chars[0]!), unsigned: false, bits: 32 });
      }
      const three = source.slice(i, i + 3);
      const two = three.slice(0, 2);
      const p = PUNCT3.has(three) ? three : PUNCT2.has(two) ? two : PUNCT1.includes(c) ? c : undefined;
      if (p === undefined) {
        fail(c === '#' ? 'preprocessor directives are not supported' : `unexpected character ${JSON.stringify(c)}`, start);
      }
      i += p!.length;
      return token({ kind: 'punct', text: p!, line, column });
    }
    return token({ kind: 'eof', text: 'end of input', line, column: source.length - lineStart + 1 });
  }
}
