// Marks dist/cjs as CommonJS so Node reads the second tsc build as require()-able modules.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
