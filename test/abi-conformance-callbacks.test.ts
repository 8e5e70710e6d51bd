// Area: callbacks. Purpose: ABI conformance on seeded random signatures, the other way round from
// abi-conformance-calls — a gcc-compiled C driver `int <name>_drive(R (*fn)(...))` calls a JS
// callback with known arguments (every scalar type, structs and unions by value 1..64 bytes, nested,
// arrays, packed, more than 6 integer and 8 vector arguments) and checks, member by member and
// bitwise, the value it returns; the JS callback checks every argument it receives.
// How the callback is made rotates per signature: callback(prototype), callback('R (*)(...)'), and a
// plain JS function passed for the function-pointer parameter (a transient callback).
// Arguments are compared in their canonical (readValue) form: 64-bit 'bigint' types as bigint,
// size-like types and enums as numbers, char arrays as arrays of numbers, floats with Object.is
// (so -0 and NaN count). A `const char *` argument given as a C string literal is compared by the
// string it points to. A union is compared by the member its value set (C zeroes the rest, and the
// other members are views of the same bytes). Return values are given in the forms the call suite
// passes (enum names, bigints for size-like types, typed arrays, strings for char arrays, ...).
// TRAMPFD_SEED reproduces a run (the seed is printed); TRAMPFD_GEN_COUNT sets the signature count.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackError, callback, cdef, load, memory } from '../dist/index.js';
import { canGenerateCode, codegenSettings } from '../dist/codegen/compile.js';
import { nativeCallbacksActive } from '../dist/codegen/native-callbacks.js';
import {
  type GType, type Signature, loadSuite, difference, generateSuite, jsArg, jsExpected, seedFromEnv,
} from './support-abi-gen.js';
import { archName, cc } from './support-native.js';

const seed = seedFromEnv();
const count = Number(process.env.TRAMPFD_GEN_COUNT ?? 500);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`TRAMPFD_GEN_COUNT must be a positive integer, got '${process.env.TRAMPFD_GEN_COUNT}'`);

// 'native': callbacks with scalar arguments and results run natively (native-callbacks.ts), the rest as before.
const mode = nativeCallbacksActive() ? 'native' : codegenSettings.interpretOnly || !canGenerateCode() ? 'interpreted' : 'generated';
const banner = `seed ${seed} (reproduce with TRAMPFD_SEED=${seed} TRAMPFD_GEN_COUNT=${count}), runners: ${mode}`;
console.log(`abi-conformance-callbacks: ${banner}`);

const { suite, fixture, lib, errorBuffer, errorByte, anchor, prepared } = await loadSuite({ seed, count, variadic: 0, mode: 'callbacks' }, 'callbacks');

type How = 'callback(prototype)' | 'callback(pointer type)' | 'transient';
const howOf = (i: number): How => (i % 4 === 3 ? 'transient' : i % 4 === 1 ? 'callback(pointer type)' : 'callback(prototype)');

function show(v: unknown): string {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x)
    : Object.is(x, -0) ? '-0' : ArrayBuffer.isView(x) ? `${x.constructor.name}[${Array.from(x as Uint8Array).join(',')}]` : x));
}

/** Every difference between what the callback received and the signature's values. */
function argumentMismatches(sig: Signature, args: unknown[]): string[] {
  if (args.length !== sig.params.length) return [`${sig.name}: expected ${sig.params.length} arguments, got ${args.length}`];
  const out: string[] = [];
  sig.params.forEach((p, j) => {
    const path = `argument ${j + 1} (a${j}: ${p.spelled})`;
    const got = args[j];
    let d: string | undefined;
    if (p.val.k === 'ptr' && p.val.form === 'string') {
      const s = typeof got === 'number' && got !== 0 ? memory.string(got) : undefined;
      if (s !== p.val.str) d = `${path}: expected a pointer to ${JSON.stringify(p.val.str)}, got ${show(got)}${s === undefined ? '' : ` -> ${JSON.stringify(s)}`}`;
    } else {
      d = difference(p.type, got, jsExpected(p.val, anchor), path);
    }
    if (d) out.push(`${sig.name}: ${d}`);
  });
  return out;
}

/** Drives `sig` through a callback made as `how`; the first problem found, or undefined. */
function check(sig: Signature, how: How): string | undefined {
  const drive = sig.drive!;
  let f;
  try {
    f = lib.func(drive.prototype);
  } catch (e) {
    return `declaring ${drive.prototype} threw ${String(e)}`;
  }
  const mismatches: string[] = [];
  let calls = 0;
  const js = (...args: unknown[]): unknown => {
    calls++;
    mismatches.push(...argumentMismatches(sig, args));
    return sig.ret ? jsArg(sig.ret.val, anchor) : undefined;
  };
  for (let round = 1; round <= 2; round++) {
    const again = round === 2 ? ' (on the second run)' : '';
    errorByte[0] = 0;
    calls = 0;
    let status: unknown, threw: unknown;
    let cb;
    try {
      if (how === 'transient') {
        status = f(js);
      } else {
        cb = callback(how === 'callback(prototype)' ? sig.prototype : drive.fnType, js);
        status = f(cb.pointer);
      }
    } catch (e) {
      threw = e;
    } finally {
      cb?.free();
    }
    // The callback's complaints first: a wrong argument may be what made something else fail.
    if (mismatches.length) return `the JS callback saw wrong arguments${again}:\n      ${mismatches.slice(0, 5).join('\n      ')}`;
    const cError = memory.string(errorBuffer);
    if (cError) return `the C driver saw a wrong return value${again}: ${cError}`;
    if (threw !== undefined) return `driving it threw${again} ${String(threw)}`;
    if (calls !== 1) return `the callback ran ${calls} times${again}, expected once`;
    if (status !== 0) return `the driver returned ${show(status)}${again} with an empty error buffer`;
  }
  return undefined;
}

const sigs = suite.signatures;
const runs = sigs.map((s, i) => ({ sig: s, how: howOf(i) }));

function runAll(list: readonly { sig: Signature; how: How }[]): void {
  const failures: string[] = [];
  for (const { sig, how } of list) {
    const problem = check(sig, how);
    if (problem) {
      failures.push(`${sig.prototype}  [${how}]\n    ${problem}\n    return value given: ${sig.ret ? show(jsArg(sig.ret.val, anchor)) : 'none'}`);
    }
  }
  if (failures.length === 0) return;
  const first = list.find(({ sig }) => failures[0]!.startsWith(sig.prototype + ' '))!.sig;
  assert.fail(`${failures.length} of ${list.length} signatures failed (${banner}; fixture ${fixture.c.join(' ')}):\n` +
    `${failures.slice(0, 15).join('\n')}${failures.length > 15 ? `\n... and ${failures.length - 15} more` : ''}\n` +
    `C driver of the first:\n${first.drive!.c}`);
}

const persistent = runs.filter((r) => r.how !== 'transient');
const transient = runs.filter((r) => r.how === 'transient');

test(`${persistent.length} random signatures: C calls callback() pointers with known arguments and gets the known result (seed ${seed})`, (t) => {
  t.diagnostic(banner);
  t.diagnostic(`generated and compiled in ${prepared} ms`);
  runAll(persistent);
});

test(`${transient.length} random signatures: the same through transient callbacks (a JS function for the fn parameter) (seed ${seed})`, (t) => {
  t.diagnostic(banner);
  runAll(transient);
});

test('the suite covers what the issue asks for', () => {
  const intLike = (t: GType): boolean => t.kind === 'int' || t.kind === 'bool' || t.kind === 'pointer' || t.kind === 'enum';
  const paramTypes = sigs.flatMap((s) => s.params.map((p) => p.type));
  const scalarNames = new Set(paramTypes.filter((t) => t.kind !== 'record' && t.kind !== 'array').map((t) => (t as { c: string }).c));
  const retNames = new Set(sigs.flatMap((s) => (s.ret && s.ret.type.kind !== 'record' ? [(s.ret.type as { c: string }).c] : [])));
  assert.ok(sigs.every((s) => s.drive && !s.prototype.endsWith('...)')), 'only fixed-parameter signatures, each with a driver');
  if (count < 500) return;
  for (const name of ['char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long',
    'unsigned long', 'long long', 'unsigned long long', 'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t',
    'int64_t', 'uint64_t', 'size_t', 'ssize_t', 'intptr_t', 'bool', 'float', 'double', 'void *', 'const char *']) {
    assert.ok(scalarNames.has(name), `no parameter of type ${name}`);
    assert.ok(retNames.has(name), `no return of type ${name}`);
  }
  const manyInts = sigs.filter((s) => s.params.filter((p) => intLike(p.type)).length > 6).length;
  const manyFloats = sigs.filter((s) => s.params.filter((p) => p.type.kind === 'float').length > 8).length;
  assert.ok(manyInts >= 50 && manyFloats >= 20, `only ${manyInts} signatures with > 6 integer and ${manyFloats} with > 8 float arguments`);
  const recs = suite.records;
  const sizes = new Set(recs.map((r) => r.size));
  assert.ok(sizes.has(1) && [...sizes].some((s) => s > 48) && recs.some((r) => r.union) && recs.some((r) => r.packed),
    'records of 1 and > 48 bytes, unions and packed structs');
  const recordParams = (rs: typeof runs): number => rs.filter((r) => r.sig.params.some((p) => p.type.kind === 'record')).length;
  assert.ok(recordParams(persistent) >= 100 && recordParams(transient) >= 30, 'records by value through both kinds of callback');
  for (const [label, rs] of [['callback()', persistent], ['transient', transient]] as const) {
    assert.ok(rs.some((r) => r.sig.ret?.type.kind === 'record' && r.sig.ret.type.size <= 16) &&
      rs.some((r) => r.sig.ret?.type.kind === 'record' && r.sig.ret.type.size > 16), `${label}: struct returns in registers and in memory`);
  }
  assert.ok(runs.some((r) => r.how === 'callback(pointer type)'), 'callbacks declared by a function-pointer type');
  assert.deepEqual(generateSuite({ seed, count, variadic: 0, mode: 'callbacks' }).units, suite.units, 'the same seed gives the same suite');
  const calls = generateSuite({ seed, count, variadic: 0 });
  assert.deepEqual(calls.signatures.map((s) => s.prototype), sigs.map((s) => s.prototype), 'calls and callbacks of a seed share signatures');
});

test('variadic callbacks are refused with a CallbackError', () => {
  assert.throws(() => callback('int f(int, ...)', () => 0), CallbackError);
  assert.throws(() => callback('double (*)(const char *fmt, ...)', () => 0), CallbackError);
  const calls = generateSuite({ seed, count: 1, variadic: 3, prefix: `${suite.prefix}_va` });
  cdef(calls.cdef);
  const v = calls.signatures.filter((s) => s.prototype.includes('...)')); // an i386 convention may follow
  assert.equal(v.length, 3);
  for (const s of v) assert.throws(() => callback(s.prototype, () => 0), CallbackError, s.prototype);
  assert.throws(() => generateSuite({ seed, count: 1, variadic: 1, mode: 'callbacks' }), /cannot be variadic/);
});

test('a wrong return value is caught by the C driver (its checks are not vacuous)', () => {
  const { sig } = runs.find(({ sig }) => sig.ret?.val.k === 'int' && sig.ret.type.kind === 'int' && sig.ret.type.size === 4 && sig.ret.type.signed)!;
  assert.ok(sig, 'a signature returning a 32-bit signed int');
  const want = (sig.ret!.val as { n: bigint }).n;
  const other = want === 0n ? 1n : 0n;
  errorByte[0] = 0;
  using cb = callback(sig.prototype, () => Number(other));
  const status = lib.func(sig.drive!.prototype)(cb.pointer);
  assert.equal(status, 1);
  assert.match(memory.string(errorBuffer), new RegExp(`^${sig.drive!.name}: return value = ${other}, expected ${want}`));
  errorByte[0] = 0;
});

test('a wrong argument is caught by the JS callback (its checks are not vacuous)', () => {
  const { sig, how } = runs.find(({ sig }) => sig.params.length > 3 && sig.params[3]!.val.k === 'int')!;
  assert.ok(sig, 'a signature with an integer 4th parameter');
  const v = sig.params[3]!.val;
  assert.ok(v.k === 'int');
  const expecting = { ...sig, params: sig.params.map((p, j) => (j === 3 ? { ...p, val: { ...v, n: v.n === 0n ? 1n : 0n } } : p)) };
  const problem = check(expecting, how);
  assert.ok(problem?.includes(`${sig.name}: argument 4 (a3: ${sig.params[3]!.spelled}): expected`), problem);
  errorByte[0] = 0;
});

test("a callback's exception reaches the driver's caller, and C gets a zero result", () => {
  const boom = new Error('boom');
  const { sig } = runs.find(({ sig }) => sig.ret?.val.k === 'int' && sig.ret.type.kind === 'int' && sig.ret.type.size === 4 && sig.ret.val.n !== 0n)!;
  errorByte[0] = 0;
  assert.throws(() => lib.func(sig.drive!.prototype)(() => { throw boom; }), (e) => e === boom);
  assert.match(memory.string(errorBuffer), new RegExp(`^${sig.drive!.name}: return value = 0, expected`));
  const big = runs.find(({ sig }) => sig.ret?.type.kind === 'record' && sig.ret.type.size > 16)!.sig;
  errorByte[0] = 0;
  assert.throws(() => lib.func(big.drive!.prototype)(() => { throw boom; }), (e) => e === boom);
  errorByte[0] = 0;
});

// A result returned in memory, seen from a hand-written caller (gcc's drivers cannot see the
// result register). x86-64 psABI 3.2.3: the callee gets the buffer in %rdi and returns it in %rax
// (gcc's callers ignore %rax), so the probe records %rax too. AAPCS64 6.9: the buffer comes in x8
// and the callee need not return or keep it: only the buffer is checked there. RISC-V psABI: the
// buffer's address is an implicit first argument in a0, which the callee need not return either.
// i386 psABI: the buffer's address is the first stack argument, which the callee pops (ret $4)
// and returns in %eax: the probe checks both (its esp is restored from ebp only after it reads eax,
// so a callee that did not pop would still return here; the conformance suites check the pop).
const SRET_PROBES: Record<string, { asm: string; register: string | null }> = {
  x86_64: { register: '%rax', asm: `
        .text
        .globl  sret_probe
        .type   sret_probe, @function
sret_probe:                       /* void sret_probe(void *fn): fn is 'struct big fn(void)' */
        push    %rbx
        lea     .Lbuf(%rip), %rbx
        mov     %rdi, %rax
        mov     %rbx, %rdi
        call    *%rax
        mov     %rax, .Lres(%rip)
        pop     %rbx
        ret
        .size   sret_probe, .-sret_probe
` },
  aarch64: { register: null, asm: `
        .text
        .globl  sret_probe
        .type   sret_probe, %function
sret_probe:                       /* void sret_probe(void *fn): fn is 'struct big fn(void)' */
        bti     c
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        mov     x9, x0
        adrp    x8, .Lbuf
        add     x8, x8, :lo12:.Lbuf
        blr     x9
        adrp    x9, .Lres
        str     x0, [x9, :lo12:.Lres]
        ldp     x29, x30, [sp], #16
        ret
        .size   sret_probe, .-sret_probe
` },
  riscv64: { register: null, asm: `
        .text
        .globl  sret_probe
        .type   sret_probe, %function
sret_probe:                       /* void sret_probe(void *fn): fn is 'struct big fn(void)' */
        addi    sp, sp, -16
        sd      ra, 8(sp)
        mv      t1, a0
        lla     a0, .Lbuf
        jalr    t1
        lla     t0, .Lres
        sd      a0, 0(t0)
        ld      ra, 8(sp)
        addi    sp, sp, 16
        ret
        .size   sret_probe, .-sret_probe
` },
};
SRET_PROBES.i386 = { register: '%eax', asm: `
        .text
        .globl  sret_probe
        .type   sret_probe, @function
sret_probe:                       /* void sret_probe(void *fn): fn is 'struct big fn(void)' */
        pushl   %ebp
        movl    %esp, %ebp
        pushl   %ebx              /* esp is now 4 past a 16-byte boundary: the push below aligns it */
        call    1f
1:      popl    %ebx
        addl    $_GLOBAL_OFFSET_TABLE_ + (. - 1b), %ebx
        leal    .Lbuf@GOTOFF(%ebx), %eax
        pushl   %eax
        call    *8(%ebp)
        movl    %eax, .Lres@GOTOFF(%ebx)
        movl    -4(%ebp), %ebx
        leave
        ret
        .size   sret_probe, .-sret_probe
` };
const sretProbe = SRET_PROBES[archName];
const sretTitle = sretProbe?.register
  ? `a MEMORY-class callback result: ${sretProbe.register} holds the buffer address, also when the callback throws (then the buffer is zeroed)`
  : 'a callback result returned in memory fills the caller\'s buffer, also when the callback throws (then the buffer is zeroed)';

test(sretTitle, { skip: !sretProbe && `no result-in-memory probe for ${archName}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trampfd-sret-'));
  try {
    writeFileSync(join(dir, 'sret.S'), `${sretProbe!.asm}
        .bss
        .balign 16
        .globl  sret_buf, sret_res
sret_buf:
.Lbuf:  .zero 32
sret_res:
.Lres:  .zero 8
        .section .note.GNU-stack,"",%progbits
`);
    execFileSync(cc, ['-shared', '-fPIC', '-o', join(dir, 'sret.so'), join(dir, 'sret.S')]);
    cdef('struct trampfd_sret_big { int64_t a, b, c, d; };'); // 32 bytes on every target
    const probe = load(join(dir, 'sret.so'));
    const run = probe.func('void sret_probe(void *fn)');
    const buf = probe.symbol('sret_buf'), res = probe.symbol('sret_res');
    const reg = sretProbe!.register;
    const seen: string[] = [];
    for (const [label, fn] of [['returning', () => ({ a: 1, b: 2, c: 3, d: 4 })], ['throwing', () => { throw new Error('boom'); }]] as const) {
      memory.view(buf, 32).fill(0xa5);
      memory.write(res, 'uintptr_t', 0x1234);
      using cb = callback('struct trampfd_sret_big f(void)', fn);
      try {
        run(cb.pointer);
      } catch (e) {
        assert.equal((e as Error).message, 'boom');
      }
      const bytes = Buffer.from(memory.view(buf, 32)).toString('hex');
      const want = label === 'returning' ? '0100000000000000020000000000000003000000000000000400000000000000' : '0'.repeat(64);
      const got = memory.read(res, 'uintptr_t');
      seen.push(`${label}: ${reg ? `${reg} ${got === buf ? '==' : `= ${got}, not`} the buffer; ` : ''}buffer ${bytes === want ? 'as expected' : bytes}`);
    }
    const ok = (label: string) => `${label}: ${reg ? `${reg} == the buffer; ` : ''}buffer as expected`;
    assert.deepEqual(seen, [ok('returning'), ok('throwing')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Drives chain[k]; its callback checks its arguments, drives chain[k + 1], and checks them again. */
function driveNested(chain: readonly { sig: Signature; how: How }[], k: number, problems: string[]): void {
  const { sig, how } = chain[k]!;
  const at = `depth ${k} (${sig.name}, ${how})`;
  const f = lib.func(sig.drive!.prototype);
  let calls = 0;
  const js = (...args: unknown[]): unknown => {
    calls++;
    problems.push(...argumentMismatches(sig, args).map((m) => `${at}: ${m}`));
    if (k + 1 < chain.length) driveNested(chain, k + 1, problems);
    problems.push(...argumentMismatches(sig, args).map((m) => `${at}, after the nested run: ${m}`));
    return sig.ret ? jsArg(sig.ret.val, anchor) : undefined;
  };
  let cb, status: unknown;
  try {
    if (how === 'transient') status = f(js);
    else {
      cb = callback(how === 'callback(prototype)' ? sig.prototype : sig.drive!.fnType, js);
      status = f(cb.pointer);
    }
  } catch (e) {
    problems.push(`${at}: threw ${String(e)}`);
  } finally {
    cb?.free();
  }
  const cError = memory.string(errorBuffer);
  if (cError) problems.push(`${at}: the C driver saw ${cError}`);
  else if (status !== 0) problems.push(`${at}: the driver returned ${show(status)}`);
  if (calls !== 1) problems.push(`${at}: the callback ran ${calls} times`);
  errorByte[0] = 0;
}

test('callbacks nest: each callback drives the next signature from inside itself, 8 deep', () => {
  const depth = 8;
  const problems: string[] = [];
  let chains = 0;
  for (let start = 0; start + depth <= runs.length && chains < 40; start += depth, chains++) {
    errorByte[0] = 0;
    driveNested(runs.slice(start, start + depth), 0, problems);
  }
  assert.ok(chains > 0, 'at least one chain');
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems in ${chains} chains (${banner})`);
});
