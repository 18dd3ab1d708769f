//! Password hashing kernel: bcrypt (`$2a$`, `$2b$`, `$2y$`, verify-only `$2x$`)
//! and Argon2id (PHC strings; verify also accepts `$argon2i$` / `$argon2d$`).
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

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::Params;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::{Checkpoint, ErrorCode, TaskError};

#[path = "eksblowfish.rs"]
mod eksblowfish;
use eksblowfish::EksState;

#[path = "argon2.rs"]
mod argon2_kernel;
pub use argon2_kernel::wipe_idle_memory;
use argon2_kernel::{argon2_raw, Argon2Input, Variant, VERSION_10, VERSION_13};

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

// ---------------------------------------------------------------------------
// bcrypt
// ---------------------------------------------------------------------------

fn check_bcrypt_cost(cost: u32) -> Result<(), TaskError> {
    if (BCRYPT_MIN_COST..=BCRYPT_MAX_COST).contains(&cost) {
        Ok(())
    } else {
        Err(TaskError::int_range(
            "options.cost",
            BCRYPT_MIN_COST,
            BCRYPT_MAX_COST,
            cost,
        ))
    }
}

const BCRYPT_ALPHABET: &[u8; 64] =
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn bcrypt_b64_value(c: u8) -> Option<u32> {
    let v = match c {
        b'.' => 0,
        b'/' => 1,
        b'A'..=b'Z' => c - b'A' + 2,
        b'a'..=b'z' => c - b'a' + 28,
        b'0'..=b'9' => c - b'0' + 54,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Encodes like OpenBSD `encode_base64` (no padding; a final partial group
/// gets its leftover bits in one more character).
fn bcrypt_b64_encode(data: &[u8], out: &mut String) {
    for chunk in data.chunks(3) {
        let b0 = u32::from(chunk[0]);
        let b1 = chunk.get(1).map_or(0, |&b| u32::from(b));
        let b2 = chunk.get(2).map_or(0, |&b| u32::from(b));
        let n = (b0 << 16) | (b1 << 8) | b2;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = (n >> (18 - 6 * i)) & 63;
            out.push(BCRYPT_ALPHABET[idx as usize] as char);
        }
    }
}

/// Decodes `chars` (all must be in the alphabet) into `out`, ignoring the
/// unused low bits of the last character.
fn bcrypt_b64_decode(chars: &[u8], out: &mut [u8]) -> Option<()> {
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut pos = 0;
    for &c in chars {
        acc = (acc << 6) | bcrypt_b64_value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            if pos < out.len() {
                out[pos] = (acc >> bits) as u8;
                pos += 1;
            }
            acc &= (1 << bits) - 1;
        }
    }
    (pos == out.len()).then_some(())
}

fn bcrypt_b64_decode_salt(chars: &[u8]) -> Option<[u8; 16]> {
    let mut salt = [0u8; 16];
    bcrypt_b64_decode(chars, &mut salt)?;
    Some(salt)
}

/// `$2?$NN$` → (minor, cost). Minor in a/b/x/y, cost two digits 04..=31.
fn parse_bcrypt_prefix(p: &[u8]) -> Option<(u8, u32)> {
    if p.len() != 7 || p[0] != b'$' || p[1] != b'2' || p[3] != b'$' || p[6] != b'$' {
        return None;
    }
    let minor = p[2];
    if !matches!(minor, b'a' | b'b' | b'x' | b'y') {
        return None;
    }
    if !p[4].is_ascii_digit() || !p[5].is_ascii_digit() {
        return None;
    }
    let cost = u32::from(p[4] - b'0') * 10 + u32::from(p[5] - b'0');
    (BCRYPT_MIN_COST..=BCRYPT_MAX_COST)
        .contains(&cost)
        .then_some((minor, cost))
}

/// A full 60-character bcrypt hash → (minor, cost, salt).
fn parse_bcrypt_hash(hash: &str) -> Result<(u8, u32, [u8; 16]), TaskError> {
    let b = hash.as_bytes();
    if b.len() != 60 {
        return Err(invalid_hash(format!(
            "a bcrypt hash is 60 characters, got {}",
            b.len()
        )));
    }
    let (minor, cost) = parse_bcrypt_prefix(&b[..7]).ok_or_else(|| {
        invalid_hash("bad bcrypt prefix: expected $2a$, $2b$, $2x$ or $2y$ and a cost 04..31")
    })?;
    let salt = bcrypt_b64_decode_salt(&b[7..29])
        .ok_or_else(|| invalid_hash("the bcrypt salt is not bcrypt base64"))?;
    let mut digest = [0u8; 23];
    bcrypt_b64_decode(&b[29..60], &mut digest)
        .ok_or_else(|| invalid_hash("the bcrypt digest is not bcrypt base64"))?;
    Ok((minor, cost, salt))
}

/// The key bytes bcrypt's Blowfish key schedule reads, cyclically.
struct BcryptKey {
    initial: [u8; 72],
    len: usize,
}

impl Drop for BcryptKey {
    fn drop(&mut self) {
        self.initial.zeroize();
    }
}

/// Builds the key: the first 72 password bytes plus a terminating NUL when
/// shorter (the NUL is dropped at exactly 72). For `$2x$` the 18 key words are
/// computed with crypt_blowfish's sign-extension bug (each byte ORed in as a
/// sign-extended `char`) and serialised big-endian into 72 bytes, which the
/// Blowfish key schedule (a cyclic stream of big-endian words) reads back
/// as exactly those words.
fn bcrypt_key(password: &[u8], sign_extension_bug: bool) -> BcryptKey {
    let n = password.len().min(BCRYPT_MAX_PASSWORD_BYTES);
    let mut key = BcryptKey {
        initial: [0u8; 72],
        len: if n < 72 { n + 1 } else { 72 },
    };
    key.initial[..n].copy_from_slice(&password[..n]);
    if sign_extension_bug {
        let mut words = [0u8; 72];
        let mut pos = 0;
        for word in words.chunks_exact_mut(4) {
            let mut w: u32 = 0;
            for _ in 0..4 {
                // Sign-extend like `(BF_word_signed)(signed char)*ptr`.
                let sext = key.initial[pos] as i8 as i32 as u32;
                w = (w << 8) | sext;
                pos = (pos + 1) % key.len;
            }
            word.copy_from_slice(&w.to_be_bytes());
        }
        key.initial = words;
        words.zeroize();
        key.len = 72;
    }
    key
}

/// One bcrypt computation with everything it needs copied in (the key
/// stream, salt and cost), so it can wait in a queue and run on any thread,
/// alone ([`BcryptJob::run`]) or interleaved with others of the same cost
/// ([`BcryptJob::run_lanes`]).
pub struct BcryptJob {
    key: BcryptKey,
    cost: u32,
    minor: u8,
    salt: [u8; 16],
    /// `verify`: the hash to compare the result with.
    expected: Option<String>,
    /// Rounds done so far, as a fraction of [`BcryptJob::PROGRESS_ONE`],
    /// updated at every checkpoint (every 256 rounds) when present.
    progress: Option<Arc<AtomicU32>>,
}

/// What a [`BcryptJob`] produces.
#[derive(Debug, PartialEq, Eq)]
pub enum BcryptOutcome {
    /// A new hash string.
    Hash(String),
    /// Whether the password matched the expected hash.
    Verified(bool),
}

impl BcryptJob {
    /// Most jobs [`BcryptJob::run_lanes`] computes at once.
    pub const MAX_LANES: usize = eksblowfish::MAX_LANES;

    /// The value of a progress counter once every round is done.
    pub const PROGRESS_ONE: u32 = 1 << 24;

    /// Validates the password against `policy` and builds the job. Cheap
    /// enough for the JS thread: it copies at most 72 password bytes; no
    /// Blowfish work runs until [`BcryptJob::run`].
    fn new(
        password: &[u8],
        cost: u32,
        salt: [u8; 16],
        minor: u8,
        policy: BcryptPasswordPolicy,
        expected: Option<String>,
    ) -> Result<Self, TaskError> {
        check_bcrypt_cost(cost)?;
        if policy != BcryptPasswordPolicy::Permissive && password.contains(&0) {
            return Err(TaskError::new(
                ErrorCode::InvalidPassword,
                "bcrypt passwords cannot contain a NUL byte",
            ));
        }
        if policy == BcryptPasswordPolicy::Strict && password.len() > BCRYPT_MAX_PASSWORD_BYTES {
            return Err(TaskError::new(
                ErrorCode::PasswordTooLong,
                format!(
                    "bcrypt uses at most 72 bytes of password, got {} (set truncate to hash only the first 72)",
                    password.len()
                ),
            ));
        }
        Ok(BcryptJob {
            key: bcrypt_key(password, minor == b'x'),
            cost,
            minor,
            salt,
            expected,
            progress: None,
        })
    }

    /// Makes the job report its progress into `counter` (see
    /// [`BcryptJob::PROGRESS_ONE`]).
    pub fn with_progress(mut self, counter: Arc<AtomicU32>) -> Self {
        self.progress = Some(counter);
        self
    }

    /// The job for [`hash`] with `opts`, or `None` when `opts` is not bcrypt.
    pub fn for_hash(password: &[u8], opts: &HashOptions) -> Result<Option<Self>, TaskError> {
        if opts.algorithm != Algorithm::Bcrypt {
            return Ok(None);
        }
        check_bcrypt_cost(opts.cost)?;
        let policy = if opts.truncate {
            BcryptPasswordPolicy::Truncate
        } else {
            BcryptPasswordPolicy::Strict
        };
        let salt = random_bytes::<16>()?;
        Self::new(
            password,
            opts.cost,
            salt,
            opts.version.minor(),
            policy,
            None,
        )
        .map(Some)
    }

    /// The job for [`verify`] against a bcrypt `hash`, or `None` when `hash`
    /// is not a bcrypt hash (`$2…`).
    pub fn for_verify(password: &[u8], hash: &str) -> Result<Option<Self>, TaskError> {
        if !hash.starts_with("$2") {
            return Ok(None);
        }
        let (minor, cost, salt) = parse_bcrypt_hash(hash)?;
        let permissive = BcryptPasswordPolicy::Permissive;
        Self::new(
            password,
            cost,
            salt,
            minor,
            permissive,
            Some(hash.to_owned()),
        )
        .map(Some)
    }

    /// The job for [`bcrypt_hash_with_salt_string`].
    pub fn for_salt_string(
        password: &[u8],
        salt: &str,
        policy: BcryptPasswordPolicy,
    ) -> Result<Self, TaskError> {
        let b = salt.as_bytes();
        let bad = || invalid_arg(INVALID_SALT_MESSAGE);
        if b.len() < 29 || !salt.is_ascii() {
            return Err(bad());
        }
        let (minor, cost) = parse_bcrypt_prefix(&b[..7]).ok_or_else(bad)?;
        if minor == b'x' {
            return Err(bad());
        }
        let raw_salt = bcrypt_b64_decode_salt(&b[7..29]).ok_or_else(bad)?;
        Self::new(password, cost, raw_salt, minor, policy, None)
    }

    /// The cost (log2 rounds); only jobs of equal cost share a batch.
    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// Runs the job on the calling thread.
    pub fn run(self, cp: &Checkpoint) -> Result<BcryptOutcome, TaskError> {
        Self::run_lanes(vec![self], std::slice::from_ref(cp))
            .pop()
            .expect("one result per job")
    }

    /// Runs up to [`BcryptJob::MAX_LANES`] jobs of the same cost interleaved
    /// on the calling thread (≈ 2.8× the throughput of running them one
    /// after another). `cps[i]` is job i's checkpoint, polled every 256
    /// rounds: a cancelled job leaves the batch and the others go on.
    /// Returns one result per job, in order.
    ///
    /// # Panics
    /// If `jobs` is empty, longer than `MAX_LANES`, of mixed costs, or not
    /// as long as `cps`.
    pub fn run_lanes(
        jobs: Vec<BcryptJob>,
        cps: &[Checkpoint],
    ) -> Vec<Result<BcryptOutcome, TaskError>> {
        assert!(!jobs.is_empty() && jobs.len() <= Self::MAX_LANES && jobs.len() == cps.len());
        let cost = jobs[0].cost;
        assert!(jobs.iter().all(|j| j.cost == cost), "mixed bcrypt costs");
        let mut results: Vec<Option<Result<BcryptOutcome, TaskError>>> =
            jobs.iter().map(|_| None).collect();
        let mut live: Vec<usize> = (0..jobs.len()).collect();
        let mut meta = Vec::with_capacity(jobs.len());
        let mut states = Vec::with_capacity(jobs.len());
        let mut progress = Vec::with_capacity(jobs.len());
        for job in jobs {
            states.push(EksState::new(&job.key.initial[..job.key.len], &job.salt));
            meta.push((job.minor, job.salt, job.expected));
            progress.push(job.progress);
        }
        let rounds: u64 = 1u64 << cost;
        let mut done = 0;
        loop {
            let mut k = 0;
            while k < live.len() {
                if let Err(e) = cps[live[k]].check() {
                    results[live[k]] = Some(Err(e));
                    live.remove(k);
                    states.remove(k);
                } else {
                    k += 1;
                }
            }
            if live.is_empty() || done == rounds {
                break;
            }
            // 256 rounds ≈ 17 ms for one lane on the reference machine.
            let chunk = (rounds - done).min(256);
            eksblowfish::run_rounds(&mut states, chunk);
            done += chunk;
            let fraction = ((done << 24) / rounds) as u32;
            for &i in &live {
                if let Some(p) = &progress[i] {
                    p.store(fraction, Ordering::Relaxed);
                }
            }
        }
        for (state, i) in states.iter().zip(live) {
            let (minor, salt, expected) = &meta[i];
            let mut out = state.digest();
            let mut s = String::with_capacity(60);
            s.push_str("$2");
            s.push(*minor as char);
            s.push_str(&format!("${cost:02}$"));
            bcrypt_b64_encode(salt, &mut s);
            bcrypt_b64_encode(&out[..23], &mut s);
            out.zeroize();
            results[i] = Some(Ok(match expected {
                Some(h) => BcryptOutcome::Verified(s.as_bytes().ct_eq(h.as_bytes()).into()),
                None => BcryptOutcome::Hash(s),
            }));
        }
        results
            .into_iter()
            .map(|r| r.expect("every job settled"))
            .collect()
    }
}

fn expect_hash(r: Result<BcryptOutcome, TaskError>) -> Result<String, TaskError> {
    match r? {
        BcryptOutcome::Hash(s) => Ok(s),
        BcryptOutcome::Verified(_) => unreachable!("a hash job verified"),
    }
}

// ---------------------------------------------------------------------------
// Argon2
// ---------------------------------------------------------------------------

fn argon2_params_from_opts(opts: &HashOptions) -> Result<Params, TaskError> {
    let (m, t, p) = (opts.memory_cost, opts.time_cost, opts.parallelism);
    if !(1..=ARGON2_MAX_PARALLELISM).contains(&p) {
        return Err(TaskError::int_range(
            "options.parallelism",
            1,
            ARGON2_MAX_PARALLELISM,
            p,
        ));
    }
    if !(1..=ARGON2_MAX_TIME_COST).contains(&t) {
        return Err(TaskError::int_range(
            "options.timeCost",
            1,
            ARGON2_MAX_TIME_COST,
            t,
        ));
    }
    let min_m = 8u64 * u64::from(p);
    if u64::from(m) < min_m || m > ARGON2_MAX_MEMORY_COST {
        return Err(TaskError::int_range(
            "options.memoryCost",
            format_args!("8 × parallelism ({min_m})"),
            ARGON2_MAX_MEMORY_COST,
            m,
        ));
    }
    Params::new(m, t, p, Some(ARGON2_OUTPUT_LEN))
        .map_err(|e| invalid_arg(format!("invalid Argon2 parameters: {e}")))
}

fn check_password_len_argon2(password: &[u8]) -> Result<(), TaskError> {
    if u32::try_from(password.len()).is_err() {
        return Err(TaskError::new(
            ErrorCode::Limit,
            "Argon2 passwords are limited to 4 GiB",
        ));
    }
    Ok(())
}

fn argon2_encode_error(e: impl std::fmt::Display) -> TaskError {
    // Parameters and salt were validated before; this does not happen.
    TaskError::new(
        ErrorCode::Encode,
        format!("Argon2 PHC encoding failed: {e}"),
    )
}

fn argon2id_hash(
    password: &[u8],
    salt: &[u8],
    params: Params,
    cp: &Checkpoint,
) -> Result<String, TaskError> {
    check_password_len_argon2(password)?;
    cp.check()?;
    let mut tag = [0u8; ARGON2_OUTPUT_LEN];
    argon2_raw(
        &Argon2Input {
            variant: Variant::Id,
            version: VERSION_13,
            m_kib: params.m_cost(),
            t: params.t_cost(),
            p: params.p_cost(),
            pwd: password,
            salt,
            secret: &[],
            ad: &[],
        },
        &mut tag,
        cp,
    )?;
    cp.check()?;
    let ph = PasswordHash {
        algorithm: argon2::Algorithm::Argon2id.ident(),
        version: Some(VERSION_13),
        params: ParamsString::try_from(&params).map_err(argon2_encode_error)?,
        salt: Some(Salt::new(salt).map_err(argon2_encode_error)?),
        hash: Some(Output::new(&tag).map_err(argon2_encode_error)?),
    };
    tag.zeroize();
    Ok(ph.to_string())
}

/// Recomputes the tag of a parsed (and limit-checked) Argon2 hash and
/// compares it with the stored one in constant time.
fn argon2_verify(
    password: &[u8],
    ph: &PasswordHash,
    info: &Argon2Info,
    cp: &Checkpoint,
) -> Result<bool, TaskError> {
    let (Some(salt), Some(expected)) = (&ph.salt, &ph.hash) else {
        return Err(invalid_hash("the Argon2 PHC string has no salt or no hash"));
    };
    if salt.len() < 8 {
        return Err(invalid_hash("Argon2 hash rejected: salt too short"));
    }
    let variant = match info.algorithm {
        "argon2id" => Variant::Id,
        "argon2i" => Variant::I,
        _ => Variant::D,
    };
    // An absent `v=` is v=19 here, as in the `argon2` crate's verify.
    let version = if ph.version == Some(16) {
        VERSION_10
    } else {
        VERSION_13
    };
    let mut buf = [0u8; Output::MAX_LENGTH];
    let tag = &mut buf[..expected.len()];
    argon2_raw(
        &Argon2Input {
            variant,
            version,
            m_kib: info.m,
            t: info.t,
            p: info.p,
            pwd: password,
            salt,
            secret: &[],
            ad: &info.data,
        },
        tag,
        cp,
    )?;
    cp.check()?;
    let ok = tag.ct_eq(expected.as_bytes()).into();
    buf.zeroize();
    Ok(ok)
}

struct Argon2Info {
    algorithm: &'static str,
    version: u32,
    m: u32,
    t: u32,
    p: u32,
    /// The PHC `data` parameter (Argon2's associated data), possibly empty.
    data: Vec<u8>,
}

fn parse_phc(hash: &str) -> Result<PasswordHash, TaskError> {
    let ph = PasswordHash::new(hash)
        .map_err(|e| invalid_hash(format!("malformed Argon2 PHC string: {e}")))?;
    if ph.salt.is_none() || ph.hash.is_none() {
        return Err(invalid_hash("the Argon2 PHC string has no salt or no hash"));
    }
    Ok(ph)
}

fn argon2_info(ph: &PasswordHash) -> Result<Argon2Info, TaskError> {
    let algorithm = match ph.algorithm.as_str() {
        "argon2id" => "argon2id",
        "argon2i" => "argon2i",
        "argon2d" => "argon2d",
        other => return Err(invalid_hash(format!("unknown algorithm {other:?}"))),
    };
    let version = match ph.version {
        None | Some(16) => 16,
        Some(19) => 19,
        Some(v) => return Err(invalid_hash(format!("unknown Argon2 version {v}"))),
    };
    let params =
        Params::try_from(ph).map_err(|e| invalid_hash(format!("bad Argon2 parameters: {e}")))?;
    Ok(Argon2Info {
        algorithm,
        version,
        m: params.m_cost(),
        t: params.t_cost(),
        p: params.p_cost(),
        data: params.data().to_vec(),
    })
}

fn check_argon2_verify_limits(info: &Argon2Info) -> Result<(), TaskError> {
    if info.m > ARGON2_MAX_MEMORY_COST || info.t > ARGON2_MAX_TIME_COST {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!(
                "Argon2 hash needs m={} KiB, t={}: over this kernel's limits ({} KiB, {} passes)",
                info.m, info.t, ARGON2_MAX_MEMORY_COST, ARGON2_MAX_TIME_COST
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_base64_round_trip_and_lenient_last_char() {
        let raw: [u8; 16] = core::array::from_fn(|i| (i * 17 + 3) as u8);
        let mut s = String::new();
        bcrypt_b64_encode(&raw, &mut s);
        assert_eq!(s.len(), 22);
        assert_eq!(bcrypt_b64_decode_salt(s.as_bytes()), Some(raw));
        // "u" and "v" differ only in the 4 unused bits of the 22nd char.
        let a = bcrypt_b64_decode_salt(b"abcdefghijklmnopqrstuu").unwrap();
        let b = bcrypt_b64_decode_salt(b"abcdefghijklmnopqrstuv").unwrap();
        assert_eq!(a, b);
        assert_eq!(bcrypt_b64_decode_salt(b"abcdefghijklmnopqrstu!"), None);
        assert_eq!(bcrypt_b64_decode_salt(b"abcdefghijklmnopqrstu"), None);
    }

    /// Word `i` of the cyclic big-endian key stream the key schedule reads.
    fn key_word(k: &BcryptKey, i: usize) -> u32 {
        (0..4).fold(0u32, |w, j| {
            (w << 8) | u32::from(k.initial[(4 * i + j) % k.len])
        })
    }

    #[test]
    fn bcrypt_key_layout() {
        let k = bcrypt_key(b"abc", false);
        assert_eq!(&k.initial[..k.len], b"abc\0");
        let k = bcrypt_key(&[b'x'; 80], false);
        assert_eq!(k.len, 72);
        // crypt_blowfish's runtime self-test (BF_crypt, crypt_blowfish.c):
        // BF_set_key("\xff\xa3" "34" "\xff\xff\xff\xa3" "345") for $2y$ gives
        // expanded[17] == 0x33343500, and the $2a$ initial word 0 (safety bit
        // undone) == 0xdb9c59bc after XOR with P[0] = 0x243f6a88, i.e. word 0
        // of the correct key == 0xffa33334; with the bug word 0 is the same
        // (the 0xff bytes hide the sign extension) and word 1 too.
        let pw = b"\xff\xa334\xff\xff\xff\xa3345";
        let k = bcrypt_key(pw, false);
        assert_eq!(key_word(&k, 17), 0x3334_3500);
        assert_eq!(key_word(&k, 0) ^ 0x243f_6a88, 0xdb9c_59bc);
        let kx = bcrypt_key(pw, true);
        for i in 0..18 {
            assert_eq!(key_word(&kx, i), key_word(&k, i), "word {i}");
        }
        // "\xa3" with the bug: bytes a3 00 a3 00, each sign-extended and ORed.
        let kx = bcrypt_key(b"\xa3", true);
        assert_eq!(kx.len, 72);
        assert_eq!(key_word(&kx, 0), 0xffff_a300);
        let k = bcrypt_key(b"\xa3", false);
        assert_eq!(key_word(&k, 0), 0xa300_a300);
    }

    #[test]
    fn bcrypt_polls_the_checkpoint() {
        use std::sync::atomic::AtomicBool;
        let task = AtomicBool::new(true);
        let env = AtomicBool::new(false);
        let cp = Checkpoint::new(&task, &env);
        let job = BcryptJob::new(b"x", 31, [0; 16], b'b', BcryptPasswordPolicy::Strict, None);
        let err = job.unwrap().run(&cp).unwrap_err();
        assert_eq!(err.code, ErrorCode::Cancelled);
    }

    #[test]
    fn bcrypt_reports_progress_at_its_checkpoints() {
        // Cost 10 = 1024 rounds = 4 checkpoints of 256: the counter ends at
        // PROGRESS_ONE, in a batch too, and the hash is unchanged.
        let make = || BcryptJob::new(b"pw", 10, [7; 16], b'b', BcryptPasswordPolicy::Strict, None);
        let alone = make().unwrap().run(&Checkpoint::none()).unwrap();
        let counters: Vec<_> = (0..2).map(|_| Arc::new(AtomicU32::new(0))).collect();
        let jobs = counters
            .iter()
            .map(|c| make().unwrap().with_progress(Arc::clone(c)))
            .collect();
        let cps = [Checkpoint::none(), Checkpoint::none()];
        for r in BcryptJob::run_lanes(jobs, &cps) {
            assert_eq!(r.unwrap(), alone);
        }
        for c in &counters {
            assert_eq!(c.load(Ordering::Relaxed), BcryptJob::PROGRESS_ONE);
        }
    }

    #[test]
    fn bcrypt_lanes_match_the_bcrypt_crate() {
        use std::sync::atomic::AtomicBool;
        // Batches of 1..=4 jobs with different passwords, salts and minors,
        // hash and verify mixed, each checked against the `bcrypt` crate.
        let never = AtomicBool::new(false);
        for n in 1..=BcryptJob::MAX_LANES {
            let mut jobs = Vec::new();
            let mut want = Vec::new();
            for k in 0..n {
                let pw = format!("pässwörd-{n}-{k}");
                let salt = [(n * 16 + k) as u8; 16];
                let reference = bcrypt::hash_with_salt(&pw, 5, salt)
                    .unwrap()
                    .format_for_version(bcrypt::Version::TwoB);
                if k % 2 == 0 {
                    jobs.push(
                        BcryptJob::new(
                            pw.as_bytes(),
                            5,
                            salt,
                            b'b',
                            BcryptPasswordPolicy::Strict,
                            None,
                        )
                        .unwrap(),
                    );
                    want.push(BcryptOutcome::Hash(reference));
                } else {
                    let wrong = k == 3;
                    let pw = if wrong { format!("{pw}!") } else { pw };
                    jobs.push(
                        BcryptJob::for_verify(pw.as_bytes(), &reference)
                            .unwrap()
                            .unwrap(),
                    );
                    want.push(BcryptOutcome::Verified(!wrong));
                }
            }
            let cps: Vec<_> = (0..n).map(|_| Checkpoint::new(&never, &never)).collect();
            let got: Vec<_> = BcryptJob::run_lanes(jobs, &cps)
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert_eq!(got, want, "{n} lanes");
        }
    }

    #[test]
    fn a_cancelled_lane_leaves_the_others_running() {
        use std::sync::atomic::AtomicBool;
        let (never, set) = (AtomicBool::new(false), AtomicBool::new(true));
        let make = |pw: &[u8]| {
            BcryptJob::new(pw, 4, [9; 16], b'b', BcryptPasswordPolicy::Strict, None).unwrap()
        };
        let cps = [
            Checkpoint::new(&never, &never),
            Checkpoint::new(&set, &never),
            Checkpoint::new(&never, &never),
        ];
        let got = BcryptJob::run_lanes(vec![make(b"a"), make(b"b"), make(b"c")], &cps);
        assert_eq!(got[1].as_ref().unwrap_err().code, ErrorCode::Cancelled);
        for (i, pw) in [(0, b"a"), (2, b"c")] {
            let alone = make(pw).run(&Checkpoint::none()).unwrap();
            assert_eq!(got[i].as_ref().unwrap(), &alone);
        }
    }

    #[test]
    fn argon2_hash_and_verify_match_the_argon2_crate() {
        use argon2::password_hash::phc::PasswordHash;
        use argon2::{Argon2, PasswordHasher, PasswordVerifier};
        let none = Checkpoint::none();
        // Hashing: same PHC string as the crate for the same salt.
        for (m, t, p) in [(64, 1, 1), (100, 2, 3), (19 * 1024, 2, 1)] {
            let opts = HashOptions {
                algorithm: Algorithm::Argon2id,
                memory_cost: m,
                time_cost: t,
                parallelism: p,
                ..HashOptions::default()
            };
            let salt = [m as u8; 16];
            let ours = argon2id_hash_with_salt(b"pw", &salt, &opts, &none).unwrap();
            let params = argon2_params_from_opts(&opts).unwrap();
            let ctx = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
            let theirs = ctx.hash_password_with_salt(b"pw", &salt).unwrap();
            assert_eq!(ours, theirs.to_string());
        }
        // Verifying: every variant and version, keyid / data, other tag
        // lengths, and a hash without `v=`, with the crate's answers.
        let mut hashes = Vec::new();
        for alg in [
            argon2::Algorithm::Argon2d,
            argon2::Algorithm::Argon2i,
            argon2::Algorithm::Argon2id,
        ] {
            for version in [argon2::Version::V0x10, argon2::Version::V0x13] {
                let params = argon2::ParamsBuilder::new()
                    .m_cost(40)
                    .t_cost(2)
                    .p_cost(2)
                    .keyid(argon2::KeyId::new(&[7; 4]).unwrap())
                    .data(argon2::AssociatedData::new(&[9; 6]).unwrap())
                    .output_len(20)
                    .build()
                    .unwrap();
                let ctx = Argon2::new(alg, version, params);
                let h = ctx
                    .hash_password_with_salt(b"secret", b"saltsaltsalt")
                    .unwrap();
                hashes.push(h.to_string());
            }
        }
        hashes.push(hashes[5].replace("$v=19", ""));
        hashes.push(hashes[4].replace("$v=16", ""));
        for h in &hashes {
            for pw in [&b"secret"[..], b"secreT", b""] {
                let want = Argon2::default()
                    .verify_password(pw, &PasswordHash::new(h).unwrap())
                    .is_ok();
                assert_eq!(verify(pw, h, &none).unwrap(), want, "{h} {pw:?}");
            }
        }
        assert!(verify(b"secret", &hashes[6], &none).unwrap());
        assert!(!verify(b"secret", &hashes[7], &none).unwrap());
    }

    #[test]
    fn argon2_stops_when_cancelled() {
        use std::sync::atomic::AtomicBool;
        let (set, never) = (AtomicBool::new(true), AtomicBool::new(false));
        let cp = Checkpoint::new(&set, &never);
        let opts = HashOptions {
            algorithm: Algorithm::Argon2id,
            ..HashOptions::default()
        };
        assert_eq!(
            hash(b"pw", &opts, &cp).unwrap_err().code,
            ErrorCode::Cancelled
        );
        let h = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assert_eq!(
            verify(b"password", h, &cp).unwrap_err().code,
            ErrorCode::Cancelled
        );
    }
}

#[cfg(test)]
#[path = "hash_tests.rs"]
mod kernel_tests;
