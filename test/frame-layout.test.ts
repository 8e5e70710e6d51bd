// The frame layout has one source of truth: the committed C header must match what the TS generates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL, FRAME, frameHeaders } from '../dist/native/frame-layout.js';
import { repo } from './support-native.js';
import { HOST } from '../dist/targets/index.js';

test('every native/arch/<target>/frame-layout.h is generated from src/native/frame-layout.ts (npm run gen:frame)', () => {
  for (const { path, text } of frameHeaders()) assert.equal(readFileSync(join(repo, path), 'utf8'), text, path);
});

test('frame slots do not overlap and stack bytes start 16-aligned', () => {
  const w = HOST.arch.wordSize; // register and pointer slots; FPR slots are 8 bytes everywhere
  const slots: [string, number, number][] = [
    ['GPR', FRAME.GPR, w * FRAME.GPR_COUNT], ['FPR', FRAME.FPR, 8 * FRAME.FPR_COUNT], ['FN', FRAME.FN, w],
    ['STACK_SIZE', FRAME.STACK_SIZE, w], ['AL', FRAME.AL, 4], ['FLAGS', FRAME.FLAGS, 4],
    ['RET_GPR', FRAME.RET_GPR, w * FRAME.RET_GPR_COUNT], ['RET_FPR', FRAME.RET_FPR, 8 * FRAME.RET_FPR_COUNT], ['ERRNO', FRAME.ERRNO, 4],
    ['CALLER_SP', FRAME.CALLER_SP, w], ['CLOSURE', FRAME.CLOSURE, 4],
  ];
  slots.sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < slots.length; i++) {
    const [pn, po, ps] = slots[i - 1]!;
    assert.ok(po + ps <= slots[i]![1], `${pn} overlaps ${slots[i]![0]}`);
  }
  assert.ok(slots.at(-1)![1] + slots.at(-1)![2] <= FRAME.STACK);
  assert.equal(FRAME.STACK % 16, 0);
  assert.equal(CONTROL.SIZE % 16, 0);
  // C copies argument and return registers in 8-byte steps (native/js-callback.c copy_words).
  assert.equal((FRAME.FN - FRAME.GPR) % 8, 0);
  assert.equal(FRAME.RET_SIZE % 8, 0);
});
