// Area: callbacks. Purpose: the callback conformance suite passes in every runner mode — interpreted
// (TRAMPFD_INTERPRET=1), under --jitless, and with code generation from strings disallowed — each in
// a child process running the same seed as this one.
import { defineModeTests } from './support-modes.js';

defineModeTests({
  area: 'callback',
  files: ['abi-conformance-callbacks.test.js', 'callback-returns-const-char-string.test.js', 'size-like-values-beyond-2-53.test.js'],
  label: 'runners',
  failureLines: /^\s*not ok|signatures failed|^\s{4,}\S.*\[.*\]$|threw|C driver|JS callback|error:|Error|signal|abort/,
});
