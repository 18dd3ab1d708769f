//! `resize(pool, input, options, token)` and `metadata(pool, input, token)`.

use napi::bindgen_prelude::{Either, PromiseRaw};
use napi::{Env, Result, Unknown};
use napi_derive::napi;

use super::{opt_int, rgba, submit, Bytes, PoolArg};
use crate::tasks::resize::{self as k, metadata as metadata_kernel, resize as resize_kernel};

string_enum! {
    /// How to fit the image when both width and height are given.
    Fit => k::Fit {
        "cover" Cover => k::Fit::Cover,
        "contain" Contain => k::Fit::Contain,
        "fill" Fill => k::Fit::Fill,
        "inside" Inside => k::Fit::Inside,
        "outside" Outside => k::Fit::Outside,
    }
}

string_enum! {
    /// Crop/pad gravity.
    Position => k::Position {
        "center" Center => k::Position::Center,
        "centre" Centre => k::Position::Center,
        "top" Top => k::Position::Top,
        "right top" RightTop => k::Position::RightTop,
        "right" Right => k::Position::Right,
        "right bottom" RightBottom => k::Position::RightBottom,
        "bottom" Bottom => k::Position::Bottom,
        "left bottom" LeftBottom => k::Position::LeftBottom,
        "left" Left => k::Position::Left,
        "left top" LeftTop => k::Position::LeftTop,
        "entropy" Entropy => k::Position::Entropy,
    }
}

string_enum! {
    /// Resampling kernel.
    Kernel => k::Kernel {
        "nearest" Nearest => k::Kernel::Nearest,
        "linear" Linear => k::Kernel::Linear,
        "cubic" Cubic => k::Kernel::Cubic,
        "mitchell" Mitchell => k::Kernel::Mitchell,
        "lanczos3" Lanczos3 => k::Kernel::Lanczos3,
    }
}

string_enum! {
    /// Output format of `resize`.
    ImageFormat => k::Format {
        "jpeg" Jpeg => k::Format::Jpeg,
        "jpg" Jpg => k::Format::Jpeg,
        "png" Png => k::Format::Png,
        "webp" Webp => k::Format::Webp,
    }
}

/// `resize` options (index.js validated and normalised them).
#[napi(object, object_to_js = false)]
pub struct ResizeOptions {
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub fit: Option<Fit>,
    pub position: Option<Position>,
    pub background: Option<Vec<f64>>,
    pub without_enlargement: Option<bool>,
    pub kernel: Option<Kernel>,
    pub format: Option<ImageFormat>,
    pub quality: Option<f64>,
    pub progressive: Option<bool>,
    pub lossless: Option<bool>,
    pub effort: Option<f64>,
    pub compression_level: Option<f64>,
    pub auto_orient: Option<bool>,
    pub keep_metadata: Option<bool>,
    /// 0 disables the limit.
    pub max_input_pixels: Option<f64>,
    /// 0 disables the limit.
    pub max_decoded_bytes: Option<f64>,
    pub fast_shrink_on_load: Option<bool>,
    /// Resolve with `{ data, info }` instead of a Buffer.
    pub info: Option<bool>,
}

fn options(env: &Env, o: ResizeOptions) -> Result<k::ResizeOptions> {
    let d = k::ResizeOptions::default();
    let name = |key: &str| format!("options.{key}");
    Ok(k::ResizeOptions {
        width: opt_int(env, &name("width"), o.width, 1, 65535)?,
        height: opt_int(env, &name("height"), o.height, 1, 65535)?,
        fit: o.fit.map_or(d.fit, Into::into),
        position: o.position.map_or(d.position, Into::into),
        background: match o.background {
            Some(c) => rgba(env, &name("background"), &c)?,
            None => d.background,
        },
        without_enlargement: o.without_enlargement.unwrap_or(d.without_enlargement),
        kernel: o.kernel.map_or(d.kernel, Into::into),
        format: o.format.map(Into::into),
        quality: opt_int(env, &name("quality"), o.quality, 1, 100)?.unwrap_or(d.quality),
        progressive: o.progressive.unwrap_or(d.progressive),
        lossless: o.lossless.unwrap_or(d.lossless),
        effort: opt_int(env, &name("effort"), o.effort, 0, 6)?.unwrap_or(d.effort),
        compression_level: opt_int(env, &name("compressionLevel"), o.compression_level, 0, 9)?
            .unwrap_or(d.compression_level),
        auto_orient: o.auto_orient.unwrap_or(d.auto_orient),
        keep_metadata: o.keep_metadata.unwrap_or(d.keep_metadata),
        max_input_pixels: opt_int(
            env,
            &name("maxInputPixels"),
            o.max_input_pixels,
            0,
            MAX_SAFE,
        )?
        .unwrap_or(d.max_input_pixels),
        max_decoded_bytes: opt_int(
            env,
            &name("maxDecodedBytes"),
            o.max_decoded_bytes,
            0,
            MAX_SAFE,
        )?
        .unwrap_or(d.max_decoded_bytes),
        fast_shrink_on_load: o.fast_shrink_on_load.unwrap_or(d.fast_shrink_on_load),
    })
}

/// `Number.MAX_SAFE_INTEGER`.
pub const MAX_SAFE: u64 = (1 << 53) - 1;

/// `info` of a resize.
#[napi(object, object_from_js = false)]
pub struct ResizeInfo {
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub channels: u32,
    pub size: f64,
}

/// `{ data, info }` of a resize with `info: true`.
#[napi(object, object_from_js = false)]
pub struct ResizeResult {
    pub data: Bytes,
    pub info: ResizeInfo,
}

/// `resize(pool, input, options, token)` → Promise<Buffer | { data, info }>.
#[napi]
pub fn resize<'env>(
    env: &'env Env,
    pool: PoolArg,
    input: Unknown<'env>,
    options: ResizeOptions,
    token: u32,
) -> Result<PromiseRaw<'env, Either<Bytes, ResizeResult>>> {
    let want_info = options.info.unwrap_or(false);
    let opts = self::options(env, options)?;
    submit(env, &pool.0, &[input], token, move |inputs, cp| {
        let out = resize_kernel(inputs.get(0), &opts, cp)?;
        if !want_info {
            return Ok(Either::A(Bytes(out.data)));
        }
        let info = ResizeInfo {
            format: out.format.name().into(),
            width: out.width,
            height: out.height,
            channels: out.channels.into(),
            size: out.data.len() as f64,
        };
        Ok(Either::B(ResizeResult {
            data: Bytes(out.data),
            info,
        }))
    })
}

/// What `metadata` reads from an image's headers.
#[napi(object, object_from_js = false)]
pub struct Metadata {
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub orientation: Option<u32>,
    pub has_alpha: bool,
    pub channels: u32,
    pub bit_depth: u32,
    pub is_progressive: bool,
    pub has_icc: bool,
    pub pages: u32,
}

/// `metadata(pool, input, token)` → Promise<Metadata>: headers only.
#[napi]
pub fn metadata<'env>(
    env: &'env Env,
    pool: PoolArg,
    input: Unknown<'env>,
    token: u32,
) -> Result<PromiseRaw<'env, Metadata>> {
    submit(env, &pool.0, &[input], token, move |inputs, cp| {
        cp.check()?;
        let m = metadata_kernel(inputs.get(0))?;
        Ok(Metadata {
            format: m.format.name().into(),
            width: m.width,
            height: m.height,
            orientation: m.orientation.map(u32::from),
            has_alpha: m.has_alpha,
            channels: m.channels.into(),
            bit_depth: m.bit_depth.into(),
            is_progressive: m.is_progressive,
            has_icc: m.has_icc,
            pages: m.pages,
        })
    })
}
