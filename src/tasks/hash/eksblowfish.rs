//! EksBlowfish, bcrypt's expensive key schedule, on a flat state.
//!
//! This is the inner loop of every bcrypt hash (2^cost × 2 × 521 Blowfish
//! encryptions), so it is written for the compiler: the four S-boxes are one
//! `[u32; 1024]` (indices are masked bytes plus a constant, so there are no
//! bounds checks), the 16 rounds are unrolled, and the cyclic key and salt
//! streams are turned into 18 words once instead of being re-read byte by
//! byte on every expansion. The initial state is pi's hex digits, generated
//! by build.rs.

use zeroize::Zeroize;

include!(concat!(env!("OUT_DIR"), "/blowfish_pi.rs"));

/// One bcrypt computation's Blowfish state (P-array and S-boxes) plus its
/// key and salt streams, all wiped on drop (they derive from the password).
pub(crate) struct EksState {
    s: [u32; 1024],
    p: [u32; 18],
    key: [u32; 18],
    salt: [u32; 18],
}

impl Drop for EksState {
    fn drop(&mut self) {
        self.s.zeroize();
        self.p.zeroize();
        self.key.zeroize();
        self.salt.zeroize();
    }
}

/// The 18 big-endian words Blowfish's key schedule reads from `bytes`
/// repeated cyclically (`bytes` must not be empty).
pub(crate) fn cyclic_words(bytes: &[u8]) -> [u32; 18] {
    let mut words = [0u32; 18];
    let mut pos = 0;
    for w in words.iter_mut() {
        for _ in 0..4 {
            *w = (*w << 8) | u32::from(bytes[pos]);
            pos += 1;
            if pos == bytes.len() {
                pos = 0;
            }
        }
    }
    words
}

#[inline(always)]
fn f(s: &[u32; 1024], x: u32) -> u32 {
    let a = s[(x >> 24) as usize];
    let b = s[256 + ((x >> 16) & 0xff) as usize];
    let c = s[512 + ((x >> 8) & 0xff) as usize];
    let d = s[768 + (x & 0xff) as usize];
    (a.wrapping_add(b) ^ c).wrapping_add(d)
}

/// One Blowfish block encryption in each of `N` independent states at once.
///
/// A single Blowfish round is a chain of dependent loads and adds, so one
/// state leaves most of a core's execution ports idle; interleaving the
/// rounds of several states (as John the Ripper does) fills them: measured
/// here, 4 states take ≈ 1.4× the time of 1.
#[inline(always)]
fn encrypt_n<const N: usize>(
    st: &[EksState; N],
    mut l: [u32; N],
    mut r: [u32; N],
) -> ([u32; N], [u32; N]) {
    for k in 0..N {
        l[k] ^= st[k].p[0];
    }
    let mut i = 1;
    while i < 17 {
        for k in 0..N {
            r[k] ^= f(&st[k].s, l[k]) ^ st[k].p[i];
        }
        for k in 0..N {
            l[k] ^= f(&st[k].s, r[k]) ^ st[k].p[i + 1];
        }
        i += 2;
    }
    let mut out_l = [0u32; N];
    for k in 0..N {
        out_l[k] = r[k] ^ st[k].p[17];
    }
    (out_l, l)
}

/// Blowfish's unsalted key expansion in `N` states, each with its own key
/// (`SALT` false) or salt (`SALT` true) words.
#[inline(always)]
fn expand_n<const N: usize, const SALT: bool>(st: &mut [EksState; N]) {
    for lane in st.iter_mut() {
        let words = if SALT { lane.salt } else { lane.key };
        for (p, w) in lane.p.iter_mut().zip(words) {
            *p ^= w;
        }
    }
    let (mut l, mut r) = ([0u32; N], [0u32; N]);
    for i in (0..18).step_by(2) {
        (l, r) = encrypt_n(st, l, r);
        for k in 0..N {
            st[k].p[i] = l[k];
            st[k].p[i + 1] = r[k];
        }
    }
    for i in (0..1024).step_by(2) {
        (l, r) = encrypt_n(st, l, r);
        for k in 0..N {
            st[k].s[i] = l[k];
            st[k].s[i + 1] = r[k];
        }
    }
}

#[inline(never)]
fn rounds_n<const N: usize>(st: &mut [EksState; N], rounds: u64) {
    for _ in 0..rounds {
        expand_n::<N, false>(st);
        expand_n::<N, true>(st);
    }
}

/// Most states [`run_rounds`] interleaves; past 4 the gain stops (measured:
/// 4 → 24, 5 → 22, 8 → 26 ms per cost-10 hash on one core).
pub(crate) const MAX_LANES: usize = 4;

/// Runs `rounds` iterations of bcrypt's 2^cost loop (expand with the key,
/// then with the salt) on every state, interleaved.
///
/// # Panics
/// If `states` is empty or longer than [`MAX_LANES`].
pub(crate) fn run_rounds(states: &mut [EksState], rounds: u64) {
    match states.len() {
        1 => rounds_n::<1>(states.try_into().unwrap(), rounds),
        2 => rounds_n::<2>(states.try_into().unwrap(), rounds),
        3 => rounds_n::<3>(states.try_into().unwrap(), rounds),
        4 => rounds_n::<4>(states.try_into().unwrap(), rounds),
        n => panic!("run_rounds: {n} lanes"),
    }
}

impl EksState {
    /// bcrypt's initial state: Blowfish's pi state after the salted key
    /// expansion with `key` (the password bytes bcrypt reads, cyclically)
    /// and the 16-byte `salt`.
    pub(crate) fn new(key: &[u8], salt: &[u8; 16]) -> Self {
        let mut st = [EksState {
            s: PI_S,
            p: PI_P,
            key: cyclic_words(key),
            salt: cyclic_words(salt),
        }];
        let lane = &mut st[0];
        for (p, k) in lane.p.iter_mut().zip(lane.key) {
            *p ^= k;
        }
        // The salt stream is 4 words long, so successive blocks alternate
        // between its two halves.
        let (mut l, mut r) = ([0u32], [0u32]);
        let mut j = 0;
        for i in (0..18 + 1024).step_by(2) {
            let salt = st[0].salt;
            (l, r) = encrypt_n(&st, [l[0] ^ salt[j]], [r[0] ^ salt[j + 1]]);
            j ^= 2;
            let lane = &mut st[0];
            if i < 18 {
                lane.p[i] = l[0];
                lane.p[i + 1] = r[0];
            } else {
                lane.s[i - 18] = l[0];
                lane.s[i - 17] = r[0];
            }
        }
        let [st] = st;
        st
    }

    /// bcrypt's final step: "OrpheanBeholderScryDoubt" encrypted 64 times
    /// in ECB mode, as 24 big-endian bytes.
    pub(crate) fn digest(&self) -> [u8; 24] {
        let st = std::slice::from_ref(self).try_into().unwrap();
        let mut ctext: [u32; 6] = [
            0x4f72_7068,
            0x6561_6e42,
            0x6568_6f6c,
            0x6465_7253,
            0x6372_7944,
            0x6f75_6274,
        ];
        for pair in ctext.chunks_exact_mut(2) {
            let (mut l, mut r) = ([pair[0]], [pair[1]]);
            for _ in 0..64 {
                (l, r) = encrypt_n::<1>(st, l, r);
            }
            (pair[0], pair[1]) = (l[0], r[0]);
        }
        let mut out = [0u8; 24];
        for (chunk, w) in out.chunks_exact_mut(4).zip(ctext.iter()) {
            chunk.copy_from_slice(&w.to_be_bytes());
        }
        ctext.zeroize();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_state_is_pi() {
        // FIPS-free sanity: the first P words and the last S word of
        // Schneier's published tables (pi = 3.243f6a8885a308d3…).
        assert_eq!(&PI_P[..3], &[0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e]);
        assert_eq!(PI_P[17], 0x8979_fb1b);
        assert_eq!(PI_S[0], 0xd131_0ba6);
        assert_eq!(PI_S[1023], 0x3ac3_72e6);
    }

    #[test]
    fn blowfish_encryption_vectors() {
        // Eric Young's Blowfish ECB test vectors (key, plaintext, ciphertext),
        // run through the standard key schedule (= one unsalted expansion of
        // the pi state).
        let cases: [(u64, u64, u64); 3] = [
            (0x0000000000000000, 0x0000000000000000, 0x4ef997456198dd78),
            (0xffffffffffffffff, 0xffffffffffffffff, 0x51866fd5b85ecb8a),
            (0x0123456789abcdef, 0x1111111111111111, 0x61f9c3802281b096),
        ];
        for (key, plain, cipher) in cases {
            let mut st = [EksState {
                s: PI_S,
                p: PI_P,
                key: cyclic_words(&key.to_be_bytes()),
                salt: [0; 18],
            }];
            expand_n::<1, false>(&mut st);
            let (l, r) = encrypt_n(&st, [(plain >> 32) as u32], [plain as u32]);
            assert_eq!(
                (u64::from(l[0]) << 32) | u64::from(r[0]),
                cipher,
                "key {key:016x}"
            );
        }
    }

    #[test]
    fn interleaved_lanes_equal_single_lanes() {
        // Different keys, salts and lane counts: every lane of a batch must
        // end in the state it reaches alone.
        for n in 1..=MAX_LANES {
            let make = |k: usize| {
                let key = format!("password {k}\0");
                EksState::new(key.as_bytes(), &[k as u8 * 17; 16])
            };
            let mut batch: Vec<EksState> = (0..n).map(make).collect();
            run_rounds(&mut batch, 16);
            for (k, lane) in batch.iter().enumerate() {
                let mut alone = [make(k)];
                run_rounds(&mut alone, 16);
                assert_eq!(lane.digest(), alone[0].digest(), "lane {k} of {n}");
                assert_eq!(lane.s, alone[0].s);
            }
        }
    }

    #[test]
    fn cyclic_words_wrap_short_keys() {
        let w = cyclic_words(b"abc");
        assert_eq!(w[0], u32::from_be_bytes(*b"abca"));
        assert_eq!(w[1], u32::from_be_bytes(*b"bcab"));
        assert_eq!(w[17], u32::from_be_bytes(*b"cabc"));
    }
}
