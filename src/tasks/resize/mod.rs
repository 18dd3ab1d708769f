//! Image resize kernel: decode (JPEG/PNG/WebP/GIF/BMP/TIFF) → resize
//! (sharp's `fit`/`position` semantics) → EXIF auto-orient → crop/embed →
//! encode (JPEG/PNG/WebP).
//!
//! Pipeline and where each step lives:
//! 1. [`metadata`] parses headers only; pixel limits are checked there,
//!    before any pixel buffer is allocated.
//! 2. [`decode`] decodes; JPEGs use libjpeg DCT scaling (shrink-on-load,
//!    1/2, 1/4, 1/8) like libvips, so a 20 MP photo → 800 px never
//!    materialises at full size.
//! 3. [`resample`] computes sharp's output geometry and resamples with
//!    `fast_image_resize` (SIMD; alpha premultiplied; u16 kept for 16-bit).
//! 4. [`orient`] applies EXIF orientation and the crop (`cover`) or embed
//!    (`contain`) on the already small image.
//! 5. [`encode`] writes JPEG (jpeg-encoder), PNG (png) or WebP (libwebp).
//!
//! Colour management ([`color`], qcms): by default an embedded non-sRGB
//! profile is applied to 8-bit RGB(A) pixels (after the resize, where it is
//! cheap) and the output carries no profile, like sharp. With
//! `keep_metadata` the pixels are untouched and the profile is embedded
//! (JPEG/PNG; WebP output never carries one). CMYK JPEGs go through their
//! embedded CMYK profile, or the naive formula when there is none (sharp
//! would use a built-in CMYK profile). 16-bit and gray inputs are not
//! converted.

mod color;
mod decode;
pub mod encode;
mod metadata;
mod orient;
mod resample;
#[cfg(test)]
mod tests;

pub use encode::{encode_rgba8, encode_rgba8_level, EncodeOptions};
pub use metadata::{metadata, Metadata};

use crate::tasks::{Checkpoint, ErrorCode, TaskError};

/// Image container formats. Outputs are limited to Jpeg, Png and Webp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG (JFIF/EXIF).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (lossy or lossless).
    Webp,
    /// GIF (input only; first frame).
    Gif,
    /// BMP (input only).
    Bmp,
    /// TIFF (input only; first page).
    Tiff,
}

impl Format {
    /// Lower-case name as sharp reports it (`"jpeg"`, `"png"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
        }
    }
}

/// How the image fits `width`×`height` (sharp's `fit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fit {
    /// Keep aspect, cover both dimensions, crop the overflow at `position`.
    #[default]
    Cover,
    /// Keep aspect, fit inside, pad with `background` at `position`.
    Contain,
    /// Ignore aspect, stretch to exactly `width`×`height`.
    Fill,
    /// Keep aspect, as large as possible while ≤ both dimensions.
    Inside,
    /// Keep aspect, as small as possible while ≥ both dimensions.
    Outside,
}

/// Gravity for `cover` crops and `contain` padding (sharp's `position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Position {
    /// Centre (default).
    #[default]
    Center,
    /// North.
    Top,
    /// North-east.
    RightTop,
    /// East.
    Right,
    /// South-east.
    RightBottom,
    /// South.
    Bottom,
    /// South-west.
    LeftBottom,
    /// West.
    Left,
    /// North-west.
    LeftTop,
    /// `cover` only: keep the region with the highest luminance entropy
    /// (sharp's `strategy.entropy`, libvips smartcrop); centre for `contain`.
    Entropy,
}

/// Resampling kernel (sharp's `kernel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// Nearest neighbour.
    Nearest,
    /// Bilinear (triangle).
    Linear,
    /// Catmull-Rom bicubic.
    Cubic,
    /// Mitchell-Netravali bicubic.
    Mitchell,
    /// Lanczos, a = 3 (default).
    #[default]
    Lanczos3,
}

/// Options for [`resize`]; semantics follow sharp's `resize()` and output options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResizeOptions {
    /// Target width in pixels, 1..=65535. `None`: derived from `height`
    /// keeping aspect (both `None`: no resize). Default: `None`.
    pub width: Option<u32>,
    /// Target height in pixels, 1..=65535. Default: `None`.
    pub height: Option<u32>,
    /// How to fit when both dimensions are given. Default: `Fit::Cover`.
    pub fit: Fit,
    /// Crop/pad gravity for `Cover`/`Contain`. Default: `Position::Center`.
    pub position: Position,
    /// RGBA used for `Contain` padding and for flattening alpha into JPEG.
    /// Default: `[0, 0, 0, 255]` (opaque black, as sharp).
    pub background: [u8; 4],
    /// Never upscale (sharp's `withoutEnlargement`). Default: `false`.
    pub without_enlargement: bool,
    /// Resampling kernel. Default: `Kernel::Lanczos3`.
    pub kernel: Kernel,
    /// Output format; `None` = input's (GIF/BMP/TIFF → PNG). Only Jpeg, Png,
    /// Webp are valid. Default: `None`.
    pub format: Option<Format>,
    /// JPEG/WebP quality 1..=100. Default: 80.
    pub quality: u8,
    /// Progressive JPEG / interlaced PNG. Default: `false`.
    pub progressive: bool,
    /// WebP lossless when true (quality then trades size for speed). Default: `false`.
    pub lossless: bool,
    /// CPU effort: WebP method 0..=6 (default 4, as sharp). Default: 4.
    pub effort: u8,
    /// PNG zlib level 0..=9 (sharp's `compressionLevel`, default 6). Default: 6.
    pub compression_level: u8,
    /// Apply EXIF orientation 1–8; the output carries no orientation tag.
    /// Default: `true`.
    pub auto_orient: bool,
    /// false: convert 8-bit RGB(A) from an embedded ICC profile to sRGB and
    /// embed no profile (sharp's default). true: leave pixels untouched and
    /// embed the input's profile (JPEG/PNG outputs; not WebP). EXIF/XMP
    /// are always stripped. Default: `false`.
    pub keep_metadata: bool,
    /// Max input width×height; 0 disables. Default: 268_402_689 (sharp's 0x3FFF²).
    pub max_input_pixels: u64,
    /// Max bytes of the decoded image (width × height × channels × bytes per
    /// sample, from the header); 0 disables. Bounds what a small,
    /// highly compressed file may inflate to (a 2 MB PNG can claim 2 GB of
    /// 16-bit RGBA). Default: 1 GiB (a `max_input_pixels` image in RGBA8).
    pub max_decoded_bytes: u64,
    /// JPEG shrink-on-load may go down to exactly the target size (sharp's
    /// `fastShrinkOnLoad`, default true); false keeps ≥ 2× target for the
    /// final resample. Default: `true`.
    pub fast_shrink_on_load: bool,
}

impl Default for ResizeOptions {
    fn default() -> Self {
        ResizeOptions {
            width: None,
            height: None,
            fit: Fit::Cover,
            position: Position::Center,
            background: [0, 0, 0, 255],
            without_enlargement: false,
            kernel: Kernel::Lanczos3,
            format: None,
            quality: 80,
            progressive: false,
            lossless: false,
            effort: 4,
            compression_level: 6,
            auto_orient: true,
            keep_metadata: false,
            max_input_pixels: 268_402_689,
            max_decoded_bytes: 1 << 30,
            fast_shrink_on_load: true,
        }
    }
}

/// The encoded image and its final geometry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResizeOutput {
    /// Encoded bytes.
    pub data: Vec<u8>,
    /// Output format.
    pub format: Format,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Channels in the encoded image (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
    pub channels: u8,
}

/// Largest output, in pixels (same cap as the default input limit).
pub(crate) const MAX_OUTPUT_PIXELS: u64 = 268_402_689;

/// Decoded pixels, interleaved, `channels` per pixel (1, 2, 3 or 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pixels {
    /// 8-bit samples.
    U8(Vec<u8>),
    /// 16-bit samples (native endian).
    U16(Vec<u16>),
}

/// A decoded image: straight (non-premultiplied) alpha if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Raster {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub px: Pixels,
}

pub(crate) fn err(code: ErrorCode, msg: impl Into<String>) -> TaskError {
    TaskError::new(code, msg)
}

fn validate(o: &ResizeOptions) -> Result<(), TaskError> {
    for (name, v) in [("options.width", o.width), ("options.height", o.height)] {
        if let Some(v) = v.filter(|v| !(1..=65535).contains(v)) {
            return Err(TaskError::int_range(name, 1, 65535, v));
        }
    }
    if !(1..=100).contains(&o.quality) {
        return Err(TaskError::int_range("options.quality", 1, 100, o.quality));
    }
    if o.effort > 6 {
        return Err(TaskError::int_range("options.effort", 0, 6, o.effort));
    }
    if o.compression_level > 9 {
        let level = o.compression_level;
        return Err(TaskError::int_range(
            "options.compressionLevel",
            0,
            9,
            level,
        ));
    }
    if let Some(f) = o
        .format
        .filter(|f| !matches!(f, Format::Jpeg | Format::Png | Format::Webp))
    {
        return Err(TaskError::arg_value(
            "options.format",
            "one of 'jpeg', 'png', 'webp'",
            crate::tasks::received_string(f.name()),
        ));
    }
    Ok(())
}

/// Decodes `input`, resizes it per `opts` (sharp semantics) and encodes it.
///
/// Errors: ERR_INVALID_ARG_VALUE (bad option), ERR_UNSUPPORTED_FORMAT
/// (unknown container or variant), ERR_DECODE (corrupt/truncated input),
/// ERR_LIMIT (input over `max_input_pixels` or `max_decoded_bytes`; output over 268 MP or over the
/// format's side limit: WebP 16383, JPEG 65535), ERR_ENCODE, ABORT_ERR
/// (checkpoint fired).
pub fn resize(
    input: &[u8],
    opts: &ResizeOptions,
    cp: &Checkpoint,
) -> Result<ResizeOutput, TaskError> {
    validate(opts)?;
    let (meta, extra) = metadata::probe(input)?;
    let pixels = meta.width as u64 * meta.height as u64;
    if opts.max_input_pixels != 0 && pixels > opts.max_input_pixels {
        return Err(err(
            ErrorCode::Limit,
            format!(
                "Input image exceeds pixel limit: {}x{} = {pixels} > maxInputPixels {}",
                meta.width, meta.height, opts.max_input_pixels
            ),
        ));
    }
    let decoded = pixels * meta.channels as u64 * (meta.bit_depth as u64).div_ceil(8);
    if opts.max_decoded_bytes != 0 && decoded > opts.max_decoded_bytes {
        return Err(err(
            ErrorCode::Limit,
            format!(
                "Input image would decode to {decoded} bytes ({}x{}, {} channels, {}-bit) > maxDecodedBytes {}",
                meta.width, meta.height, meta.channels, meta.bit_depth, opts.max_decoded_bytes
            ),
        ));
    }
    let orientation = if opts.auto_orient {
        meta.orientation.unwrap_or(1)
    } else {
        1
    };
    let swap = orientation >= 5;
    let (ow, oh) = if swap {
        (meta.height, meta.width)
    } else {
        (meta.width, meta.height)
    };
    let plan = resample::plan(ow, oh, opts);
    let out_format = opts.format.unwrap_or(match meta.format {
        Format::Jpeg => Format::Jpeg,
        Format::Webp => Format::Webp,
        _ => Format::Png,
    });
    check_output(plan.out_w, plan.out_h, out_format)?;
    check_output(plan.resize_w, plan.resize_h, Format::Png)?;

    // Shrink-on-load: DCT-domain downscale for JPEG when the resize allows.
    let shrink = plan.hshrink.min(plan.vshrink);
    let factor = if opts.fast_shrink_on_load { 1.0 } else { 2.0 };
    let jpeg_scale = [8u8, 4, 2]
        .into_iter()
        .find(|&s| shrink >= s as f64 * factor)
        .unwrap_or(1);
    let icc = if meta.has_icc {
        decode::icc_profile(input, meta.format)
    } else {
        None
    };
    let raster = decode::decode(input, &meta, &extra, jpeg_scale, icc.as_deref(), cp)?;
    cp.check()?;

    let (rw, rh) = if swap {
        (plan.resize_h, plan.resize_w)
    } else {
        (plan.resize_w, plan.resize_h)
    };
    let mut raster = match orient::stored_crop(&plan, orientation, opts) {
        // `cover`: resample only what the crop keeps (when that saves work).
        Some(win) => {
            let raster = resample::resize_window(raster, rw, rh, win, opts.kernel)?;
            cp.check()?;
            orient::apply_orientation(raster, orientation)
        }
        None => {
            let raster = resample::resize(raster, rw, rh, opts.kernel)?;
            cp.check()?;
            let raster = orient::apply_orientation(raster, orientation);
            orient::crop_or_embed(raster, &plan, opts)?
        }
    };
    // Colour: convert to sRGB (default) or keep the profile. A CMYK
    // profile was already applied by the decoder and is never embedded.
    let cmyk = meta.format == Format::Jpeg && meta.channels == 4;
    let icc = match icc {
        Some(_) if cmyk => None,
        Some(p) if !opts.keep_metadata => {
            color::rgb_to_srgb(&mut raster, &p);
            None
        }
        other => other,
    };
    cp.check()?;

    let enc = encode::EncodeOptions {
        format: out_format,
        quality: opts.quality,
        progressive: opts.progressive,
        effort: opts.effort,
        background: opts.background,
    };
    let params = encode::Params {
        lossless: opts.lossless,
        compression_level: opts.compression_level,
        icc: icc.as_deref(),
    };
    let (data, channels) = encode::encode_raster(&raster, &enc, &params)?;
    Ok(ResizeOutput {
        data,
        format: out_format,
        width: raster.width,
        height: raster.height,
        channels,
    })
}

/// Output size guard: total pixels, and per-format dimension limits.
pub(crate) fn check_output(w: u32, h: u32, f: Format) -> Result<(), TaskError> {
    if w as u64 * h as u64 > MAX_OUTPUT_PIXELS {
        return Err(err(
            ErrorCode::Limit,
            format!("Output {w}x{h} exceeds the {MAX_OUTPUT_PIXELS}-pixel output limit"),
        ));
    }
    let max = match f {
        Format::Webp => 16383,
        Format::Jpeg => 65535,
        _ => u32::MAX,
    };
    if w > max || h > max {
        return Err(err(
            ErrorCode::Limit,
            format!(
                "Output {w}x{h} is too large for {}: max {max} pixels per side",
                f.name()
            ),
        ));
    }
    Ok(())
}
