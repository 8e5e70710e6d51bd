// Packed structs whose members lie off their natural alignment, by value, both ways: as call
// arguments and results and as callback arguments and results, with generated and interpreted
// marshallers. On RISC-V such a struct is flattened into an FPR and a GPR, so a member is moved
// from an odd offset of the value's image (a word move there would read the bytes before it: seed
// 319317523 of the conformance generator found it); on x86-64 and AArch64 the same structs travel
// in integer registers. The C side checks every member it receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { callback, cdef, load } from '../dist/index.js';
import { codegenSettings } from '../dist/codegen/compile.js';
import { gcc, scratchDir } from './support-native.js';

/** name, C members, a JS value (C doubles each member and checks it got the value). */
const CASES: Array<[string, string, Record<string, number>]> = [
  ['pk_sf', 'short m0; float m1;', { m0: 10, m1: 0.5 }],
  ['pk_fs', 'float m0; short m1;', { m0: -2.25, m1: -7 }],
  ['pk_cd', 'signed char m0; double m1;', { m0: -3, m1: 1e-300 }],
  ['pk_cf', 'unsigned char m0; float m1;', { m0: 100, m1: 3.5 }],
  ['pk_ci', 'signed char m0; int m1;', { m0: 5, m1: -123456789 }],
  ['pk_sd', 'short m0; double m1;', { m0: 300, m1: -0.125 }],
  ['pk_ff', 'char pad; float m0; float m1;', { pad: 0, m0: 1.5, m1: -4 }], // three members: integer convention
];

const members = (body: string): string[] => body.split(';').map((m) => m.trim().split(/\s+/).pop()!).filter(Boolean);
const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toExponential(20));

let src = '#include <stdio.h>\n#include <string.h>\n';
for (const [name, body, value] of CASES) {
  const ms = members(body);
  const check = 'int bad = 0; ' + ms.map((m) => `if (v.${m} != ${fmt(value[m]!)}) { fprintf(stderr, "${name}.${m} wrong\\n"); bad = 1; }`).join(' ');
  const change = ms.map((m) => `v.${m} = v.${m} * 2;`).join(' ');
  src += `struct __attribute__((packed)) ${name} { ${body} };
int ${name}_take(int before, struct ${name} v, int after) { ${check} return !bad && before == 1 && after == 2 ? 42 : -1; }
struct ${name} ${name}_echo(struct ${name} v) { ${check} ${change} if (bad) memset(&v, 0, sizeof v); return v; }
int ${name}_drive(struct ${name} (*cb)(struct ${name})) {
  struct ${name} v; memset(&v, 0, sizeof v); ${ms.map((m) => `v.${m} = ${fmt(value[m]!)};`).join(' ')}
  struct ${name} r = cb(v);
  int ok = 1; ${ms.map((m) => `ok &= r.${m} == (__typeof__(v.${m}))(v.${m} * 2);`).join(' ')}
  return ok;
}
`;
}
const dir = scratchDir();
writeFileSync(join(dir, 'pk.c'), src);
gcc(['-O2', '-shared', '-fPIC', '-o', join(dir, 'libpk.so'), join(dir, 'pk.c')]);
const lib = load(join(dir, 'libpk.so'));
cdef(CASES.map(([name, body]) => `struct __attribute__((packed)) ${name} { ${body} };`).join('\n'));

const doubled = (v: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x * 2]));

for (const interpreted of [false, true]) {
  const mode = interpreted ? 'interpreted' : 'generated';
  for (const [name, , value] of CASES) {
    test(`${name}, ${mode}: a packed struct reaches C and comes back member for member`, () => {
      codegenSettings.interpretOnly = interpreted;
      try {
        const take = lib.func(`int ${name}_take(int before, struct ${name} v, int after)`);
        const echo = lib.func(`struct ${name} ${name}_echo(struct ${name} v)`);
        const drive = lib.func(`int ${name}_drive(struct ${name} (*cb)(struct ${name}))`);
        const seen: unknown[] = [];
        using cb = callback(`struct ${name} cb(struct ${name} v)`, (v: Record<string, number>) => {
          seen.push(v);
          return doubled(v);
        });
        assert.equal(take(1, value, 2), 42);
        assert.deepEqual(echo(value), doubled(value));
        assert.equal(drive(cb), 1, 'C saw the callback result member for member');
        assert.deepEqual(seen, [value]);
      } finally {
        codegenSettings.interpretOnly = process.env.TRAMPFD_INTERPRET === '1';
      }
    });
  }
}

