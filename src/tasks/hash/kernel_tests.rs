//! Tests of the password hashing kernel (through its public API).
//!
//! bcrypt vectors: __test__/fixtures/bcrypt_vectors.json (Openwall crypt_blowfish
//! wrapper.c, jBCrypt/OpenBSD, libxcrypt-generated; see __test__/fixtures/README.md).
//! Argon2 vectors: P-H-C reference implementation `src/test.c`
//! (https://github.com/P-H-C/phc-winner-argon2) and RFC 9106 §5.3.

use std::sync::atomic::AtomicBool;

use super::*;
use crate::tasks::{Checkpoint, ErrorCode};

fn none() -> Checkpoint<'static> {
    Checkpoint::none()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Vector {
    password: Vec<u8>,
    hash: String,
    expect: bool,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/__test__/fixtures/bcrypt_vectors.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|v| Vector {
            password: match v.get("password") {
                Some(p) => p.as_str().unwrap().as_bytes().to_vec(),
                None => hex(v["password_hex"].as_str().unwrap()),
            },
            hash: v["hash"].as_str().unwrap().to_string(),
            expect: v["expect"].as_bool().unwrap(),
        })
        .collect()
}

fn bcrypt_opts(cost: u32) -> HashOptions {
    HashOptions {
        algorithm: Algorithm::Bcrypt,
        cost,
        ..HashOptions::default()
    }
}

fn small_argon2() -> HashOptions {
    HashOptions {
        algorithm: Algorithm::Argon2id,
        memory_cost: 64,
        time_cost: 1,
        parallelism: 1,
        ..HashOptions::default()
    }
}

// ---------------------------------------------------------------- bcrypt KAT

#[test]
fn bcrypt_fixture_vectors_verify_as_expected() {
    let vs = vectors();
    assert!(vs.len() >= 50);
    for v in &vs {
        assert_eq!(
            verify(&v.password, &v.hash, &none()).unwrap(),
            v.expect,
            "{}",
            v.hash
        );
        if v.expect {
            // A wrong password never matches.
            let mut wrong = v.password.clone();
            wrong.push(b'!');
            if v.password.len() < 72 {
                assert!(!verify(&wrong, &v.hash, &none()).unwrap(), "{}", v.hash);
            }
        }
    }
}

#[test]
fn bcrypt_fixture_vectors_rehash_identically() {
    // Hashing with the vector's salt reproduces the string (except $2x$, which
    // is never written, and the vectors that document deviations).
    for v in vectors()
        .iter()
        .filter(|v| v.expect && !v.hash.starts_with("$2x$"))
    {
        let got = bcrypt_hash_with_salt_string(
            &v.password,
            &v.hash,
            BcryptPasswordPolicy::Permissive,
            &none(),
        )
        .unwrap();
        assert_eq!(got, v.hash);
    }
}

#[test]
fn bcrypt_matches_the_bcrypt_crate() {
    // Independent implementation (rust bcrypt 0.19, OpenBSD semantics).
    for (pw, cost) in [
        (&b""[..], 4),
        (b"a", 5),
        (b"correct horse battery staple", 6),
        ("пароль 密码 🔑".as_bytes(), 4),
        (&[0xffu8, 0xa3, b'3', b'4', b'5'][..], 4),
        (&[b'z'; 72][..], 4),
        (&[b'y'; 100][..], 4),
    ] {
        let salt = [7u8; 16];
        let theirs = ::bcrypt::hash_with_salt(pw, cost, salt)
            .unwrap()
            .format_for_version(::bcrypt::Version::TwoB);
        let ours = bcrypt_hash_with_salt_string(
            pw,
            &theirs[..29],
            BcryptPasswordPolicy::Permissive,
            &none(),
        )
        .unwrap();
        assert_eq!(ours, theirs);
        assert!(verify(pw, &theirs, &none()).unwrap());
    }
}

#[test]
fn bcrypt_72_and_73_bytes() {
    let p72 = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut p73 = p72.to_vec();
    p73.push(b'X');
    let salt = "$2b$05$abcdefghijklmnopqrstuu";
    let expected = "$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
    let strict = BcryptPasswordPolicy::Strict;
    assert_eq!(
        bcrypt_hash_with_salt_string(p72, salt, strict, &none()).unwrap(),
        expected
    );
    let e = bcrypt_hash_with_salt_string(&p73, salt, strict, &none()).unwrap_err();
    assert_eq!(e.code, ErrorCode::PasswordTooLong);
    let truncate = BcryptPasswordPolicy::Truncate;
    assert_eq!(
        bcrypt_hash_with_salt_string(&p73, salt, truncate, &none()).unwrap(),
        expected
    );
    // verify always uses the first 72 bytes.
    assert!(verify(&p73, expected, &none()).unwrap());
    // hash(): strict by default, truncate on request.
    let e = hash(&p73, &bcrypt_opts(4), &none()).unwrap_err();
    assert_eq!(e.code, ErrorCode::PasswordTooLong);
    assert_eq!(e.code.as_str(), "ERR_PASSWORD_TOO_LONG");
    let h = hash(
        &p73,
        &HashOptions {
            truncate: true,
            ..bcrypt_opts(4)
        },
        &none(),
    )
    .unwrap();
    assert!(verify(p72, &h, &none()).unwrap());
    let h72 = hash(p72, &bcrypt_opts(4), &none()).unwrap();
    assert!(verify(p72, &h72, &none()).unwrap());
}

#[test]
fn bcrypt_nul_bytes() {
    let salt = "$2b$04$abcdefghijklmnopqrstuu";
    for policy in [BcryptPasswordPolicy::Strict, BcryptPasswordPolicy::Truncate] {
        let e = bcrypt_hash_with_salt_string(b"a\0b", salt, policy, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPassword);
    }
    let e = hash(b"a\0b", &bcrypt_opts(4), &none()).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_INVALID_PASSWORD");
    // Permissive = npm bcrypt: NUL hashed as a byte (value from bcrypt@6.0.0).
    let npm = "$2b$04$abcdefghijklmnopqrstuusjHI0zQHpOe3SFDK1IriYv6N79Gzr32";
    assert_eq!(
        bcrypt_hash_with_salt_string(b"a\0b", salt, BcryptPasswordPolicy::Permissive, &none())
            .unwrap(),
        npm
    );
    assert!(verify(b"a\0b", npm, &none()).unwrap());
    // No truncation at the NUL: "a\0c" and "a" do not match.
    assert!(!verify(b"a\0c", npm, &none()).unwrap());
    assert!(!verify(b"a", npm, &none()).unwrap());
}

#[test]
fn bcrypt_hash_round_trip_and_prefixes() {
    for (version, prefix) in [
        (BcryptVersion::V2a, "$2a$04$"),
        (BcryptVersion::V2b, "$2b$04$"),
        (BcryptVersion::V2y, "$2y$04$"),
    ] {
        let opts = HashOptions {
            version,
            ..bcrypt_opts(4)
        };
        let h = hash("mot de passe é".as_bytes(), &opts, &none()).unwrap();
        assert!(h.starts_with(prefix), "{h}");
        assert_eq!(h.len(), 60);
        assert!(verify("mot de passe é".as_bytes(), &h, &none()).unwrap());
        assert!(!verify("mot de passe e".as_bytes(), &h, &none()).unwrap());
    }
    // Fresh salts.
    let a = hash(b"x", &bcrypt_opts(4), &none()).unwrap();
    let b = hash(b"x", &bcrypt_opts(4), &none()).unwrap();
    assert_ne!(a, b);
    // Empty password is allowed.
    let e = hash(b"", &bcrypt_opts(4), &none()).unwrap();
    assert!(verify(b"", &e, &none()).unwrap());
    // "\0" gives the same key stream as "" (all zero bytes), as in npm bcrypt.
    assert!(verify(b"\0", &e, &none()).unwrap());
}

#[test]
fn bcrypt_cost_range() {
    for cost in [0, 3, 32, 100] {
        let e = hash(b"x", &bcrypt_opts(cost), &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgValue);
        assert!(e.message.contains("cost"), "{}", e.message);
    }
    let e = bcrypt_gen_salt(3, 'b').unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgValue);
    let e = bcrypt_gen_salt(32, 'b').unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgValue);
}

#[test]
fn bcrypt_gen_salt_format() {
    for (minor, prefix) in [('a', "$2a$10$"), ('b', "$2b$10$"), ('y', "$2y$10$")] {
        let s = bcrypt_gen_salt(10, minor).unwrap();
        assert_eq!(s.len(), 29);
        assert!(s.starts_with(prefix));
        assert!(s[7..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'/'));
        // Canonical: the 22nd char carries no stray low bits.
        assert!(b".Oeu".contains(&s.as_bytes()[28]), "{s}");
    }
    assert_ne!(
        bcrypt_gen_salt(4, 'b').unwrap(),
        bcrypt_gen_salt(4, 'b').unwrap()
    );
    assert!(bcrypt_gen_salt(4, '4').is_err());
    assert!(bcrypt_gen_salt(4, 'x').is_err());
    let s = bcrypt_gen_salt(4, 'a').unwrap();
    let h = bcrypt_hash_with_salt_string(b"pw", &s, BcryptPasswordPolicy::Strict, &none()).unwrap();
    assert!(h.starts_with(&s));
    assert!(verify(b"pw", &h, &none()).unwrap());
}

#[test]
fn bcrypt_salt_string_errors() {
    let p = BcryptPasswordPolicy::Strict;
    for bad in [
        "",
        "nope",
        "$2b$04$abc",
        "$2b$03$abcdefghijklmnopqrstuu",
        "$2b$32$abcdefghijklmnopqrstuu",
        "$2b$4$abcdefghijklmnopqrstuuu",
        "$2x$04$abcdefghijklmnopqrstuu",
        "$2c$04$abcdefghijklmnopqrstuu",
        "$1b$04$abcdefghijklmnopqrstuu",
        "$2$04$abcdefghijklmnopqrstuuu",
        "$2b$04$!!!!!!!!!!!!!!!!!!!!!!",
        "$2b$04$abcdefghijklmnopqrstué",
    ] {
        let e = bcrypt_hash_with_salt_string(b"x", bad, p, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgValue, "{bad}");
        assert_eq!(e.message, INVALID_SALT_MESSAGE);
    }
    // Non-canonical last char is accepted and canonicalised (as npm does);
    // extra characters after the 22 salt chars are ignored.
    let canon = "$2b$04$abcdefghijklmnopqrstuuPp7HPfoAs8I2dCQCQ/fW7zEJv8I8C8e";
    for s in [
        "$2b$04$abcdefghijklmnopqrstuv",
        "$2b$04$abcdefghijklmnopqrstuu",
        "$2b$04$abcdefghijklmnopqrstuuanything",
        canon,
    ] {
        assert_eq!(
            bcrypt_hash_with_salt_string(b"x", s, p, &none()).unwrap(),
            canon
        );
    }
}

#[test]
fn bcrypt_malformed_hashes_are_errors_not_false() {
    let good = "$2b$04$abcdefghijklmnopqrstuuPp7HPfoAs8I2dCQCQ/fW7zEJv8I8C8e";
    assert!(verify(b"x", good, &none()).unwrap());
    let mut cases: Vec<String> = vec![
        "".into(),
        "garbage".into(),
        good[..59].into(),
        format!("{good}x"),
        good.replace("$2b$", "$2c$"),
        good.replace("$2b$04$", "$2b$03$"),
        good.replace("$2b$04$", "$2b$32$"),
        good.replace("$2b$04$", "$2b$4x$"),
        good.replace("$2b$04$", "$2b$04!"),
        good.replace("$2b$", "$2$b"),
        good.replace('P', "!"),
        format!("{}é{}", &good[..7], &good[9..]),
    ];
    cases.push(good.replace("$2b$04$", "$3b$04$"));
    for h in &cases {
        let e = verify(b"x", h, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidHash, "{h}");
        assert_eq!(e.code.as_str(), "ERR_INVALID_HASH");
        assert_eq!(parse_hash(h).unwrap_err().code, ErrorCode::InvalidHash);
    }
    // Non-canonical (unused low bits set) but well-formed → false, like crypt(3).
    let noncanon = format!("{}f", &good[..59]);
    assert!(!verify(b"x", &noncanon, &none()).unwrap());
}

#[test]
fn bcrypt_2x_is_verify_only_and_needs_rehash() {
    let h = "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e";
    assert!(verify(b"\xa3", h, &none()).unwrap());
    assert!(verify(b"\xff\xff\xa3", h, &none()).unwrap());
    assert!(!verify(b"\xa4", h, &none()).unwrap());
    // For 7-bit passwords $2x$ = $2y$.
    let y = "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    let x = y.replace("$2y$", "$2x$");
    assert!(verify(b"U*U", &x, &none()).unwrap());
    let p = parse_hash(h).unwrap();
    assert_eq!(p.version, "2x");
    assert!(needs_rehash(h, &bcrypt_opts(5)).unwrap());
}

// ---------------------------------------------------------------- argon2

const PHC_HASHES: &[&str] = &[
    // P-H-C reference src/test.c (password "password", salt "somesalt").
    "$argon2i$v=19$m=65536,t=1,p=1$c29tZXNhbHQAAAAAAAAAAA$+r0d29hqEB0yasKr55ZgICsQGSkl0v0kgwhd+U3wyRo",
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2d$v=19$m=65536,t=2,p=1$YzI5dFpYTmhiSFFBQUFBQUFBQUFBQQ$Jxy74cswY2mq9y+u+iJcJy8EqOp4t/C7DWDzGwGB3IM",
    "$argon2d$v=16$m=32,t=2,p=3,keyid=8PDw8A,data=Dw8PDw8P$AAAAAAAAAAA$KnH4gniiaFnDvlA1xev3yovC4cnrrI6tnHOYtmja90o",
];

#[test]
fn argon2_reference_phc_strings_verify() {
    for h in PHC_HASHES {
        assert!(verify(b"password", h, &none()).unwrap(), "{h}");
        assert!(!verify(b"passwore", h, &none()).unwrap(), "{h}");
    }
}

#[test]
fn argon2id_reference_vector_with_fixed_salt() {
    // phc-winner-argon2 src/test.c: hashtest(19, 2, 16, 1, "password", "somesalt", …, Argon2_id)
    let opts = HashOptions {
        algorithm: Algorithm::Argon2id,
        memory_cost: 65536,
        time_cost: 2,
        parallelism: 1,
        ..HashOptions::default()
    };
    let h = argon2id_hash_with_salt(b"password", b"somesalt", &opts, &none()).unwrap();
    assert_eq!(h, PHC_HASHES[1]);
    let e = argon2id_hash_with_salt(b"password", b"short", &opts, &none()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgValue);
    assert!(e.message.contains("salt"));
}

#[test]
fn argon2id_rfc9106_vector_through_the_crate() {
    // RFC 9106 §5.3 (Argon2id v=19, m=32, t=3, p=4, secret and associated
    // data) through the `argon2` crate: pins the crate version that the
    // tests of our own kernel (argon2.rs) use as their oracle.
    use ::argon2::{Argon2, AssociatedData, ParamsBuilder, Version};
    let params = ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .data(AssociatedData::new(&[0x04; 12]).unwrap())
        .build()
        .unwrap();
    let ctx = Argon2::new_with_secret(
        &[0x03; 8],
        ::argon2::Algorithm::Argon2id,
        Version::V0x13,
        params,
    )
    .unwrap();
    let mut out = [0u8; 32];
    ctx.hash_password_into(&[0x01; 32], &[0x02; 16], &mut out)
        .unwrap();
    assert_eq!(
        out.to_vec(),
        hex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")
    );
}

#[test]
fn argon2id_hash_round_trip() {
    let opts = small_argon2();
    let h = hash("pässwörd".as_bytes(), &opts, &none()).unwrap();
    assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
    assert!(verify("pässwörd".as_bytes(), &h, &none()).unwrap());
    assert!(!verify("passwörd".as_bytes(), &h, &none()).unwrap());
    assert_ne!(h, hash("pässwörd".as_bytes(), &opts, &none()).unwrap());
    // No 72-byte limit and NUL bytes are fine for Argon2.
    let long = vec![b'a'; 1000];
    let h = hash(&long, &opts, &none()).unwrap();
    assert!(verify(&long, &h, &none()).unwrap());
    assert!(!verify(&long[..999], &h, &none()).unwrap());
    let h = hash(b"a\0b", &opts, &none()).unwrap();
    assert!(verify(b"a\0b", &h, &none()).unwrap());
    assert!(!verify(b"a", &h, &none()).unwrap());
}

#[test]
fn argon2_default_options() {
    let d = HashOptions::default();
    assert_eq!(d.algorithm, Algorithm::Bcrypt);
    assert_eq!(
        (d.cost, d.version, d.truncate),
        (12, BcryptVersion::V2b, false)
    );
    assert_eq!((d.memory_cost, d.time_cost, d.parallelism), (19456, 2, 1));
}

#[test]
fn argon2_option_errors_name_the_option() {
    let cases = [
        (0, 1, 1, "parallelism"),
        (64, 1, 0x0100_0000, "parallelism"),
        (64, 0, 1, "timeCost"),
        (64, 4097, 1, "timeCost"),
        (7, 1, 1, "memoryCost"),
        (15, 1, 2, "memoryCost"),
        (4 * 1024 * 1024 + 1, 1, 1, "memoryCost"),
    ];
    for (m, t, p, name) in cases {
        let opts = HashOptions {
            memory_cost: m,
            time_cost: t,
            parallelism: p,
            ..small_argon2()
        };
        let e = hash(b"x", &opts, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgValue, "{m} {t} {p}");
        assert_eq!(e.code.as_str(), "ERR_INVALID_ARG_VALUE");
        assert!(e.message.contains(name), "{}", e.message);
        assert_eq!(
            needs_rehash(PHC_HASHES[1], &opts).unwrap_err().code,
            ErrorCode::InvalidArgValue
        );
    }
}

#[test]
fn argon2_malformed_hashes() {
    let good = PHC_HASHES[1];
    for h in [
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=65536,t=2,p=1",
        "$argon2x$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=18$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2,p=1,x=3$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2,p=1$c2$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$!!!",
        "$argon2id$v=19$m=abc,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "$1$abc$def",
    ] {
        let e = verify(b"password", h, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidHash, "{h}");
        assert_eq!(parse_hash(h).unwrap_err().code, ErrorCode::InvalidHash);
        assert_eq!(
            needs_rehash(h, &HashOptions::default()).unwrap_err().code,
            ErrorCode::InvalidHash
        );
    }
    assert!(verify(b"password", good, &none()).unwrap());
}

#[test]
fn argon2_verify_limits_before_allocating() {
    // 8 GiB or 100000 passes: refused with ERR_LIMIT, nothing allocated.
    for h in [
        "$argon2id$v=19$m=8388608,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=100000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    ] {
        let e = verify(b"password", h, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Limit, "{h}");
        // parse_hash still reports it.
        assert_eq!(parse_hash(h).unwrap().algorithm, "argon2id");
    }
}

// ---------------------------------------------------------------- parse / rehash

#[test]
fn parse_hash_fields() {
    let p = parse_hash("$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW").unwrap();
    assert_eq!(
        p,
        ParsedHash {
            algorithm: "bcrypt",
            version: "2y".into(),
            cost: Some(5),
            memory_cost: None,
            time_cost: None,
            parallelism: None,
        }
    );
    let p = parse_hash(PHC_HASHES[1]).unwrap();
    assert_eq!(
        p,
        ParsedHash {
            algorithm: "argon2id",
            version: "19".into(),
            cost: None,
            memory_cost: Some(65536),
            time_cost: Some(2),
            parallelism: Some(1),
        }
    );
    let p = parse_hash(PHC_HASHES[0]).unwrap();
    assert_eq!((p.algorithm, p.time_cost), ("argon2i", Some(1)));
    let p = parse_hash(PHC_HASHES[3]).unwrap();
    assert_eq!(
        (
            p.algorithm,
            p.version.as_str(),
            p.memory_cost,
            p.parallelism
        ),
        ("argon2d", "16", Some(32), Some(3))
    );
    // Missing v= means version 0x10.
    let p = parse_hash(
        "$argon2i$m=65536,t=1,p=1$c29tZXNhbHQAAAAAAAAAAA$+r0d29hqEB0yasKr55ZgICsQGSkl0v0kgwhd+U3wyRo",
    )
    .unwrap();
    assert_eq!(p.version, "16");
}

#[test]
fn needs_rehash_cases() {
    let b12 = "$2b$12$k42ZFHFWqBp3vWli.nIn8uYyIkbvYRvodzbfbK18SSsY.CsIQPlxO";
    let a12 = b12.replace("$2b$", "$2a$");
    let bcrypt12 = bcrypt_opts(12);
    assert!(!needs_rehash(b12, &bcrypt12).unwrap());
    assert!(!needs_rehash(&a12, &bcrypt12).unwrap());
    assert!(needs_rehash(b12, &bcrypt_opts(10)).unwrap());
    // The defaults are bcrypt cost 12: a $2b$12$ hash is current.
    assert!(!needs_rehash(b12, &HashOptions::default()).unwrap());
    assert!(needs_rehash(PHC_HASHES[1], &bcrypt12).unwrap());
    let argon_defaults = HashOptions {
        algorithm: Algorithm::Argon2id,
        ..HashOptions::default()
    };
    assert!(needs_rehash(b12, &argon_defaults).unwrap());

    let a = HashOptions {
        algorithm: Algorithm::Argon2id,
        memory_cost: 65536,
        time_cost: 2,
        parallelism: 1,
        ..HashOptions::default()
    };
    assert!(!needs_rehash(PHC_HASHES[1], &a).unwrap());
    assert!(needs_rehash(PHC_HASHES[1], &argon_defaults).unwrap());
    for (m, t, p) in [(65537, 2, 1), (65536, 3, 1), (65536, 2, 2)] {
        let o = HashOptions {
            algorithm: Algorithm::Argon2id,
            memory_cost: m,
            time_cost: t,
            parallelism: p,
            ..a.clone()
        };
        assert!(needs_rehash(PHC_HASHES[1], &o).unwrap());
    }
    // argon2i / argon2d / v=16 always need a rehash to argon2id v=19.
    let i = HashOptions {
        memory_cost: 65536,
        time_cost: 1,
        ..a.clone()
    };
    assert!(needs_rehash(PHC_HASHES[0], &i).unwrap());
    assert!(needs_rehash(PHC_HASHES[2], &a).unwrap());
    let h = hash(b"x", &small_argon2(), &none()).unwrap();
    assert!(!needs_rehash(&h, &small_argon2()).unwrap());
    // bcrypt cost out of range in opts.
    assert_eq!(
        needs_rehash(b12, &bcrypt_opts(3)).unwrap_err().code,
        ErrorCode::InvalidArgValue
    );
}

// ---------------------------------------------------------------- cancellation

#[test]
fn cancelled_before_start() {
    let task = AtomicBool::new(true);
    let env = AtomicBool::new(false);
    let cp = Checkpoint::new(&task, &env);
    let b12 = "$2b$12$k42ZFHFWqBp3vWli.nIn8uYyIkbvYRvodzbfbK18SSsY.CsIQPlxO";
    for r in [
        hash(b"x", &bcrypt_opts(4), &cp).map(|_| ()),
        hash(b"x", &small_argon2(), &cp).map(|_| ()),
        verify(b"x", b12, &cp).map(|_| ()),
        verify(b"password", PHC_HASHES[1], &cp).map(|_| ()),
        bcrypt_hash_with_salt_string(b"x", b12, BcryptPasswordPolicy::Strict, &cp).map(|_| ()),
    ] {
        assert_eq!(r.unwrap_err().code.as_str(), "ABORT_ERR");
    }
}

#[test]
fn cancelling_a_long_bcrypt_stops_it() {
    // cost 31 would take days; the flag set from another thread stops it.
    let task = AtomicBool::new(false);
    let env = AtomicBool::new(false);
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            task.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        let cp = Checkpoint::new(&task, &env);
        let e = hash(b"x", &bcrypt_opts(31), &cp).unwrap_err();
        assert_eq!(e.code, ErrorCode::Cancelled);
    });
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
