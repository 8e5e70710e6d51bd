// Writes native/frame-layout.h from the compiled src/native/frame-layout.ts.
import { writeFileSync } from 'node:fs';
import { frameHeader } from '../dist/native/frame-layout.js';
writeFileSync(new URL('../native/frame-layout.h', import.meta.url), frameHeader());
