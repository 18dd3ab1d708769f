//! `digest(pool, data, algorithm, token)`.

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result, Unknown};
use napi_derive::napi;

use super::{submit, Bytes, PoolArg};
use crate::tasks::digest::{digest as kernel, Algorithm};

string_enum! {
    /// A digest algorithm.
    DigestAlgorithm => Algorithm {
        "sha256" Sha256 => Algorithm::Sha256,
        "sha512" Sha512 => Algorithm::Sha512,
        "blake3" Blake3 => Algorithm::Blake3,
        "xxh3-64" Xxh3_64 => Algorithm::Xxh3_64,
    }
}

/// `digest(pool, data, algorithm, token)` → Promise<Buffer>.
#[napi(
    ts_args_type = "pool: ExternalObject<Pool> | null, data: string | Uint8Array, algorithm: DigestAlgorithm, token: number"
)]
pub fn digest<'env>(
    env: &'env Env,
    pool: PoolArg,
    data: Unknown<'env>,
    algorithm: DigestAlgorithm,
    token: u32,
) -> Result<PromiseRaw<'env, Bytes>> {
    let algo = Algorithm::from(algorithm);
    submit(env, &pool.0, &[data], token, move |inputs, cp| {
        kernel(inputs.get(0), algo, cp).map(Bytes)
    })
}
