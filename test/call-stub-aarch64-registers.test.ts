// AArch64 only: trampfd_call and trampfd_closure_entry (native/arch/aarch64/call.S) move x0..x8,
// d0..d7, the stack bytes and the return registers exactly, driven from C (test/c/aarch64/call-check.c)
// in a library linked like the addon, so BTI and pac-ret are in force under qemu and on hardware.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callCheck, callCheckScenario } from './support-native.js';

const skip = process.arch !== 'arm64' && 'AArch64 only: drives the AArch64 call stub and closure entry';

/** One scenario of test/c/aarch64/call-check-main.c; its output. */
function ok(scenario: string): string {
  return callCheckScenario(callCheck(), scenario);
}

test('trampfd_call: x0..x7, d0..d7 and a 20-byte stack area in; x0 x1, d0..d3 (an HFA) and an x8 result out', { skip }, () => {
  const out = ok('call');
  for (const line of ['ok call x0..x7 d0..d7 and 20 stack bytes in, d0..d3 out', 'ok call no stack bytes, x0 x1 out',
    'ok call x8 result pointer']) assert.ok(out.includes(line), `${line}\n${out}`);
});

test('trampfd_closure_entry: saves x0..x8, d0..d7 and the caller stack address, passes x17, returns x0 x1 d0..d3', { skip }, () => {
  const out = ok('closure');
  for (const line of ['ok closure x0..x7 d0..d7 and the caller\'s stack saved, x17 is the closure, d0..d3 out',
    'ok closure x0 x1 out', 'ok closure x8 result pointer saved', 'ok nested trampfd_call -> trampoline -> closure entry'])
    assert.ok(out.includes(line), `${line}\n${out}`);
});
