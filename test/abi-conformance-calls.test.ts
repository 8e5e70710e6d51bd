// Area: calls. Purpose: ABI conformance on seeded random signatures — every scalar type, structs and
// unions by value (1..64 bytes, nested, arrays, packed), more than 6 integer and 8 vector arguments,
// variadics — against C callees that check each argument they receive and return a known value.
// TRAMPFD_SEED reproduces a run (the seed is printed); TRAMPFD_GEN_COUNT sets the signature count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memory } from '../dist/index.js';
import { canGenerateCode, codegenSettings } from '../dist/codegen/compile.js';
import { nativeOpsActive } from '../dist/codegen/native-ops.js';
import {
  type GType, type Signature, loadSuite, difference, generateSuite, jsArg, jsArgs, jsExpected, seedFromEnv,
} from './support-abi-gen.js';

const seed = seedFromEnv();
const count = Number(process.env.TRAMPFD_GEN_COUNT ?? 600);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`TRAMPFD_GEN_COUNT must be a positive integer, got '${process.env.TRAMPFD_GEN_COUNT}'`);
const variadicCount = Math.ceil(count / 10);

const mode = nativeOpsActive(codegenSettings.interpretOnly) ? 'native'
  : codegenSettings.interpretOnly || !canGenerateCode() ? 'interpreted' : 'generated';
const banner = `seed ${seed} (reproduce with TRAMPFD_SEED=${seed} TRAMPFD_GEN_COUNT=${count}), marshallers: ${mode}`;
console.log(`abi-conformance-calls: ${banner}`);

const { suite, fixture, lib, errorBuffer, errorByte, anchor, prepared } = await loadSuite({ seed, count, variadic: variadicCount }, 'calls');

function show(v: unknown): string {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x)
    : Object.is(x, -0) ? '-0' : ArrayBuffer.isView(x) ? `${x.constructor.name}[${Array.from(x as Uint8Array).join(',')}]` : x));
}

/** Calls `sig` with its values; the first problem found, or undefined. */
function check(sig: Signature): string | undefined {
  let f;
  try {
    f = lib.func(sig.prototype);
  } catch (e) {
    return `declaring it threw ${String(e)}`;
  }
  for (let round = 1; round <= 2; round++) {
    errorByte[0] = 0;
    let got: unknown, threw: unknown;
    try {
      got = f(...jsArgs(sig, anchor));
    } catch (e) {
      threw = e;
    }
    // The callee's complaint first: a poisoned return value may be what made the call throw.
    const cError = memory.string(errorBuffer);
    if (cError) return `the C callee saw a wrong argument: ${cError}`;
    if (threw !== undefined) return `calling it threw ${String(threw)}`;
    if (!sig.ret) {
      if (got !== undefined) return `expected undefined, got ${show(got)}`;
      continue;
    }
    const d = difference(sig.ret.type, got, jsExpected(sig.ret.val, anchor), 'return value');
    if (d) return `${d}${round === 2 ? ' (on the second call)' : ''}`;
  }
  return undefined;
}

function runAll(sigs: readonly Signature[]): void {
  const failures: string[] = [];
  for (const sig of sigs) {
    const problem = check(sig);
    if (problem) failures.push(`${sig.prototype}\n    ${problem}\n    JS arguments: ${show(jsArgs(sig, anchor))}`);
  }
  if (failures.length === 0) return;
  const first = sigs.find((s) => failures[0]!.startsWith(s.prototype + '\n'))!;
  assert.fail(`${failures.length} of ${sigs.length} signatures failed (${banner}; fixture ${fixture.c.join(' ')}):\n` +
    `${failures.slice(0, 15).join('\n')}${failures.length > 15 ? `\n... and ${failures.length - 15} more` : ''}\n` +
    `C definition of the first:\n${first.c}`);
}

const fixed = suite.signatures.filter((s) => s.varargs.length === 0 && !s.prototype.endsWith('...)'));
const variadics = suite.signatures.filter((s) => !fixed.includes(s));

test(`${fixed.length} random fixed-parameter signatures pass every argument and return exactly (seed ${seed})`, (t) => {
  t.diagnostic(banner);
  t.diagnostic(`generated and compiled in ${prepared} ms`);
  runAll(fixed);
});

test(`${variadics.length} random variadic signatures pass every extra argument (seed ${seed})`, (t) => {
  t.diagnostic(banner);
  runAll(variadics);
});

test('every generated struct and union has the layout gcc gives it', () => {
  const wrong = suite.records
    .filter((r) => memory.sizeof(r.c) !== r.size || memory.alignof(r.c) !== r.align)
    .map((r) => `${r.c}: trampfd ${memory.sizeof(r.c)}/${memory.alignof(r.c)}, gcc ${r.size}/${r.align}`);
  assert.deepEqual(wrong, [], banner);
});

test('the suite covers what the issue asks for', () => {
  const intLike = (t: GType): boolean => t.kind === 'int' || t.kind === 'bool' || t.kind === 'pointer' || t.kind === 'enum';
  const paramTypes = fixed.flatMap((s) => s.params.map((p) => p.type));
  const scalarNames = new Set(paramTypes.filter((t) => t.kind !== 'record' && t.kind !== 'array').map((t) => (t as { c: string }).c));
  const retNames = new Set(fixed.flatMap((s) => (s.ret && s.ret.type.kind !== 'record' ? [(s.ret.type as { c: string }).c] : [])));
  for (const name of ['char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long',
    'unsigned long', 'long long', 'unsigned long long', 'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t',
    'int64_t', 'uint64_t', 'size_t', 'ssize_t', 'intptr_t', 'bool', 'float', 'double', 'void *', 'const char *']) {
    if (count >= 500) {
      assert.ok(scalarNames.has(name), `no parameter of type ${name}`);
      assert.ok(retNames.has(name), `no return of type ${name}`);
    }
  }
  const manyInts = fixed.filter((s) => s.params.filter((p) => intLike(p.type)).length > 6).length;
  const manyFloats = fixed.filter((s) => s.params.filter((p) => p.type.kind === 'float').length > 8).length;
  const recs = suite.records;
  const sizes = new Set(recs.map((r) => r.size));
  if (count >= 500) {
    assert.ok(manyInts >= 50 && manyFloats >= 20, `only ${manyInts} signatures with > 6 integer and ${manyFloats} with > 8 float arguments`);
    assert.ok(sizes.has(1) && [...sizes].some((s) => s > 48) && recs.some((r) => r.union) && recs.some((r) => r.packed),
      'records of 1 and > 48 bytes, unions and packed structs');
    assert.ok(fixed.some((s) => s.ret?.type.kind === 'record' && s.ret.type.size <= 16) &&
      fixed.some((s) => s.ret?.type.kind === 'record' && s.ret.type.size > 16), 'struct returns in registers and in memory');
  }
  assert.deepEqual(generateSuite({ seed, count, variadic: variadicCount }).units, suite.units, 'the same seed gives the same suite');
});

test('a wrong argument is caught by the C callee (the checks are not vacuous)', () => {
  const sig = fixed.find((s) => s.params.length > 3 && s.params[3]!.type.kind === 'int' && (s.params[3]!.type.signed || s.params[3]!.type.size < 8))!;
  assert.ok(sig, 'a signature with an integer 4th parameter');
  const args = jsArgs(sig, anchor);
  const v = sig.params[3]!.val;
  assert.ok(v.k === 'int');
  const other = v.n === 0n ? 1n : 0n;
  args[3] = jsArg({ ...v, n: other, form: 'plain' }, anchor);
  errorByte[0] = 0;
  try {
    lib.func(sig.prototype)(...args);
  } catch {
    // the poisoned return value need not be representable
  }
  assert.match(memory.string(errorBuffer), new RegExp(`^${sig.name}: a3 = ${other}, expected ${v.n}`));
  errorByte[0] = 0;
});
