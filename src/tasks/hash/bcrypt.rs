//! bcrypt strings and keys: cost checks, the bcrypt base64 alphabet, salt
//! and hash parsing, the key bytes the Blowfish key schedule reads.

use super::*;

pub(super) fn check_bcrypt_cost(cost: u32) -> Result<(), TaskError> {
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

pub(super) const BCRYPT_ALPHABET: &[u8; 64] =
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(super) fn bcrypt_b64_value(c: u8) -> Option<u32> {
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
pub(super) fn bcrypt_b64_encode(data: &[u8], out: &mut String) {
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
pub(super) fn bcrypt_b64_decode(chars: &[u8], out: &mut [u8]) -> Option<()> {
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

pub(super) fn bcrypt_b64_decode_salt(chars: &[u8]) -> Option<[u8; 16]> {
    let mut salt = [0u8; 16];
    bcrypt_b64_decode(chars, &mut salt)?;
    Some(salt)
}

/// `$2?$NN$` → (minor, cost). Minor in a/b/x/y, cost two digits 04..=31.
pub(super) fn parse_bcrypt_prefix(p: &[u8]) -> Option<(u8, u32)> {
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
pub(super) fn parse_bcrypt_hash(hash: &str) -> Result<(u8, u32, [u8; 16]), TaskError> {
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
pub(super) struct BcryptKey {
    pub(super) initial: [u8; 72],
    pub(super) len: usize,
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
pub(super) fn bcrypt_key(password: &[u8], sign_extension_bug: bool) -> BcryptKey {
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
