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
  /** Orders the queued tasks (e.g. by priority); `new Piscina.FixedQueue()` is a FIFO. */
  taskQueue?: TaskQueue;
  /** Chooses the worker of each task; null declines (the task waits, a worker is started if there is room). */
  loadBalancer?: PiscinaLoadBalancer;
}

/** A queued task, as a taskQueue or loadBalancer sees it. */
interface PiscinaTask {
  readonly taskId: number;
  readonly filename: string;
  readonly name: string;
  /** performance.now() when run() was called. */
  readonly created: number;
  readonly isAbortable: boolean;
  /** The payload given to run(). */
  readonly task: any;
  /** The payload's own [Piscina.queueOptionsSymbol], or null. */
  readonly [Piscina.queueOptionsSymbol]: any;
}

interface TaskQueue {
  readonly size: number;
  push(task: PiscinaTask): void;
  shift(): PiscinaTask | null;
  remove(task: PiscinaTask): void;
  unshift?(task: PiscinaTask): void;
}

/** A worker, as a loadBalancer and the workerCreate/workerDestroy events see it. */
interface PiscinaWorker {
  /** Its threadId. */
  readonly id: number;
  /** Tasks sent to it and not answered yet. */
  readonly currentUsage: number;
  readonly isRunningAbortableTask: boolean;
  /** Its tasks' run times, with `workerHistogram: true`; otherwise null. */
  readonly histogram: PiscinaHistogramSummary | null;
  readonly terminating: boolean;
  readonly destroyed: boolean;
}

type PiscinaLoadBalancer = (task: PiscinaTask, workers: PiscinaWorker[]) => PiscinaWorker | null;

declare class FifoTaskQueue implements TaskQueue {
  readonly size: number;
  isEmpty(): boolean;
  push(task: PiscinaTask): void;
  unshift(task: PiscinaTask): void;
  shift(): PiscinaTask | null;
  remove(task: PiscinaTask): void;
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
  static readonly FixedQueue: typeof FifoTaskQueue;
  static readonly ArrayTaskQueue: typeof FifoTaskQueue;
  on(event: 'workerCreate' | 'workerDestroy', listener: (worker: PiscinaWorker) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export = Piscina;
