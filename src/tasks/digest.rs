//! `digest(buffer, algorithm)`: checksums of large buffers.
//!
//! Hashes in 1 MiB chunks and checks for cancellation between chunks, so an
//! aborted digest of a huge buffer stops within about a millisecond of work.

use super::{Checkpoint, ErrorCode, TaskError};
use sha2::Digest as _;

/// Bytes hashed between two cancellation checks.
const CHUNK: usize = 1 << 20;

/// A supported digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// SHA-256 (FIPS 180-4), 32 bytes.
    Sha256,
    /// SHA-512 (FIPS 180-4), 64 bytes.
    Sha512,
    /// BLAKE3, 32 bytes.
    Blake3,
    /// XXH3 64-bit (seed 0), 8 bytes, big-endian (canonical form, as `xxhsum -H3` prints).
    Xxh3_64,
}

impl Algorithm {
    /// Parses the JS name of an algorithm (`sha256`, `sha512`, `blake3`, `xxh3-64`).
    pub fn from_name(name: &str) -> Result<Self, TaskError> {
        match name {
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            "blake3" => Ok(Algorithm::Blake3),
            "xxh3-64" | "xxh3" => Ok(Algorithm::Xxh3_64),
            other => Err(TaskError::new(
                ErrorCode::InvalidArgValue,
                format!("unknown digest algorithm {other:?}: expected one of sha256, sha512, blake3, xxh3-64"),
            )),
        }
    }
}

/// Hashes `data` with `algo`; returns the raw digest bytes.
pub fn digest(data: &[u8], algo: Algorithm, cp: &Checkpoint) -> Result<Vec<u8>, TaskError> {
    fn chunked(
        data: &[u8],
        cp: &Checkpoint,
        mut update: impl FnMut(&[u8]),
    ) -> Result<(), TaskError> {
        for chunk in data.chunks(CHUNK) {
            cp.check()?;
            update(chunk);
        }
        Ok(())
    }
    Ok(match algo {
        Algorithm::Sha256 => {
            let mut h = sha2::Sha256::new();
            chunked(data, cp, |c| h.update(c))?;
            h.finalize().to_vec()
        }
        Algorithm::Sha512 => {
            let mut h = sha2::Sha512::new();
            chunked(data, cp, |c| h.update(c))?;
            h.finalize().to_vec()
        }
        Algorithm::Blake3 => {
            let mut h = blake3::Hasher::new();
            chunked(data, cp, |c| {
                h.update(c);
            })?;
            h.finalize().as_bytes().to_vec()
        }
        Algorithm::Xxh3_64 => {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            chunked(data, cp, |c| h.update(c))?;
            h.digest().to_be_bytes().to_vec()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn run(data: &[u8], algo: &str) -> String {
        hex(&digest(
            data,
            Algorithm::from_name(algo).unwrap(),
            &Checkpoint::none(),
        )
        .unwrap())
    }

    #[test]
    fn known_answers() {
        // FIPS 180-4 examples ("abc") and the empty string.
        assert_eq!(
            run(b"abc", "sha256"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            run(b"", "sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            run(b"abc", "sha512"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        // BLAKE3 reference: empty input.
        assert_eq!(
            run(b"", "blake3"),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        // XXH3-64, seed 0, empty input: 0x2D06800538D394C2 (xxHash reference).
        assert_eq!(run(b"", "xxh3-64"), "2d06800538d394c2");
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let data: Vec<u8> = (0..(3 * CHUNK + 17))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        for algo in ["sha256", "sha512", "blake3", "xxh3-64"] {
            let a = Algorithm::from_name(algo).unwrap();
            let whole = match a {
                Algorithm::Sha256 => sha2::Sha256::digest(&data).to_vec(),
                Algorithm::Sha512 => sha2::Sha512::digest(&data).to_vec(),
                Algorithm::Blake3 => blake3::hash(&data).as_bytes().to_vec(),
                Algorithm::Xxh3_64 => xxhash_rust::xxh3::xxh3_64(&data).to_be_bytes().to_vec(),
            };
            assert_eq!(
                digest(&data, a, &Checkpoint::none()).unwrap(),
                whole,
                "{algo}"
            );
        }
    }

    #[test]
    fn cancelled_digest_stops() {
        let flag = AtomicBool::new(true);
        let env = AtomicBool::new(false);
        let err = digest(&[0u8; 10], Algorithm::Sha256, &Checkpoint::new(&flag, &env)).unwrap_err();
        assert_eq!(err.code, ErrorCode::Cancelled);
    }

    #[test]
    fn unknown_algorithm_is_an_argument_error() {
        assert_eq!(
            Algorithm::from_name("md5").unwrap_err().code,
            ErrorCode::InvalidArgValue
        );
    }
}
