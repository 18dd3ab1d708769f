//! Password hashing kernel: bcrypt (`$2a$`, `$2b$`, `$2y$`, verify-only `$2x$`)
//! and Argon2id (PHC strings; verify also accepts `$argon2i$` / `$argon2d$`).
//!
//! Modules: `bcrypt` (salt/hash strings, key bytes), `batch` (a bcrypt
//! computation as a job, alone or interleaved with others), `eksblowfish`
//! (the cipher), `argon2` (block filling), `phc` (Argon2 PHC strings and
//! parameters); tests in `tests.rs` and `kernel_tests.rs`.
//!
//! * bcrypt's EksBlowfish is our own (`eksblowfish.rs`): a flat, unrolled
//!   state written for speed (the `blowfish` crate's generic one was ≈ 10 %
//!   slower than C bcrypt), whose 2^cost loop polls the [`Checkpoint`] (cost
//!   31 would otherwise run for days with no way to cancel it), and which can
//!   verify `$2x$`. Output is checked against the OpenBSD / Openwall /
//!   jBCrypt vectors and against the `bcrypt` crate in the tests.
//! * Argon2's block filling is our own too (`argon2.rs`): an AVX2 BlaMka
//!   compression detected at run time (the `argon2` crate's was scalar code,
//!   ≈ 0.8× the speed of `@node-rs/argon2`), per-thread reusable memory, and
//!   [`Checkpoint`] polls during the computation. Its tags are checked against the RFC
//!   9106 vectors and against the `argon2` crate in the tests. The crate is
//!   still used for PHC string parsing / formatting and parameter validation.
//! * Salts come from the OS CSPRNG (`getrandom`). Hash comparisons are constant
//!   time (`subtle`).
//!
//! # bcrypt input rules
//!
//! bcrypt only ever reads 72 bytes of key, and classic C implementations
//! (crypt_blowfish, PHP, Python `bcrypt`) stop at the first NUL byte. So
//! [`hash`] is strict by default: a password longer than 72 bytes is
//! `ERR_PASSWORD_TOO_LONG` (unless `truncate: true`), and a password
//! containing a NUL byte is `ERR_INVALID_PASSWORD` (always, because such a hash
//! could never be verified by a C-string implementation).
//!
//! [`verify`] is deliberately *permissive*, because it must check hashes that
//! other libraries created: it uses the first 72 bytes (what every bcrypt
//! implementation does, silently) and hashes NUL bytes as ordinary bytes (the
//! OpenBSD / npm `bcrypt` length-aware behaviour). Hashing NUL bytes as-is
//! never lets `"abc\0anything"` match a hash of `"abc"`, which truncating at
//! the NUL would. (The only inputs that collide because of the implicit NUL
//! terminator start with the real password, e.g. `"abc\0abc"` or `"\0"` for
//! the empty password — exactly as in npm `bcrypt` — so they give an attacker
//! nothing.)
//!
//! # Cancellation
//!
//! bcrypt polls the [`Checkpoint`] every 256 EksBlowfish rounds (≈ 15 ms).
//! Argon2 polls it at the start of every segment (a quarter pass over one
//! lane, ≈ 2 ms at the default 19 MiB) and every 4096 blocks within one
//! (≈ 1.5 ms), so even a 4 GiB hash stops promptly; its total cost is
//! bounded by [`ARGON2_MAX_MEMORY_COST`] and [`ARGON2_MAX_TIME_COST`].

use ::argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use ::argon2::Params;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::{Checkpoint, ErrorCode, TaskError};

mod argon2;
mod batch;
mod bcrypt;
mod eksblowfish;
mod phc;

pub use self::argon2::wipe_idle_memory;
use self::argon2::{argon2_raw, Argon2Input, Variant, VERSION_10, VERSION_13};
use batch::*;
pub use batch::{BcryptJob, BcryptOutcome};
use bcrypt::*;
use eksblowfish::EksState;
use phc::*;

/// bcrypt reads at most this many password bytes.
pub const BCRYPT_MAX_PASSWORD_BYTES: usize = 72;
/// Smallest bcrypt cost (log2 of the rounds).
pub const BCRYPT_MIN_COST: u32 = 4;
/// Largest bcrypt cost (log2 of the rounds).
pub const BCRYPT_MAX_COST: u32 = 31;
/// Default bcrypt cost.
pub const BCRYPT_DEFAULT_COST: u32 = 12;

/// Default Argon2 memory cost in KiB (OWASP: 19 MiB).
pub const ARGON2_DEFAULT_MEMORY_COST: u32 = 19 * 1024;
/// Largest accepted Argon2 memory cost in KiB (4 GiB), for hashing and for
/// verifying foreign hashes (checked before anything is allocated).
pub const ARGON2_MAX_MEMORY_COST: u32 = 4 * 1024 * 1024;
/// Default Argon2 time cost (passes).
pub const ARGON2_DEFAULT_TIME_COST: u32 = 2;
/// Largest accepted Argon2 time cost (passes).
pub const ARGON2_MAX_TIME_COST: u32 = 4096;
/// Default Argon2 parallelism (lanes).
pub const ARGON2_DEFAULT_PARALLELISM: u32 = 1;
/// Largest Argon2 parallelism (lanes), the RFC 9106 limit 2^24 - 1.
pub const ARGON2_MAX_PARALLELISM: u32 = 0x00FF_FFFF;
/// Argon2 salt length written by [`hash`] (bytes).
pub const ARGON2_SALT_LEN: usize = 16;
/// Argon2 tag length written by [`hash`] (bytes).
pub const ARGON2_OUTPUT_LEN: usize = 32;

/// The npm `bcrypt` package's message for a bad salt, reused verbatim so a
/// drop-in shim can surface it unchanged.
pub const INVALID_SALT_MESSAGE: &str =
    "Invalid salt. Salt must be in the form of: $Vers$log2(NumRounds)$saltvalue";

/// Password hashing algorithm used by [`hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// bcrypt (`$2b$` by default). The default, as in the JS API.
    #[default]
    Bcrypt,
    /// Argon2id v1.3 (`$argon2id$v=19$…`), the OWASP first choice.
    Argon2id,
}

/// bcrypt minor version written into new hashes. All three compute the same
/// hash for every password [`hash`] accepts (no NUL, at most 72 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BcryptVersion {
    /// `$2a$`.
    V2a,
    /// `$2b$` (current OpenBSD).
    #[default]
    V2b,
    /// `$2y$` (crypt_blowfish / PHP spelling of the fixed algorithm).
    V2y,
}

impl BcryptVersion {
    fn minor(self) -> u8 {
        match self {
            BcryptVersion::V2a => b'a',
            BcryptVersion::V2b => b'b',
            BcryptVersion::V2y => b'y',
        }
    }
}

/// How bcrypt treats passwords it cannot represent faithfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BcryptPasswordPolicy {
    /// More than 72 bytes → `ERR_PASSWORD_TOO_LONG`; a NUL byte →
    /// `ERR_INVALID_PASSWORD`.
    #[default]
    Strict,
    /// Only the first 72 bytes are used (bcrypt's historical behaviour); a NUL
    /// byte is still `ERR_INVALID_PASSWORD`.
    Truncate,
    /// Exactly what the npm `bcrypt` package (OpenBSD code with an explicit
    /// length) does: first 72 bytes, NUL bytes hashed as ordinary bytes.
    /// Never fails on the password. Used by [`verify`].
    Permissive,
}

/// Options of [`hash`] and [`needs_rehash`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashOptions {
    /// Algorithm of new hashes. Default: `Bcrypt`.
    pub algorithm: Algorithm,
    /// bcrypt cost, log2 of the rounds. Range 4..=31. Default: 12.
    pub cost: u32,
    /// bcrypt prefix of new hashes. Default: `V2b`.
    pub version: BcryptVersion,
    /// bcrypt only: `true` hashes only the first 72 bytes of a longer password
    /// instead of failing with `ERR_PASSWORD_TOO_LONG`. Default: `false`.
    pub truncate: bool,
    /// Argon2 memory in KiB. Range 8 × parallelism..=4194304 (4 GiB).
    /// Default: 19456 (19 MiB).
    pub memory_cost: u32,
    /// Argon2 passes. Range 1..=4096. Default: 2.
    pub time_cost: u32,
    /// Argon2 lanes (computed sequentially on the calling pool thread).
    /// Range 1..=16777215 (and at most memory_cost / 8). Default: 1.
    pub parallelism: u32,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions {
            algorithm: Algorithm::default(),
            cost: BCRYPT_DEFAULT_COST,
            version: BcryptVersion::default(),
            truncate: false,
            memory_cost: ARGON2_DEFAULT_MEMORY_COST,
            time_cost: ARGON2_DEFAULT_TIME_COST,
            parallelism: ARGON2_DEFAULT_PARALLELISM,
        }
    }
}

/// What [`parse_hash`] reads from a hash string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHash {
    /// `"bcrypt"`, `"argon2id"`, `"argon2i"` or `"argon2d"`.
    pub algorithm: &'static str,
    /// bcrypt minor (`"2a"`, `"2b"`, `"2x"`, `"2y"`) or Argon2 version
    /// (`"19"`, or `"16"` also when the `v=` field is absent).
    pub version: String,
    /// bcrypt cost.
    pub cost: Option<u32>,
    /// Argon2 memory in KiB.
    pub memory_cost: Option<u32>,
    /// Argon2 passes.
    pub time_cost: Option<u32>,
    /// Argon2 lanes.
    pub parallelism: Option<u32>,
}

fn invalid_arg(msg: impl Into<String>) -> TaskError {
    TaskError::new(ErrorCode::InvalidArgValue, msg)
}

fn invalid_hash(msg: impl Into<String>) -> TaskError {
    TaskError::new(ErrorCode::InvalidHash, msg)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], TaskError> {
    let mut buf = [0u8; N];
    // No dedicated code for an OS RNG failure; ERR_ENCODE ("producing the
    // output failed") is the closest. It does not happen on supported OSes.
    getrandom::fill(&mut buf)
        .map_err(|e| TaskError::new(ErrorCode::Encode, format!("OS random source failed: {e}")))?;
    Ok(buf)
}

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

/// Hashes `password` with a fresh random salt.
///
/// Errors: `ERR_INVALID_ARG_VALUE` (an option out of range, the message names
/// it: `cost`, `memoryCost`, `timeCost`, `parallelism`),
/// `ERR_PASSWORD_TOO_LONG` (bcrypt, > 72 bytes, `truncate: false`),
/// `ERR_INVALID_PASSWORD` (bcrypt, NUL byte), `ERR_LIMIT` (Argon2 could not
/// allocate its memory, or a password over 4 GiB), `ABORT_ERR`.
pub fn hash(password: &[u8], opts: &HashOptions, cp: &Checkpoint) -> Result<String, TaskError> {
    cp.check()?;
    match opts.algorithm {
        Algorithm::Bcrypt => {
            let job = BcryptJob::for_hash(password, opts)?.expect("a bcrypt job");
            expect_hash(job.run(cp))
        }
        Algorithm::Argon2id => {
            let params = argon2_params_from_opts(opts)?;
            let salt = random_bytes::<ARGON2_SALT_LEN>()?;
            argon2id_hash(password, &salt, params, cp)
        }
    }
}

/// Argon2id with a caller-supplied salt (8..=48 bytes), for known-answer tests
/// and for reproducing a hash. Same options and errors as [`hash`]; a bad salt
/// length is `ERR_INVALID_ARG_VALUE` naming `salt`.
pub fn argon2id_hash_with_salt(
    password: &[u8],
    salt: &[u8],
    opts: &HashOptions,
    cp: &Checkpoint,
) -> Result<String, TaskError> {
    cp.check()?;
    if !(8..=48).contains(&salt.len()) {
        return Err(TaskError::arg_value(
            "salt",
            "8 to 48 bytes long",
            format_args!("{} bytes", salt.len()),
        ));
    }
    let params = argon2_params_from_opts(opts)?;
    argon2id_hash(password, salt, params, cp)
}

/// bcrypt with a salt string, like the npm `bcrypt` package's `hash(data,
/// salt)`: `salt` is `$2a$`, `$2b$` or `$2y$`, a two-digit cost `04`..`31`,
/// `$`, then at least 22 bcrypt-base64 characters; anything after the 22nd
/// character is ignored, so a complete hash can be passed (as npm allows). The
/// 22nd character's 4 unused bits are ignored and written canonically.
/// The output keeps the salt's prefix.
///
/// Errors: `ERR_INVALID_ARG_VALUE` with [`INVALID_SALT_MESSAGE`] for a bad
/// salt (`$2x$` is refused: it is never written), then the `policy` errors
/// (see [`BcryptPasswordPolicy`]), `ABORT_ERR`.
pub fn bcrypt_hash_with_salt_string(
    password: &[u8],
    salt: &str,
    policy: BcryptPasswordPolicy,
    cp: &Checkpoint,
) -> Result<String, TaskError> {
    cp.check()?;
    expect_hash(BcryptJob::for_salt_string(password, salt, policy)?.run(cp))
}

/// A bcrypt salt string `"$2<minor>$<rounds>$" + 22 chars` from 16 random
/// bytes, like npm `bcrypt.genSaltSync(rounds, minor)`.
///
/// `rounds` must be 4..=31 and `minor` `'a'`, `'b'` or `'y'`, else
/// `ERR_INVALID_ARG_VALUE`. (npm `bcrypt` clamps rounds instead: see the
/// report; a shim should clamp before calling.)
pub fn bcrypt_gen_salt(rounds: u32, minor: char) -> Result<String, TaskError> {
    check_bcrypt_cost(rounds)?;
    if !matches!(minor, 'a' | 'b' | 'y') {
        return Err(TaskError::arg_value(
            "minor",
            "one of 'a', 'b', 'y'",
            crate::tasks::received_string(&minor.to_string()),
        ));
    }
    let raw = random_bytes::<16>()?;
    let mut s = format!("$2{minor}${rounds:02}$");
    bcrypt_b64_encode(&raw, &mut s);
    Ok(s)
}

/// Checks `password` against `hash`; the algorithm comes from the prefix.
///
/// * bcrypt `$2a$`, `$2b$`, `$2y$`: OpenBSD semantics (npm `bcrypt`,
///   `bcryptjs`, Go, the `bcrypt` crate): first 72 bytes, NUL bytes are
///   hashed as bytes (see the module docs). Two historical deviations are NOT
///   reproduced: crypt_blowfish's `$2a$` anti-collision tweak (only changes
///   results for some passwords containing a 0xFF byte, which never occurs in
///   UTF-8), and OpenBSD/npm `bcrypt`'s pre-2014 `$2a$` length wrap for
///   passwords of 255 bytes or more.
/// * `$2x$` is handled exactly as crypt_blowfish does (it is the marker for
///   hashes made by crypt_blowfish < 1.1 with its sign-extension bug on bytes
///   ≥ 0x80), so old PHP / Openwall hashes can still be checked and then
///   rehashed ([`needs_rehash`] is always true for it). It is never written.
/// * `$argon2id$`, `$argon2i$`, `$argon2d$` (v=16 or v=19, optional keyid /
///   data), with the semantics of the `argon2` crate's `verify_password`:
///   `data` is the associated data, `keyid` is ignored (no secret is used),
///   and a hash without `v=` is computed as v=19 (although [`parse_hash`]
///   reports its version as `"16"`).
///
/// A hash whose bytes differ from the canonical encoding (e.g. unused low
/// bits set in the last salt character) does not match (`false`), like
/// crypt(3) and npm `bcrypt`.
///
/// Errors: `ERR_INVALID_HASH` for a malformed or unknown hash (never `false`),
/// `ERR_LIMIT` for Argon2 parameters above this kernel's limits (memory
/// 4 GiB, 4096 passes) or a password over 4 GiB, `ABORT_ERR`.
pub fn verify(password: &[u8], hash: &str, cp: &Checkpoint) -> Result<bool, TaskError> {
    cp.check()?;
    if let Some(job) = BcryptJob::for_verify(password, hash)? {
        match job.run(cp)? {
            BcryptOutcome::Verified(ok) => Ok(ok),
            BcryptOutcome::Hash(_) => unreachable!("a verify job hashed"),
        }
    } else if hash.starts_with("$argon2") {
        let ph = parse_phc(hash)?;
        let info = argon2_info(&ph)?;
        check_argon2_verify_limits(&info)?;
        check_password_len_argon2(password)?;
        cp.check()?;
        argon2_verify(password, &ph, &info, cp)
    } else {
        Err(invalid_hash("unrecognised hash format (expected $2a$, $2b$, $2x$, $2y$, $argon2id$, $argon2i$ or $argon2d$)"))
    }
}

/// Reads the algorithm and cost parameters of a hash string.
///
/// Errors: `ERR_INVALID_HASH` for anything [`verify`] would reject as malformed.
pub fn parse_hash(hash: &str) -> Result<ParsedHash, TaskError> {
    if hash.starts_with("$2") {
        let (minor, cost, _) = parse_bcrypt_hash(hash)?;
        Ok(ParsedHash {
            algorithm: "bcrypt",
            version: format!("2{}", minor as char),
            cost: Some(cost),
            memory_cost: None,
            time_cost: None,
            parallelism: None,
        })
    } else if hash.starts_with("$argon2") {
        let ph = parse_phc(hash)?;
        let info = argon2_info(&ph)?;
        Ok(ParsedHash {
            algorithm: info.algorithm,
            version: info.version.to_string(),
            cost: None,
            memory_cost: Some(info.m),
            time_cost: Some(info.t),
            parallelism: Some(info.p),
        })
    } else {
        Err(invalid_hash("unrecognised hash format"))
    }
}

/// True when `hash` was not made with `opts`' algorithm and cost parameters:
/// bcrypt → a different cost, or `$2x$` (buggy variant); the `$2a$`/`$2b$`/
/// `$2y$` spelling alone is not a reason (same result for every password
/// [`hash`] accepts). Argon2id → a different variant (`argon2i`/`argon2d`),
/// version other than 19, or different memory/time/parallelism.
///
/// Errors: `ERR_INVALID_ARG_VALUE` when `opts` is invalid for its algorithm,
/// `ERR_INVALID_HASH` when `hash` is malformed.
pub fn needs_rehash(hash: &str, opts: &HashOptions) -> Result<bool, TaskError> {
    match opts.algorithm {
        Algorithm::Bcrypt => check_bcrypt_cost(opts.cost)?,
        Algorithm::Argon2id => {
            argon2_params_from_opts(opts)?;
        }
    }
    let parsed = parse_hash(hash)?;
    Ok(match opts.algorithm {
        Algorithm::Bcrypt => {
            parsed.algorithm != "bcrypt" || parsed.version == "2x" || parsed.cost != Some(opts.cost)
        }
        Algorithm::Argon2id => {
            parsed.algorithm != "argon2id"
                || parsed.version != "19"
                || parsed.memory_cost != Some(opts.memory_cost)
                || parsed.time_cost != Some(opts.time_cost)
                || parsed.parallelism != Some(opts.parallelism)
        }
    })
}

#[cfg(test)]
mod kernel_tests;
#[cfg(test)]
mod tests;
