#!/usr/bin/env node
// The `trampfd` command's entry point; the command itself is dist/cli.js (src/cli.ts).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
