// Area: calls. Purpose: the call tests pass in every marshaller mode — interpreted (TRAMPFD_INTERPRET=1),
// under --jitless, and with code generation from strings disallowed — each in a child process running
// the same seed as this one.
import { defineModeTests } from './support-modes.js';

defineModeTests({
  area: 'call',
  files: ['abi-conformance-calls.test.js', 'call-scalar-edge-values.test.js', 'codegen-hygiene.test.js',
    'call-reentrant-conversion.test.js', 'call-pointer-objects.test.js', 'callback-exception-delivery.test.js',
    'size-like-values-beyond-2-53.test.js', 'struct-values-like-c-initialisers.test.js'],
  label: 'marshallers',
  failureLines: /^\s*not ok|signatures failed|^\s{4,}\S.*\(.*\)$|threw|C callee|error:|Error|signal/,
});
