//! `render(pool, svgs, options, token)` and `registerFont(pool, data, token)`.

use std::path::PathBuf;

use napi::bindgen_prelude::{Either, PromiseRaw};
use napi::{Env, Result, Unknown};
use napi_derive::napi;

use super::resize::MAX_SAFE;
use super::{int, opt_int, rgba, submit, Bytes, PoolArg};
use crate::tasks::render::{
    self as k, register_font, render as render_kernel, RenderLimits as KernelLimits,
};
use crate::tasks::{received_number, TaskError};

string_enum! {
    /// Output format of `render`.
    RenderFormat => k::Format {
        "png" Png => k::Format::Png,
        "jpeg" Jpeg => k::Format::Jpeg,
        "webp" Webp => k::Format::Webp,
        "pdf" Pdf => k::Format::Pdf,
    }
}

/// Work budgets of one render (`options.limits`).
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct RenderLimits {
    pub elements: Option<f64>,
    pub css_steps: Option<f64>,
    pub text_elements: Option<f64>,
    pub text_chars: Option<f64>,
    pub text_chars_per_element: Option<f64>,
    pub paint_pixels: Option<f64>,
}

/// `render` options (index.js validated and normalised them).
#[napi(object, object_to_js = false)]
pub struct RenderOptions {
    pub format: Option<RenderFormat>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub scale: Option<f64>,
    pub background: Option<Vec<f64>>,
    pub quality: Option<f64>,
    pub compression_level: Option<f64>,
    pub max_pixels: Option<f64>,
    pub max_input_bytes: Option<f64>,
    /// `options.resources.baseDir`, resolved.
    pub base_dir: Option<String>,
    pub system_fonts: Option<bool>,
    pub limits: Option<RenderLimits>,
    /// Resolve with `{ data, info }` instead of a Buffer.
    pub info: Option<bool>,
}

fn options(env: &Env, o: RenderOptions) -> Result<k::RenderOptions> {
    let d = k::RenderOptions::default();
    let big = |key: &str, v: Option<f64>, default: u64| {
        opt_int(env, key, v, 1, MAX_SAFE).map(|v| v.unwrap_or(default))
    };
    let l = o.limits.unwrap_or_default();
    let dl = KernelLimits::default();
    let scale = match o.scale {
        Some(s) if !(s > 0.0 && s <= 1000.0) => {
            let expected = "a number greater than 0 and at most 1000";
            let e = TaskError::arg_value("options.scale", expected, received_number(s));
            return Err(super::task_error(env, e));
        }
        s => s.map(|s| s as f32),
    };
    Ok(k::RenderOptions {
        format: o.format.unwrap_or(RenderFormat::Png).into(),
        width: opt_int(env, "options.width", o.width, 1, 1_000_000)?,
        height: opt_int(env, "options.height", o.height, 1, 1_000_000)?,
        scale,
        background: o
            .background
            .map(|c| rgba(env, "options.background", &c))
            .transpose()?,
        max_pixels: big("options.maxPixels", o.max_pixels, d.max_pixels)?,
        max_input_bytes: big(
            "options.maxInputBytes",
            o.max_input_bytes,
            d.max_input_bytes,
        )?,
        base_dir: o.base_dir.map(PathBuf::from),
        quality: opt_int(env, "options.quality", o.quality, 1, 100)?.unwrap_or(d.quality),
        compression_level: match o.compression_level {
            Some(v) => int(env, "options.compressionLevel", v, 0, 9)?,
            None => d.compression_level,
        },
        system_fonts: o.system_fonts.unwrap_or(d.system_fonts),
        limits: KernelLimits {
            elements: big("options.limits.elements", l.elements, dl.elements)?,
            css_steps: big("options.limits.cssSteps", l.css_steps, dl.css_steps)?,
            text_elements: big(
                "options.limits.textElements",
                l.text_elements,
                dl.text_elements,
            )?,
            text_chars: big("options.limits.textChars", l.text_chars, dl.text_chars)?,
            text_chars_per_element: big(
                "options.limits.textCharsPerElement",
                l.text_chars_per_element,
                dl.text_chars_per_element,
            )?,
            paint_pixels: big(
                "options.limits.paintPixels",
                l.paint_pixels,
                dl.paint_pixels,
            )?,
        },
    })
}

/// `info` of a render.
#[napi(object, object_from_js = false)]
pub struct RenderInfo {
    pub format: RenderFormat,
    pub width: u32,
    pub height: u32,
    pub pages: u32,
    pub size: f64,
    pub warnings: Vec<String>,
}

/// `{ data, info }` of a render with `info: true`.
#[napi(object, object_from_js = false)]
pub struct RenderResult {
    pub data: Bytes,
    pub info: RenderInfo,
}

/// `render(pool, svgs, options, token)` → Promise<Buffer | { data, info }>.
#[napi]
pub fn render<'env>(
    env: &'env Env,
    pool: PoolArg,
    svgs: Vec<Unknown<'env>>,
    options: RenderOptions,
    token: u32,
) -> Result<PromiseRaw<'env, Either<Bytes, RenderResult>>> {
    let want_info = options.info.unwrap_or(false);
    let format = options.format.unwrap_or(RenderFormat::Png);
    let opts = self::options(env, options)?;
    submit(env, &pool.0, &svgs, token, move |inputs, cp| {
        let out = render_kernel(&inputs.all(), &opts, cp)?;
        if !want_info {
            return Ok(Either::A(Bytes(out.data)));
        }
        let info = RenderInfo {
            format,
            width: out.width,
            height: out.height,
            pages: out.pages,
            size: out.data.len() as f64,
            warnings: out.warnings,
        };
        Ok(Either::B(RenderResult {
            data: Bytes(out.data),
            info,
        }))
    })
}

/// `registerFont(pool, data, token)` → Promise<number>: faces added.
#[napi(js_name = "registerFont")]
pub fn register_font_fn<'env>(
    env: &'env Env,
    pool: PoolArg,
    data: Unknown<'env>,
    token: u32,
) -> Result<PromiseRaw<'env, u32>> {
    submit(env, &pool.0, &[data], token, move |inputs, cp| {
        cp.check()?;
        Ok(register_font(inputs.get(0).to_vec())? as u32)
    })
}
