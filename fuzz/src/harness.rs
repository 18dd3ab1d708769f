//! What each fuzz target does with one input, and what it asserts.
//!
//! Shared by the libFuzzer binaries (`fuzz/fuzz_targets/*.rs`) and by the
//! root crate's `tests/fuzz_regressions.rs` (included there with `#[path]`),
//! so a committed regression input is replayed by `cargo test` through
//! exactly the code that found it. Depends only on `corepool` and crates
//! corepool itself depends on (sha2, blake3, xxhash-rust).
//!
//! Contract checked for every input: the kernel returns a coded error
//! (`TaskError`) or a valid output; a panic, an abort, a hang or a runaway
//! allocation is a finding (libFuzzer reports the last three itself).

// Not every includer uses every target (each fuzz binary uses one).
#![allow(dead_code)]

use corepool::tasks::digest::{digest as digest_kernel, Algorithm};
use corepool::tasks::hash::{self, HashOptions};
use corepool::tasks::render::{self, RenderOptions};
use corepool::tasks::resize::{self, Fit, Format, Kernel, Position, ResizeOptions};
use corepool::tasks::{Checkpoint, ErrorCode, TaskError};

/// Input pixel cap of the resize target: legitimately large images are not
/// interesting, hostile headers and decoders are.
pub const RESIZE_MAX_INPUT_PIXELS: u64 = 1 << 20;
/// Output pixel cap of the render targets (512×512).
pub const RENDER_MAX_PIXELS: u64 = 512 * 512;
/// Render input cap (after SVGZ inflation).
pub const RENDER_MAX_INPUT_BYTES: u64 = 1 << 20;
/// Largest bcrypt cost the hash target verifies (2^6 rounds, ~4 ms).
pub const MAX_FUZZ_BCRYPT_COST: u32 = 6;
/// Largest Argon2 memory (KiB), passes and lanes the hash target verifies.
pub const MAX_FUZZ_ARGON2: (u32, u32, u32) = (1024, 3, 8);

/// Bytes at the end of a resize input that choose the options (see
/// [`resize_options`]). Seeds are images with such a trailer appended.
pub const RESIZE_TRAILER: usize = 12;

fn assert_coded(e: &TaskError, allowed: &[ErrorCode], what: &str) {
    assert!(
        allowed.contains(&e.code),
        "{what}: unexpected error code {:?}: {}",
        e.code,
        e.message
    );
    assert!(!e.message.is_empty(), "{what}: empty error message");
}

/// Splits a resize input into (image bytes, options). The last
/// [`RESIZE_TRAILER`] bytes pick the options; every value they can produce
/// is valid, and output sides stay at or below 128 px. Inputs shorter than
/// the trailer are all image, with `width: 32`.
///
/// Trailer: `[w, h, fit|position, kernel|format, quality, flags,
/// effort|compression, bg r, g, b, a, _]`; w/h 0 = None, else 1 + b % 128;
/// flags: 1 progressive, 2 lossless, 4 withoutEnlargement, 8 no autoOrient,
/// 16 keepMetadata, 32 no fastShrinkOnLoad.
pub fn resize_options(data: &[u8]) -> (&[u8], ResizeOptions) {
    let mut o = ResizeOptions {
        max_input_pixels: RESIZE_MAX_INPUT_PIXELS,
        ..ResizeOptions::default()
    };
    if data.len() < RESIZE_TRAILER {
        o.width = Some(32);
        return (data, o);
    }
    let (img, t) = data.split_at(data.len() - RESIZE_TRAILER);
    let side = |b: u8| (b != 0).then(|| 1 + u32::from(b) % 128);
    o.width = side(t[0]);
    o.height = side(t[1]);
    o.fit = [
        Fit::Cover,
        Fit::Contain,
        Fit::Fill,
        Fit::Inside,
        Fit::Outside,
    ][t[2] as usize % 5];
    o.position = [
        Position::Center,
        Position::Top,
        Position::RightTop,
        Position::Right,
        Position::RightBottom,
        Position::Bottom,
        Position::LeftBottom,
        Position::Left,
        Position::LeftTop,
        Position::Entropy,
    ][t[2] as usize / 5 % 10];
    o.kernel = [
        Kernel::Nearest,
        Kernel::Linear,
        Kernel::Cubic,
        Kernel::Mitchell,
        Kernel::Lanczos3,
    ][t[3] as usize % 5];
    o.format = [
        None,
        Some(Format::Jpeg),
        Some(Format::Png),
        Some(Format::Webp),
    ][t[3] as usize / 5 % 4];
    o.quality = 1 + t[4] % 100;
    o.progressive = t[5] & 1 != 0;
    o.lossless = t[5] & 2 != 0;
    o.without_enlargement = t[5] & 4 != 0;
    o.auto_orient = t[5] & 8 == 0;
    o.keep_metadata = t[5] & 16 != 0;
    o.fast_shrink_on_load = t[5] & 32 == 0;
    o.effort = t[6] % 7;
    o.compression_level = t[6] / 7 % 10;
    o.background = [t[7], t[8], t[9], t[10]];
    (img, o)
}

fn magic_ok(data: &[u8], f: Format) -> bool {
    match f {
        Format::Jpeg => data.starts_with(&[0xFF, 0xD8, 0xFF]),
        Format::Png => data.starts_with(b"\x89PNG\r\n\x1a\n"),
        Format::Webp => data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP",
        _ => false,
    }
}

/// `resize` target: decode + resize + encode with fuzzer-chosen options.
pub fn resize(data: &[u8]) {
    let (img, opts) = resize_options(data);
    match resize::resize(img, &opts, &Checkpoint::none()) {
        Ok(out) => {
            assert!(out.width >= 1 && out.height >= 1, "empty output");
            assert!(
                magic_ok(&out.data, out.format),
                "output is not {:?}",
                out.format
            );
            // What we wrote must read back with the size we reported.
            let m = resize::metadata(&out.data).expect("our own output has valid headers");
            assert_eq!(
                (m.width, m.height),
                (out.width, out.height),
                "reported size"
            );
        }
        Err(e) => assert_coded(
            &e,
            &[
                ErrorCode::Decode,
                ErrorCode::UnsupportedFormat,
                ErrorCode::Limit,
                ErrorCode::Encode,
            ],
            "resize",
        ),
    }
}

/// `metadata` target: header parsing only.
pub fn metadata(data: &[u8]) {
    match resize::metadata(data) {
        Ok(m) => {
            assert!(m.width >= 1 && m.height >= 1, "zero size accepted");
            assert!(matches!(m.channels, 1..=4), "channels {}", m.channels);
            assert!(matches!(m.bit_depth, 8 | 16), "bit depth {}", m.bit_depth);
            assert!(m.pages >= 1, "zero pages");
            assert!(m.orientation.is_none_or(|o| (1..=8).contains(&o)));
        }
        Err(e) => assert_coded(
            &e,
            &[
                ErrorCode::Decode,
                ErrorCode::UnsupportedFormat,
                ErrorCode::Limit,
            ],
            "metadata",
        ),
    }
}

fn render_options(format: render::Format) -> RenderOptions {
    RenderOptions {
        format,
        max_pixels: RENDER_MAX_PIXELS,
        max_input_bytes: RENDER_MAX_INPUT_BYTES,
        // Bundled font only: no font scan, same result on every machine.
        system_fonts: false,
        compression_level: 1,
        ..RenderOptions::default()
    }
}

const RENDER_ERRORS: &[ErrorCode] = &[ErrorCode::Decode, ErrorCode::Limit, ErrorCode::Encode];

/// `render_png` target: one SVG rasterised to PNG.
pub fn render_png(data: &[u8]) {
    let opts = render_options(render::Format::Png);
    match render::render(&[data], &opts, &Checkpoint::none()) {
        Ok(out) => {
            assert!(out.data.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
            assert_eq!(out.pages, 1);
            let px = u64::from(out.width) * u64::from(out.height);
            assert!(
                (1..=RENDER_MAX_PIXELS).contains(&px),
                "{}x{}",
                out.width,
                out.height
            );
        }
        Err(e) => assert_coded(&e, RENDER_ERRORS, "render png"),
    }
}

/// `render_pdf` target: NUL-separated SVGs (at most 4) as one PDF.
pub fn render_pdf(data: &[u8]) {
    let svgs: Vec<&[u8]> = data.split(|&b| b == 0).take(4).collect();
    let opts = render_options(render::Format::Pdf);
    match render::render(&svgs, &opts, &Checkpoint::none()) {
        Ok(out) => {
            assert!(out.data.starts_with(b"%PDF-"), "not a PDF");
            assert_eq!(out.pages as usize, svgs.len());
        }
        Err(e) => assert_coded(&e, RENDER_ERRORS, "render pdf"),
    }
}

/// `digest` target: `name '\n' data`; a known name is checked against the
/// reference crates, an unknown one must be an argument error.
pub fn digest(data: &[u8]) {
    let (name, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"sha256"[..], data),
    };
    let name = String::from_utf8_lossy(name);
    let algo = match Algorithm::from_name(&name) {
        Ok(a) => a,
        Err(e) => return assert_coded(&e, &[ErrorCode::InvalidArgValue], "digest name"),
    };
    let got = digest_kernel(body, algo, &Checkpoint::none()).expect("digest never fails");
    use sha2::Digest as _;
    let want = match algo {
        Algorithm::Sha256 => sha2::Sha256::digest(body).to_vec(),
        Algorithm::Sha512 => sha2::Sha512::digest(body).to_vec(),
        Algorithm::Blake3 => blake3::hash(body).as_bytes().to_vec(),
        Algorithm::Xxh3_64 => xxhash_rust::xxh3::xxh3_64(body).to_be_bytes().to_vec(),
    };
    assert_eq!(got, want, "{name}");
}

/// True when verifying `parsed` is cheap enough to do on every input.
fn cheap(parsed: &hash::ParsedHash) -> bool {
    let (m, t, p) = MAX_FUZZ_ARGON2;
    parsed.cost.is_none_or(|c| c <= MAX_FUZZ_BCRYPT_COST)
        && parsed.memory_cost.is_none_or(|v| v <= m)
        && parsed.time_cost.is_none_or(|v| v <= t)
        && parsed.parallelism.is_none_or(|v| v <= p)
}

/// `hash_verify` target: `hash-string '\n' password`. Parses the hash
/// (`parse_hash`, `needs_rehash`) and verifies the password against it when
/// its cost is low (costs above [`MAX_FUZZ_BCRYPT_COST`] /
/// [`MAX_FUZZ_ARGON2`] are only parsed: their work is bounded by the
/// kernel's documented limits, not worth fuzzing time). An empty hash line
/// means: hash the password (bcrypt cost 4 or Argon2id m=64 KiB, t=1 by
/// the password's first bit) and check that it verifies.
pub fn hash_verify(data: &[u8]) {
    let (line, password) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let cp = Checkpoint::none();
    if line.is_empty() {
        return round_trip(password);
    }
    let h = String::from_utf8_lossy(line);
    let parsed = hash::parse_hash(&h);
    let _ = hash::needs_rehash(&h, &HashOptions::default());
    match parsed {
        Err(e) => {
            assert_coded(&e, &[ErrorCode::InvalidHash], "parse_hash");
            // Whatever parse_hash rejects, verify rejects before any work.
            let v = hash::verify(password, &h, &cp)
                .expect_err("verify accepted what parse_hash rejected");
            assert_coded(&v, &[ErrorCode::InvalidHash], "verify of a malformed hash");
        }
        Ok(p) if cheap(&p) => match hash::verify(password, &h, &cp) {
            Ok(_) => {}
            Err(e) => assert_coded(&e, &[ErrorCode::InvalidHash, ErrorCode::Limit], "verify"),
        },
        Ok(_) => {}
    }
}

fn round_trip(password: &[u8]) {
    let cp = Checkpoint::none();
    let argon = password.first().is_some_and(|b| b & 1 == 1);
    let opts = if argon {
        HashOptions {
            algorithm: hash::Algorithm::Argon2id,
            memory_cost: 64,
            time_cost: 1,
            ..HashOptions::default()
        }
    } else {
        HashOptions {
            cost: 4,
            ..HashOptions::default()
        }
    };
    match hash::hash(password, &opts, &cp) {
        Ok(h) => {
            assert!(
                hash::verify(password, &h, &cp).expect("own hash verifies"),
                "own hash does not match"
            );
            assert!(!hash::needs_rehash(&h, &opts).expect("own hash parses"));
        }
        // bcrypt refuses > 72 bytes and NUL bytes by default.
        Err(e) => {
            assert!(!argon, "argon2id hash failed: {e}");
            assert_coded(
                &e,
                &[ErrorCode::PasswordTooLong, ErrorCode::InvalidPassword],
                "bcrypt hash",
            );
        }
    }
}
