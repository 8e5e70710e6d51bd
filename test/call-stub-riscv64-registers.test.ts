// RISC-V 64 only: trampfd_call and trampfd_closure_entry (native/arch/riscv64/call.S) move a0..a7,
// fa0..fa7, the stack bytes and the return registers exactly, and the call stub sign-extends and
// NaN-boxes the registers the frame's AL word names (and only those), driven from C
// (test/c/riscv64/call-check.c, whose GCC callees rely on both) in a library linked like the addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callCheck, callCheckScenario } from './support-native.js';

const skip = process.arch !== 'riscv64' && 'RISC-V 64 only: drives the RISC-V call stub and closure entry';

/** One scenario of test/c/riscv64/call-check-main.c; its output. */
function ok(scenario: string): string {
  return callCheckScenario(callCheck(), scenario);
}

test('trampfd_call: a0..a7 sign-extended and fa0..fa7 NaN-boxed as the AL word says, 24 stack bytes in; fa0 fa1, a0 a1 and an a0 result out', { skip }, () => {
  const out = ok('call');
  for (const line of ['ok call a0..a7 sign-extended, fa0..fa7 NaN-boxed and 24 stack bytes in, fa0 fa1 out',
    'ok call the AL bits alone decide the widening', 'ok call no stack bytes, a0 a1 out', 'ok call a0 result pointer']) {
    assert.ok(out.includes(line), `${line}\n${out}`);
  }
});

test('trampfd_closure_entry: saves a0..a7, fa0..fa7 and the caller stack address, passes t2, returns a0 a1 fa0 fa1', { skip }, () => {
  const out = ok('closure');
  for (const line of ['ok closure a0..a7 fa0..fa7 and the caller\'s stack saved, t2 is the closure, fa0 fa1 out',
    'ok closure a0 a1 out', 'ok closure a0 result pointer saved', 'ok nested trampfd_call -> trampoline -> closure entry']) {
    assert.ok(out.includes(line), `${line}\n${out}`);
  }
});
