//! Pixel geometry on the (already resized, hence small) raster: EXIF
//! orientation 1–8, `cover` crop and `contain` embed.

use super::resample::{crop_raster, Canvas, Plan, Window};
use super::{Pixels, Position, Raster, ResizeOptions};
use crate::tasks::TaskError;

/// Maps an output pixel (x, y) of an oriented image to its stored position.
/// `w`, `h` are the STORED dimensions.
fn source_of(o: u8, x: usize, y: usize, w: usize, h: usize) -> (usize, usize) {
    match o {
        2 => (w - 1 - x, y),         // mirror horizontal
        3 => (w - 1 - x, h - 1 - y), // rotate 180
        4 => (x, h - 1 - y),         // mirror vertical
        5 => (y, x),                 // transpose
        6 => (y, h - 1 - x),         // rotate 90 CW
        7 => (w - 1 - y, h - 1 - x), // transverse
        8 => (w - 1 - y, x),         // rotate 270 CW
        _ => (x, y),
    }
}

fn reorient<T: Copy>(d: &[T], w: usize, h: usize, c: usize, o: u8) -> Vec<T> {
    let (ow, oh) = if o >= 5 { (h, w) } else { (w, h) };
    let mut out = Vec::with_capacity(d.len());
    for y in 0..oh {
        for x in 0..ow {
            let (sx, sy) = source_of(o, x, y, w, h);
            let i = (sy * w + sx) * c;
            out.extend_from_slice(&d[i..i + c]);
        }
    }
    out
}

/// Applies EXIF orientation `o` (1 or unknown values: unchanged).
pub(crate) fn apply_orientation(r: Raster, o: u8) -> Raster {
    if !(2..=8).contains(&o) {
        return r;
    }
    let (w, h, c) = (r.width as usize, r.height as usize, r.channels as usize);
    let px = match &r.px {
        Pixels::U8(d) => Pixels::U8(reorient(d, w, h, c, o)),
        Pixels::U16(d) => Pixels::U16(reorient(d, w, h, c, o)),
    };
    let (width, height) = if o >= 5 {
        (r.height, r.width)
    } else {
        (r.width, r.height)
    };
    Raster {
        width,
        height,
        channels: r.channels,
        px,
    }
}

#[allow(clippy::too_many_arguments)]
fn embed<T: Copy>(
    d: &[T],
    w: usize,
    h: usize,
    c: usize,
    l: usize,
    t: usize,
    ow: usize,
    oh: usize,
    bg: &[T],
) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(ow * oh * c);
    for _ in 0..ow * oh {
        out.extend_from_slice(bg);
    }
    for y in 0..h {
        let dst = ((t + y) * ow + l) * c;
        out[dst..dst + w * c].copy_from_slice(&d[y * w * c..(y + 1) * w * c]);
    }
    out
}

/// Adds an opaque alpha channel (gray → gray+alpha, RGB → RGBA).
pub(crate) fn add_alpha(r: Raster) -> Raster {
    if r.channels.is_multiple_of(2) {
        return r;
    }
    let c = r.channels as usize;
    fn go<T: Copy>(d: &[T], c: usize, max: T) -> Vec<T> {
        let mut out = Vec::with_capacity(d.len() / c * (c + 1));
        for p in d.chunks_exact(c) {
            out.extend_from_slice(p);
            out.push(max);
        }
        out
    }
    let px = match &r.px {
        Pixels::U8(d) => Pixels::U8(go(d, c, u8::MAX)),
        Pixels::U16(d) => Pixels::U16(go(d, c, u16::MAX)),
    };
    Raster {
        channels: r.channels + 1,
        px,
        ..r
    }
}

/// Expands gray (1/2 channels) to RGB (3/4 channels).
pub(crate) fn gray_to_rgb(r: Raster) -> Raster {
    if r.channels > 2 {
        return r;
    }
    let alpha = r.channels == 2;
    fn go<T: Copy>(d: &[T], alpha: bool) -> Vec<T> {
        let c = if alpha { 2 } else { 1 };
        let mut out = Vec::with_capacity(d.len() / c * (c + 2));
        for p in d.chunks_exact(c) {
            out.extend_from_slice(&[p[0], p[0], p[0]]);
            if alpha {
                out.push(p[1]);
            }
        }
        out
    }
    let px = match &r.px {
        Pixels::U8(d) => Pixels::U8(go(d, alpha)),
        Pixels::U16(d) => Pixels::U16(go(d, alpha)),
    };
    Raster {
        channels: r.channels + 2,
        px,
        ..r
    }
}

/// The plan's `cover` crop mapped from oriented space onto the stored
/// resized image (`rw`×`rh`, before [`apply_orientation`]), so the resize
/// can keep only it (see [`super::resample::resize_window`]). `None` when
/// there is no crop, or when its place depends on the whole resized image
/// (`entropy`).
pub(crate) fn stored_crop(plan: &Plan, orientation: u8, o: &ResizeOptions) -> Option<Window> {
    let Canvas::Crop { left, top } = plan.canvas else {
        return None;
    };
    if o.position == Position::Entropy {
        return None;
    }
    let (rw, rh) = if orientation >= 5 {
        (plan.resize_h, plan.resize_w)
    } else {
        (plan.resize_w, plan.resize_h)
    };
    let (x0, y0) = (left as usize, top as usize);
    let (x1, y1) = (x0 + plan.out_w as usize - 1, y0 + plan.out_h as usize - 1);
    let (ax, ay) = source_of(orientation, x0, y0, rw as usize, rh as usize);
    let (bx, by) = source_of(orientation, x1, y1, rw as usize, rh as usize);
    Some(Window {
        left: ax.min(bx) as u32,
        top: ay.min(by) as u32,
        width: (ax.abs_diff(bx) + 1) as u32,
        height: (ay.abs_diff(by) + 1) as u32,
    })
}

/// Applies the plan's `cover` crop or `contain` embed (oriented space).
pub(crate) fn crop_or_embed(
    r: Raster,
    plan: &Plan,
    o: &ResizeOptions,
) -> Result<Raster, TaskError> {
    let (ow, oh) = (plan.out_w as usize, plan.out_h as usize);
    match plan.canvas {
        Canvas::None => Ok(r),
        Canvas::Crop { left, top } => {
            let (left, top) = if o.position == Position::Entropy {
                entropy_crop(&r, plan.out_w, plan.out_h)
            } else {
                (left, top)
            };
            let win = Window {
                left,
                top,
                width: plan.out_w,
                height: plan.out_h,
            };
            Ok(crop_raster(&r, win))
        }
        Canvas::Embed { left, top } => {
            let [br, bgg, bb, ba] = o.background;
            let mut r = r;
            // A coloured background needs RGB; a translucent one needs alpha.
            if !(br == bgg && bgg == bb) {
                r = gray_to_rgb(r);
            }
            if ba != 255 {
                r = add_alpha(r);
            }
            let bg8: Vec<u8> = match r.channels {
                1 => vec![br],
                2 => vec![br, ba],
                3 => vec![br, bgg, bb],
                _ => vec![br, bgg, bb, ba],
            };
            let (w, h, c) = (r.width as usize, r.height as usize, r.channels as usize);
            let (l, t) = (left as usize, top as usize);
            let px = match &r.px {
                Pixels::U8(d) => Pixels::U8(embed(d, w, h, c, l, t, ow, oh, &bg8)),
                Pixels::U16(d) => {
                    let bg16: Vec<u16> = bg8.iter().map(|&v| v as u16 * 257).collect();
                    Pixels::U16(embed(d, w, h, c, l, t, ow, oh, &bg16))
                }
            };
            Ok(Raster {
                width: plan.out_w,
                height: plan.out_h,
                channels: r.channels,
                px,
            })
        }
    }
}

/// Shannon entropy (bits) of the 8-bit luma histogram of a region.
fn region_entropy(r: &Raster, x0: u32, y0: u32, w: u32, h: u32) -> f64 {
    let mut hist = [0u32; 256];
    let c = r.channels as usize;
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let i = (y as usize * r.width as usize + x as usize) * c;
            let v = |k: usize| -> u32 {
                match &r.px {
                    Pixels::U8(d) => d[i + k] as u32,
                    Pixels::U16(d) => (d[i + k] >> 8) as u32,
                }
            };
            let luma = if c >= 3 {
                (v(0) * 77 + v(1) * 150 + v(2) * 29) >> 8
            } else {
                v(0)
            };
            hist[luma as usize] += 1;
        }
    }
    let n = (w * h) as f64;
    hist.iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// libvips smartcrop "entropy": repeatedly drop the lower-entropy edge
/// slice (1/8 of the excess) until the target size remains. Matches sharp's
/// choice on some photos, not all (libvips details differ).
fn entropy_crop(r: &Raster, tw: u32, th: u32) -> (u32, u32) {
    let (mut left, mut top, mut w, mut h) = (0, 0, r.width, r.height);
    let max_sw = (r.width - tw).div_ceil(8).max(1);
    while w > tw {
        let sw = (w - tw).min(max_sw);
        let l = region_entropy(r, left, top, sw, h);
        let rt = region_entropy(r, left + w - sw, top, sw, h);
        if l < rt {
            left += sw;
        }
        w -= sw;
    }
    let max_sh = (r.height - th).div_ceil(8).max(1);
    while h > th {
        let sh = (h - th).min(max_sh);
        let t = region_entropy(r, left, top, w, sh);
        let b = region_entropy(r, left, top + h - sh, w, sh);
        if t < b {
            top += sh;
        }
        h -= sh;
    }
    (left, top)
}
