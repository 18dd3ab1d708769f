//! `render(pool, svgs, options, token)` and `registerFont(pool, data, token)`.

use std::path::PathBuf;

use napi::sys;

use super::{call, elements, pool_arg, submit, Obj, Thrown};
use crate::pool::output::Value;
use crate::pool::Output;
use crate::tasks::render::{
    register_font, render as render_kernel, Format, RenderLimits, RenderOptions,
};

fn options(o: &Obj) -> Result<(RenderOptions, bool), Thrown> {
    let d = RenderOptions::default();
    let format = match o.string("format")?.as_deref() {
        None | Some("png") => Format::Png,
        Some("jpeg") => Format::Jpeg,
        Some("webp") => Format::Webp,
        Some("pdf") => Format::Pdf,
        Some(other) => {
            return Err(Thrown::Other(
                "ERR_INVALID_ARG_VALUE",
                format!("unknown format {other:?}"),
            ))
        }
    };
    let opts = RenderOptions {
        format,
        width: o.u32("width")?,
        height: o.u32("height")?,
        scale: o.f64("scale")?.map(|s| s as f32),
        background: o.u8_array::<4>("background")?,
        max_pixels: o.u64("maxPixels")?.unwrap_or(d.max_pixels),
        max_input_bytes: o.u64("maxInputBytes")?.unwrap_or(d.max_input_bytes),
        base_dir: o.string("baseDir")?.map(PathBuf::from),
        quality: o.u32("quality")?.map_or(d.quality, |q| q.min(100) as u8),
        compression_level: o
            .u32("compressionLevel")?
            .map_or(d.compression_level, |l| l.min(9) as u8),
        system_fonts: o.bool("systemFonts")?.unwrap_or(d.system_fonts),
        limits: limits(o)?,
    };
    Ok((opts, o.bool("info")?.unwrap_or(false)))
}

/// `options.limits.*`, flattened by index.js into `limit<Name>` keys.
fn limits(o: &Obj) -> Result<RenderLimits, Thrown> {
    let d = RenderLimits::default();
    Ok(RenderLimits {
        elements: o.u64("limitElements")?.unwrap_or(d.elements),
        css_steps: o.u64("limitCssSteps")?.unwrap_or(d.css_steps),
        text_elements: o.u64("limitTextElements")?.unwrap_or(d.text_elements),
        text_chars: o.u64("limitTextChars")?.unwrap_or(d.text_chars),
        text_chars_per_element: o
            .u64("limitTextCharsPerElement")?
            .unwrap_or(d.text_chars_per_element),
        paint_pixels: o.u64("limitPaintPixels")?.unwrap_or(d.paint_pixels),
    })
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Png => "png",
        Format::Jpeg => "jpeg",
        Format::Webp => "webp",
        Format::Pdf => "pdf",
    }
}

/// `render(pool, svgs: Array<string | Uint8Array>, options, token)` →
/// Promise<Buffer | { data, info }>.
pub unsafe extern "C" fn render(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let svgs = elements(env, a.get(1))
                .map_err(|_| Thrown::Type("svgs must be an array".into()))?;
            let (opts, want_info) = options(&Obj::arg(a, 2, "options")?)?;
            let token = a.u32(3, "token")?;
            submit(env, pool, &svgs, token, move |inputs, cp| {
                let out = render_kernel(&inputs.all(), &opts, cp)?;
                if !want_info {
                    return Ok(Output::Bytes(out.data));
                }
                let size = out.data.len() as f64;
                Ok(Output::Object(vec![
                    ("data", Value::Bytes(out.data)),
                    (
                        "info",
                        Value::Object(vec![
                            ("format", Value::Text(format_name(opts.format).into())),
                            ("width", Value::Number(out.width as f64)),
                            ("height", Value::Number(out.height as f64)),
                            ("pages", Value::Number(out.pages as f64)),
                            ("size", Value::Number(size)),
                            ("warnings", Value::TextList(out.warnings)),
                        ]),
                    ),
                ]))
            })
        })
    }
}

/// `registerFont(pool, data, token)` → Promise<number of faces added>.
pub unsafe extern "C" fn register_font_fn(
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
                let faces = register_font(inputs.get(0).to_vec())?;
                Ok(Output::Text(faces.to_string()))
            })
        })
    }
}
