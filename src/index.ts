// trampfd's public surface; re-exports only.
export { trampolines, Trampoline, type TrampolineStats, type Word } from './trampolines.js';
export { TrampolineError } from './errors.js';
