//! usvg trees → PDF via krilla + krilla-svg (same usvg 0.47 trees as the
//! raster path). Text is written as real text with subset-embedded fonts;
//! filters are rasterised by krilla-svg (capped at 5000 px per side).

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect, Size};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};

use super::{fit, guard, Format, RenderOptions, RenderOutput};
use crate::tasks::{Checkpoint, ErrorCode, TaskError};

/// Largest page side in points that PDF 1.7 readers accept (Annex C).
pub const MAX_PAGE_POINTS: f64 = 14_400.0;
/// Resolution multiplier for filters, which krilla-svg rasterises.
const FILTER_SCALE: f32 = 1.0;

pub(super) fn write(
    trees: &[usvg::Tree],
    opts: &RenderOptions,
    cp: &Checkpoint,
) -> Result<RenderOutput, TaskError> {
    debug_assert_eq!(opts.format, Format::Pdf);
    let mut doc = Document::new();
    let mut first = (0u32, 0u32);
    for (i, tree) in trees.iter().enumerate() {
        let (sx, sy) = fit(tree.size(), opts);
        let w = tree.size().width() as f64 * sx;
        let h = tree.size().height() as f64 * sy;
        if !(w.is_finite() && h.is_finite()) || w > MAX_PAGE_POINTS || h > MAX_PAGE_POINTS {
            return Err(TaskError::new(
                ErrorCode::Limit,
                format!(
                    "page {} would be {w:.0}x{h:.0} pt; PDF pages are limited to {MAX_PAGE_POINTS} pt (use scale)",
                    i + 1
                ),
            ));
        }
        let size = Size::from_wh(w as f32, h as f32)
            .ok_or_else(|| TaskError::new(ErrorCode::Decode, "SVG has an empty size"))?;
        if i == 0 {
            first = (w.round().max(1.0) as u32, h.round().max(1.0) as u32);
        }
        let mut page = doc.start_page_with(PageSettings::new(size));
        let mut surface = page.surface();
        if let Some([r, g, b, a]) = opts.background {
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(0.0, 0.0, size.width(), size.height()) {
                pb.push_rect(rect);
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(Some(Fill {
                    paint: rgb::Color::new(r, g, b).into(),
                    opacity: NormalizedF32::new(a as f32 / 255.0).unwrap_or(NormalizedF32::ONE),
                    rule: FillRule::NonZero,
                }));
                surface.draw_path(&path);
                surface.set_fill(None);
            }
        }
        let settings = SvgSettings {
            embed_text: true,
            filter_scale: FILTER_SCALE,
        };
        guard::check_pdf_filters(
            tree,
            sx,
            FILTER_SCALE as f64,
            opts.max_pixels,
            opts.limits.paint_pixels,
        )?;
        surface
            .draw_svg(tree, size, settings)
            .ok_or_else(|| TaskError::new(ErrorCode::Encode, "PDF: could not draw the SVG"))?;
        surface.finish();
        page.finish();
        cp.check()?;
    }
    let data = doc
        .finish()
        .map_err(|e| TaskError::new(ErrorCode::Encode, format!("PDF: {e:?}")))?;
    Ok(RenderOutput {
        data,
        width: first.0,
        height: first.1,
        pages: trees.len() as u32,
        warnings: Vec::new(),
    })
}
