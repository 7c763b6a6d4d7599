import { failure } from '../util.js';
import type { JsonAdapter } from './types.js';

// Skeleton: the adapter lands in the next commits.
export const parseZeekJson: JsonAdapter = () => failure('zeek-json', 'not_implemented', 'adapter not implemented yet');
