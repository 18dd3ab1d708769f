//! Unit tests of the bcrypt encoding and key helpers and the public API.

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
            let reference = ::bcrypt::hash_with_salt(&pw, 5, salt)
                .unwrap()
                .format_for_version(::bcrypt::Version::TwoB);
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
    use ::argon2::password_hash::phc::PasswordHash;
    use ::argon2::{Argon2, PasswordHasher, PasswordVerifier};
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
        let ctx = Argon2::new(
            ::argon2::Algorithm::Argon2id,
            ::argon2::Version::V0x13,
            params,
        );
        let theirs = ctx.hash_password_with_salt(b"pw", &salt).unwrap();
        assert_eq!(ours, theirs.to_string());
    }
    // Verifying: every variant and version, keyid / data, other tag
    // lengths, and a hash without `v=`, with the crate's answers.
    let mut hashes = Vec::new();
    for alg in [
        ::argon2::Algorithm::Argon2d,
        ::argon2::Algorithm::Argon2i,
        ::argon2::Algorithm::Argon2id,
    ] {
        for version in [::argon2::Version::V0x10, ::argon2::Version::V0x13] {
            let params = ::argon2::ParamsBuilder::new()
                .m_cost(40)
                .t_cost(2)
                .p_cost(2)
                .keyid(::argon2::KeyId::new(&[7; 4]).unwrap())
                .data(::argon2::AssociatedData::new(&[9; 6]).unwrap())
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
    let h =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    assert_eq!(
        verify(b"password", h, &cp).unwrap_err().code,
        ErrorCode::Cancelled
    );
}
