/// <reference types="node" />
/**
 * corepool/bcryptjs — drop-in for the `bcryptjs` npm package (v3 API). Async
 * forms run on corepool's thread pool; sync forms on the calling thread, as
 * bcryptjs's do.
 */

/** `(null, result)` on success, the error otherwise. */
export type Callback<T> = (err: Error | null, result?: T) => void;
/** Called with the fraction of rounds done (0 first, 1 last), at most every 100 ms. */
export type ProgressCallback = (fraction: number) => void;

/** Accepted for compatibility and ignored: node:crypto's CSPRNG is always used. */
export function setRandomFallback(random: (length: number) => number[]): void;

/** A `$2b$` salt; rounds default 10, clamped to 4..31. */
export function genSaltSync(rounds?: number): string;
export function genSalt(rounds?: number): Promise<string>;
export function genSalt(callback: Callback<string>): void;
export function genSalt(rounds: number, callback: Callback<string>): void;

/** bcrypt of a string password with a salt string or a number of rounds (default 10). */
export function hashSync(password: string, salt?: number | string): string;
export function hash(password: string, salt: number | string): Promise<string>;
export function hash(password: string, salt: number | string, callback?: null, progressCallback?: ProgressCallback): Promise<string>;
export function hash(password: string, salt: number | string, callback: Callback<string>, progressCallback?: ProgressCallback): void;

/** True when `password` matches the 60-character `hash`. */
export function compareSync(password: string, hash: string): boolean;
export function compare(password: string, hash: string): Promise<boolean>;
export function compare(password: string, hash: string, callback?: null, progressCallback?: ProgressCallback): Promise<boolean>;
export function compare(password: string, hash: string, callback: Callback<boolean>, progressCallback?: ProgressCallback): void;

/** The cost field of a hash (NaN if it has none). */
export function getRounds(hash: string): number;
/** The salt part (first 29 characters) of a 60-character hash. */
export function getSalt(hash: string): string;
/** True when `password` is longer than the 72 UTF-8 bytes bcrypt uses. */
export function truncates(password: string): boolean;
/** The first `length` bytes of `bytes` in bcrypt's base64 alphabet. */
export function encodeBase64(bytes: ArrayLike<number>, length: number): string;
/** Up to `length` bytes decoded from bcrypt's base64 alphabet. */
export function decodeBase64(encoded: string, length: number): number[];

/** corepool's own: bounds the drop-ins' queue (see corepool/bcrypt). */
export function configure(options?: { maxPending?: number }): { maxPending: number; window: number; queued: number; active: number };

declare const bcrypt: {
  setRandomFallback: typeof setRandomFallback;
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
