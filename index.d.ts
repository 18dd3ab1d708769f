/// <reference types="node" />
/**
 * corepool — CPU-bound work (password hashing, digests, …) off the Node.js
 * event loop, on a Rust rayon thread pool sized to the machine's CPU quota.
 *
 * Every task function returns a Promise that settles on the event loop; the
 * work itself never runs on the JS thread nor on libuv's thread pool.
 *
 * Input Buffers are read in place, not copied: do not modify or transfer an
 * input Buffer until its promise settles.
 */

/** Options every task accepts. */
export interface TaskOptions {
  /**
   * Aborts the task: an already-aborted signal rejects without running; a
   * later abort rejects at once with an {@link AbortError}, skips the task if
   * it is still queued, and stops a running kernel at its next checkpoint.
   */
  signal?: AbortSignal;
  /**
   * Milliseconds (1 to 2^31-1) before the task rejects with a
   * {@link CorepoolError} whose code is `'ERR_TIMEOUT'`, and is cancelled as
   * by `signal`.
   */
  timeout?: number;
}

/** Binary input. Strings are hashed as UTF-8. Views are read in place. */
export type BinaryLike = string | ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/** Digest algorithms. `xxh3-64` is a fast non-cryptographic checksum (seed 0, big-endian bytes). */
export type DigestAlgorithm = 'sha256' | 'sha512' | 'blake3' | 'xxh3-64';

/** Options of {@link digest}. */
export interface DigestOptions extends TaskOptions {
  /** Default: `'sha256'`. */
  algorithm?: DigestAlgorithm;
  /** Return a string in this encoding instead of a Buffer. */
  encoding?: 'hex' | 'base64' | 'base64url';
}

/**
 * Checksum of `data` (sha256 and sha512 equal `node:crypto`'s). Large
 * Buffers are hashed in place, without a copy, and a cancelled digest stops
 * within about 1 MiB of work.
 *
 * @example
 * const hex = await digest(fileBuffer, 'sha256', { encoding: 'hex' })
 */
export function digest(data: BinaryLike, algorithm?: DigestAlgorithm, options?: DigestOptions & { encoding?: undefined }): Promise<Buffer>;
export function digest(data: BinaryLike, algorithm: DigestAlgorithm | undefined, options: DigestOptions & { encoding: 'hex' | 'base64' | 'base64url' }): Promise<string>;
export function digest(data: BinaryLike, options: DigestOptions & { encoding?: undefined }): Promise<Buffer>;
export function digest(data: BinaryLike, options: DigestOptions & { encoding: 'hex' | 'base64' | 'base64url' }): Promise<string>;

/** Options of {@link hash} and {@link needsRehash}. */
export interface HashOptions {
  /** Default: `'bcrypt'`. */
  algorithm?: 'bcrypt' | 'argon2id';
  /** bcrypt cost (log2 of rounds), 4 to 31. Default: 12 (~250 ms on a 2026 server core). */
  cost?: number;
  /** bcrypt prefix written into new hashes. Default: `'2b'`. */
  version?: '2a' | '2b' | '2y';
  /**
   * bcrypt only. `false` (default): a password longer than 72 UTF-8 bytes
   * rejects with `ERR_PASSWORD_TOO_LONG`. `true`: only the first 72 bytes are
   * hashed (bcrypt's historical behaviour).
   */
  truncate?: boolean;
  /** argon2id memory in KiB, 8 × parallelism to 4194304. Default: 19456 (OWASP). */
  memoryCost?: number;
  /** argon2id passes, 1 to 4096. Default: 2. */
  timeCost?: number;
  /** argon2id lanes, 1 to 16777215 (computed on one pool thread). Default: 1. */
  parallelism?: number;
}

/**
 * Hashes a password on the pool with a fresh salt from the OS CSPRNG.
 * Returns a `$2b$12$…` bcrypt string or a `$argon2id$v=19$…` PHC string.
 *
 * Rejects with `ERR_PASSWORD_TOO_LONG` (bcrypt, > 72 bytes, without
 * `truncate`), `ERR_INVALID_PASSWORD` (bcrypt, NUL byte), `ERR_LIMIT`.
 *
 * @example
 * const stored = await hash(req.body.password)
 */
export function hash(password: string | Uint8Array, options?: HashOptions & TaskOptions): Promise<string>;

/**
 * Checks a password against a bcrypt (`$2a$ $2b$ $2y$ $2x$`) or Argon2
 * (`$argon2id$ $argon2i$ $argon2d$`) hash in constant time. A malformed hash
 * rejects with `ERR_INVALID_HASH` rather than resolving `false`.
 */
export function verify(password: string | Uint8Array, hash: string, options?: TaskOptions): Promise<boolean>;

/**
 * True when `hash` used another algorithm or other cost parameters than
 * `options` (or the defaults): rehash at the next successful login. Sync.
 * Throws `ERR_INVALID_HASH` for a malformed hash.
 */
export function needsRehash(hash: string, options?: HashOptions): boolean;

/** What {@link parseHash} reads from a hash string. */
export interface ParsedHash {
  algorithm: 'bcrypt' | 'argon2id' | 'argon2i' | 'argon2d';
  /** bcrypt `'2a' | '2b' | '2x' | '2y'`, or the Argon2 version (`'19'`, `'16'`). */
  version: string;
  /** bcrypt cost. */
  cost?: number;
  /** Argon2 memory in KiB. */
  memoryCost?: number;
  /** Argon2 passes. */
  timeCost?: number;
  /** Argon2 lanes. */
  parallelism?: number;
}

/** Parses a bcrypt or Argon2 hash string. Sync; throws `ERR_INVALID_HASH`. */
export function parseHash(hash: string): ParsedHash;

/** The cost of a bcrypt hash. Sync; throws `ERR_INVALID_HASH` (also for Argon2 hashes). */
export function getRounds(hash: string): number;

/** A CSS colour (`#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()`, `rgba()`, a colour name, `transparent`) or sharp's `{ r, g, b, alpha }`. */
export type Color = string | { r: number; g: number; b: number; alpha?: number };

/** Options of {@link render}. */
export interface RenderOptions extends TaskOptions {
  /** Default: `'png'`. An array of SVGs is only valid for `'pdf'` (one page each). */
  format?: 'png' | 'jpeg' | 'webp' | 'pdf';
  /** Output width in pixels (PDF: points), 1 to 1e6; keeps the aspect ratio. At most one of width/height/scale. */
  width?: number;
  /** Output height in pixels (PDF: points), 1 to 1e6; keeps the aspect ratio. */
  height?: number;
  /** Zoom applied to the SVG's own size, > 0 and ≤ 1000. */
  scale?: number;
  /** Painted under the SVG. Default: transparent (JPEG: white; PDF: none). */
  background?: Color;
  /** JPEG/WebP quality, 1 to 100. Default: 80. */
  quality?: number;
  /** PNG zlib level 0 to 9: lower is faster and larger. Default: 6 (as sharp). */
  compressionLevel?: number;
  /** Output pixel limit (checked before allocating) and the budget of embedded images; no single buffer exceeds 2^30 pixels whatever its value. Default: 100 000 000. */
  maxPixels?: number;
  /** Limit on each input SVG's size in bytes (and each file read from baseDir). Default: 50 MiB. */
  maxInputBytes?: number;
  /**
   * `<image href>` that is a path, `file:` or `http(s):` is never loaded
   * (drawn as missing, listed in `info.warnings`); `data:` URIs work.
   * `{ baseDir }` allows reading images under that directory only (`..` and
   * symlinks out of it are refused).
   */
  resources?: { baseDir?: string };
  /** Also use the machine's installed fonts (scanned once per process). `false`: only the bundled DejaVu Sans and registered fonts. Default: true. */
  systemFonts?: boolean;
  /**
   * Work budgets that bound a render's running time, checked before the work
   * is done (`ERR_LIMIT` past them). The defaults let real-world SVGs through;
   * raise one only for trusted input.
   */
  limits?: RenderLimits;
  /** Resolve `{ data, info }` instead of a Buffer. */
  info?: boolean;
}

/** `options.limits` of {@link render}: positive integers. */
export interface RenderLimits {
  /** Elements after expanding `<use>`/`href` references. Default: 2 000 000. */
  elements?: number;
  /** CSS work: `<style>` parsing plus rule × element selector checks. Default: 20 000 000. */
  cssSteps?: number;
  /** `<text>` elements, references expanded. Default: 10 000. */
  textElements?: number;
  /** Characters of all `<text>` elements, references expanded. Default: 100 000. */
  textChars?: number;
  /** Characters of one `<text>` element (its layout time grows with the square of its length). Default: 10 000. */
  textCharsPerElement?: number;
  /** Pixel operations of painting: the bounding-box area of every shape, glyph and image, plus each path's edges (4 per row an edge spans, 1000 per point; twice for a stroke). Default: 1 000 000 000 (about a second); raise it for very large canvases or huge paths. */
  paintPixels?: number;
}

/** `info` of {@link render} with `{ info: true }`. */
export interface RenderInfo {
  format: 'png' | 'jpeg' | 'webp' | 'pdf';
  /** Pixels (raster) or points of the first page (PDF). */
  width: number;
  height: number;
  /** 1 for raster formats. */
  pages: number;
  /** Bytes of `data`. */
  size: number;
  /** Non-fatal problems: images not loaded, missing fonts. */
  warnings: string[];
}

/**
 * Renders SVG to PNG (default), JPEG, WebP, or PDF (an array of SVGs makes a
 * multi-page PDF with embedded, subset fonts: text stays text). Safe for
 * untrusted SVG: no file or network access, and size, depth, entity and pixel
 * limits (`ERR_LIMIT`). Malformed SVG rejects with `ERR_DECODE`. Text renders
 * with the bundled DejaVu Sans when no system font matches.
 *
 * @example
 * const png = await render(`<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">…</svg>`)
 */
export function render(svg: string | Uint8Array | Array<string | Uint8Array>, options?: RenderOptions & { info?: false }): Promise<Buffer>;
export function render(svg: string | Uint8Array | Array<string | Uint8Array>, options: RenderOptions & { info: true }): Promise<{ data: Buffer; info: RenderInfo }>;

/**
 * Adds a TrueType/OpenType font (or collection) for every later render in
 * this process (all pools and workers). Resolves with the number of faces
 * added; bad data rejects with `ERR_DECODE`.
 */
export function registerFont(data: Uint8Array, options?: TaskOptions): Promise<number>;

/** Options of {@link resize}; sharp's semantics where sharp has the option. */
export interface ResizeOptions extends TaskOptions {
  /** Target width, 1 to 65535; omit to derive from height (keep aspect). */
  width?: number;
  /** Target height, 1 to 65535; omit to derive from width. */
  height?: number;
  /** Default: `'cover'`. */
  fit?: 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  /** Crop/pad gravity. Default: `'center'`. `'entropy'`: keep the busiest region (cover). */
  position?: 'center' | 'centre' | 'top' | 'right top' | 'right' | 'right bottom' | 'bottom' | 'left bottom' | 'left' | 'left top' | 'entropy';
  /** `contain` padding and alpha flattening for JPEG. Default: opaque black (as sharp). */
  background?: Color;
  /** Never upscale. Default: false. */
  withoutEnlargement?: boolean;
  /** Default: `'lanczos3'`. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos3';
  /** Output format. Default: the input's family (GIF, BMP, TIFF → PNG). */
  format?: 'jpeg' | 'jpg' | 'png' | 'webp';
  /** JPEG/WebP quality 1 to 100. Default: 80. */
  quality?: number;
  /** Progressive JPEG. Default: false. */
  progressive?: boolean;
  /** Lossless WebP. Default: false. */
  lossless?: boolean;
  /** WebP effort 0 to 6. Default: 4. */
  effort?: number;
  /** PNG zlib level 0 to 9. Default: 6. */
  compressionLevel?: number;
  /** Apply EXIF orientation 1-8 (the output has no orientation tag). Default: true. */
  autoOrient?: boolean;
  /** false (default): EXIF/XMP stripped, ICC converted to sRGB. true: ICC kept (JPEG/PNG). */
  keepMetadata?: boolean;
  /** Refuse inputs with more pixels (checked from the header) with ERR_LIMIT; false disables. Default: 268402689. */
  maxInputPixels?: number | false;
  /**
   * Refuse inputs whose decoded image (width × height × channels × bytes per sample, from the
   * header) is larger, with ERR_LIMIT; false disables. Bounds decompression bombs (a 2 MB PNG
   * claiming 2 GB of 16-bit RGBA). Default: 1073741824 (1 GiB, a maxInputPixels image in RGBA8).
   */
  maxDecodedBytes?: number | false;
  /** JPEG shrink-on-load may decode right down to the target size (sharp's default). Default: true. */
  fastShrinkOnLoad?: boolean;
  /** Resolve `{ data, info }` instead of a Buffer. */
  info?: boolean;
}

/** `info` of {@link resize} with `{ info: true }`. */
export interface ResizeInfo {
  format: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
  channels: number;
  size: number;
}

/**
 * Decodes JPEG/PNG/WebP/GIF (first frame)/BMP/TIFF, applies EXIF orientation,
 * resizes (premultiplied alpha, SIMD, JPEG shrink-on-load) and encodes JPEG,
 * PNG or WebP. Rejects with ERR_UNSUPPORTED_FORMAT, ERR_DECODE, ERR_LIMIT.
 * Do not modify `input` until the promise settles (it is read in place).
 */
export function resize(input: Uint8Array | ArrayBuffer, options?: ResizeOptions & { info?: false }): Promise<Buffer>;
export function resize(input: Uint8Array | ArrayBuffer, options: ResizeOptions & { info: true }): Promise<{ data: Buffer; info: ResizeInfo }>;

/** What {@link metadata} reads from an image's headers (dimensions as stored, before orientation). */
export interface ImageMetadata {
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff';
  width: number;
  height: number;
  /** EXIF orientation 1-8 when present. */
  orientation?: number;
  hasAlpha: boolean;
  channels: number;
  bitDepth: number;
  isProgressive: boolean;
  hasIcc: boolean;
  pages: number;
}

/** Reads the image's headers only (no pixel decode). */
export function metadata(input: Uint8Array | ArrayBuffer, options?: TaskOptions): Promise<ImageMetadata>;

/** Latency percentiles, in milliseconds, over the pool's lifetime (within 12.5 %). */
export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  /** Exact maximum. */
  max: number;
}

/** A pool's counters. Gauges: `inFlight`, `queued`, `running`; the rest only grow. */
export interface PoolStats {
  /** `'default'` for the process-wide pool, else `options.name` (default `'pool'`). */
  name: string;
  threads: number;
  /** Tasks admitted beyond `threads` before `ERR_QUEUE_FULL`. */
  maxQueue: number;
  /** Admitted and not yet settled (queued + running + finished awaiting delivery). */
  inFlight: number;
  /** Admitted, waiting for a thread. Use it for 429/503 decisions. */
  queued: number;
  /** Running on a pool thread. */
  running: number;
  /** Settled with a value. */
  completed: number;
  /** Settled with an error (including panics). */
  failed: number;
  /** Of `failed`, kernel panics (`ERR_TASK_PANICKED`). */
  panicked: number;
  /** Rejected by an abort signal or a timeout. */
  cancelled: number;
  /** Refused at admission (`ERR_QUEUE_FULL` for the queue or the memory budget, `ERR_LIMIT` for a task over the whole budget, `ERR_POOL_CLOSED`). */
  rejected: number;
  /** The memory budget of admission by memory, bytes (`options.maxMemory`). */
  maxMemory: number;
  /** Bytes reserved by tasks in flight (Argon2: `memoryCost` KiB each). */
  memoryReserved: number;
  /** Time from admission to start on a thread. */
  waitTime: LatencyStats;
  /** Time on a thread. */
  runTime: LatencyStats;
  /**
   * The same counters per lane: `native` (corepool's kernels) and `js` (the
   * user's functions run by {@link Pool.run}). The top-level `queued`,
   * `running`, `completed`, `failed` and `cancelled` are both lanes together.
   * A JS task counts as `running` from the moment its batch holds a thread.
   */
  lanes: { native: LaneStats; js: LaneStats };
  /** JS worker threads: alive now, started and exited since the pool was made. */
  workers: { alive: number; started: number; exited: number };
}

/** Per-lane counters of {@link PoolStats.lanes}. */
export interface LaneStats {
  queued: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** Options of {@link Pool}. */
export interface PoolOptions {
  /** Threads, 1 to 1024. Default: `COREPOOL_THREADS` or `os.availableParallelism()`. */
  threads?: number;
  /**
   * Tasks that may wait beyond `threads`; past `threads + maxQueue` in
   * flight, calls reject at once with `ERR_QUEUE_FULL`. Default (or
   * `'auto'`): 1024 × threads.
   */
  maxQueue?: number | 'auto';
  /** The `pool` label in {@link Pool.metrics}. Default: `'pool'`. */
  name?: string;
  /**
   * Admission by memory, in bytes: tasks that allocate in proportion to a
   * parameter (Argon2's `memoryCost`) reserve it when called; one that needs
   * more than `maxMemory` rejects with `ERR_LIMIT`, one that would take the
   * reserved total past it with `ERR_QUEUE_FULL`. Default: half the memory
   * the process may use (cgroup `memory.max`, else the machine's), or
   * `COREPOOL_MAX_MEMORY` for the default pool.
   */
  maxMemory?: number;
  /**
   * Wipe the Argon2 blocks a hash leaves in a thread's reusable memory, after
   * its result is posted (off its latency). `false` leaves them until
   * overwritten: faster at saturation, but exposes them to memory
   * disclosure (the garbage-collector attacks on Argon2i/id). Default: true
   * (`COREPOOL_WIPE_MEMORY=0` turns it off for the default pool).
   */
  wipeMemory?: boolean;
  /** The default worker module of {@link Pool.run}: a path or a `file:` URL (CommonJS or ESM). */
  filename?: string | URL;
  /** Milliseconds a JS worker may stay idle before it exits. Default: 30000. */
  idleTimeout?: number;
  /** V8 heap limits of each JS worker (`worker_threads` `resourceLimits`); a worker past them fails its task with `ERR_WORKER_EXITED`. Default: `maxYoungGenerationSizeMb` 64 (V8's own: 48), the rest V8's. */
  resourceLimits?: {
    maxOldGenerationSizeMb?: number;
    maxYoungGenerationSizeMb?: number;
    codeRangeSizeMb?: number;
    stackSizeMb?: number;
  };
  /** Cloned into every JS worker; read it there as `require('corepool').workerData`. */
  workerData?: unknown;
  /** The JS workers' `process.env` (an object, or `worker_threads.SHARE_ENV`). Default: a copy of the parent's. */
  env?: Record<string, string | undefined> | symbol;
  /** Appended to `process.argv` in the JS workers. */
  argv?: string[];
  /** Node flags of the JS workers (e.g. `['--import', 'tsx']` for TypeScript worker files on Node 20). */
  execArgv?: string[];
  /** Milliseconds `close()` waits for JS tasks before rejecting them with `ERR_POOL_CLOSED`. Default: 30000. */
  closeTimeout?: number;
  /** Milliseconds an aborted or timed-out JS task may keep running before its worker is terminated and replaced. Default: 1000. */
  abortGrace?: number;
  /**
   * Microseconds a JS worker keeps polling for its next batch after answering
   * one, while the pool still holds its run slot and a core is left for the
   * main thread (0 turns it off). Saves a thread wake-up per sequential task;
   * the spin only uses CPU the shared budget already granted to that worker.
   * Default: 100.
   */
  workerSpin?: number;
  /** Added to the JS worker threads' nice value (0–19), so the main thread's event loop wins the CPU first. Linux only (elsewhere ignored). Default: 5. */
  niceIncrement?: number;
}

/** Options of {@link Pool.run} / {@link run}. */
export interface RunOptions extends TaskOptions {
  /** The worker module (a path or a `file:` URL). Default: the pool's `filename`. */
  filename?: string | URL;
  /** The export to call. Default: the default export (or the `module.exports` function). */
  name?: string;
  /** ArrayBuffers and MessagePorts to move to the worker instead of copying them. */
  transferList?: ReadonlyArray<ArrayBuffer | MessagePort | ArrayBufferView>;
}

/** What a worker function receives besides its payload. */
export interface WorkerTaskContext {
  /** Aborted when the caller's signal aborts or the task's timeout fires. */
  signal: AbortSignal;
}

/** A value wrapped by {@link move}: its ArrayBuffers are transferred, not copied. */
export interface Moved<T> {
  readonly value: T;
}

/**
 * An isolated pool with its own threads and admission bound. The
 * module-level functions use a process-wide default pool instead (shared by
 * all worker_threads), which needs no closing.
 */
export class Pool {
  constructor(options?: PoolOptions);
  /** {@link digest} on this pool. */
  digest: typeof digest;
  /** {@link hash} on this pool. */
  hash: typeof hash;
  /** {@link verify} on this pool. */
  verify: typeof verify;
  /** {@link render} on this pool. */
  render: typeof render;
  /** {@link resize} on this pool. */
  resize: typeof resize;
  /** {@link metadata} on this pool. */
  metadata: typeof metadata;
  /**
   * Runs the worker module's function (`fn(payload, { signal })`, sync or
   * async) in a worker thread, under this pool's CPU budget and admission:
   * native kernels and JS tasks together never run more than `threads` at
   * once. Rejections: the function's own error (message, stack, `code`
   * kept); `ERR_WORKER_EXITED` when its worker dies; `ERR_WORKER_INIT` when
   * the module cannot load; `ABORT_ERR` / `ERR_TIMEOUT`; `ERR_QUEUE_FULL`;
   * a TypeError for a payload that cannot be cloned.
   */
  run<R = any>(payload?: unknown, options?: RunOptions): Promise<R>;
  /** A snapshot of the counters. */
  stats(): PoolStats;
  /** The counters in Prometheus text exposition format (`corepool_` prefix, `pool` label). */
  metrics(): string;
  /**
   * Stops admission (later calls reject with `ERR_POOL_CLOSED`), lets
   * in-flight tasks settle (JS tasks up to `closeTimeout`, then they reject
   * with `ERR_POOL_CLOSED`), terminates the JS workers, then releases the
   * threads. Idempotent.
   */
  close(): Promise<void>;
}

/** The process-wide pool used by the module-level functions. Its `close()` rejects. */
export const defaultPool: Pool;

/** {@link Pool.run} on the default pool (give `options.filename`). */
export function run<R = any>(payload?: unknown, options?: RunOptions): Promise<R>;

/** Marks `value` (ArrayBuffers, views, MessagePorts, or objects holding them) to be transferred, not cloned, as a payload or a worker's result. */
export function move<T>(value: T): Moved<T>;

/** True inside a corepool JS worker thread. */
export const isWorkerThread: boolean;

/** Inside a corepool JS worker: the pool's `workerData` option. */
export const workerData: any;

/** Counters of the default pool. */
export function stats(): PoolStats;
/** Prometheus text of the default pool. */
export function metrics(): string;
/** Threads of the default pool (`COREPOOL_THREADS` or the available parallelism). */
export function defaultThreads(): number;

/** Stable error codes of {@link CorepoolError}. */
export type CorepoolErrorCode =
  | 'ERR_QUEUE_FULL'
  | 'ERR_POOL_CLOSED'
  | 'ERR_TIMEOUT'
  | 'ABORT_ERR'
  | 'ERR_TASK_PANICKED'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_STATE'
  | 'ERR_DECODE'
  | 'ERR_ENCODE'
  | 'ERR_LIMIT'
  | 'ERR_UNSUPPORTED_FORMAT'
  | 'ERR_INVALID_HASH'
  | 'ERR_PASSWORD_TOO_LONG'
  | 'ERR_INVALID_PASSWORD'
  | 'ERR_WORKER_EXITED'
  | 'ERR_WORKER_INIT'
  | 'ERR_WORKER_RESULT'
  /** A failure inside corepool or N-API itself (e.g. V8 out of memory, an environment tearing down); not the caller's fault. */
  | 'ERR_INTERNAL'
  /** Thrown by `require('corepool')` when no native addon can be loaded. */
  | 'ERR_COREPOOL_NATIVE';

/** Every rejection from a task (other than argument TypeErrors/RangeErrors) is a CorepoolError. */
export class CorepoolError extends Error {
  constructor(message: string, code: CorepoolErrorCode | string, options?: ErrorOptions);
  readonly code: CorepoolErrorCode | string;
}

/** Rejection of an aborted task: `name === 'AbortError'`, `code === 'ABORT_ERR'`, `cause` = the signal's reason. */
export class AbortError extends CorepoolError {
  constructor(message?: string, options?: ErrorOptions);
  readonly code: 'ABORT_ERR';
}
