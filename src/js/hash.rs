//! Password hashing glue: `hash`, `verify`, `bcryptHash` on the pool, and the
//! cheap or explicitly synchronous helpers the JS API and the `bcrypt`
//! drop-in need.

use napi::sys;

use super::{call, pool_arg, rejected, submit, submit_bcrypt, Args, Thrown};
use crate::pool::completion::output_to_js;
use crate::pool::output::Value;
use crate::pool::Output;
use crate::tasks::hash::{
    bcrypt_gen_salt, bcrypt_hash_with_salt_string, hash as hash_kernel, needs_rehash, parse_hash,
    verify as verify_kernel, Algorithm, BcryptJob, BcryptPasswordPolicy, BcryptVersion,
    HashOptions,
};
use crate::tasks::Checkpoint;

/// Reads the positional hash options `algorithm, cost, version, truncate,
/// memoryCost, timeCost, parallelism` starting at argument `at`. index.js
/// validated them; this only maps them.
fn options(a: &Args, at: usize) -> Result<HashOptions, Thrown> {
    let algorithm = match a.string(at, "algorithm")?.as_str() {
        "bcrypt" => Algorithm::Bcrypt,
        "argon2id" => Algorithm::Argon2id,
        other => {
            return Err(Thrown::Other(
                "ERR_INVALID_ARG_VALUE",
                format!("unknown algorithm {other:?}"),
            ))
        }
    };
    let version = match a.string(at + 2, "version")?.as_str() {
        "2a" => BcryptVersion::V2a,
        "2b" => BcryptVersion::V2b,
        "2y" => BcryptVersion::V2y,
        other => {
            return Err(Thrown::Other(
                "ERR_INVALID_ARG_VALUE",
                format!("unknown bcrypt version {other:?}"),
            ))
        }
    };
    Ok(HashOptions {
        algorithm,
        cost: a.u32(at + 1, "cost")?,
        version,
        truncate: a.bool(at + 3),
        memory_cost: a.u32(at + 4, "memoryCost")?,
        time_cost: a.u32(at + 5, "timeCost")?,
        parallelism: a.u32(at + 6, "parallelism")?,
    })
}

fn policy(a: &Args, i: usize) -> Result<BcryptPasswordPolicy, Thrown> {
    Ok(match a.string(i, "policy")?.as_str() {
        "strict" => BcryptPasswordPolicy::Strict,
        "truncate" => BcryptPasswordPolicy::Truncate,
        _ => BcryptPasswordPolicy::Permissive,
    })
}

/// `hash(pool, password, algorithm, cost, version, truncate, memoryCost,
/// timeCost, parallelism, token)` → Promise<string>.
pub unsafe extern "C" fn hash(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let opts = options(a, 2)?;
            let token = a.u32(9, "token")?;
            // bcrypt: validate and copy the ≤ 72 key bytes here, batch on
            // the pool; Argon2 reads the password in place on the pool.
            match BcryptJob::for_hash(&a.bytes(1, "password")?, &opts) {
                Ok(None) => {
                    let memory = match pool.reserve_memory(u64::from(opts.memory_cost) * 1024) {
                        Ok(r) => r,
                        Err(e) => return rejected(env, e.code.as_str(), &e.message),
                    };
                    submit(env, pool, &[a.get(1)], token, move |inputs, cp| {
                        let _memory = memory;
                        hash_kernel(inputs.get(0), &opts, cp).map(Output::Text)
                    })
                }
                job => submit_bcrypt(env, pool, token, job.map(Option::unwrap), false),
            }
        })
    }
}

/// `verify(pool, password, hash, token)` → Promise<boolean>.
pub unsafe extern "C" fn verify(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let hash = a.string(2, "hash")?;
            let token = a.u32(3, "token")?;
            match BcryptJob::for_verify(&a.bytes(1, "password")?, &hash) {
                Ok(None) => {
                    // Argon2: reserve the hash's memory cost (a malformed hash
                    // reserves nothing; the kernel rejects it).
                    let kib = parse_hash(&hash).ok().and_then(|i| i.memory_cost);
                    let memory = match kib.map(|k| pool.reserve_memory(u64::from(k) * 1024)) {
                        Some(Err(e)) => return rejected(env, e.code.as_str(), &e.message),
                        other => other.and_then(Result::ok),
                    };
                    submit(env, pool, &[a.get(1)], token, move |inputs, cp| {
                        let _memory = memory;
                        verify_kernel(inputs.get(0), &hash, cp).map(Output::Bool)
                    })
                }
                job => submit_bcrypt(env, pool, token, job.map(Option::unwrap), false),
            }
        })
    }
}

/// `bcryptHash(pool, password, salt, policy, token, progress?)` →
/// Promise<string>: bcrypt with an explicit salt string (`$2b$10$` + 22
/// chars), for the drop-ins. With `progress` true (and a token), the rounds
/// done can be read with `progress(token)` while it runs.
pub unsafe extern "C" fn bcrypt_hash(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let salt = a.string(2, "salt")?;
            let policy = policy(a, 3)?;
            let token = a.u32(4, "token")?;
            let job = BcryptJob::for_salt_string(&a.bytes(1, "password")?, &salt, policy);
            submit_bcrypt(env, pool, token, job, a.bool(5))
        })
    }
}

/// `bcryptHashSync(password, salt, policy)` → string, on the calling thread.
pub unsafe extern "C" fn bcrypt_hash_sync(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let password = a.bytes(0, "password")?;
            let salt = a.string(1, "salt")?;
            let h =
                bcrypt_hash_with_salt_string(&password, &salt, policy(a, 2)?, &Checkpoint::none())
                    .map_err(Thrown::Task)?;
            Ok(output_to_js(env, Output::Text(h))?)
        })
    }
}

/// `verifySync(password, hash)` → boolean, on the calling thread.
pub unsafe extern "C" fn verify_sync(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let password = a.bytes(0, "password")?;
            let hash = a.string(1, "hash")?;
            let ok = verify_kernel(&password, &hash, &Checkpoint::none()).map_err(Thrown::Task)?;
            Ok(output_to_js(env, Output::Bool(ok))?)
        })
    }
}

/// `genSalt(rounds, minor)` → string (16 bytes from the OS CSPRNG).
pub unsafe extern "C" fn gen_salt(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let rounds = a.u32(0, "rounds")?;
            let minor = a.string(1, "minor")?.chars().next().unwrap_or('b');
            let s = bcrypt_gen_salt(rounds, minor).map_err(Thrown::Task)?;
            Ok(output_to_js(env, Output::Text(s))?)
        })
    }
}

/// `parseHash(hash)` → `{ algorithm, version, cost?, memoryCost?, timeCost?, parallelism? }`.
pub unsafe extern "C" fn parse(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let p = parse_hash(&a.string(0, "hash")?).map_err(Thrown::Task)?;
            let num = |v: Option<u32>| v.map_or(Value::Missing, |n| Value::Number(n as f64));
            let obj = Output::Object(vec![
                ("algorithm", Value::Text(p.algorithm.to_owned())),
                ("version", Value::Text(p.version)),
                ("cost", num(p.cost)),
                ("memoryCost", num(p.memory_cost)),
                ("timeCost", num(p.time_cost)),
                ("parallelism", num(p.parallelism)),
            ]);
            Ok(output_to_js(env, obj)?)
        })
    }
}

/// `needsRehash(hash, algorithm, cost, version, truncate, memoryCost,
/// timeCost, parallelism)` → boolean.
pub unsafe extern "C" fn needs_rehash_fn(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let hash = a.string(0, "hash")?;
            let opts = options(a, 1)?;
            let r = needs_rehash(&hash, &opts).map_err(Thrown::Task)?;
            Ok(output_to_js(env, Output::Bool(r))?)
        })
    }
}
