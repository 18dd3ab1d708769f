//! `digest(pool, data, algorithm, token)`.

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result, Unknown};
use napi_derive::napi;

use super::{submit, Bytes, PoolArg};
use crate::tasks::digest::{digest as kernel, Algorithm};

/// A digest algorithm.
#[napi(string_enum)]
pub enum DigestAlgorithm {
    /// SHA-256, 32 bytes.
    #[napi(value = "sha256")]
    Sha256,
    /// SHA-512, 64 bytes.
    #[napi(value = "sha512")]
    Sha512,
    /// BLAKE3, 32 bytes.
    #[napi(value = "blake3")]
    Blake3,
    /// XXH3 64-bit, 8 bytes big-endian.
    #[napi(value = "xxh3-64")]
    Xxh3_64,
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
    let algo = match algorithm {
        DigestAlgorithm::Sha256 => Algorithm::Sha256,
        DigestAlgorithm::Sha512 => Algorithm::Sha512,
        DigestAlgorithm::Blake3 => Algorithm::Blake3,
        DigestAlgorithm::Xxh3_64 => Algorithm::Xxh3_64,
    };
    submit(env, &pool.0, &[data], token, move |inputs, cp| {
        kernel(inputs.get(0), algo, cp).map(Bytes)
    })
}
