//! Tests of the Argon2 kernel: the RFC 9106 vectors and the `argon2` crate
//! as the oracle, on every compression kernel this CPU has.

use super::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Password "pw", salt "saltsalt", no secret or associated data.
fn pw_input(variant: Variant, version: u32, m_kib: u32, t: u32, p: u32) -> Argon2Input<'static> {
    Argon2Input {
        variant,
        version,
        m_kib,
        t,
        p,
        pwd: b"pw",
        salt: b"saltsalt",
        secret: &[],
        ad: &[],
    }
}

fn kernels() -> Vec<Kernel> {
    let mut k = vec![Kernel::Scalar];
    if Kernel::detect() != Kernel::Scalar {
        k.push(Kernel::detect());
    }
    k
}

/// The `argon2` crate's raw tag for the same inputs (the oracle).
fn oracle(input: &Argon2Input, out_len: usize) -> Vec<u8> {
    let Argon2Input {
        variant,
        version,
        m_kib: m,
        t,
        p,
        pwd,
        salt,
        secret,
        ad,
    } = *input;
    use ::argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};
    let params = ParamsBuilder::new()
        .m_cost(m)
        .t_cost(t)
        .p_cost(p)
        .data(AssociatedData::new(ad).unwrap())
        .output_len(out_len)
        .build()
        .unwrap();
    let alg = match variant {
        Variant::D => Algorithm::Argon2d,
        Variant::I => Algorithm::Argon2i,
        Variant::Id => Algorithm::Argon2id,
    };
    let ver = if version == VERSION_10 {
        Version::V0x10
    } else {
        Version::V0x13
    };
    let ctx = if secret.is_empty() {
        Argon2::new(alg, ver, params)
    } else {
        Argon2::new_with_secret(secret, alg, ver, params).unwrap()
    };
    let mut out = vec![0u8; out_len];
    ctx.hash_password_into(pwd, salt, &mut out).unwrap();
    out
}

#[test]
fn rfc9106_vectors() {
    // RFC 9106 §5.1–5.3: m=32, t=3, p=4, v=0x13, secret and associated data.
    let want = [
        (
            Variant::D,
            "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb",
        ),
        (
            Variant::I,
            "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8",
        ),
        (
            Variant::Id,
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659",
        ),
    ];
    for kernel in kernels() {
        for (variant, tag) in want {
            let input = Argon2Input {
                variant,
                version: VERSION_13,
                m_kib: 32,
                t: 3,
                p: 4,
                pwd: &[1; 32],
                salt: &[2; 16],
                secret: &[3; 8],
                ad: &[4; 12],
            };
            let mut out = [0u8; 32];
            argon2_raw_with(kernel, &input, &mut out, &Checkpoint::none()).unwrap();
            assert_eq!(hex(&out), tag, "{kernel:?} {variant:?}");
            let crate_tag = oracle(&input, 32);
            assert_eq!(hex(&crate_tag), tag, "oracle {variant:?}");
        }
    }
}

#[test]
fn matches_the_argon2_crate_on_random_inputs() {
    // xorshift64*: deterministic, so a failure is reproducible.
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = move |n: u64| {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    };
    let kernels = kernels();
    for case in 0..300 {
        let variant = [Variant::D, Variant::I, Variant::Id][rnd(3) as usize];
        let version = if rnd(4) == 0 { VERSION_10 } else { VERSION_13 };
        let p = [1, 1, 2, 3, 4, 5][rnd(6) as usize] as u32;
        let m = 8 * p + rnd(if case % 10 == 0 { 600 } else { 90 }) as u32;
        let t = 1 + rnd(3) as u32;
        let bytes = |n: u64, r: &mut dyn FnMut(u64) -> u64| -> Vec<u8> {
            (0..n).map(|_| r(256) as u8).collect()
        };
        let pwd_len = rnd(100);
        let pwd = bytes(pwd_len, &mut rnd);
        let salt_len = 8 + rnd(40);
        let salt = bytes(salt_len, &mut rnd);
        let secret_len = if rnd(3) == 0 { rnd(33) } else { 0 };
        let secret = bytes(secret_len, &mut rnd);
        let ad_len = if rnd(3) == 0 { rnd(33) } else { 0 };
        let ad = bytes(ad_len, &mut rnd);
        let out_len = [4, 16, 32, 33, 64, 65, 100, 200][rnd(8) as usize];
        let input = Argon2Input {
            variant,
            version,
            m_kib: m,
            t,
            p,
            pwd: &pwd,
            salt: &salt,
            secret: &secret,
            ad: &ad,
        };
        let want = oracle(&input, out_len);
        for &kernel in &kernels {
            let mut out = vec![0u8; out_len];
            argon2_raw_with(kernel, &input, &mut out, &Checkpoint::none()).unwrap();
            assert_eq!(
                out, want,
                "case {case}: {kernel:?} {variant:?} v{version:#x} m={m} t={t} p={p}"
            );
        }
    }
}

#[test]
fn compression_kernels_agree() {
    let mut x = Block::ZERO;
    let mut y = Block::ZERO;
    for i in 0..WORDS {
        x.0[i] = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xFFFF_FFFF_0000_0001;
        y.0[i] = (i as u64 + 7).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    }
    for xor in [false, true] {
        let mut outs = Vec::new();
        for kernel in kernels() {
            let mut d = y;
            // SAFETY: distinct live locals.
            unsafe { kernel.compress(&mut d, &x, &y, xor, &mut |_| {}) };
            outs.push(d.0);
        }
        assert!(outs.windows(2).all(|w| w[0] == w[1]), "xor={xor}");
    }
}

#[test]
fn a_set_flag_aborts() {
    use std::sync::atomic::AtomicBool;
    let (set, never) = (AtomicBool::new(true), AtomicBool::new(false));
    let mut out = [0u8; 32];
    let err = argon2_raw(
        &pw_input(Variant::Id, VERSION_13, 1 << 16, 4, 1),
        &mut out,
        &Checkpoint::new(&never, &set),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
}

#[test]
fn a_flag_set_while_hashing_stops_it_promptly() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;
    // 64 MiB × 100 passes would take seconds; the flag is set after 30 ms.
    let (task, never) = (AtomicBool::new(false), AtomicBool::new(false));
    let err = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            task.store(true, Ordering::Relaxed);
        });
        let mut out = [0u8; 32];
        argon2_raw(
            &pw_input(Variant::Id, VERSION_13, 64 * 1024, 100, 1),
            &mut out,
            &Checkpoint::new(&task, &never),
        )
        .unwrap_err()
    });
    // argon2_raw polls only inside the fill loop (nothing after it), and
    // the hash needs seconds: a Cancelled result means a poll in the
    // middle of the work saw the flag.
    assert_eq!(err.code, ErrorCode::Cancelled);
}

#[test]
fn bad_parameters_are_errors() {
    let none = Checkpoint::none();
    let mut out = [0u8; 32];
    let run = |version, m, t, p, out: &mut [u8]| {
        argon2_raw(&pw_input(Variant::Id, version, m, t, p), out, &none)
            .unwrap_err()
            .code
    };
    assert_eq!(run(0x12, 64, 1, 1, &mut out), ErrorCode::InvalidArgValue);
    assert_eq!(
        run(VERSION_13, 15, 1, 2, &mut out),
        ErrorCode::InvalidArgValue
    );
    assert_eq!(
        run(VERSION_13, 64, 0, 1, &mut out),
        ErrorCode::InvalidArgValue
    );
    assert_eq!(
        run(VERSION_13, 64, 1, 0, &mut out),
        ErrorCode::InvalidArgValue
    );
    assert_eq!(
        run(VERSION_13, 64, 1, 1, &mut out[..3]),
        ErrorCode::InvalidArgValue
    );
}

#[test]
fn pooled_memory_is_reused_and_big_buffers_are_not_kept() {
    // Hash, then a smaller hash reusing the buffer, then the first again:
    // stale contents must not change the result.
    let none = Checkpoint::none();
    let tag = |m: u32| {
        let mut out = [0u8; 32];
        argon2_raw(&pw_input(Variant::D, VERSION_13, m, 2, 1), &mut out, &none).unwrap();
        out
    };
    let a = tag(256);
    let _ = tag(64);
    assert_eq!(tag(256), a);
    assert_eq!(
        a.to_vec(),
        oracle(&pw_input(Variant::D, VERSION_13, 256, 2, 1), 32)
    );
    let _ = tag(65 * 1024);
    assert!(POOL.with(|p| p.borrow().as_ref().map_or(0, |b| b.len)) <= KEEP_BYTES / 1024);
}

#[test]
fn finished_hashes_leave_no_blocks_once_wiped() {
    let none = Checkpoint::none();
    let mut out = [0u8; 32];
    wipe_idle_memory();
    argon2_raw(
        &pw_input(Variant::Id, VERSION_13, 256, 2, 1),
        &mut out,
        &none,
    )
    .unwrap();
    // The hash's blocks are still in the pooled buffer until the pool calls
    // wipe_idle_memory (after posting the result).
    assert!(!memory_is_clean());
    wipe_idle_memory();
    assert!(memory_is_clean());
    // The wiped buffer is reused and gives the same answer.
    let mut again = [0u8; 32];
    argon2_raw(
        &pw_input(Variant::Id, VERSION_13, 256, 2, 1),
        &mut again,
        &none,
    )
    .unwrap();
    assert_eq!(out, again);
    // A larger hash replaces the pooled buffer: the old one is wiped before
    // it is freed, and the new one is dirty until the next wipe.
    argon2_raw(
        &pw_input(Variant::Id, VERSION_13, 1024, 1, 1),
        &mut again,
        &none,
    )
    .unwrap();
    assert!(!memory_is_clean());
    wipe_idle_memory();
    assert!(memory_is_clean());
}
