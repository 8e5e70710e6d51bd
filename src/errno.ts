// errno(): the C errno captured right after the last call declared with { errno: true }.
import { errnoState } from './codegen/convert.js';

export function errno(): number {
  return errnoState.value;
}
