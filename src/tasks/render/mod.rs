//! SVG → PNG / JPEG / WebP / PDF.
//!
//! Each SVG is parsed once into a usvg tree (usvg/resvg 0.47), which is either
//! rasterised with resvg/tiny-skia or written as PDF with krilla-svg (vector,
//! text kept as text with subset-embedded fonts).
//!
//! Safe by default: no file-system or network access (see [`resources`]),
//! input size, XML entity expansion, nesting depth, reference fan-out, CSS
//! matching, text layout, output pixels, intermediate buffers, painted pixels
//! and embedded-image pixels are all bounded before work is done
//! ([`limits`], `guard`), so a render's running time is bounded by its
//! limits, not by its input. A cancelled render stops at the next
//! checkpoint: between stages, inside usvg's text layout (its font
//! callbacks, see `interrupt`) and between the nodes resvg paints.

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use usvg::Node;

use super::resize::{encode_rgba8_level, EncodeOptions, Format as EncodeFormat};
use super::{interrupt, Checkpoint, ErrorCode, TaskError};

pub mod fonts;
mod guard;
pub mod limits;
mod pdf;
pub mod resources;
mod resvg_bugs;

pub use fonts::{register_font, BUNDLED_FAMILY};
pub use limits::RenderLimits;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// PNG, RGBA8. Default.
    #[default]
    Png,
    /// JPEG (no alpha: composited onto `background`, white by default).
    Jpeg,
    /// Lossy WebP with alpha.
    Webp,
    /// PDF, one page per input SVG, vector, text embedded as subset fonts.
    Pdf,
}

/// Options of [`render`].
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// Output format. Default: `Png`.
    pub format: Format,
    /// Output width in pixels (PDF: points); height follows the aspect ratio.
    /// 1..=1_000_000. At most one of `width`, `height`, `scale`. Default: None.
    pub width: Option<u32>,
    /// Output height in pixels (PDF: points); width follows the aspect ratio.
    /// 1..=1_000_000. Default: None.
    pub height: Option<u32>,
    /// Zoom factor applied to the SVG's own size, finite, > 0 and <= 1000.
    /// Default: None (= 1.0, one SVG user unit per pixel / point).
    pub scale: Option<f32>,
    /// Background colour, non-premultiplied RGBA8, painted under the SVG.
    /// Default: None = transparent (JPEG: opaque white; PDF: no background).
    pub background: Option<[u8; 4]>,
    /// Maximum output pixels (width × height) of a raster render, checked
    /// before allocating; also the total pixel budget of embedded raster images.
    /// Range >= 1; no single buffer exceeds 2^30 pixels whatever its value.
    /// Default: 100_000_000.
    pub max_pixels: u64,
    /// Maximum size in bytes of each input SVG (after SVGZ inflation) and of
    /// each file read from `base_dir`. Range >= 1. Default: 50 MiB.
    pub max_input_bytes: u64,
    /// Directory from which `<image href="relative/or/absolute/path">` may be
    /// read (never outside it, symlinks resolved). Default: None = no file access.
    pub base_dir: Option<PathBuf>,
    /// JPEG/WebP quality 1..=100. Default: 80.
    pub quality: u8,
    /// PNG zlib level 0..=9 (higher = smaller, slower). Default: 6.
    pub compression_level: u8,
    /// Also use the machine's installed fonts (scanned once per process).
    /// `false` = only the bundled DejaVu Sans and registered fonts, for output
    /// that does not depend on the machine. Default: true.
    pub system_fonts: bool,
    /// Work budgets (elements, CSS matching, text, painting).
    /// Default: [`RenderLimits::default`].
    pub limits: RenderLimits,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            format: Format::Png,
            width: None,
            height: None,
            scale: None,
            background: None,
            max_pixels: 100_000_000,
            max_input_bytes: 50 * 1024 * 1024,
            base_dir: None,
            quality: 80,
            compression_level: 6,
            system_fonts: true,
            limits: RenderLimits::default(),
        }
    }
}

/// Result of [`render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOutput {
    /// Encoded PNG/JPEG/WebP/PDF bytes.
    pub data: Vec<u8>,
    /// Pixels (raster) or points of the first page, rounded (PDF).
    pub width: u32,
    /// Pixels (raster) or points of the first page, rounded (PDF).
    pub height: u32,
    /// 1 for raster output, number of pages for PDF.
    pub pages: u32,
    /// Non-fatal problems: skipped external images, missing fonts, …
    pub warnings: Vec<String>,
}

fn invalid(msg: impl Into<String>) -> TaskError {
    TaskError::new(ErrorCode::InvalidArgValue, msg)
}

fn validate(svgs: &[&[u8]], o: &RenderOptions) -> Result<(), TaskError> {
    if svgs.is_empty() {
        return Err(invalid("at least one SVG is required"));
    }
    if svgs.len() > 1 && o.format != Format::Pdf {
        return Err(invalid(format!(
            "{} SVGs given: several inputs are only valid for format Pdf",
            svgs.len()
        )));
    }
    let given = [o.width.is_some(), o.height.is_some(), o.scale.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(invalid("give at most one of width, height and scale"));
    }
    for (name, v) in [("width", o.width), ("height", o.height)] {
        if let Some(v) = v {
            if !(1..=1_000_000).contains(&v) {
                return Err(TaskError::int_range(
                    &format!("options.{name}"),
                    1,
                    1_000_000,
                    v,
                ));
            }
        }
    }
    if let Some(s) = o.scale {
        if !(s.is_finite() && s > 0.0 && s <= 1000.0) {
            return Err(TaskError::arg_value(
                "options.scale",
                "a number greater than 0 and at most 1000",
                crate::tasks::received_number(s),
            ));
        }
    }
    if !(1..=100).contains(&o.quality) {
        return Err(TaskError::int_range("options.quality", 1, 100, o.quality));
    }
    if o.max_pixels == 0 || o.max_input_bytes == 0 {
        return Err(invalid("maxPixels and maxInputBytes must be >= 1"));
    }
    Ok(())
}

/// Zoom factors (x, y) for a tree of `size` under the options.
fn fit(size: usvg::Size, o: &RenderOptions) -> (f64, f64) {
    let (w, h) = (size.width() as f64, size.height() as f64);
    let s = match (o.width, o.height, o.scale) {
        (Some(tw), _, _) => tw as f64 / w,
        (_, Some(th), _) => th as f64 / h,
        (_, _, Some(s)) => s as f64,
        _ => 1.0,
    };
    (s, s)
}

/// Output pixel size for the tree, checked against `max_pixels` (ERR_LIMIT).
fn raster_size(size: usvg::Size, o: &RenderOptions) -> Result<(u32, u32, f32, f32), TaskError> {
    let (sx, sy) = fit(size, o);
    let w = match o.width {
        Some(w) => w as f64,
        None => (size.width() as f64 * sx).round().max(1.0),
    };
    let h = match o.height {
        Some(h) => h as f64,
        None => (size.height() as f64 * sy).round().max(1.0),
    };
    let px = w * h;
    if !px.is_finite() || px > o.max_pixels as f64 || w > 1_000_000.0 || h > 1_000_000.0 {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!("output {w}x{h} exceeds maxPixels ({})", o.max_pixels),
        ));
    }
    Ok((
        w as u32,
        h as u32,
        (w / size.width() as f64) as f32,
        (h / size.height() as f64) as f32,
    ))
}

/// Renders one SVG to PNG/JPEG/WebP, or one or more SVGs to a multi-page PDF.
///
/// Errors: `ERR_INVALID_ARG_VALUE` (options, several SVGs for raster),
/// `ERR_LIMIT` (input bytes, output pixels, nesting, expansion, entities),
/// `ERR_DECODE` (not UTF-8 / malformed XML / not an SVG, with the parser's
/// message), `ERR_ENCODE`, `ABORT_ERR`.
pub fn render(
    svgs: &[&[u8]],
    opts: &RenderOptions,
    cp: &Checkpoint,
) -> Result<RenderOutput, TaskError> {
    validate(svgs, opts)?;
    cp.check()?;
    let base_dir = match &opts.base_dir {
        Some(d) => Some(
            d.canonicalize()
                .map_err(|e| invalid(format!("baseDir '{}' is not usable: {e}", d.display())))?,
        ),
        None => None,
    };
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let ctx = Arc::new(resources::Ctx {
        warnings: warnings.clone(),
        base_dir,
        max_input_bytes: opts.max_input_bytes,
        image_pixels_left: AtomicU64::new(opts.max_pixels.min(guard::MAX_BUFFER_PIXELS)),
        limits: opts.limits,
        left: Mutex::new(resources::Left::new(&opts.limits)),
        fontdb: fonts::database(opts.system_fonts),
    });
    let mut trees = Vec::with_capacity(svgs.len());
    for svg in svgs {
        trees.push(interrupt::interruptible(cp, || {
            resources::parse_tree(svg, &ctx, 0)
        })??);
        resvg_bugs::check(trees.last().expect("just pushed"))?;
        cp.check()?;
    }
    let mut out = match opts.format {
        Format::Pdf => pdf::write(&trees, opts, cp)?,
        fmt => rasterize(&trees[0], fmt, opts, cp)?,
    };
    drop(trees);
    drop(ctx);
    out.warnings = std::mem::take(&mut *warnings.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(out)
}

/// Renders the tree into a premultiplied pixmap of the requested size.
pub(crate) fn render_pixmap(
    tree: &usvg::Tree,
    opts: &RenderOptions,
    background: Option<[u8; 4]>,
    cp: &Checkpoint,
) -> Result<tiny_skia::Pixmap, TaskError> {
    let (w, h, sx, sy) = raster_size(tree.size(), opts)?;
    let ts = tiny_skia::Transform::from_scale(sx, sy);
    guard::check(tree, ts, w, h, opts.max_pixels, opts.limits.paint_pixels)?;
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or_else(|| {
        TaskError::new(
            ErrorCode::Limit,
            format!("cannot allocate a {w}x{h} canvas"),
        )
    })?;
    if let Some([r, g, b, a]) = background {
        pixmap.fill(tiny_skia::Color::from_rgba8(r, g, b, a));
    }
    paint(tree.root(), ts, &mut pixmap.as_mut(), cp)?;
    Ok(pixmap)
}

/// `resvg::render` with a checkpoint before each node: groups that resvg
/// paints straight onto their parent's target (not isolated) are walked
/// here, every other node is handed to `resvg::render_node`, which resvg
/// itself would have called with the same transform (`render_node` shifts
/// it by the node's absolute bounding box, which is undone first).
fn paint(
    parent: &usvg::Group,
    ts: tiny_skia::Transform,
    pixmap: &mut tiny_skia::PixmapMut,
    cp: &Checkpoint,
) -> Result<(), TaskError> {
    for node in parent.children() {
        cp.check()?;
        match node {
            Node::Group(g) if !g.should_isolate() => {
                paint(g, ts.pre_concat(g.transform()), pixmap, cp)?;
            }
            _ => {
                if let Some(b) = node.abs_layer_bounding_box() {
                    resvg::render_node(node, ts.pre_translate(b.x(), b.y()), pixmap);
                }
            }
        }
    }
    Ok(())
}

fn rasterize(
    tree: &usvg::Tree,
    fmt: Format,
    opts: &RenderOptions,
    cp: &Checkpoint,
) -> Result<RenderOutput, TaskError> {
    let background = match (opts.background, fmt) {
        (Some(bg), _) => Some(bg),
        (None, Format::Jpeg) => Some([255, 255, 255, 255]),
        _ => None,
    };
    let pixmap = render_pixmap(tree, opts, background, cp)?;
    cp.check()?;
    let (w, h) = (pixmap.width(), pixmap.height());
    let rgba = demultiply(pixmap);
    let enc = EncodeOptions {
        format: match fmt {
            Format::Jpeg => EncodeFormat::Jpeg,
            Format::Webp => EncodeFormat::Webp,
            _ => EncodeFormat::Png,
        },
        quality: opts.quality,
        progressive: false,
        effort: 4,
        background: background.unwrap_or([255, 255, 255, 255]),
    };
    let data = encode_rgba8_level(&rgba, w, h, &enc, opts.compression_level)?;
    Ok(RenderOutput {
        data,
        width: w,
        height: h,
        pages: 1,
        warnings: Vec::new(),
    })
}

/// Premultiplied RGBA8 pixmap → straight RGBA8 bytes, in place.
pub(crate) fn demultiply(pixmap: tiny_skia::Pixmap) -> Vec<u8> {
    let mut data = pixmap.take();
    for p in data.chunks_exact_mut(4) {
        let a = p[3];
        if a != 255 && a != 0 {
            let a16 = a as u16;
            for c in &mut p[..3] {
                *c = ((*c as u16 * 255 + a16 / 2) / a16).min(255) as u8;
            }
        }
    }
    data
}

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod pdf_tool_tests;
#[cfg(test)]
mod tests;
