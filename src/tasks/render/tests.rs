use std::sync::atomic::AtomicBool;

use super::*;
use crate::tasks::resize::encode_rgba8;

pub(crate) fn det() -> RenderOptions {
    RenderOptions {
        system_fonts: false,
        ..Default::default()
    }
}

pub(crate) fn run(svg: &str, o: &RenderOptions) -> Result<RenderOutput, TaskError> {
    render(&[svg.as_bytes()], o, &Checkpoint::none())
}

pub(crate) fn code(svg: &str, o: &RenderOptions) -> ErrorCode {
    expect_err(run(svg, o)).code
}

/// The error of `r`; panics naming the output size (not its bytes) if `r` is Ok.
pub(crate) fn expect_err(r: Result<RenderOutput, TaskError>) -> TaskError {
    match r {
        Ok(out) => panic!("expected an error, got {} bytes of output", out.data.len()),
        Err(e) => e,
    }
}

/// Decodes our PNG output to (w, h, RGBA8).
pub(crate) fn decode_png(data: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::Cursor::new(data));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn px(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 4] {
    let i = ((y * img.0 + x) * 4) as usize;
    img.2[i..i + 4].try_into().unwrap()
}

pub(crate) fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

pub(crate) fn solid_png(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
    let pixels: Vec<u8> = (0..w * h).flat_map(|_| rgba).collect();
    encode_rgba8(&pixels, w, h, &EncodeOptions::default()).unwrap()
}

fn dark_pixels(img: &(u32, u32, Vec<u8>)) -> usize {
    img.2
        .chunks_exact(4)
        .filter(|p| p[3] > 128 && p[0] < 100 && p[1] < 100 && p[2] < 100)
        .count()
}

#[test]
fn rect_pixels_and_transparency() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect x="2" y="2" width="4" height="4" fill="#ff0000"/></svg>"##;
    let out = run(svg, &det()).unwrap();
    assert_eq!((out.width, out.height, out.pages), (10, 10, 1));
    let img = decode_png(&out.data);
    assert_eq!(px(&img, 3, 3), [255, 0, 0, 255]);
    assert_eq!(px(&img, 8, 8), [0, 0, 0, 0]);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn semi_transparent_is_demultiplied() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#3366cc" fill-opacity="0.5"/></svg>"##;
    let img = decode_png(&run(svg, &det()).unwrap().data);
    let [r, g, b, a] = px(&img, 1, 1);
    assert!((127..=128).contains(&a));
    assert!(
        r.abs_diff(0x33) <= 2 && g.abs_diff(0x66) <= 2 && b.abs_diff(0xcc) <= 2,
        "{r} {g} {b}"
    );
}

#[test]
fn background_is_painted() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#;
    let o = RenderOptions {
        background: Some([0, 128, 0, 255]),
        ..det()
    };
    let img = decode_png(&run(svg, &o).unwrap().data);
    assert_eq!(px(&img, 0, 0), [0, 128, 0, 255]);
}

#[test]
fn sizing_keeps_aspect() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"/>"#;
    let size = |o: RenderOptions| {
        let out = run(svg, &o).unwrap();
        (out.width, out.height)
    };
    assert_eq!(size(det()), (100, 50));
    assert_eq!(
        size(RenderOptions {
            width: Some(200),
            ..det()
        }),
        (200, 100)
    );
    assert_eq!(
        size(RenderOptions {
            height: Some(25),
            ..det()
        }),
        (50, 25)
    );
    assert_eq!(
        size(RenderOptions {
            scale: Some(0.5),
            ..det()
        }),
        (50, 25)
    );
    // viewBox-only SVGs scale their content, not just the canvas.
    let vb = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="10" fill="#000"/></svg>"##;
    let out = run(
        vb,
        &RenderOptions {
            width: Some(40),
            ..det()
        },
    )
    .unwrap();
    let img = decode_png(&out.data);
    assert_eq!((img.0, img.1), (40, 40));
    assert_eq!(px(&img, 10, 20)[3], 255);
    assert_eq!(px(&img, 30, 20)[3], 0);
}

#[test]
fn invalid_arguments() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#;
    let bad = [
        RenderOptions {
            width: Some(10),
            height: Some(10),
            ..det()
        },
        RenderOptions {
            scale: Some(0.0),
            ..det()
        },
        RenderOptions {
            scale: Some(f32::NAN),
            ..det()
        },
        RenderOptions {
            width: Some(0),
            ..det()
        },
        RenderOptions {
            quality: 0,
            ..det()
        },
        RenderOptions {
            max_pixels: 0,
            ..det()
        },
        RenderOptions {
            base_dir: Some("/definitely/not/here".into()),
            ..det()
        },
    ];
    for o in bad {
        assert_eq!(code(svg, &o), ErrorCode::InvalidArgValue, "{o:?}");
    }
    let two = [svg.as_bytes(), svg.as_bytes()];
    let e = render(&two, &det(), &Checkpoint::none()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgValue);
    let e = render(&[], &det(), &Checkpoint::none()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgValue);
}

#[test]
fn text_renders_with_only_the_bundled_font() {
    for family in [
        "sans-serif",
        "serif",
        "monospace",
        "NoSuchFamily",
        "'DejaVu Sans'",
    ] {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" font-family="{family}" font-size="28" fill="black">Hello</text></svg>"#
        );
        let out = run(&svg, &det()).unwrap();
        let dark = dark_pixels(&decode_png(&out.data));
        assert!(dark > 150, "{family}: only {dark} text pixels");
        if family == "NoSuchFamily" {
            assert!(
                out.warnings.iter().any(|w| w.contains("NoSuchFamily")),
                "{:?}",
                out.warnings
            );
        }
    }
    // No font-family at all uses the default sans-serif.
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" font-size="28">Hello</text></svg>"#;
    let out = run(svg, &det()).unwrap();
    assert!(dark_pixels(&decode_png(&out.data)) > 150);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn register_font_validates_and_counts() {
    assert_eq!(
        register_font(b"not a font".to_vec()).unwrap_err().code,
        ErrorCode::Decode
    );
    assert_eq!(register_font(fonts::BUNDLED_FONT.to_vec()).unwrap(), 1);
    let db = fonts::database(false);
    assert!(
        db.faces()
            .filter(|f| f.families.iter().any(|(n, _)| n == BUNDLED_FAMILY))
            .count()
            >= 2
    );
}

#[test]
fn data_uri_png_is_drawn() {
    let png = solid_png(2, 2, [0, 0, 255, 255]);
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><image width="8" height="8" href="data:image/png;base64,{}"/></svg>"#,
        b64(&png)
    );
    let img = decode_png(&run(&svg, &det()).unwrap().data);
    assert_eq!(px(&img, 4, 4), [0, 0, 255, 255]);
}

/// An image element referencing `href`; returns the centre pixel and warnings.
fn image_probe(href: &str, o: &RenderOptions) -> ([u8; 4], Vec<String>) {
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8"><image width="8" height="8" xlink:href="{href}"/></svg>"#
    );
    let out = run(&svg, o).unwrap();
    (px(&decode_png(&out.data), 4, 4), out.warnings)
}

#[test]
fn external_images_are_not_read_by_default() {
    let dir = std::env::temp_dir().join(format!("render-ext-{}", std::process::id()));
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let red = dir.join("red.png");
    std::fs::write(&red, solid_png(2, 2, [255, 0, 0, 255])).unwrap();
    std::fs::write(sub.join("green.png"), solid_png(2, 2, [0, 255, 0, 255])).unwrap();
    let abs = red.to_str().unwrap().to_string();
    let refused = [
        abs.clone(),
        format!("file://{abs}"),
        "red.png".to_string(),
        "http://127.0.0.1:9/red.png".to_string(),
        "https://example.invalid/red.png".to_string(),
    ];
    for href in &refused {
        let (p, w) = image_probe(href, &det());
        assert_eq!(p, [0, 0, 0, 0], "{href} was loaded");
        assert!(!w.is_empty(), "no warning for {href}");
    }
    // feImage goes through the same resolver.
    let fe = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><filter id="f" x="0" y="0" width="1" height="1"><feImage href="{abs}" width="8" height="8" preserveAspectRatio="none"/></filter><rect width="8" height="8" fill="none" filter="url(#f)"/></svg>"#
    );
    let out = run(&fe, &det()).unwrap();
    assert_eq!(px(&decode_png(&out.data), 4, 4), [0, 0, 0, 0]);
    assert!(!out.warnings.is_empty());
    let out = run(
        &fe,
        &RenderOptions {
            base_dir: Some(dir.clone()),
            ..det()
        },
    )
    .unwrap();
    assert_eq!(px(&decode_png(&out.data), 4, 4), [255, 0, 0, 255]);
    // Opt-in: base_dir allows files under it, relative or absolute.
    let o = RenderOptions {
        base_dir: Some(dir.clone()),
        ..det()
    };
    assert_eq!(image_probe("red.png", &o).0, [255, 0, 0, 255]);
    assert_eq!(image_probe(&abs, &o).0, [255, 0, 0, 255]);
    assert_eq!(
        image_probe(&format!("file://{abs}"), &o).0,
        [255, 0, 0, 255]
    );
    assert_eq!(image_probe("sub/green.png", &o).0, [0, 255, 0, 255]);
    assert_eq!(
        image_probe("http://127.0.0.1:9/red.png", &o).0,
        [0, 0, 0, 0]
    );
    // ... but never outside it.
    let o = RenderOptions {
        base_dir: Some(sub.clone()),
        ..det()
    };
    assert_eq!(image_probe("green.png", &o).0, [0, 255, 0, 255]);
    for href in ["../red.png", abs.as_str(), "sub/../../red.png"] {
        let (p, w) = image_probe(href, &o);
        assert_eq!(p, [0, 0, 0, 0], "{href} escaped base_dir");
        assert!(!w.is_empty());
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&red, sub.join("link.png")).unwrap();
        assert_eq!(image_probe("link.png", &o).0, [0, 0, 0, 0]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nested_svg_data_uri_works_and_is_bounded() {
    let inner = r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#00ff00"/></svg>"##;
    let (p, w) = image_probe(
        &format!("data:image/svg+xml;base64,{}", b64(inner.as_bytes())),
        &det(),
    );
    assert_eq!(p, [0, 255, 0, 255], "{w:?}");
    // Deeply nested groups inside a nested SVG image: skipped, with a warning.
    let deep = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">{}<rect width="4" height="4"/>{}</svg>"#,
        "<g>".repeat(400),
        "</g>".repeat(400)
    );
    let (p, w) = image_probe(
        &format!("data:image/svg+xml;base64,{}", b64(deep.as_bytes())),
        &det(),
    );
    assert_eq!(p, [0, 0, 0, 0]);
    assert!(w.iter().any(|w| w.contains("deeper")), "{w:?}");
    // SVG images nested in SVG images stop after MAX_IMAGE_NESTING levels.
    let mut doc = inner.to_string();
    for _ in 0..6 {
        doc = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><image width="4" height="4" href="data:image/svg+xml;base64,{}"/></svg>"#,
            b64(doc.as_bytes())
        );
    }
    let out = run(&doc, &det()).unwrap();
    assert_eq!(px(&decode_png(&out.data), 1, 1), [0, 0, 0, 0]);
    assert!(
        out.warnings.iter().any(|w| w.contains("nested")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn oversized_embedded_image_is_skipped_before_decoding() {
    // A PNG header that claims 100000x100000 pixels.
    let mut png = solid_png(1, 1, [255, 0, 0, 255]);
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let (p, w) = image_probe(&format!("data:image/png;base64,{}", b64(&png)), &det());
    assert_eq!(p, [0, 0, 0, 0]);
    assert!(w.iter().any(|w| w.contains("budget")), "{w:?}");
}

#[test]
fn limits_are_enforced() {
    let big = r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000"/>"#;
    assert_eq!(
        code(
            big,
            &RenderOptions {
                max_pixels: 999_999,
                ..det()
            }
        ),
        ErrorCode::Limit
    );
    assert!(run(
        big,
        &RenderOptions {
            max_pixels: 1_000_000,
            ..det()
        }
    )
    .is_ok());
    let huge =
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000000000" height="1000000000"/>"#;
    assert_eq!(code(huge, &det()), ErrorCode::Limit);
    assert_eq!(
        code(
            big,
            &RenderOptions {
                scale: Some(1000.0),
                ..det()
            }
        ),
        ErrorCode::Limit
    );
    assert_eq!(
        code(
            big,
            &RenderOptions {
                max_input_bytes: 10,
                ..det()
            }
        ),
        ErrorCode::Limit
    );
    // Deep nesting.
    let deep = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg">{}{}</svg>"#,
        "<g>".repeat(100_000),
        "</g>".repeat(100_000)
    );
    assert_eq!(code(&deep, &det()), ErrorCode::Limit);
    // `use` fan-out: 10 copies per level, 8 levels = 10^8 elements.
    let mut s = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><defs><rect id="l0" width="1" height="1"/>"#,
    );
    for i in 1..=8 {
        s.push_str(&format!(r#"<g id="l{i}">"#));
        for _ in 0..10 {
            s.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, i - 1));
        }
        s.push_str("</g>");
    }
    s.push_str(r##"</defs><use xlink:href="#l8"/></svg>"##);
    assert_eq!(code(&s, &det()), ErrorCode::Limit);
    // Entity expansion.
    let mut e = String::from(
        r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">"#,
    );
    e.push_str(&format!("<!ENTITY b \"{}\">", "&a;".repeat(250)));
    e.push_str(r#"]><svg xmlns="http://www.w3.org/2000/svg"><text>"#);
    e.push_str(&"&b;".repeat(20_000));
    e.push_str("</text></svg>");
    assert_eq!(code(&e, &det()), ErrorCode::Limit);
    // SVGZ that inflates past max_input_bytes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, big.as_bytes()).unwrap();
    std::io::Write::write_all(&mut gz, &vec![b' '; 10_000]).unwrap();
    let gz = gz.finish().unwrap();
    let o = RenderOptions {
        max_input_bytes: 5_000,
        ..det()
    };
    assert_eq!(
        render(&[&gz], &o, &Checkpoint::none()).unwrap_err().code,
        ErrorCode::Limit
    );
    let o = RenderOptions {
        max_input_bytes: 50_000,
        ..det()
    };
    assert_eq!(render(&[&gz], &o, &Checkpoint::none()).unwrap().width, 1000);
}

#[test]
fn malformed_input_is_a_decode_error() {
    for bad in [
        "",
        "<svg",
        "not xml at all",
        "<svg><g></svg>",
        "<html/>",
        "<svg width='-5' height='1'/>",
    ] {
        let e = run(bad, &det()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode, "{bad:?}: {e}");
        assert!(!e.message.is_empty());
    }
    let e = render(&[&[0xff, 0xfe, 0x00][..]], &det(), &Checkpoint::none()).unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
}

#[test]
fn cancelled_before_work() {
    let task = AtomicBool::new(true);
    let env = AtomicBool::new(false);
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#;
    let e = render(&[svg.as_bytes()], &det(), &Checkpoint::new(&task, &env)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
}

#[test]
fn jpeg_and_webp_outputs() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="16" height="8"><rect width="8" height="8" fill="#0000ff"/></svg>"##;
    let out = run(
        svg,
        &RenderOptions {
            format: Format::Jpeg,
            quality: 90,
            ..det()
        },
    )
    .unwrap();
    let mut dec = zune_jpeg::JpegDecoder::new(std::io::Cursor::new(&out.data));
    let rgb = dec.decode().unwrap();
    assert_eq!(dec.dimensions(), Some((16, 8)));
    let at = |x: usize, y: usize| &rgb[(y * 16 + x) * 3..(y * 16 + x) * 3 + 3];
    assert!(at(2, 4)[2] > 230 && at(2, 4)[0] < 30, "{:?}", at(2, 4));
    // Transparent area becomes white in JPEG.
    assert!(at(13, 4).iter().all(|c| *c > 240), "{:?}", at(13, 4));
    let out = run(
        svg,
        &RenderOptions {
            format: Format::Webp,
            ..det()
        },
    )
    .unwrap();
    assert_eq!(&out.data[8..12], b"WEBP");
    let sz = imagesize::blob_size(&out.data).unwrap();
    assert_eq!((sz.width, sz.height), (16, 8));
}

#[test]
fn pdf_multi_page_and_embedded_font() {
    let a = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="10" y="50" font-size="20">Alpha page</text></svg>"#;
    let b = r#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150"><rect width="10" height="10"/></svg>"#;
    let o = RenderOptions {
        format: Format::Pdf,
        ..det()
    };
    let out = render(&[a.as_bytes(), b.as_bytes()], &o, &Checkpoint::none()).unwrap();
    assert!(out.data.starts_with(b"%PDF-"));
    assert_eq!((out.pages, out.width, out.height), (2, 200, 100));
    let text = String::from_utf8_lossy(&out.data);
    assert!(text.contains("FontFile"), "font not embedded");
    let o = RenderOptions {
        format: Format::Pdf,
        width: Some(100),
        ..det()
    };
    assert_eq!(
        render(&[a.as_bytes()], &o, &Checkpoint::none())
            .unwrap()
            .height,
        50
    );
    let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="10"/>"#;
    let o = RenderOptions {
        format: Format::Pdf,
        ..det()
    };
    assert_eq!(code(huge, &o), ErrorCode::Limit);
}

/// Deterministic xorshift.
fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn truncated_and_mutated_inputs_never_panic() {
    let png = solid_png(2, 2, [9, 9, 9, 255]);
    let base = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="48" viewBox="0 0 64 48"><defs><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient><filter id="f"><feGaussianBlur stdDeviation="2"/></filter><clipPath id="c"><circle cx="20" cy="20" r="15"/></clipPath><pattern id="p" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="2" height="2"/></pattern></defs><rect width="64" height="48" rx="5" fill="url(#g)"/><g transform="rotate(10 32 24)" clip-path="url(#c)" filter="url(#f)"><path d="M0 0 L30 40 Q40 10 60 40 Z" fill="url(#p)" stroke="#000"/></g><use xlink:href="#c"/><text x="4" y="44" font-size="9">Hi &amp; bye</text><image width="8" height="8" href="data:image/png;base64,{}"/></svg>"##,
        b64(&png)
    );
    let o = RenderOptions {
        max_pixels: 1_000_000,
        ..det()
    };
    let bytes = base.as_bytes();
    let t0 = std::time::Instant::now();
    for cut in (0..bytes.len()).step_by(7) {
        let _ = render(&[&bytes[..cut]], &o, &Checkpoint::none());
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let alphabet = b"<>/=\"'#&;:() -0123456789.eE+gsvrectpathuseurl";
    for _ in 0..400 {
        let mut m = bytes.to_vec();
        for _ in 0..(1 + rng(&mut seed) % 6) {
            let i = (rng(&mut seed) % m.len() as u64) as usize;
            match rng(&mut seed) % 3 {
                0 => m[i] = alphabet[(rng(&mut seed) % alphabet.len() as u64) as usize],
                1 => {
                    m.remove(i);
                }
                _ => {
                    let j = (rng(&mut seed) % m.len() as u64) as usize;
                    let a = i.min(j);
                    let b = i.max(j).min(a + 40);
                    let chunk = m[a..b].to_vec();
                    m.splice(i..i, chunk);
                }
            }
        }
        for fmt in [Format::Png, Format::Pdf] {
            let _ = render(
                &[&m],
                &RenderOptions {
                    format: fmt,
                    ..o.clone()
                },
                &Checkpoint::none(),
            );
        }
    }
    assert!(
        t0.elapsed().as_secs() < 120,
        "fuzz loop too slow: {:?}",
        t0.elapsed()
    );
}

#[test]
fn intermediate_buffers_are_bounded() {
    // A 4 TB pattern tile would abort the process inside tiny-skia.
    let pat = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><pattern id="p" width="1000000" height="1000000" patternUnits="userSpaceOnUse"><rect width="10" height="10" fill="red"/></pattern></defs><rect width="100" height="100" fill="url(#p)"/></svg>"##;
    assert_eq!(code(pat, &det()), ErrorCode::Limit);
    // Layers are clipped to 25x the canvas by resvg: still far over maxPixels here.
    let layer = r#"<svg xmlns="http://www.w3.org/2000/svg" width="8000" height="8000"><g opacity="0.5"><rect x="-1000000" y="-1000000" width="2000000" height="2000000" fill="red"/></g></svg>"#;
    assert_eq!(code(layer, &det()), ErrorCode::Limit);
    let filt = r#"<svg xmlns="http://www.w3.org/2000/svg" width="8000" height="8000"><filter id="f" x="-100" y="-100" width="200" height="200"><feGaussianBlur stdDeviation="50"/></filter><g filter="url(#f)"><rect width="8000" height="8000" fill="red"/></g></svg>"#;
    assert_eq!(code(filt, &det()), ErrorCode::Limit);
    // Filters whose cost is not proportional to their area, raster and PDF.
    for (prim, fine) in [
        (
            r#"<feTurbulence baseFrequency="0.05" numOctaves="1000000"/>"#,
            r#"<feTurbulence baseFrequency="0.05" numOctaves="4"/>"#,
        ),
        (
            r#"<feMorphology radius="1000"/>"#,
            r#"<feMorphology radius="2"/>"#,
        ),
    ] {
        for format in [Format::Png, Format::Pdf] {
            let svg = |p: &str| {
                format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><filter id="f">{p}</filter><rect width="1200" height="630" fill="red" filter="url(#f)"/></svg>"#
                )
            };
            let o = RenderOptions { format, ..det() };
            assert_eq!(code(&svg(prim), &o), ErrorCode::Limit, "{prim} {format:?}");
            assert!(run(&svg(fine), &o).is_ok(), "{fine} {format:?}");
        }
    }
    // Many canvas-sized clip layers: the total-work bound.
    let clips = |side: u32, n: usize| {
        let mut s = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}"><clipPath id="c"><rect width="{side}" height="{side}"/></clipPath>"#
        );
        for _ in 0..n {
            s.push_str(&format!(
                r#"<rect width="{side}" height="{side}" clip-path="url(#c)"/>"#
            ));
        }
        s + "</svg>"
    };
    assert_eq!(code(&clips(2000, 200), &det()), ErrorCode::Limit);
    // The same pattern is fine at a sane tile size, and the work bound scales with maxPixels.
    let ok = pat.replace("1000000", "20");
    assert!(run(&ok, &det()).is_ok());
    let small = clips(200, 40);
    assert!(run(&small, &det()).is_ok());
    assert_eq!(
        code(
            &small,
            &RenderOptions {
                max_pixels: 1_000_000,
                ..det()
            }
        ),
        ErrorCode::Limit
    );
}

#[test]
fn font_database_is_shared_and_copy_on_write() {
    let before = fonts::database(false);
    let again = fonts::database(false);
    assert!(Arc::ptr_eq(&before, &again), "database rebuilt per call");
    let n = before.len();
    register_font(fonts::BUNDLED_FONT.to_vec()).unwrap();
    assert_eq!(before.len(), n, "held snapshot changed");
    assert!(fonts::database(false).len() > n);
    // Many threads render text at once against the shared database.
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" font-size="28">Hello</text></svg>"#;
    let counts: Vec<usize> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| dark_pixels(&decode_png(&run(svg, &det()).unwrap().data))))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        counts.iter().all(|c| *c == counts[0] && *c > 150),
        "{counts:?}"
    );
}

#[test]
fn pdf_filter_rasters_are_bounded_too() {
    // krilla-svg rasterises filtered groups with resvg: a huge pattern tile
    // inside one must be refused, not allocated.
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><pattern id="p" width="1000000" height="1000000" patternUnits="userSpaceOnUse"><rect width="10" height="10"/></pattern><filter id="f"><feOffset dx="1"/></filter></defs><g filter="url(#f)"><rect width="100" height="100" fill="url(#p)"/></g></svg>"##;
    let o = RenderOptions {
        format: Format::Pdf,
        ..det()
    };
    assert_eq!(code(svg, &o), ErrorCode::Limit);
    let ok = svg.replace("1000000", "20");
    assert!(run(&ok, &o).unwrap().data.starts_with(b"%PDF-"));
}

/// krilla 0.8.2 leaked the PostScript function of a reflected or repeated
/// linear gradient on every PDF render (9 KB each for this SVG; fixed in
/// vendor/krilla, see CHANGES-corepool.md): repeated renders must leave
/// nothing allocated behind on this thread.
#[test]
fn pdf_gradient_functions_leak_nothing() {
    use crate::tasks::alloc_count::net_bytes;
    let svg = include_bytes!("../../../fuzz/regressions/render_pdf/krilla-gradient-leak.svg");
    let opts = RenderOptions {
        format: Format::Pdf,
        ..det()
    };
    let run = || render(&[&svg[..]], &opts, &Checkpoint::none()).expect("renders");
    // Warm-up: the font database and other caches are made once.
    let first = run();
    drop(run());
    let before = net_bytes();
    for _ in 0..20 {
        assert_eq!(run().data, first.data, "the same PDF every time");
    }
    let grown = net_bytes() - before;
    assert!(grown < 4096, "20 PDF renders left {grown} bytes allocated");
}
