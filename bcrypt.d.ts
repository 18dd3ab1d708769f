/// <reference types="node" />
/**
 * corepool/bcrypt — drop-in for the `bcrypt` npm package (v6 API). Async
 * forms run on corepool's thread pool (through the drop-ins' own queue, so
 * bursts are accepted as by bcrypt); sync forms on the calling thread.
 * Also accepts `$2y$` salts and hashes, and has bcryptjs's getSalt,
 * truncates, encodeBase64, decodeBase64 and progress callbacks.
 */

/** Called with the fraction of rounds done (0 first, 1 last), at most every 100 ms. */
export type ProgressCallback = (fraction: number) => void;

/**
 * A node-style callback. Like bcrypt, corepool/bcrypt passes `undefined` as
 * the error on success; callbacks typed `(err: Error | null, …)` (as this
 * file used to say) or `(err: Error | undefined, …)` (as @types/bcrypt says)
 * both fit (the method form makes the parameter check bivariant).
 */
export type BcryptCallback<T> = { bivarianceHack(err: Error | null | undefined, result: T): void }['bivarianceHack'];

/** A salt string `$2<minor>$<rounds>$<22 chars>`. rounds: default 10, clamped to 4..31. minor: 'a' | 'b' (default) | 'y'. */
export function genSaltSync(rounds?: number, minor?: 'a' | 'b' | 'y'): string;
export function genSalt(rounds?: number, minor?: 'a' | 'b' | 'y'): Promise<string>;
export function genSalt(callback: BcryptCallback<string>): void;
export function genSalt(rounds: number, callback: BcryptCallback<string>): void;
export function genSalt(rounds: number, minor: 'a' | 'b' | 'y', callback: BcryptCallback<string>): void;

/** bcrypt hash of `data` (first 72 bytes used) with a salt string or a number of rounds. */
export function hashSync(data: string | Buffer, saltOrRounds: string | number): string;
export function hash(data: string | Buffer, saltOrRounds: string | number, callback?: null, progress?: ProgressCallback): Promise<string>;
export function hash(
  data: string | Buffer,
  saltOrRounds: string | number,
  callback: BcryptCallback<string>,
  progress?: ProgressCallback,
): void;

/** True when `data` matches the bcrypt hash `encrypted`; false for a malformed hash. */
export function compareSync(data: string | Buffer, encrypted: string): boolean;
export function compare(data: string | Buffer, encrypted: string, callback?: null, progress?: ProgressCallback): Promise<boolean>;
export function compare(
  data: string | Buffer,
  encrypted: string,
  callback: BcryptCallback<boolean>,
  progress?: ProgressCallback,
): void;

/** The cost of a bcrypt hash. Throws 'invalid hash provided' otherwise. */
export function getRounds(encrypted: string): number;

/** The salt part (first 29 characters) of a 60-character hash. */
export function getSalt(encrypted: string): string;

/** True when `data` is longer than the 72 bytes bcrypt uses. */
export function truncates(data: string | Buffer): boolean;

/** The first `length` bytes of `bytes` in bcrypt's base64 alphabet. */
export function encodeBase64(bytes: ArrayLike<number>, length: number): string;

/** Up to `length` bytes decoded from bcrypt's base64 alphabet. */
export function decodeBase64(encoded: string, length: number): number[];

/** The drop-ins' queue settings (shared by corepool/bcrypt and corepool/bcryptjs). */
export interface DropinQueueSettings {
  /** Most async calls kept waiting for the pool; past it they reject with ERR_QUEUE_FULL. Default Infinity. */
  maxPending: number;
  /** Calls handed to the pool at once (8 × threads, at least 16). */
  window: number;
  /** Calls waiting now. */
  queued: number;
  /** Calls on the pool now. */
  active: number;
}

/** corepool's own: bounds the drop-ins' queue. Returns the settings. */
export function configure(options?: { maxPending?: number }): DropinQueueSettings;

declare const bcrypt: {
  genSaltSync: typeof genSaltSync;
  genSalt: typeof genSalt;
  hashSync: typeof hashSync;
  hash: typeof hash;
  compareSync: typeof compareSync;
  compare: typeof compare;
  getRounds: typeof getRounds;
  getSalt: typeof getSalt;
  truncates: typeof truncates;
  encodeBase64: typeof encodeBase64;
  decodeBase64: typeof decodeBase64;
  configure: typeof configure;
};
export default bcrypt;
