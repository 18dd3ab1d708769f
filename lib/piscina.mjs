// ESM entry of corepool/piscina.
import Piscina from './piscina.js';

export const { move, isWorkerThread, workerData, version, transferableSymbol, valueSymbol, queueOptionsSymbol, FixedQueue, ArrayTaskQueue } = Piscina;
export { Piscina };
export default Piscina;
