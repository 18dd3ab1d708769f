//! Unit tests. Fixtures are generated here (no binary files): tiny JPEGs
//! with jpeg-encoder (EXIF orientation, CMYK/YCCK Adobe), PNGs with the png
//! crate, GIF/BMP/TIFF/WebP with the image crate and libwebp. Expected fit
//! dimensions come from sharp 0.35.5 (`npmprobe/grid.js`). Error-path
//! tests live in `errors.rs`.

mod errors;
mod window;

use super::*;
use crate::tasks::Checkpoint;

pub(super) type Rgb = [u8; 3];
pub(super) const COLORS: [Rgb; 6] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
    [255, 0, 255],
    [0, 255, 255],
];

/// Decodes any supported image to (w, h, channels, 8-bit samples).
pub(super) fn decode_any(b: &[u8]) -> (u32, u32, u8, Vec<u8>) {
    let (m, e) = metadata::probe(b).unwrap();
    let r = decode::decode(b, &m, &e, 1, None, &Checkpoint::none()).unwrap();
    let d = match r.px {
        Pixels::U8(d) => d,
        Pixels::U16(d) => d.iter().map(|v| (v >> 8) as u8).collect(),
    };
    (r.width, r.height, r.channels, d)
}

pub(super) fn px(img: &(u32, u32, u8, Vec<u8>), x: u32, y: u32) -> Vec<u8> {
    let c = img.2 as usize;
    let i = (y as usize * img.0 as usize + x as usize) * c;
    img.3[i..i + c].to_vec()
}

pub(super) fn near(a: &[u8], b: &[u8], tol: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(&x, &y)| (x as i32 - y as i32).abs() <= tol)
}

/// Upright test picture: 2 columns × 3 rows of 16-px colour blocks.
pub(super) fn upright() -> (usize, usize, Vec<Rgb>) {
    let (w, h) = (32, 48);
    let mut v = Vec::new();
    for y in 0..h {
        for x in 0..w {
            v.push(COLORS[(y / 16) * 2 + x / 16]);
        }
    }
    (w, h, v)
}

/// Builds the STORED image whose display (after EXIF orientation `o`) is `u`,
/// written as the inverse of each orientation's documented display operation.
fn stored_for(o: u8, w: usize, h: usize, u: &[Rgb]) -> (usize, usize, Vec<Rgb>) {
    let at = |x: usize, y: usize| u[y * w + x];
    let build = |sw: usize, sh: usize, f: &dyn Fn(usize, usize) -> Rgb| {
        let mut v = Vec::new();
        for y in 0..sh {
            for x in 0..sw {
                v.push(f(x, y));
            }
        }
        (sw, sh, v)
    };
    match o {
        2 => build(w, h, &|x, y| at(w - 1 - x, y)), // mirror: self-inverse
        3 => build(w, h, &|x, y| at(w - 1 - x, h - 1 - y)),
        4 => build(w, h, &|x, y| at(x, h - 1 - y)),
        5 => build(h, w, &|x, y| at(y, x)), // transpose: self-inverse
        // display = stored rotated 90° CW, so stored = display rotated 90° CCW
        6 => build(h, w, &|x, y| at(w - 1 - y, x)),
        7 => build(h, w, &|x, y| at(w - 1 - y, h - 1 - x)), // transverse: self-inverse
        // display = stored rotated 90° CCW, so stored = display rotated 90° CW
        8 => build(h, w, &|x, y| at(y, h - 1 - x)),
        _ => (w, h, u.to_vec()),
    }
}

pub(super) fn exif_orientation_blob(o: u8) -> Vec<u8> {
    // "Exif\0\0" + big-endian TIFF header + IFD0 with one SHORT entry.
    let mut v = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    v.extend_from_slice(&[0, o, 0, 0, 0, 0, 0, 0]);
    v
}

pub(super) fn jpeg_fixture(w: usize, h: usize, rgb: &[Rgb], exif: Option<u8>, q: u8) -> Vec<u8> {
    let flat: Vec<u8> = rgb.iter().flatten().copied().collect();
    let mut out = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut out, q);
    if let Some(o) = exif {
        e.add_app_segment(1, exif_orientation_blob(o)).unwrap();
    }
    e.encode(&flat, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

pub(super) fn png_fixture(
    w: u32,
    h: u32,
    ct: png::ColorType,
    depth: png::BitDepth,
    data: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(ct);
    e.set_depth(depth);
    let mut wr = e.write_header().unwrap();
    wr.write_image_data(data).unwrap();
    wr.finish().unwrap();
    out
}

pub(super) fn rgb_png(w: u32, h: u32) -> Vec<u8> {
    let data: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 251) as u8).collect();
    png_fixture(w, h, png::ColorType::Rgb, png::BitDepth::Eight, &data)
}

pub(super) fn run(input: &[u8], o: &ResizeOptions) -> Result<ResizeOutput, TaskError> {
    resize(input, o, &Checkpoint::none())
}

pub(super) fn png_out() -> ResizeOptions {
    ResizeOptions {
        format: Some(Format::Png),
        ..Default::default()
    }
}

#[test]
fn exif_orientations_1_to_8_are_applied() {
    let (w, h, u) = upright();
    for o in 1..=8u8 {
        let (sw, sh, s) = stored_for(o, w, h, &u);
        let jpg = jpeg_fixture(sw, sh, &s, Some(o), 95);
        assert_eq!(metadata(&jpg).unwrap().orientation, Some(o));
        assert_eq!(
            (
                metadata(&jpg).unwrap().width,
                metadata(&jpg).unwrap().height
            ),
            (sw as u32, sh as u32)
        );
        let out = run(&jpg, &png_out()).unwrap();
        assert_eq!((out.width, out.height), (32, 48), "orientation {o}");
        let img = decode_any(&out.data);
        for by in 0..3 {
            for bx in 0..2 {
                let got = px(&img, bx * 16 + 8, by * 16 + 8);
                let want = COLORS[(by * 2 + bx) as usize];
                assert!(
                    near(&got, &want, 40),
                    "o={o} block ({bx},{by}): {got:?} vs {want:?}"
                );
            }
        }
        // Resizing targets display dimensions, and the output has no EXIF.
        let small = run(
            &jpg,
            &ResizeOptions {
                width: Some(16),
                ..png_out()
            },
        )
        .unwrap();
        assert_eq!((small.width, small.height), (16, 24), "orientation {o}");
        assert_eq!(metadata(&small.data).unwrap().orientation, None);
        // auto_orient off keeps the stored layout.
        let raw = run(
            &jpg,
            &ResizeOptions {
                auto_orient: false,
                ..png_out()
            },
        )
        .unwrap();
        assert_eq!((raw.width, raw.height), (sw as u32, sh as u32));
    }
}

#[test]
fn cmyk_and_ycck_jpeg_decode_near_srgb() {
    // Adobe-style (inverted) CMYK written by jpeg-encoder: ink values in.
    let inks: [([u8; 4], Rgb); 5] = [
        ([0, 0, 0, 0], [255, 255, 255]),
        ([0, 0, 0, 255], [0, 0, 0]),
        ([0, 255, 255, 0], [255, 0, 0]),
        ([255, 0, 255, 0], [0, 255, 0]),
        ([0, 0, 0, 128], [127, 127, 127]),
    ];
    let (w, h) = (16 * inks.len(), 16);
    let mut cmyk = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            cmyk.extend_from_slice(&inks[x / 16].0);
        }
    }
    for ct in [
        jpeg_encoder::ColorType::Cmyk,
        jpeg_encoder::ColorType::CmykAsYcck,
    ] {
        let mut jpg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpg, 95)
            .encode(&cmyk, w as u16, h as u16, ct)
            .unwrap();
        let m = metadata(&jpg).unwrap();
        assert_eq!((m.channels, m.format), (4, Format::Jpeg));
        let out = run(&jpg, &png_out()).unwrap();
        assert_eq!(out.channels, 3);
        let img = decode_any(&out.data);
        for (i, (_, want)) in inks.iter().enumerate() {
            let got = px(&img, i as u32 * 16 + 8, 8);
            assert!(near(&got, want, 12), "{ct:?} ink {i}: {got:?} vs {want:?}");
        }
    }
}

#[test]
fn png_16bit_keeps_precision_into_png() {
    let (w, h) = (8u32, 8u32);
    let mut data = Vec::new();
    for _ in 0..w * h {
        for v in [0x1234u16, 0xABCD, 0x0101] {
            data.extend_from_slice(&v.to_be_bytes());
        }
    }
    let src = png_fixture(w, h, png::ColorType::Rgb, png::BitDepth::Sixteen, &data);
    let m = metadata(&src).unwrap();
    assert_eq!((m.bit_depth, m.channels, m.has_alpha), (16, 3, false));
    let out = run(
        &src,
        &ResizeOptions {
            width: Some(4),
            ..png_out()
        },
    )
    .unwrap();
    let m2 = metadata(&out.data).unwrap();
    assert_eq!((m2.width, m2.height, m2.bit_depth), (4, 4, 16));
    let (pm, pe) = metadata::probe(&out.data).unwrap();
    let r = decode::decode(&out.data, &pm, &pe, 1, None, &Checkpoint::none()).unwrap();
    let Pixels::U16(d) = r.px else {
        panic!("expected 16-bit")
    };
    assert_eq!(&d[..3], &[0x1234, 0xABCD, 0x0101]);
    // 16-bit gray+alpha resamples as u16 (premultiplied) and stays 16-bit.
    let ga: Vec<u8> = [0x40u16, 0xFFFF]
        .repeat(64)
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let ga = png_fixture(
        8,
        8,
        png::ColorType::GrayscaleAlpha,
        png::BitDepth::Sixteen,
        &ga,
    );
    let out = run(
        &ga,
        &ResizeOptions {
            width: Some(3),
            ..png_out()
        },
    )
    .unwrap();
    let (gm, ge) = metadata::probe(&out.data).unwrap();
    assert_eq!(
        (gm.width, gm.height, gm.channels, gm.bit_depth),
        (3, 3, 2, 16)
    );
    let r = decode::decode(&out.data, &gm, &ge, 1, None, &Checkpoint::none()).unwrap();
    assert_eq!(r.px, Pixels::U16([0x40, 0xFFFF].repeat(9)));
    // JPEG output of a 16-bit input is 8-bit with correct rounding.
    let j = run(
        &src,
        &ResizeOptions {
            format: Some(Format::Jpeg),
            quality: 100,
            ..Default::default()
        },
    )
    .unwrap();
    let img = decode_any(&j.data);
    assert!(
        near(&px(&img, 4, 4), &[0x12, 0xAB, 0x01], 3),
        "{:?}",
        px(&img, 4, 4)
    );
}

#[test]
fn alpha_edges_have_no_dark_fringe() {
    // Opaque red square on fully transparent BLACK: unpremultiplied
    // resampling would blend black into the edge pixels.
    let (w, h) = (32u32, 32u32);
    let mut d = vec![0u8; (w * h * 4) as usize];
    for y in 8..24 {
        for x in 8..24 {
            let i = ((y * w + x) * 4) as usize;
            d[i..i + 4].copy_from_slice(&[255, 0, 0, 255]);
        }
    }
    let src = png_fixture(w, h, png::ColorType::Rgba, png::BitDepth::Eight, &d);
    for k in [
        Kernel::Lanczos3,
        Kernel::Cubic,
        Kernel::Linear,
        Kernel::Mitchell,
    ] {
        let out = run(
            &src,
            &ResizeOptions {
                width: Some(13),
                kernel: k,
                ..png_out()
            },
        )
        .unwrap();
        assert_eq!(out.channels, 4);
        let img = decode_any(&out.data);
        let mut edge = 0;
        for y in 0..img.1 {
            for x in 0..img.0 {
                let p = px(&img, x, y);
                if p[3] >= 16 {
                    assert!(
                        p[0] >= 245 && p[1] <= 8 && p[2] <= 8,
                        "{k:?} ({x},{y}) {p:?}"
                    );
                    if p[3] < 250 {
                        edge += 1;
                    }
                }
            }
        }
        assert!(
            edge > 0,
            "{k:?}: no partially transparent edge pixels to check"
        );
    }
}

/// (in_w, in_h, width, height (0 = unset), fit, without_enlargement, out_w, out_h) from sharp 0.35.5.
const SHARP_GRID: &str = include_str!("../sharp_grid.txt");

#[test]
fn fit_dimensions_match_sharp_grid() {
    let mut cache = std::collections::HashMap::new();
    let mut n = 0;
    for line in SHARP_GRID.lines().filter(|l| l.starts_with('(')) {
        let f: Vec<&str> = line
            .trim_matches(|c| c == '(' || c == ')' || c == ',')
            .split(", ")
            .collect();
        let num = |i: usize| f[i].parse::<u32>().unwrap();
        let fit = match f[4] {
            "cover" => Fit::Cover,
            "contain" => Fit::Contain,
            "fill" => Fit::Fill,
            "inside" => Fit::Inside,
            _ => Fit::Outside,
        };
        let (iw, ih) = (num(0), num(1));
        let src = cache
            .entry((iw, ih))
            .or_insert_with(|| rgb_png(iw, ih))
            .clone();
        let o = ResizeOptions {
            width: (num(2) > 0).then(|| num(2)),
            height: (num(3) > 0).then(|| num(3)),
            fit,
            without_enlargement: f[5] == "true",
            ..png_out()
        };
        let out = run(&src, &o).unwrap();
        assert_eq!((out.width, out.height), (num(6), num(7)), "{line}");
        let m = metadata(&out.data).unwrap();
        assert_eq!((m.width, m.height), (out.width, out.height));
        n += 1;
    }
    assert!(n >= 400, "grid has {n} rows");
}

fn crop_rgb(d: &[u8], w: usize, left: usize, cw: usize, ch: usize) -> Vec<u8> {
    (0..ch)
        .flat_map(|y| d[(y * w + left) * 3..(y * w + left + cw) * 3].to_vec())
        .collect()
}

#[test]
fn cover_position_and_contain_background() {
    // 4 columns of colour; cover to 1 column picks by gravity.
    let (w, h) = (64usize, 16usize);
    let cols = [COLORS[0], COLORS[1], COLORS[2], COLORS[3]];
    let img: Vec<Rgb> = (0..w * h).map(|i| cols[(i % w) / 16]).collect();
    let flat: Vec<u8> = img.iter().flatten().copied().collect();
    let src = png_fixture(
        w as u32,
        h as u32,
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        &flat,
    );
    for (pos, want) in [
        (Position::Left, cols[0]),
        (Position::Right, cols[3]),
        (Position::LeftTop, cols[0]),
    ] {
        let o = ResizeOptions {
            width: Some(8),
            height: Some(8),
            position: pos,
            kernel: Kernel::Nearest,
            ..png_out()
        };
        let out = decode_any(&run(&src, &o).unwrap().data);
        assert_eq!((out.0, out.1), (8, 8));
        assert!(near(&px(&out, 4, 4), &want, 0), "{pos:?}");
    }
    // Entropy keeps the busy (noisy) quarter, wherever it is.
    let mut noisy = flat.clone();
    for y in 0..h {
        for x in 48..64 {
            let i = (y * w + x) * 3;
            let v = [
                (x * 37 + y * 91) as u8,
                (x * y * 13) as u8,
                (x * 7 + y * 5) as u8,
            ];
            noisy[i..i + 3].copy_from_slice(&v);
        }
    }
    let nsrc = png_fixture(
        w as u32,
        h as u32,
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        &noisy,
    );
    let o = ResizeOptions {
        width: Some(16),
        height: Some(16),
        position: Position::Entropy,
        ..png_out()
    };
    let out = decode_any(&run(&nsrc, &o).unwrap().data);
    assert_eq!(out.3, crop_rgb(&noisy, w, 48, 16, 16));
    let o = ResizeOptions {
        width: Some(64),
        height: Some(32),
        fit: Fit::Contain,
        background: [0, 0, 255, 255],
        ..png_out()
    };
    let out = decode_any(&run(&src, &o).unwrap().data);
    assert_eq!((out.0, out.1, out.2), (64, 32, 3));
    assert_eq!(px(&out, 0, 0), vec![0, 0, 255]);
    assert_eq!(px(&out, 63, 31), vec![0, 0, 255]);
    // Translucent background adds alpha.
    let o = ResizeOptions {
        background: [0, 0, 0, 0],
        ..o
    };
    let out = decode_any(&run(&src, &o).unwrap().data);
    assert_eq!(out.2, 4);
    assert_eq!(px(&out, 0, 0), vec![0, 0, 0, 0]);
}

#[test]
fn alpha_flattens_onto_background_for_jpeg() {
    let d: Vec<u8> = [255u8, 0, 0, 0].repeat(16 * 16);
    let src = png_fixture(16, 16, png::ColorType::Rgba, png::BitDepth::Eight, &d);
    let o = ResizeOptions {
        format: Some(Format::Jpeg),
        ..Default::default()
    };
    let out = run(&src, &o).unwrap();
    assert_eq!(out.channels, 3);
    assert!(near(&px(&decode_any(&out.data), 8, 8), &[0, 0, 0], 2));
    let o = ResizeOptions {
        background: [255, 255, 255, 255],
        ..o
    };
    assert!(near(
        &px(&decode_any(&run(&src, &o).unwrap().data), 8, 8),
        &[255, 255, 255],
        2
    ));
}

#[test]
fn other_input_formats_decode_and_default_output_family() {
    let (w, h) = (20u32, 10u32);
    let rgba: Vec<u8> = (0..w * h)
        .flat_map(|i| [200, (i % 256) as u8, 50, 255])
        .collect();
    let img = image::RgbaImage::from_raw(w, h, rgba.clone()).unwrap();
    for (fmt, f) in [
        (image::ImageFormat::Gif, Format::Gif),
        (image::ImageFormat::Bmp, Format::Bmp),
        (image::ImageFormat::Tiff, Format::Tiff),
    ] {
        let mut buf = std::io::Cursor::new(Vec::new());
        img.write_to(&mut buf, fmt).unwrap();
        let b = buf.into_inner();
        let m = metadata(&b).unwrap();
        assert_eq!((m.format, m.width, m.height), (f, w, h), "{f:?}");
        let out = run(
            &b,
            &ResizeOptions {
                width: Some(10),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (out.format, out.width, out.height),
            (Format::Png, 10, 5),
            "{f:?}"
        );
        let d = decode_any(&out.data);
        assert!(
            near(&px(&d, 0, 0)[..3], &[200, 10, 50], 40),
            "{f:?} {:?}",
            px(&d, 0, 0)
        );
    }
    // WebP: lossy RGB, lossy RGBA and lossless via our own encoder.
    for (lossless, alpha) in [(false, false), (false, true), (true, true)] {
        let c = if alpha { 4 } else { 3 };
        let data: Vec<u8> = rgba
            .chunks(4)
            .flat_map(|p| [p[0], p[1], p[2], 200][..c].to_vec())
            .collect();
        let o = EncodeOptions {
            format: Format::Webp,
            quality: 90,
            ..Default::default()
        };
        let p = encode::Params {
            lossless,
            ..Default::default()
        };
        let r = Raster {
            width: w,
            height: h,
            channels: c as u8,
            px: Pixels::U8(data),
        };
        let (b, _) = encode::encode_raster(&r, &o, &p).unwrap();
        let m = metadata(&b).unwrap();
        assert_eq!(
            (m.format, m.width, m.height, m.has_alpha),
            (Format::Webp, w, h, alpha)
        );
        let out = run(
            &b,
            &ResizeOptions {
                width: Some(10),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((out.format, out.width, out.height), (Format::Webp, 10, 5));
        let d = decode_any(&b);
        assert!(
            near(&px(&d, 3, 3)[..3], &[200, 63, 50], 20),
            "{:?}",
            px(&d, 3, 3)
        );
    }
}

#[test]
fn png_variants_palette_gray_alpha_interlaced() {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, 4, 2);
        e.set_color(png::ColorType::Indexed);
        e.set_palette(vec![255, 0, 0, 0, 255, 0]);
        e.set_trns(vec![255, 0]);
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(&[0, 1, 0, 1, 1, 0, 1, 0]).unwrap();
        wr.finish().unwrap();
    }
    let m = metadata(&out).unwrap();
    assert_eq!((m.channels, m.has_alpha), (4, true));
    let d = decode_any(&run(&out, &png_out()).unwrap().data);
    assert_eq!(px(&d, 0, 0), vec![255, 0, 0, 255]);
    assert_eq!(px(&d, 1, 0)[3], 0);
    let ga = png_fixture(
        2,
        2,
        png::ColorType::GrayscaleAlpha,
        png::BitDepth::Eight,
        &[10, 255, 20, 128, 30, 0, 40, 255],
    );
    let o = run(&ga, &png_out()).unwrap();
    assert_eq!(o.channels, 2);
    assert_eq!(
        decode_any(&o.data).3,
        vec![10, 255, 20, 128, 30, 0, 40, 255]
    );
    // Interlace flag (header-only check; CRC is not verified by metadata).
    let mut ihdr = rgb_png(3, 3);
    ihdr[28] = 1;
    assert!(metadata(&ihdr).unwrap().is_progressive);
}

#[test]
fn jpeg_shrink_on_load_and_progressive_output() {
    let (w, h) = (256usize, 128usize);
    let img: Vec<Rgb> = (0..w * h).map(|i| COLORS[(i % w) / 64]).collect();
    let jpg = jpeg_fixture(w, h, &img, None, 90);
    let out = run(
        &jpg,
        &ResizeOptions {
            width: Some(32),
            progressive: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (out.format, out.width, out.height, out.channels),
        (Format::Jpeg, 32, 16, 3)
    );
    let m = metadata(&out.data).unwrap();
    assert!(m.is_progressive);
    let d = decode_any(&out.data);
    assert!(near(&px(&d, 4, 8), &COLORS[0], 30), "{:?}", px(&d, 4, 8));
    assert!(near(&px(&d, 28, 8), &COLORS[3], 30), "{:?}", px(&d, 28, 8));
}

/// Committed fixtures from `npmprobe/fixtures.js` (sharp 0.35.5), each with
/// sharp's own decode (`*.sharp.png`) as ground truth.
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/__test__/fixtures/resize/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Max and mean absolute channel difference between our decode (through
/// the full pipeline, PNG out) and sharp's decode.
fn diff_vs_sharp(name: &str, o: &ResizeOptions) -> (i32, f64) {
    let ours = decode_any(&run(&fixture(name), o).unwrap().data);
    let sharp = decode_any(&fixture(&format!("{name}.sharp.png")));
    assert_eq!(
        (ours.0, ours.1, ours.2),
        (sharp.0, sharp.1, sharp.2),
        "{name}"
    );
    let d: Vec<i32> = ours
        .3
        .iter()
        .zip(&sharp.3)
        .map(|(&a, &b)| (a as i32 - b as i32).abs())
        .collect();
    (
        *d.iter().max().unwrap(),
        d.iter().sum::<i32>() as f64 / d.len() as f64,
    )
}

#[test]
fn interlaced_png_matches_sharp_exactly() {
    assert!(metadata(&fixture("interlaced.png")).unwrap().is_progressive);
    assert_eq!(diff_vs_sharp("interlaced.png", &png_out()), (0, 0.0));
}

#[test]
fn p3_jpeg_is_converted_to_srgb_like_sharp() {
    let m = metadata(&fixture("p3.jpg")).unwrap();
    assert!(m.has_icc);
    let (max, mean) = diff_vs_sharp("p3.jpg", &png_out());
    assert!(max <= 6 && mean < 1.5, "max {max} mean {mean}");
    // keep_metadata: pixels untouched (differ from sharp's sRGB) and the profile kept.
    let kept = run(
        &fixture("p3.jpg"),
        &ResizeOptions {
            keep_metadata: true,
            ..png_out()
        },
    )
    .unwrap();
    assert!(metadata(&kept.data).unwrap().has_icc);
    let (max, _) = diff_vs_sharp(
        "p3.jpg",
        &ResizeOptions {
            keep_metadata: true,
            ..png_out()
        },
    );
    assert!(
        max > 10,
        "P3 pixels should differ from sRGB without conversion"
    );
}

#[test]
fn cmyk_without_profile_is_near_sharp() {
    // sharp applies a built-in CMYK profile; we use the naive formula.
    let (max, mean) = diff_vs_sharp("cmyk_noicc.jpg", &png_out());
    eprintln!("cmyk_noicc vs sharp: max {max} mean {mean:.1}");
    assert!(mean < 40.0, "max {max} mean {mean}");
}

#[test]
fn opaque_webp_shrinks_on_load() {
    let (w, h) = (256u32, 128u32);
    let rgb: Vec<u8> = (0..w * h)
        .flat_map(|i| COLORS[((i % w) / 64) as usize])
        .collect();
    let o = EncodeOptions {
        format: Format::Webp,
        quality: 95,
        ..Default::default()
    };
    let r = Raster {
        width: w,
        height: h,
        channels: 3,
        px: Pixels::U8(rgb),
    };
    let (b, _) = encode::encode_raster(&r, &o, &encode::Params::default()).unwrap();
    let out = run(
        &b,
        &ResizeOptions {
            width: Some(32),
            ..png_out()
        },
    )
    .unwrap();
    assert_eq!((out.width, out.height), (32, 16));
    let d = decode_any(&out.data);
    for (i, c) in COLORS[..4].iter().enumerate() {
        assert!(
            near(&px(&d, i as u32 * 8 + 4, 8), c, 30),
            "{i}: {:?}",
            px(&d, i as u32 * 8 + 4, 8)
        );
    }
}
