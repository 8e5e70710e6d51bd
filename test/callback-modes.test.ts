// Area: callbacks. Purpose: the callback suites pass in every runner mode — interpreted
// (TRAMPFD_INTERPRET=1), under --jitless (native runners by default, the generated ones with
// TRAMPFD_NATIVE_OPS=0), native runners with the JIT (TRAMPFD_NATIVE_OPS=1), and with code generation
// from strings disallowed — each in a child process running the same seed as this one.
import { DEFAULT_MODES, defineModeTests } from './support-modes.js';

defineModeTests({
  area: 'callback',
  files: ['abi-conformance-callbacks.test.js', 'callback-returns-const-char-string.test.js', 'size-like-values-beyond-2-53.test.js',
    'callback-exception-delivery.test.js', 'callback-libc.test.js', 'callback-lifecycle.test.js', 'callback-native-runner.test.js'],
  label: 'runners',
  // Without a JIT, callbacks C can run natively do (native-callbacks.ts); the generated runners stay
  // tested there with TRAMPFD_NATIVE_OPS=0, and the native ones with the JIT too.
  modes: [
    ...DEFAULT_MODES.map((m) => (m.flags.includes('--jitless') ? { ...m, expect: 'native' as const } : m)),
    { name: 'node --jitless TRAMPFD_NATIVE_OPS=0', flags: ['--jitless'], env: { TRAMPFD_NATIVE_OPS: '0' }, expect: 'generated' },
    { name: 'TRAMPFD_NATIVE_OPS=1', flags: [], env: { TRAMPFD_NATIVE_OPS: '1' }, expect: 'native' },
  ],
  failureLines: /^\s*not ok|signatures failed|^\s{4,}\S.*\[.*\]$|threw|C driver|JS callback|error:|Error|signal|abort/,
});
