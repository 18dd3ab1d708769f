/// <reference types="node" />
/**
 * corepool/bcrypt — drop-in for the `bcrypt` npm package (v6 API). Async
 * forms run on corepool's thread pool; sync forms on the calling thread.
 * Also accepts `$2y$` salts and hashes.
 */

/** A salt string `$2<minor>$<rounds>$<22 chars>`. rounds: default 10, clamped to 4..31. minor: 'a' | 'b' (default) | 'y'. */
export function genSaltSync(rounds?: number, minor?: 'a' | 'b' | 'y'): string;
export function genSalt(rounds?: number, minor?: 'a' | 'b' | 'y'): Promise<string>;
export function genSalt(callback: (err: Error | null, salt: string) => void): void;
export function genSalt(rounds: number, callback: (err: Error | null, salt: string) => void): void;
export function genSalt(rounds: number, minor: 'a' | 'b' | 'y', callback: (err: Error | null, salt: string) => void): void;

/** bcrypt hash of `data` (first 72 bytes used) with a salt string or a number of rounds. */
export function hashSync(data: string | Buffer, saltOrRounds: string | number): string;
export function hash(data: string | Buffer, saltOrRounds: string | number): Promise<string>;
export function hash(data: string | Buffer, saltOrRounds: string | number, callback: (err: Error | null, encrypted: string) => void): void;

/** True when `data` matches the bcrypt hash `encrypted`; false for a malformed hash. */
export function compareSync(data: string | Buffer, encrypted: string): boolean;
export function compare(data: string | Buffer, encrypted: string): Promise<boolean>;
export function compare(data: string | Buffer, encrypted: string, callback: (err: Error | null, same: boolean) => void): void;

/** The cost of a bcrypt hash. Throws 'invalid hash provided' otherwise. */
export function getRounds(encrypted: string): number;

declare const bcrypt: {
  genSaltSync: typeof genSaltSync;
  genSalt: typeof genSalt;
  hashSync: typeof hashSync;
  hash: typeof hash;
  compareSync: typeof compareSync;
  compare: typeof compare;
  getRounds: typeof getRounds;
};
export default bcrypt;
