// Writes native/arch/<target>/frame-layout.h for every target from the compiled src/native/frame-layout.ts.
import { writeFileSync } from 'node:fs';
import { frameHeaders } from '../dist/native/frame-layout.js';
for (const { path, text } of frameHeaders()) writeFileSync(new URL(`../${path}`, import.meta.url), text);
