//! Output geometry (sharp's `ResolveShrink`, crop and embed rules) and the
//! resampling step itself (`fast_image_resize`: SIMD convolution, alpha
//! premultiplied during the resize, u16 kept for 16-bit inputs).

use super::{err, Fit, Kernel, Pixels, Position, Raster, ResizeOptions};
use crate::tasks::{ErrorCode, TaskError};
use fast_image_resize as fr;

/// What happens after the resize, in oriented (display) space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Canvas {
    /// The resized image is the output.
    None,
    /// `cover`: extract `out_w`×`out_h` at (`left`, `top`).
    Crop { left: u32, top: u32 },
    /// `contain`: place the image at (`left`, `top`) on an `out_w`×`out_h` background.
    Embed { left: u32, top: u32 },
}

/// The resolved geometry for one resize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plan {
    /// Horizontal shrink factor (input / resized); < 1 enlarges.
    pub hshrink: f64,
    /// Vertical shrink factor.
    pub vshrink: f64,
    /// Size after resampling, before crop/embed.
    pub resize_w: u32,
    pub resize_h: u32,
    /// Final output size.
    pub out_w: u32,
    pub out_h: u32,
    pub canvas: Canvas,
}

/// Computes sharp's geometry for an (already oriented) `iw`×`ih` input.
pub(crate) fn plan(iw: u32, ih: u32, o: &ResizeOptions) -> Plan {
    let (tw, th) = (o.width.unwrap_or(0), o.height.unwrap_or(0));
    let (fw, fh) = (iw as f64, ih as f64);
    let (mut hs, mut vs) = (1.0f64, 1.0f64);
    if tw > 0 && th > 0 {
        hs = fw / tw as f64;
        vs = fh / th as f64;
        match o.fit {
            Fit::Cover | Fit::Outside => {
                let m = hs.min(vs);
                (hs, vs) = (m, m);
            }
            Fit::Contain | Fit::Inside => {
                let m = hs.max(vs);
                (hs, vs) = (m, m);
            }
            Fit::Fill => {}
        }
    } else if tw > 0 {
        hs = fw / tw as f64;
        if o.fit != Fit::Fill {
            vs = hs;
        }
    } else if th > 0 {
        vs = fh / th as f64;
        if o.fit != Fit::Fill {
            hs = vs;
        }
    }
    if o.without_enlargement {
        hs = hs.max(1.0);
        vs = vs.max(1.0);
    }
    hs = hs.min(fw);
    vs = vs.min(fh);
    let resize_w = ((fw / hs).round() as u32).max(1);
    let resize_h = ((fh / vs).round() as u32).max(1);
    // Target box: an unspecified side takes the resized size.
    let bw = if tw > 0 { tw } else { resize_w };
    let bh = if th > 0 { th } else { resize_h };
    let (mut out_w, mut out_h, mut canvas) = (resize_w, resize_h, Canvas::None);
    if (resize_w, resize_h) != (bw, bh) {
        match o.fit {
            Fit::Contain => {
                out_w = resize_w.max(bw);
                out_h = resize_h.max(bh);
                let (l, t) = embed_position(resize_w, resize_h, out_w, out_h, o.position);
                canvas = Canvas::Embed { left: l, top: t };
            }
            Fit::Cover => {
                out_w = bw.min(resize_w);
                out_h = bh.min(resize_h);
                let (l, t) = crop_position(resize_w, resize_h, out_w, out_h, o.position);
                canvas = Canvas::Crop { left: l, top: t };
            }
            _ => {}
        }
    }
    Plan {
        hshrink: hs,
        vshrink: vs,
        resize_w,
        resize_h,
        out_w,
        out_h,
        canvas,
    }
}

/// (horizontal, vertical) placement: 0 = left/top, 1 = centre, 2 = right/bottom.
fn gravity(p: Position) -> (u8, u8) {
    match p {
        Position::Center | Position::Entropy => (1, 1),
        Position::Top => (1, 0),
        Position::RightTop => (2, 0),
        Position::Right => (2, 1),
        Position::RightBottom => (2, 2),
        Position::Bottom => (1, 2),
        Position::LeftBottom => (0, 2),
        Position::Left => (0, 1),
        Position::LeftTop => (0, 0),
    }
}

/// sharp's `CalculateCrop`: centring rounds the offset up.
fn crop_position(iw: u32, ih: u32, ow: u32, oh: u32, p: Position) -> (u32, u32) {
    let place = |g: u8, i: u32, o: u32| match g {
        0 => 0,
        1 => (i - o).div_ceil(2),
        _ => i - o,
    };
    let (gx, gy) = gravity(p);
    (place(gx, iw, ow), place(gy, ih, oh))
}

/// sharp's `CalculateEmbedPosition`: centring rounds the offset down.
fn embed_position(iw: u32, ih: u32, ow: u32, oh: u32, p: Position) -> (u32, u32) {
    let place = |g: u8, i: u32, o: u32| match g {
        0 => 0,
        1 => (o - i) / 2,
        _ => o - i,
    };
    let (gx, gy) = gravity(p);
    (place(gx, iw, ow), place(gy, ih, oh))
}

fn pixel_type(channels: u8, wide: bool) -> fr::PixelType {
    use fr::PixelType as P;
    match (channels, wide) {
        (1, false) => P::U8,
        (2, false) => P::U8x2,
        (3, false) => P::U8x3,
        (4, false) => P::U8x4,
        (1, true) => P::U16,
        (2, true) => P::U16x2,
        (3, true) => P::U16x3,
        _ => P::U16x4,
    }
}

fn algorithm(k: Kernel) -> fr::ResizeAlg {
    use fr::FilterType as F;
    match k {
        Kernel::Nearest => fr::ResizeAlg::Nearest,
        Kernel::Linear => fr::ResizeAlg::Convolution(F::Bilinear),
        Kernel::Cubic => fr::ResizeAlg::Convolution(F::CatmullRom),
        Kernel::Mitchell => fr::ResizeAlg::Convolution(F::Mitchell),
        Kernel::Lanczos3 => fr::ResizeAlg::Convolution(F::Lanczos3),
    }
}

fn u16_bytes(v: &[u16]) -> &[u8] {
    // SAFETY: any initialised u16 memory is valid as twice as many u8s (u8
    // has alignment 1 and no invalid bit patterns); the length is exact and
    // the borrow keeps `v` alive and unaliased for the returned lifetime.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

fn u16_bytes_mut(v: &mut [u16]) -> &mut [u8] {
    // SAFETY: as in `u16_bytes`; additionally every u8 pattern written
    // through the view forms a valid u16, and `v` is exclusively borrowed.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

/// A rectangle of the resized image, in stored (not yet oriented) pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// Resamples `src` to `w`×`h` and keeps only `win` of the result.
///
/// When the window is a small part of `w`×`h` (an extreme aspect ratio
/// under `cover`), the two separable passes run as two calls, in the order
/// fast_image_resize runs them in one (vertical first for 8-bit samples,
/// horizontal first for 16-bit), each computing only the window's rows or
/// columns: its source crop box is the window scaled back onto the
/// source, fractional. The work is then bounded by the input and the
/// output instead of the resized size (a 545-byte 56319×9 GIF covered to
/// 96×128 resampled 800,981×128 = 102 MP to keep 12 K). A crop box is only
/// ever given to a one-direction pass: fast_image_resize 6.1 read past its
/// buffer when one call did both passes of a cropped resize (see
/// BENCHMARKS.md, fuzzing). Alpha is premultiplied once around both passes,
/// as in one call. The coefficients are those of the one-call resize up to
/// floating-point rounding of the window's offset (tests bound the result).
/// Otherwise it is one [`resize`] and a crop.
pub(crate) fn resize_window(
    src: Raster,
    w: u32,
    h: u32,
    win: Window,
    kernel: Kernel,
) -> Result<Raster, TaskError> {
    let wide = matches!(src.px, Pixels::U16(_));
    if !windowed(src.width, src.height, w, h, win, wide) {
        let r = resize(src, w, h, kernel)?;
        return Ok(crop_raster(&r, win));
    }
    let (sw, sh) = (f64::from(src.width), f64::from(src.height));
    // The window on the source's axes: (offset, length) in source pixels.
    let x = (
        f64::from(win.left) * sw / f64::from(w),
        f64::from(win.width) * sw / f64::from(w),
    );
    let y = (
        f64::from(win.top) * sh / f64::from(h),
        f64::from(win.height) * sh / f64::from(h),
    );
    let mut r = src;
    let alpha = matches!(r.channels, 2 | 4);
    if alpha {
        mul_div_alpha(&mut r, true)?;
    }
    // One direction each: the window's columns, then its rows (or the
    // other way round), over every row (column) of what they are given.
    let across = |r: Raster| {
        let rows = r.height;
        resize_pass(r, (x.0, 0.0, x.1, f64::from(rows)), win.width, rows, kernel)
    };
    let down = |r: Raster| {
        let cols = r.width;
        resize_pass(
            r,
            (0.0, y.0, f64::from(cols), y.1),
            cols,
            win.height,
            kernel,
        )
    };
    r = if wide {
        down(across(r)?)?
    } else {
        across(down(r)?)?
    };
    if alpha {
        mul_div_alpha(&mut r, false)?;
    }
    Ok(r)
}

/// Whether [`resize_window`] computes only the window: when that at least
/// halves the pixels the two passes write.
pub(crate) fn windowed(sw: u32, sh: u32, w: u32, h: u32, win: Window, wide: bool) -> bool {
    let (sw, sh, w, h) = (u64::from(sw), u64::from(sh), u64::from(w), u64::from(h));
    let (ww, wh) = (u64::from(win.width), u64::from(win.height));
    let (whole, window) = if wide {
        // Horizontal pass first.
        (w * sh + w * h, ww * sh + ww * wh)
    } else {
        (sw * h + w * h, sw * wh + ww * wh)
    };
    window * 2 <= whole
}

/// Premultiplies (`multiply`) or divides the colour of a 2- or 4-channel
/// raster by its alpha, in place, as fast_image_resize does around a resize.
fn mul_div_alpha(r: &mut Raster, multiply: bool) -> Result<(), TaskError> {
    let wide = matches!(r.px, Pixels::U16(_));
    let pt = pixel_type(r.channels, wide);
    let (w, h) = (r.width, r.height);
    let bytes = match &mut r.px {
        Pixels::U8(d) => d.as_mut_slice(),
        Pixels::U16(d) => u16_bytes_mut(d),
    };
    let mut img = fr::images::Image::from_slice_u8(w, h, bytes, pt)
        .map_err(|e| err(ErrorCode::Decode, format!("Resize buffer: {e}")))?;
    let md = fr::MulDiv::default();
    let done = if multiply {
        md.multiply_alpha_inplace(&mut img)
    } else {
        md.divide_alpha_inplace(&mut img)
    };
    done.map_err(|e| err(ErrorCode::Decode, format!("Resize alpha: {e}")))
}

/// `win` of `r` (which must contain it).
pub(crate) fn crop_raster(r: &Raster, win: Window) -> Raster {
    fn rows<T: Copy>(d: &[T], w: usize, c: usize, win: Window) -> Vec<T> {
        let (l, t) = (win.left as usize, win.top as usize);
        let (ow, oh) = (win.width as usize, win.height as usize);
        let mut out = Vec::with_capacity(ow * oh * c);
        for y in t..t + oh {
            let s = (y * w + l) * c;
            out.extend_from_slice(&d[s..s + ow * c]);
        }
        out
    }
    let (w, c) = (r.width as usize, r.channels as usize);
    let px = match &r.px {
        Pixels::U8(d) => Pixels::U8(rows(d, w, c, win)),
        Pixels::U16(d) => Pixels::U16(rows(d, w, c, win)),
    };
    Raster {
        width: win.width,
        height: win.height,
        channels: r.channels,
        px,
    }
}

/// Resamples `src` to `w`×`h` (no-op when the size already matches).
pub(crate) fn resize(src: Raster, w: u32, h: u32, kernel: Kernel) -> Result<Raster, TaskError> {
    if src.width == w && src.height == h {
        return Ok(src);
    }
    let opts = fr::ResizeOptions::new().resize_alg(algorithm(kernel));
    resample(src, w, h, &opts)
}

/// One pass of [`resize_window`]: the `(left, top, width, height)` crop box
/// of `src` (changed in one direction only) to `w`×`h`, alpha already
/// premultiplied.
fn resize_pass(
    src: Raster,
    crop: (f64, f64, f64, f64),
    w: u32,
    h: u32,
    kernel: Kernel,
) -> Result<Raster, TaskError> {
    let opts = fr::ResizeOptions::new()
        .resize_alg(algorithm(kernel))
        .use_alpha(false)
        .crop(crop.0, crop.1, crop.2, crop.3);
    resample(src, w, h, &opts)
}

fn resample(src: Raster, w: u32, h: u32, opts: &fr::ResizeOptions) -> Result<Raster, TaskError> {
    let n = w as usize * h as usize * src.channels as usize;
    let wide = matches!(src.px, Pixels::U16(_));
    let pt = pixel_type(src.channels, wide);
    let mut resizer = fr::Resizer::new();
    let fail = |e: fr::ResizeError| err(ErrorCode::Decode, format!("Resize failed: {e}"));
    let bad_buf = |e: fr::ImageBufferError| err(ErrorCode::Decode, format!("Resize buffer: {e}"));
    let px = match &src.px {
        Pixels::U8(data) => {
            let s = fr::images::ImageRef::new(src.width, src.height, data, pt).map_err(bad_buf)?;
            let mut out = vec![0u8; n];
            let mut d = fr::images::Image::from_slice_u8(w, h, &mut out, pt).map_err(bad_buf)?;
            resizer.resize(&s, &mut d, opts).map_err(fail)?;
            Pixels::U8(out)
        }
        Pixels::U16(data) => {
            let s = fr::images::ImageRef::new(src.width, src.height, u16_bytes(data), pt)
                .map_err(bad_buf)?;
            let mut out = vec![0u16; n];
            let mut d = fr::images::Image::from_slice_u8(w, h, u16_bytes_mut(&mut out), pt)
                .map_err(bad_buf)?;
            resizer.resize(&s, &mut d, opts).map_err(fail)?;
            Pixels::U16(out)
        }
    };
    Ok(Raster {
        width: w,
        height: h,
        channels: src.channels,
        px,
    })
}
