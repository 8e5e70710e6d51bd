// The ABI planners, the plan format and its printer (re-exports only).
export { plan } from './sysv-x86_64.js';
export { describe } from './describe.js';
export { AbiError } from './errors.js';
export type { AbiErrorReason } from './errors.js';
export type { ArgPlan, CallPlan, Location, Piece, ReturnPlan } from './plan.js';
