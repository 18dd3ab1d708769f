/// <reference types="node" />
/**
 * corepool/piscina — drop-in for the `piscina` npm package (v5 API), running
 * on corepool's JS lane: each Piscina is a corepool Pool with
 * `threads = maxThreads`. Differences are listed in the README.
 */
import { EventEmitterAsyncResource } from 'node:events';
import { Worker, MessagePort, ResourceLimits } from 'node:worker_threads';

type TransferListItem = ArrayBuffer | MessagePort | ArrayBufferView;

interface Transferable {
  readonly [Piscina.transferableSymbol]: object;
  readonly [Piscina.valueSymbol]: object;
}

interface AbortSignalEventEmitter {
  once(name: 'abort', listener: (...args: any[]) => void): unknown;
}

interface PiscinaOptions {
  filename?: string | null;
  name?: string;
  minThreads?: number;
  maxThreads?: number;
  idleTimeout?: number;
  maxQueue?: number | 'auto';
  concurrentTasksPerWorker?: number;
  atomics?: 'sync' | 'async' | 'disabled';
  useAtomics?: boolean;
  resourceLimits?: ResourceLimits;
  argv?: string[];
  execArgv?: string[];
  env?: Record<string, string | undefined> | symbol;
  workerData?: any;
  niceIncrement?: number;
  trackUnmanagedFds?: boolean;
  closeTimeout?: number;
  recordTiming?: boolean;
  stricterFIFO?: boolean;
  workerHistogram?: boolean;
}

interface PiscinaRunOptions {
  transferList?: TransferListItem[];
  filename?: string | null;
  signal?: AbortSignal | AbortSignalEventEmitter | null;
  name?: string | null;
}

/** Milliseconds. */
interface PiscinaHistogramSummary {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  [percentile: `p${string}`]: number;
}

interface PiscinaHistogram {
  readonly runTime: PiscinaHistogramSummary | undefined;
  readonly waitTime: PiscinaHistogramSummary | undefined;
  resetRunTime(): void;
  resetWaitTime(): void;
}

declare class Piscina<T = any, R = any> extends EventEmitterAsyncResource {
  constructor(options?: PiscinaOptions);
  run(task: T, options?: PiscinaRunOptions): Promise<R>;
  close(options?: { force?: boolean }): Promise<void>;
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  readonly maxThreads: number;
  readonly minThreads: number;
  readonly options: Required<Pick<PiscinaOptions, 'minThreads' | 'maxThreads' | 'idleTimeout' | 'concurrentTasksPerWorker' | 'closeTimeout' | 'recordTiming'>> &
    PiscinaOptions & { name: string; filename: string | null; maxQueue: number };
  readonly threads: Worker[];
  readonly idleThreads: number;
  readonly queueSize: number;
  readonly completed: number;
  readonly histogram: PiscinaHistogram;
  readonly utilization: number;
  readonly duration: number;
  readonly needsDrain: boolean;
  static readonly isWorkerThread: boolean;
  static readonly workerData: any;
  static readonly version: string;
  static readonly Piscina: typeof Piscina;
  static move(val: Transferable | TransferListItem): any;
  static readonly transferableSymbol: unique symbol;
  static readonly valueSymbol: unique symbol;
  static readonly queueOptionsSymbol: unique symbol;
}

export = Piscina;
