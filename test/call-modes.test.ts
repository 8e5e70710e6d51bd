// Area: calls. Purpose: the call tests pass in every marshaller mode — interpreted (TRAMPFD_INTERPRET=1),
// under --jitless, and with code generation from strings disallowed — each in a child process running
// the same seed as this one.
import { DEFAULT_MODES, defineModeTests } from './support-modes.js';

defineModeTests({
  area: 'call',
  files: ['abi-conformance-calls.test.js', 'call-scalar-edge-values.test.js', 'codegen-hygiene.test.js',
    'call-reentrant-conversion.test.js', 'call-pointer-objects.test.js', 'callback-exception-delivery.test.js',
    'size-like-values-beyond-2-53.test.js', 'struct-values-like-c-initialisers.test.js', 'const-char-string-bytes.test.js'],
  label: 'marshallers',
  // Without a JIT calls take the native marshallers (native-ops.ts); the generated ones stay
  // tested there with TRAMPFD_NATIVE_OPS=0, and the native ones with the JIT too.
  modes: [
    ...DEFAULT_MODES.map((m) => (m.flags.includes('--jitless') ? { ...m, expect: 'native' as const } : m)),
    { name: 'node --jitless TRAMPFD_NATIVE_OPS=0', flags: ['--jitless'], env: { TRAMPFD_NATIVE_OPS: '0' }, expect: 'generated' },
    { name: 'TRAMPFD_NATIVE_OPS=1', flags: [], env: { TRAMPFD_NATIVE_OPS: '1' }, expect: 'native' },
  ],
  failureLines: /^\s*not ok|signatures failed|^\s{4,}\S.*\(.*\)$|threw|C callee|error:|Error|signal/,
});
