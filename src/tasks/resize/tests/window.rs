//! `cover` resamples only the window it keeps when that saves work
//! (`resample::resize_window`, `orient::stored_crop`): the result must be the
//! one-call resize followed by the crop, up to the rounding between the two
//! separable passes.

use super::super::orient::{apply_orientation, crop_or_embed, stored_crop};
use super::super::resample::{crop_raster, plan, resize, resize_window, windowed, Window};
use super::*;

const KERNELS: [Kernel; 5] = [
    Kernel::Nearest,
    Kernel::Linear,
    Kernel::Cubic,
    Kernel::Mitchell,
    Kernel::Lanczos3,
];

/// A seeded pseudo-random raster; `alpha`: None = random alpha, Some(a) = that alpha.
fn noise(w: u32, h: u32, channels: u8, wide: bool, alpha: Option<u16>, seed: u64) -> Raster {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let n = w as usize * h as usize * channels as usize;
    let has_alpha = channels == 2 || channels == 4;
    let px = (0..n).map(|i| {
        let is_alpha = has_alpha && i % channels as usize == channels as usize - 1;
        let v = next();
        match alpha {
            Some(a) if is_alpha => a as u64,
            _ => v,
        }
    });
    let px = if wide {
        Pixels::U16(px.map(|v| (v & 0xffff) as u16).collect())
    } else {
        Pixels::U8(px.map(|v| (v & 0xff) as u8).collect())
    };
    Raster {
        width: w,
        height: h,
        channels,
        px,
    }
}

fn samples(r: &Raster) -> Vec<i64> {
    match &r.px {
        Pixels::U8(d) => d.iter().map(|&v| v.into()).collect(),
        Pixels::U16(d) => d.iter().map(|&v| v.into()).collect(),
    }
}

/// Largest difference between two rasters of one shape; with alpha, colour
/// samples are compared premultiplied (a colour under alpha 0 is no colour).
fn max_diff(a: &Raster, b: &Raster) -> i64 {
    assert_eq!(
        (a.width, a.height, a.channels),
        (b.width, b.height, b.channels)
    );
    let (sa, sb) = (samples(a), samples(b));
    let c = a.channels as usize;
    let max = if matches!(a.px, Pixels::U16(_)) {
        65535
    } else {
        255
    };
    let mut worst = 0;
    for (pa, pb) in sa.chunks(c).zip(sb.chunks(c)) {
        for i in 0..c {
            let d = if (c == 2 || c == 4) && i < c - 1 {
                (pa[i] * pa[c - 1] - pb[i] * pb[c - 1]).abs() / max
            } else {
                (pa[i] - pb[i]).abs()
            };
            worst = worst.max(d);
        }
    }
    worst
}

/// A wide and a tall shape where keeping the window at least halves the
/// work: the wide one resamples horizontally first, the tall one
/// vertically.
const CASES: [(u32, u32, u32, u32, Window); 2] = [
    (
        301,
        7,
        4000,
        90,
        Window {
            left: 1733,
            top: 0,
            width: 97,
            height: 90,
        },
    ),
    (
        7,
        301,
        90,
        4000,
        Window {
            left: 0,
            top: 1733,
            width: 90,
            height: 97,
        },
    ),
];

fn compare(w: u32, h: u32, win: Window, src: &Raster, k: Kernel) -> i64 {
    let want = crop_raster(&resize(src.clone(), w, h, k).unwrap(), win);
    let got = resize_window(src.clone(), w, h, win, k).unwrap();
    max_diff(&got, &want)
}

#[test]
fn window_resize_is_resize_then_crop_up_to_coefficient_rounding() {
    // The window's crop box puts each output pixel's centre at the same
    // place up to floating-point rounding, which can move a fixed-point
    // coefficient by its last unit: ±1 per pass, ±2 after both (seen: 2).
    let mut checked = 0;
    for (case, &(sw, sh, w, h, win)) in CASES.iter().enumerate() {
        for wide in [false, true] {
            assert!(windowed(sw, sh, w, h, win, wide), "case {case} wide {wide}");
            for channels in 1..=4u8 {
                let alphas: &[Option<u16>] = if channels % 2 == 0 {
                    &[None, Some(40)]
                } else {
                    &[None]
                };
                for &alpha in alphas {
                    for (k, kernel) in KERNELS.into_iter().enumerate() {
                        let seed = (case * 100 + usize::from(channels) * 10 + k) as u64;
                        let src = noise(sw, sh, channels, wide, alpha, seed);
                        let d = compare(w, h, win, &src, kernel);
                        let tol = if kernel == Kernel::Nearest { 0 } else { 2 };
                        assert!(d <= tol, "case {case} wide {wide} channels {channels} alpha {alpha:?} {kernel:?}: {d}");
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * 6 * 5);
}

#[test]
fn window_resize_of_photo_strips_is_within_one_level() {
    let photo = photo();
    for (top, rows) in [(400u32, 8u32), (100, 16)] {
        let strip = crop_raster(
            &photo,
            Window {
                left: 0,
                top,
                width: photo.width,
                height: rows,
            },
        );
        for kernel in KERNELS {
            let opts = ResizeOptions {
                width: Some(64),
                height: Some(96),
                kernel,
                ..Default::default()
            };
            let p = plan(strip.width, strip.height, &opts);
            let win = stored_crop(&p, 1, &opts).unwrap();
            assert!(windowed(
                strip.width,
                strip.height,
                p.resize_w,
                p.resize_h,
                win,
                false
            ));
            let d = compare(p.resize_w, p.resize_h, win, &strip, kernel);
            assert!(d <= 1, "rows {top}+{rows} {kernel:?}: {d}");
        }
    }
}

#[test]
fn small_crops_keep_the_one_call_resize_exactly() {
    // A 4:3 photo covered to a square: the window is most of the resize,
    // so it is one resize and a crop, as before.
    let win = Window {
        left: 50,
        top: 0,
        width: 300,
        height: 300,
    };
    assert!(!windowed(800, 600, 400, 300, win, false));
    let src = noise(800, 600, 3, false, None, 7);
    assert_eq!(compare(400, 300, win, &src, Kernel::Lanczos3), 0);
}

#[test]
fn stored_crop_is_the_oriented_crop_for_orientations_1_to_8() {
    for position in [
        Position::Center,
        Position::LeftTop,
        Position::RightBottom,
        Position::Top,
    ] {
        for o in 1..=8u8 {
            // A stored 30×70 resize; displayed 70×30 for o >= 5.
            let (rw, rh) = (30u32, 70u32);
            let (dw, dh) = if o >= 5 { (rh, rw) } else { (rw, rh) };
            let opts = ResizeOptions {
                width: Some(dw / 3),
                height: Some(dh),
                fit: Fit::Cover,
                position,
                ..Default::default()
            };
            let p = plan(dw, dh, &opts);
            let win = stored_crop(&p, o, &opts).expect("a cover crop");
            let r = noise(rw, rh, 3, false, None, u64::from(o));
            let want = crop_or_embed(apply_orientation(r.clone(), o), &p, &opts).unwrap();
            let got = apply_orientation(crop_raster(&r, win), o);
            assert_eq!((got.width, got.height), (want.width, want.height), "o={o}");
            assert_eq!(samples(&got), samples(&want), "o={o} {position:?}");
        }
    }
}

#[test]
fn a_cover_of_an_extreme_strip_keeps_the_one_call_pixels() {
    // A 5×3000 PNG covered to 64×64 resizes to 64×38400 (2.5 MP) to keep
    // 4 K pixels: the pipeline takes the window, and its output is the
    // one-call resize cropped at the centre, up to coefficient rounding.
    let (sw, sh) = (5u32, 3000u32);
    let src = noise(sw, sh, 3, false, None, 11);
    let Pixels::U8(data) = &src.px else {
        unreachable!()
    };
    let png = png_fixture(sw, sh, png::ColorType::Rgb, png::BitDepth::Eight, data);
    let opts = ResizeOptions {
        width: Some(64),
        height: Some(64),
        ..png_out()
    };
    let p = plan(sw, sh, &opts);
    assert_eq!((p.resize_w, p.resize_h), (64, 38400));
    let win = stored_crop(&p, 1, &opts).unwrap();
    let want_win = Window {
        left: 0,
        top: 19168,
        width: 64,
        height: 64,
    };
    assert_eq!(win, want_win);
    assert!(windowed(sw, sh, p.resize_w, p.resize_h, win, false));
    let out = run(&png, &opts).unwrap();
    let got = decode_any(&out.data);
    assert_eq!((got.0, got.1, got.2), (64, 64, 3));
    let full = resize(src, p.resize_w, p.resize_h, opts.kernel).unwrap();
    let Pixels::U8(want) = crop_or_embed(full, &p, &opts).unwrap().px else {
        unreachable!()
    };
    let worst = got.3.iter().zip(&want).map(|(a, b)| a.abs_diff(*b)).max();
    assert!(worst <= Some(2), "worst difference {worst:?}");
}

/// The committed CC0 photo (`__test__/fixtures/resize/README.md`), decoded.
fn photo() -> Raster {
    let jpg = std::fs::read(format!(
        "{}/__test__/fixtures/resize/seeding_1600.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (m, e) = metadata::probe(&jpg).unwrap();
    decode::decode(&jpg, &m, &e, 1, None, &Checkpoint::none()).unwrap()
}
