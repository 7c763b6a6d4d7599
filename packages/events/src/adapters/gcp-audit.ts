import { failure } from '../util.js';
import type { JsonAdapter } from './types.js';

// Skeleton: the adapter lands in the next commits.
export const parseGcpAudit: JsonAdapter = () => failure('gcp-audit', 'not_implemented', 'adapter not implemented yet');
