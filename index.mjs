import corepool from './index.js';

export const { Pool, CorepoolError, AbortError, defaultPool, digest, stats, metrics, defaultThreads } = corepool;
export default corepool;
