//! Password hashing glue: `hash`, `verify`, `bcryptHash` on the pool, and the
//! cheap or explicitly synchronous helpers the JS API and the drop-ins need.

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result, Unknown};
use napi_derive::napi;

use super::{bytes, int, rejected, submit, submit_bcrypt, task_error, PoolArg};
use crate::tasks::hash::{
    self as k, bcrypt_gen_salt, bcrypt_hash_with_salt_string, hash as hash_kernel, parse_hash,
    verify as verify_kernel, BcryptJob,
};
use crate::tasks::Checkpoint;

string_enum! {
    /// Algorithm of new hashes.
    HashAlgorithm => k::Algorithm {
        "bcrypt" Bcrypt => k::Algorithm::Bcrypt,
        "argon2id" Argon2id => k::Algorithm::Argon2id,
    }
}

string_enum! {
    /// bcrypt prefix of new hashes.
    BcryptVersion => k::BcryptVersion {
        "2a" V2a => k::BcryptVersion::V2a,
        "2b" V2b => k::BcryptVersion::V2b,
        "2y" V2y => k::BcryptVersion::V2y,
    }
}

string_enum! {
    /// What bcrypt does with long passwords and NUL bytes.
    BcryptPolicy => k::BcryptPasswordPolicy {
        "strict" Strict => k::BcryptPasswordPolicy::Strict,
        "truncate" Truncate => k::BcryptPasswordPolicy::Truncate,
        "permissive" Permissive => k::BcryptPasswordPolicy::Permissive,
    }
}

/// Hash options, defaults filled in by index.js.
#[napi(object, object_to_js = false)]
pub struct HashOptions {
    pub algorithm: HashAlgorithm,
    pub cost: f64,
    pub version: BcryptVersion,
    pub truncate: bool,
    pub memory_cost: f64,
    pub time_cost: f64,
    pub parallelism: f64,
}

fn options(env: &Env, o: &HashOptions) -> Result<k::HashOptions> {
    Ok(k::HashOptions {
        algorithm: o.algorithm.into(),
        cost: int(env, "options.cost", o.cost, 4, 31)?,
        version: o.version.into(),
        truncate: o.truncate,
        memory_cost: int(env, "options.memoryCost", o.memory_cost, 8, 4_194_304)?,
        time_cost: int(env, "options.timeCost", o.time_cost, 1, 4096)?,
        parallelism: int(env, "options.parallelism", o.parallelism, 1, 0xff_ffff)?,
    })
}

/// `hash(pool, password, options, token)` → Promise<string>.
#[napi]
pub fn hash<'env>(
    env: &'env Env,
    pool: PoolArg,
    password: Unknown<'env>,
    options: HashOptions,
    token: u32,
) -> Result<PromiseRaw<'env, String>> {
    let opts = self::options(env, &options)?;
    // bcrypt: validate and copy the ≤ 72 key bytes here, batch on the pool;
    // Argon2 reads the password in place on the pool.
    match BcryptJob::for_hash(&bytes(env, "password", &password)?, &opts) {
        Ok(None) => {
            let memory = match pool.0.reserve_memory(u64::from(opts.memory_cost) * 1024) {
                Ok(r) => r,
                Err(e) => return rejected(env, e),
            };
            submit(env, &pool.0, &[password], token, move |inputs, cp| {
                let _memory = memory;
                hash_kernel(inputs.get(0), &opts, cp)
            })
        }
        job => submit_bcrypt(env, &pool.0, token, job.map(Option::unwrap), false),
    }
}

/// `verify(pool, password, hash, token)` → Promise<boolean>.
#[napi]
pub fn verify<'env>(
    env: &'env Env,
    pool: PoolArg,
    password: Unknown<'env>,
    hash: String,
    token: u32,
) -> Result<PromiseRaw<'env, bool>> {
    match BcryptJob::for_verify(&bytes(env, "password", &password)?, &hash) {
        Ok(None) => {
            // Argon2: reserve the hash's memory cost (a malformed hash
            // reserves nothing; the kernel rejects it).
            let kib = parse_hash(&hash).ok().and_then(|i| i.memory_cost);
            let memory = match kib.map(|k| pool.0.reserve_memory(u64::from(k) * 1024)) {
                Some(Err(e)) => return rejected(env, e),
                other => other.and_then(std::result::Result::ok),
            };
            submit(env, &pool.0, &[password], token, move |inputs, cp| {
                let _memory = memory;
                verify_kernel(inputs.get(0), &hash, cp)
            })
        }
        job => submit_bcrypt(env, &pool.0, token, job.map(Option::unwrap), false),
    }
}

/// `bcryptHash` options: an explicit salt string (`$2b$10$` + 22 chars).
#[napi(object, object_to_js = false)]
pub struct BcryptHashOptions {
    pub salt: String,
    pub policy: BcryptPolicy,
    /// Make `progress(token)` report the rounds done while it runs.
    pub progress: Option<bool>,
}

/// `bcryptHash(pool, password, { salt, policy, progress? }, token)` →
/// Promise<string>, for the drop-ins.
#[napi]
pub fn bcrypt_hash<'env>(
    env: &'env Env,
    pool: PoolArg,
    password: Unknown<'env>,
    options: BcryptHashOptions,
    token: u32,
) -> Result<PromiseRaw<'env, String>> {
    let pw = bytes(env, "password", &password)?;
    let job = BcryptJob::for_salt_string(&pw, &options.salt, options.policy.into());
    submit_bcrypt(env, &pool.0, token, job, options.progress == Some(true))
}

/// `bcryptHashSync(password, salt, policy)` → string, on the calling thread.
#[napi]
pub fn bcrypt_hash_sync(
    env: Env,
    password: Unknown<'_>,
    salt: String,
    policy: BcryptPolicy,
) -> Result<String> {
    let pw = bytes(&env, "password", &password)?;
    bcrypt_hash_with_salt_string(&pw, &salt, policy.into(), &Checkpoint::none())
        .map_err(|e| task_error(&env, e))
}

/// `verifySync(password, hash)` → boolean, on the calling thread.
#[napi]
pub fn verify_sync(env: Env, password: Unknown<'_>, hash: String) -> Result<bool> {
    let pw = bytes(&env, "password", &password)?;
    verify_kernel(&pw, &hash, &Checkpoint::none()).map_err(|e| task_error(&env, e))
}

/// `genSalt(rounds, minor)` → string (16 bytes from the OS CSPRNG).
#[napi]
pub fn gen_salt(env: Env, rounds: u32, minor: String) -> Result<String> {
    let minor = minor.chars().next().unwrap_or('b');
    bcrypt_gen_salt(rounds, minor).map_err(|e| task_error(&env, e))
}

/// What `parseHash` reads from a hash string.
#[napi(object, object_from_js = false)]
pub struct ParsedHash {
    pub algorithm: String,
    pub version: String,
    pub cost: Option<u32>,
    pub memory_cost: Option<u32>,
    pub time_cost: Option<u32>,
    pub parallelism: Option<u32>,
}

/// `parseHash(hash)` → ParsedHash.
#[napi(js_name = "parseHash")]
pub fn parse_hash_fn(env: Env, hash: String) -> Result<ParsedHash> {
    let p = parse_hash(&hash).map_err(|e| task_error(&env, e))?;
    Ok(ParsedHash {
        algorithm: p.algorithm.into(),
        version: p.version,
        cost: p.cost,
        memory_cost: p.memory_cost,
        time_cost: p.time_cost,
        parallelism: p.parallelism,
    })
}

/// `needsRehash(hash, options)` → boolean.
#[napi]
pub fn needs_rehash(env: Env, hash: String, options: HashOptions) -> Result<bool> {
    let opts = self::options(&env, &options)?;
    k::needs_rehash(&hash, &opts).map_err(|e| task_error(&env, e))
}
