//! `resize(pool, input, options, token)` and `metadata(pool, input, token)`.

use napi::sys;

use super::{call, pool_arg, submit, Obj, Thrown};
use crate::pool::output::Value;
use crate::pool::Output;
use crate::tasks::resize::{
    metadata as metadata_kernel, resize as resize_kernel, Fit, Format, Kernel, Position,
    ResizeOptions,
};

fn bad(key: &str, v: &str) -> Thrown {
    Thrown::Other(
        "ERR_INVALID_ARG_VALUE",
        format!("unknown options.{key} {v:?}"),
    )
}

fn options(o: &Obj) -> Result<(ResizeOptions, bool), Thrown> {
    let d = ResizeOptions::default();
    let fit = match o.string("fit")?.as_deref() {
        None | Some("cover") => Fit::Cover,
        Some("contain") => Fit::Contain,
        Some("fill") => Fit::Fill,
        Some("inside") => Fit::Inside,
        Some("outside") => Fit::Outside,
        Some(v) => return Err(bad("fit", v)),
    };
    let position = match o.string("position")?.as_deref() {
        None | Some("center") | Some("centre") => Position::Center,
        Some("top") => Position::Top,
        Some("right top") => Position::RightTop,
        Some("right") => Position::Right,
        Some("right bottom") => Position::RightBottom,
        Some("bottom") => Position::Bottom,
        Some("left bottom") => Position::LeftBottom,
        Some("left") => Position::Left,
        Some("left top") => Position::LeftTop,
        Some("entropy") => Position::Entropy,
        Some(v) => return Err(bad("position", v)),
    };
    let kernel = match o.string("kernel")?.as_deref() {
        None | Some("lanczos3") => Kernel::Lanczos3,
        Some("nearest") => Kernel::Nearest,
        Some("linear") => Kernel::Linear,
        Some("cubic") => Kernel::Cubic,
        Some("mitchell") => Kernel::Mitchell,
        Some(v) => return Err(bad("kernel", v)),
    };
    let format = match o.string("format")?.as_deref() {
        None => None,
        Some("jpeg") | Some("jpg") => Some(Format::Jpeg),
        Some("png") => Some(Format::Png),
        Some("webp") => Some(Format::Webp),
        Some(v) => return Err(bad("format", v)),
    };
    let small = |v: Option<u32>, default: u8| v.map_or(default, |n| n.min(255) as u8);
    let opts = ResizeOptions {
        width: o.u32("width")?,
        height: o.u32("height")?,
        fit,
        position,
        background: o.u8_array::<4>("background")?.unwrap_or(d.background),
        without_enlargement: o
            .bool("withoutEnlargement")?
            .unwrap_or(d.without_enlargement),
        kernel,
        format,
        quality: small(o.u32("quality")?, d.quality),
        progressive: o.bool("progressive")?.unwrap_or(d.progressive),
        lossless: o.bool("lossless")?.unwrap_or(d.lossless),
        effort: small(o.u32("effort")?, d.effort),
        compression_level: small(o.u32("compressionLevel")?, d.compression_level),
        auto_orient: o.bool("autoOrient")?.unwrap_or(d.auto_orient),
        keep_metadata: o.bool("keepMetadata")?.unwrap_or(d.keep_metadata),
        max_input_pixels: o.u64("maxInputPixels")?.unwrap_or(d.max_input_pixels),
        max_decoded_bytes: o.u64("maxDecodedBytes")?.unwrap_or(d.max_decoded_bytes),
        fast_shrink_on_load: o.bool("fastShrinkOnLoad")?.unwrap_or(d.fast_shrink_on_load),
    };
    Ok((opts, o.bool("info")?.unwrap_or(false)))
}

/// `resize(pool, input, options, token)` → Promise<Buffer | { data, info }>.
pub unsafe extern "C" fn resize(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let (opts, want_info) = options(&Obj::arg(a, 2, "options")?)?;
            let token = a.u32(3, "token")?;
            submit(env, pool, &[a.get(1)], token, move |inputs, cp| {
                let out = resize_kernel(inputs.get(0), &opts, cp)?;
                if !want_info {
                    return Ok(Output::Bytes(out.data));
                }
                let size = out.data.len() as f64;
                Ok(Output::Object(vec![
                    ("data", Value::Bytes(out.data)),
                    (
                        "info",
                        Value::Object(vec![
                            ("format", Value::Text(out.format.name().into())),
                            ("width", Value::Number(out.width as f64)),
                            ("height", Value::Number(out.height as f64)),
                            ("channels", Value::Number(out.channels as f64)),
                            ("size", Value::Number(size)),
                        ]),
                    ),
                ]))
            })
        })
    }
}

/// `metadata(pool, input, token)` → Promise<object>: headers only.
pub unsafe extern "C" fn metadata(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let token = a.u32(2, "token")?;
            submit(env, pool, &[a.get(1)], token, move |inputs, cp| {
                cp.check()?;
                let m = metadata_kernel(inputs.get(0))?;
                let n = |x: f64| Value::Number(x);
                Ok(Output::Object(vec![
                    ("format", Value::Text(m.format.name().into())),
                    ("width", n(m.width as f64)),
                    ("height", n(m.height as f64)),
                    (
                        "orientation",
                        m.orientation.map_or(Value::Missing, |o| n(o as f64)),
                    ),
                    ("hasAlpha", Value::Bool(m.has_alpha)),
                    ("channels", n(m.channels as f64)),
                    ("bitDepth", n(m.bit_depth as f64)),
                    ("isProgressive", Value::Bool(m.is_progressive)),
                    ("hasIcc", Value::Bool(m.has_icc)),
                    ("pages", n(m.pages as f64)),
                ]))
            })
        })
    }
}
