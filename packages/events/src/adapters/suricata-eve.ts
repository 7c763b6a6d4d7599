import { failure } from '../util.js';
import type { JsonAdapter } from './types.js';

// Skeleton: the adapter lands in the next commits.
export const parseSuricataEve: JsonAdapter = () => failure('suricata-eve', 'not_implemented', 'adapter not implemented yet');
