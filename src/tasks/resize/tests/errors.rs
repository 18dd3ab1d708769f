//! Error paths: malformed input, limits, invalid options, cancellation,
//! plus header-only metadata and the shared encoder.

use super::super::*;
use super::*;
use crate::tasks::{Checkpoint, ErrorCode};
use std::time::Instant;

fn code(r: Result<ResizeOutput, TaskError>) -> ErrorCode {
    r.expect_err("expected an error").code
}

#[test]
fn malformed_inputs_give_the_right_codes_fast() {
    let t = Instant::now();
    let d = ResizeOptions {
        width: Some(8),
        ..Default::default()
    };
    // Unknown / unsupported containers.
    assert_eq!(code(run(b"", &d)), ErrorCode::UnsupportedFormat);
    let e = run(b"%PDF-1.7 hello", &d).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    assert!(
        e.message.contains("PDF") && e.message.contains("25 50 44 46"),
        "{}",
        e.message
    );
    let mut rng = 0x1234_5678u32;
    let mut rnd = || {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        rng
    };
    let random: Vec<u8> = (0..4096).map(|_| rnd() as u8 | 1).collect();
    assert_eq!(code(run(&random, &d)), ErrorCode::UnsupportedFormat);
    // Truncated JPEG / PNG.
    let (w, h, u) = upright();
    let jpg = jpeg_fixture(w, h, &u, None, 90);
    assert_eq!(code(run(&jpg[..jpg.len() / 2], &d)), ErrorCode::Decode);
    assert_eq!(code(run(&jpg[..10], &d)), ErrorCode::Decode);
    let png = rgb_png(40, 30);
    assert_eq!(code(run(&png[..png.len() - 30], &d)), ErrorCode::Decode);
    assert_eq!(code(run(&png[..20], &d)), ErrorCode::Decode);
    // Bit flips: must never panic; header damage must be caught.
    let mut bad = jpg.clone();
    let sof = bad.windows(2).position(|x| x == [0xFF, 0xC0]).unwrap();
    bad[sof + 9] = 7; // component count 7
    assert_eq!(code(run(&bad, &d)), ErrorCode::Decode);
    let mut bad = png.clone();
    bad[40] ^= 0xFF; // inside IDAT: zlib/CRC failure
    assert_eq!(code(run(&bad, &d)), ErrorCode::Decode);
    let img = image::RgbaImage::from_fn(24, 16, |x, y| {
        image::Rgba([x as u8 * 9, y as u8 * 13, 77, 200])
    });
    let mut others = Vec::new();
    for fmt in [
        image::ImageFormat::Gif,
        image::ImageFormat::Bmp,
        image::ImageFormat::Tiff,
    ] {
        let mut buf = std::io::Cursor::new(Vec::new());
        img.write_to(&mut buf, fmt).unwrap();
        others.push(buf.into_inner());
    }
    let webp = encode_rgba8(
        img.as_raw(),
        24,
        16,
        &EncodeOptions {
            format: Format::Webp,
            ..Default::default()
        },
    )
    .unwrap();
    let mut sources = vec![jpg.clone(), png.clone(), webp];
    sources.extend(others);
    for src in &sources {
        for i in 0..200 {
            let mut b = src.clone();
            let at = rnd() as usize % b.len();
            b[at] ^= 1 << (i % 8);
            let cut = if i % 3 == 0 {
                rnd() as usize % b.len()
            } else {
                b.len()
            };
            if let Err(e) = run(&b[..cut], &d) {
                assert!(
                    matches!(
                        e.code,
                        ErrorCode::Decode | ErrorCode::UnsupportedFormat | ErrorCode::Limit
                    ),
                    "{e}"
                );
            }
        }
    }
    assert!(t.elapsed().as_secs_f64() < 20.0);
}

#[test]
fn dimension_bombs_are_rejected_before_allocating() {
    let d = ResizeOptions {
        width: Some(8),
        ..Default::default()
    };
    let mut png = rgb_png(4, 4);
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let t = Instant::now();
    let e = run(&png, &d).unwrap_err();
    assert_eq!(e.code, ErrorCode::Limit, "{e}");
    assert!(t.elapsed().as_millis() < 50, "{:?}", t.elapsed());
    let m = metadata(&png).unwrap();
    assert_eq!((m.width, m.height), (100_000, 100_000));
    // JPEG 65535×65535 header.
    let (w, h, u) = upright();
    let mut jpg = jpeg_fixture(w, h, &u, None, 90);
    let sof = jpg.windows(2).position(|x| x == [0xFF, 0xC0]).unwrap();
    jpg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    assert_eq!(code(run(&jpg, &d)), ErrorCode::Limit);
    // GIF 65535×65535 logical screen.
    let gif = b"GIF89a\xff\xff\xff\xff\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";
    assert_eq!(code(run(gif, &d)), ErrorCode::Limit);
    // WebP VP8X canvas 16384×16384 (> 0x3FFF² pixels).
    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend_from_slice(&[0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00]);
    assert_eq!(code(run(&webp, &d)), ErrorCode::Limit);
    // A zlib bomb: 12000×12000 16-bit RGBA is under maxInputPixels but
    // would inflate to 1.15 GB; refused from the header by maxDecodedBytes.
    let mut deep = rgb_png(4, 4);
    deep[16..20].copy_from_slice(&12_000u32.to_be_bytes());
    deep[20..24].copy_from_slice(&12_000u32.to_be_bytes());
    deep[24..26].copy_from_slice(&[16, 6]);
    let e = run(&deep, &d).unwrap_err();
    assert_eq!(e.code, ErrorCode::Limit, "{e}");
    assert!(
        e.message.contains("1152000000 bytes") && e.message.contains("maxDecodedBytes"),
        "{e}"
    );
    // The same header in 8-bit RGB (432 MB) passes the header checks and
    // fails only where its (fake) pixel data starts.
    deep[24..26].copy_from_slice(&[8, 2]);
    assert_ne!(code(run(&deep, &d)), ErrorCode::Limit);
    // A lower custom limit applies to ordinary images; 0 disables it.
    let small = rgb_png(100, 100);
    let o = ResizeOptions {
        max_input_pixels: 9_999,
        ..d.clone()
    };
    assert_eq!(code(run(&small, &o)), ErrorCode::Limit);
    assert!(run(
        &small,
        &ResizeOptions {
            max_input_pixels: 0,
            ..d
        }
    )
    .is_ok());
}

#[test]
fn output_limits_and_invalid_options() {
    let src = rgb_png(40, 4);
    let big = ResizeOptions {
        width: Some(20_000),
        format: Some(Format::Webp),
        ..Default::default()
    };
    let e = run(&src, &big).unwrap_err();
    assert_eq!(e.code, ErrorCode::Limit);
    assert!(e.message.contains("16383"), "{}", e.message);
    let huge = ResizeOptions {
        width: Some(60_000),
        height: Some(60_000),
        fit: Fit::Fill,
        ..png_out()
    };
    assert_eq!(code(run(&src, &huge)), ErrorCode::Limit);
    for o in [
        ResizeOptions {
            width: Some(0),
            ..Default::default()
        },
        ResizeOptions {
            quality: 0,
            ..Default::default()
        },
        ResizeOptions {
            quality: 101,
            ..Default::default()
        },
        ResizeOptions {
            effort: 7,
            ..Default::default()
        },
        ResizeOptions {
            compression_level: 10,
            ..Default::default()
        },
        ResizeOptions {
            format: Some(Format::Gif),
            ..Default::default()
        },
    ] {
        assert_eq!(code(run(&src, &o)), ErrorCode::InvalidArgValue, "{o:?}");
    }
}

#[test]
fn cancelled_checkpoint_aborts() {
    use std::sync::atomic::AtomicBool;
    let (a, b) = (AtomicBool::new(true), AtomicBool::new(false));
    let e = resize(
        &rgb_png(8, 8),
        &ResizeOptions::default(),
        &Checkpoint::new(&a, &b),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
}

#[test]
fn metadata_reads_headers() {
    let (w, h, u) = upright();
    let jpg = jpeg_fixture(w, h, &u, Some(6), 90);
    let m = metadata(&jpg).unwrap();
    assert_eq!(
        m,
        Metadata {
            format: Format::Jpeg,
            width: 32,
            height: 48,
            orientation: Some(6),
            has_alpha: false,
            channels: 3,
            bit_depth: 8,
            is_progressive: false,
            has_icc: false,
            pages: 1
        }
    );
    let ga = png_fixture(
        2,
        3,
        png::ColorType::GrayscaleAlpha,
        png::BitDepth::Sixteen,
        &[0; 24],
    );
    let m = metadata(&ga).unwrap();
    assert_eq!(
        (
            m.format,
            m.width,
            m.height,
            m.channels,
            m.has_alpha,
            m.bit_depth
        ),
        (Format::Png, 2, 3, 2, true, 16)
    );
    assert_eq!(
        code(metadata(b"GIF89a").map(|_| unreachable!())),
        ErrorCode::Decode
    );
}

#[test]
fn encode_rgba8_roundtrips_every_format() {
    let (w, h) = (16u32, 8u32);
    let px8: Vec<u8> = (0..w * h).flat_map(|_| [10, 200, 30, 128]).collect();
    for f in [Format::Png, Format::Jpeg, Format::Webp] {
        let o = EncodeOptions {
            format: f,
            quality: 95,
            background: [255, 255, 255, 255],
            ..Default::default()
        };
        let b = encode_rgba8(&px8, w, h, &o).unwrap();
        let m = metadata(&b).unwrap();
        assert_eq!((m.format, m.width, m.height), (f, w, h));
        let d = decode_any(&b);
        let want: &[u8] = match f {
            Format::Jpeg => &[132, 227, 142], // flattened over white
            _ => &[10, 200, 30, 128],
        };
        assert!(near(&px(&d, 5, 5), want, 6), "{f:?} {:?}", px(&d, 5, 5));
    }
    let e = encode_rgba8(&px8[1..], w, h, &EncodeOptions::default()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgValue);
}

#[test]
fn keep_metadata_carries_icc_into_jpeg() {
    let (w, h, u) = upright();
    let flat: Vec<u8> = u.iter().flatten().copied().collect();
    let mut jpg = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut jpg, 90);
    let fake_icc = vec![7u8; 300];
    e.add_icc_profile(&fake_icc).unwrap();
    e.encode(&flat, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    assert!(metadata(&jpg).unwrap().has_icc);
    let stripped = run(
        &jpg,
        &ResizeOptions {
            width: Some(8),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!metadata(&stripped.data).unwrap().has_icc);
    let kept = run(
        &jpg,
        &ResizeOptions {
            width: Some(8),
            keep_metadata: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(metadata(&kept.data).unwrap().has_icc);
    assert_eq!(
        decode::icc_profile(&kept.data, Format::Jpeg),
        Some(fake_icc)
    );
}

/// A valid 8×8 progressive JPEG (three components, all coefficients zero)
/// with `ac_levels` successive-approximation scans per AC coefficient:
/// 1 + 13 DC scans and 3 × 63 × `ac_levels` AC scans.
fn many_scans_jpeg(ac_levels: u8) -> Vec<u8> {
    assert!((1..=14).contains(&ac_levels));
    let mut j = vec![0xFF, 0xD8];
    // One quantisation table of ones.
    j.extend([0xFF, 0xDB, 0, 67, 0]);
    j.extend([1u8; 64]);
    // SOF2: 8-bit, 8×8, three 1×1 components on table 0.
    j.extend([0xFF, 0xC2, 0, 17, 8, 0, 8, 0, 8, 3]);
    for c in 1..=3 {
        j.extend([c, 0x11, 0]);
    }
    // DC table 0 and AC table 0, each one symbol 0x00 (category 0 / EOB)
    // coded as the single bit 0.
    j.extend([0xFF, 0xC4, 0, 38]);
    for class in [0x00, 0x10] {
        j.push(class);
        j.push(1);
        j.extend([0u8; 15]);
        j.push(0);
    }
    let sos = |j: &mut Vec<u8>, comps: &[u8], ss: u8, se: u8, ah: u8, al: u8, data: u8| {
        j.extend([0xFF, 0xDA, 0, 6 + 2 * comps.len() as u8, comps.len() as u8]);
        for &c in comps {
            j.extend([c, 0x00]);
        }
        j.extend([ss, se, ah << 4 | al, data]);
    };
    // DC: first scan at Al = 13, then 13 refinements (three zero bits, padded with ones).
    sos(&mut j, &[1, 2, 3], 0, 0, 0, 13, 0x1F);
    for a in (1..=13).rev() {
        sos(&mut j, &[1, 2, 3], 0, 0, a, a - 1, 0x1F);
    }
    // AC: per component and coefficient, a first scan then refinements, each one EOB.
    let top = ac_levels - 1;
    for c in 1..=3 {
        for k in 1..=63 {
            sos(&mut j, &[c], k, k, 0, top, 0x7F);
            for a in (1..=top).rev() {
                sos(&mut j, &[c], k, k, a, a - 1, 0x7F);
            }
        }
    }
    j.extend([0xFF, 0xD9]);
    j
}

#[test]
fn jpeg_scan_count_is_bounded() {
    let d = ResizeOptions {
        width: Some(4),
        ..Default::default()
    };
    // 14 + 3 × 63 × 5 = 959 scans: legal, and decoded (to black).
    let ok = run(&many_scans_jpeg(5), &d).unwrap();
    assert_eq!((ok.width, ok.height), (4, 4));
    // 14 + 3 × 63 × 14 = 2660 scans in 13 KB: refused before decoding them all.
    let bomb = many_scans_jpeg(14);
    let e = run(&bomb, &d).unwrap_err();
    assert_eq!(e.code, ErrorCode::Limit, "{}", e.message);
    assert!(e.message.contains("scans"), "{}", e.message);
    // A cancelled task stops inside libjpeg (jpeg_start_decompress reads
    // every scan of a progressive file in one call): `decode` itself checks
    // no flag before libjpeg runs, only libjpeg's message callback can stop it.
    let input = many_scans_jpeg(5);
    let (meta, extra) = metadata::probe(&input).unwrap();
    let (task, env) = (
        std::sync::atomic::AtomicBool::new(false),
        std::sync::atomic::AtomicBool::new(false),
    );
    let cp = Checkpoint::new(&task, &env);
    assert!(decode::decode(&input, &meta, &extra, 1, None, &cp).is_ok());
    task.store(true, std::sync::atomic::Ordering::Relaxed);
    let e = decode::decode(&input, &meta, &extra, 1, None, &cp).unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
}
