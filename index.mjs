import corepool from './index.js';

export const {
  Pool,
  CorepoolError,
  AbortError,
  defaultPool,
  digest,
  hash,
  verify,
  needsRehash,
  getRounds,
  parseHash,
  render,
  resize,
  metadata,
  registerFont,
  stats,
  metrics,
  defaultThreads,
  run,
  move,
  isWorkerThread,
  workerData,
} = corepool;
export default corepool;
