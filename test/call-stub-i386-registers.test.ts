// i386 only: trampfd_call and trampfd_closure_entry (native/arch/i386/call.S) move eax, edx, ecx,
// the stack bytes and the return registers exactly, keep esp 16-byte aligned at each call, carry
// float and double results through st(0) as the frame's AL byte (calls) or the closure's result
// bits (callbacks) say and leave the x87 stack empty, and keep the caller's esp right for callee-pop
// conventions (stdcall, fastcall, a hidden result pointer), driven from C (test/c/i386/call-check.c
// with exact callers in raw-call.S) in a library linked like the addon.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archCflags, callCheck, callCheckScenario, gcc, nodeInclude, repo, scratchDir } from './support-native.js';

const skip = process.arch !== 'ia32' && 'i386 only: drives the i386 call stub and closure entry';

/** One scenario of test/c/i386/call-check-main.c; its output. */
function ok(scenario: string): string {
  return callCheckScenario(callCheck({ sources: ['raw-call.S'], flags: ['-Wl,-z,text'] }), scenario);
}

function has(out: string, lines: string[]): void {
  for (const line of lines) assert.ok(out.includes(line), `${line}\n${out}`);
}

test('trampfd_call: eax edx ecx and exact stack bytes in, esp aligned; edx:eax and st(0) out as AL says; callee pops restored', { skip }, () => {
  has(ok('call'), [
    'ok call eax edx ecx and 8 stack bytes in, edx:eax out, esp aligned, ebx esi edi kept',
    'ok call a double and a float at 4-byte stack offsets, 32 and 36 stack bytes exact, a double out',
    'ok call float and double results popped from st(0) as the AL byte says, 10 in a row, x87 empty',
    'ok call stdcall, fastcall and a hidden result pointer pop their bytes: the caller\'s esp is restored',
  ]);
});

test('trampfd_closure_entry: saves eax edx ecx and the caller stack address, returns st(0) and pops what the bits say', { skip }, () => {
  has(ok('closure'), [
    'ok closure eax edx ecx and the caller\'s stack saved, the closure delivered, esp aligned, edx:eax out',
    'ok closure stdcall and fastcall callbacks pop their stack bytes (raw and GCC callers), ebx esi edi kept',
    'ok closure float and double results pushed on st(0) as the bits say, 10 in a row, x87 empty after',
    'ok closure a hidden result pointer: filled, popped, returned in eax',
    'ok nested trampfd_call -> trampoline -> closure entry (stdcall, a double through st(0))',
  ]);
});

test('the closure result bits: x87 kinds and callee-pop bytes are checked and land in AL and STACK_SIZE', { skip }, () => {
  has(ok('bits'), ['ok bits x87 kind and callee-pop bytes checked and written where the closure entry reads them']);
});

/** The test-only addon around raw_call (test/c/i386/raw-call-addon.c). */
function rawCallAddon(): string {
  const out = join(scratchDir(), 'raw-call.node');
  if (!existsSync(out)) {
    const c = join(repo, 'test/c/i386');
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', ...archCflags, '-Wl,-z,text',
      '-I', nodeInclude(), '-I', c, '-o', out, join(c, 'raw-call-addon.c'), join(c, 'raw-call.S')]);
  }
  return out;
}

test('js-callback.c on i386: the closure result bits pop the arguments and push st(0), also when JS cannot run; a stack result pointer comes back in eax', { skip }, () => {
  // The addon alone, with this child's own dispatcher in place of the JS runner: C's part of a
  // callback (cbCreate's result bits, run_callback, zero_result) without the code generator.
  const dist = (p: string) => JSON.stringify(pathToFileURL(join(repo, 'dist', p)).href);
  const src = `
    import { createRequire } from 'node:module';
    import { addon } from ${dist('native/addon.js')};
    import { FRAME, CONTROL, FRAME_BUFFER_SIZE } from ${dist('native/frame-layout.js')};
    const { rawCall } = createRequire(import.meta.url)(${JSON.stringify(rawCallAddon())});
    const dv = new DataView(addon.frameBuffer);
    const u32 = (o) => dv.getUint32(o, true);
    let behave = () => { throw new Error('no behaviour'); };
    const overflowed = [];
    addon.cbInit(() => { const f = u32(CONTROL.TOP); behave(f, u32(f + FRAME.CLOSURE)); }, (id) => overflowed.push(id));
    const bits = (x87, pop) => (x87 | (pop / 4) << 2) * 65536;
    const out = {};
    const ptr = addon.memAlloc(64);

    const std3 = addon.cbCreate(1, 12, FRAME.STACK + 64, bits(0, 12));
    behave = (f, id) => { out.std3 = [id, u32(f + FRAME.STACK), u32(f + FRAME.STACK + 4), u32(f + FRAME.STACK + 8)];
      dv.setUint32(f + FRAME.RET_GPR, 567, true); };
    out.std3call = rawCall(std3, [1, 2, 3], [5, 6, 7], 0);

    const fastDouble = addon.cbCreate(2, 4, FRAME.STACK + 64, bits(2, 4));
    behave = (f) => { const a = u32(f + FRAME.GPR + 8), b = u32(f + FRAME.GPR + 4), c = u32(f + FRAME.STACK);
      dv.setFloat64(f + FRAME.RET_FPR, a + b / 2 + c / 4, true); };
    out.fastDouble = rawCall(fastDouble, [0xdead, 3, 10], [1], 2);

    const float0 = addon.cbCreate(3, 0, FRAME.STACK + 64, bits(1, 0));
    behave = (f) => dv.setFloat32(f + FRAME.RET_FPR, -1.5, true);
    out.float0 = rawCall(float0, [0, 0, 0], [], 1);

    const big = addon.cbCreate(4, 8, FRAME.STACK + 64, FRAME.STACK + bits(0, 4));
    behave = (f) => { out.bigSeen = [u32(f + FRAME.RET_GPR), u32(f + FRAME.STACK + 4)]; };
    out.big = rawCall(big, [0, 0, 0], [ptr, 9], 0);

    // The frame stack is full: C returns zeros, still pops and pushes st(0), still returns the pointer.
    const top = u32(CONTROL.TOP);
    dv.setUint32(CONTROL.TOP, FRAME_BUFFER_SIZE - 32, true);
    const stdDouble = addon.cbCreate(5, 12, FRAME.STACK + 64, bits(2, 12));
    out.fullDouble = rawCall(stdDouble, [0, 0, 0], [1, 2, 3], 2);
    out.fullBig = rawCall(big, [0, 0, 0], [ptr, 9], 0);
    dv.setUint32(CONTROL.TOP, top, true);
    out.overflowed = overflowed;

    out.refused = [];
    for (const slot of [3 * 65536, bits(0, 16), FRAME.STACK + 8, FRAME.FN]) {
      try { addon.cbCreate(6, 8, FRAME.STACK + 64, slot); out.refused.push('accepted ' + slot); }
      catch (e) { out.refused.push(e instanceof TypeError && /cbCreate\\(id, stackBytes/.test(e.message)); }
    }
    out.ptr = ptr;
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.stdout}\n${r.stderr}`);
  const o = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  const clean = { clobbered: 0, x87Used: 0 };
  assert.deepEqual(o.std3, [1, 5, 6, 7], 'stdcall: the runner saw its stack arguments');
  assert.deepEqual({ ...o.std3call, edx: 0, st0: 0 }, { eax: 567, edx: 0, popped: 12, st0: 0, ...clean }, 'stdcall: 12 bytes popped');
  assert.deepEqual(o.fastDouble, { ...o.fastDouble, st0: 10 + 3 / 2 + 1 / 4, popped: 4, ...clean }, 'fastcall double');
  assert.deepEqual(o.float0, { ...o.float0, st0: -1.5, popped: 0, ...clean }, 'float through st(0)');
  assert.deepEqual(o.bigSeen, [o.ptr, 9], 'the stack result pointer is in RET_GPR before the runner');
  assert.deepEqual(o.big, { ...o.big, eax: o.ptr, popped: 4, ...clean }, 'result pointer: eax, 4 bytes popped');
  assert.deepEqual(o.overflowed, [5, 4], 'both calls found the frame stack full');
  assert.deepEqual(o.fullDouble, { ...o.fullDouble, eax: 0, st0: 0, popped: 12, ...clean }, 'full: zeros, still popped, st(0) pushed');
  assert.deepEqual(o.fullBig, { ...o.fullBig, eax: o.ptr, popped: 4, ...clean }, 'full: the pointer from the caller\'s stack');
  assert.deepEqual(o.refused, [true, true, true, true], 'x87 kind 3, a pop past the stack bytes, a pointer slot past them, FN refused');
});
