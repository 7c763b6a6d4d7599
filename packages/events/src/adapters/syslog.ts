import { failure } from '../util.js';
import type { TextAdapter } from './types.js';

// Skeleton: the adapter lands in the next commits.
export const parseSyslog: TextAdapter = () => failure('syslog', 'not_implemented', 'adapter not implemented yet');
