//! Bounds resvg's intermediate allocations before rendering.
//!
//! resvg allocates, besides the output canvas, one pixmap per isolated group
//! (opacity, clip-path, mask, filter, blend), one per clip/mask application,
//! one per pattern tile, and per filter primitive. These can be far larger
//! than the canvas (layers up to 25× the canvas, pattern tiles unbounded), and
//! a failed allocation aborts the whole process. This walk mirrors resvg's
//! geometry and refuses (`ERR_LIMIT`) when any single buffer would exceed
//! `max_pixels`, or when all buffers together would exceed
//! [`WORK_FACTOR`] × `max_pixels` (a time bound).
//!
//! It also bounds the painting itself, which allocates nothing: every path,
//! glyph and raster image is charged the pixels it covers on its target
//! (its transformed bounding box, at most that target) plus, for paths, the
//! rasteriser's per-edge work ([`EDGE_ROW_COST`] per row an edge spans,
//! [`POINT_COST`] per point; twice for a stroke's outline), against
//! `limits.paint_pixels`. Without it, 200,000 full-canvas rectangles or one
//! million-point path in a few megabytes of SVG would hold a thread for
//! seconds to minutes.

use tiny_skia::Transform;
use usvg::filter::Kind;
use usvg::{Group, ImageKind, Node, Paint};

use crate::tasks::{ErrorCode, TaskError};

/// No single buffer may exceed this many pixels (4 GiB of RGBA), whatever
/// `max_pixels` says: tiny-skia's allocations are infallible, so a buffer the
/// machine cannot provide would abort the process instead of failing.
pub(crate) const MAX_BUFFER_PIXELS: u64 = 1 << 30;

/// One row of one edge in the rasteriser, in pixels of painting work
/// (a scanline edge step costs several pixel fills).
const EDGE_ROW_COST: f64 = 4.0;
/// One path point (an edge to build, sort and clip), in pixels of painting
/// work: measured ≈ 1 µs per point of a filled million-point path on a
/// 2-core x86-64 VM, where 10^9 pixel fills take about a second.
const POINT_COST: f64 = 1000.0;

/// Rows the edges of `path` span under `ts`, from its points in order;
/// control points bound their curves, so this is an upper bound of what
/// the rasteriser walks.
fn edge_rows(path: &tiny_skia::Path, ts: Transform) -> f64 {
    let y = |p: &tiny_skia::Point| (ts.ky * p.x + ts.sy * p.y) as f64;
    path.points()
        .windows(2)
        .map(|w| (y(&w[1]) - y(&w[0])).abs())
        .sum()
}

/// Total pixels of all intermediate buffers, as a multiple of `max_pixels`.
pub const WORK_FACTOR: f64 = 2.0;

struct Guard {
    /// resvg's layer clip: (-2w, -2h, 5w, 5h) of the output canvas.
    max_box: (f64, f64, f64, f64),
    single: f64,
    budget: f64,
    used: f64,
    paint_budget: f64,
    painted: f64,
}

impl Guard {
    fn new(max_box: (f64, f64, f64, f64), max_pixels: u64, paint_budget: u64) -> Guard {
        Guard {
            max_box,
            single: max_pixels.min(MAX_BUFFER_PIXELS) as f64,
            budget: max_pixels as f64 * WORK_FACTOR,
            used: 0.0,
            paint_budget: paint_budget as f64,
            painted: 0.0,
        }
    }

    /// Charges painting `bbox` (in target space) onto a target of `canvas` pixels.
    fn paint(&mut self, bbox: Option<tiny_skia::Rect>, canvas: f64) -> Result<(), TaskError> {
        let Some(r) = bbox else { return Ok(()) };
        self.charge_paint(((r.width() as f64 + 2.0) * (r.height() as f64 + 2.0)).min(canvas))
    }

    /// Charges `px` pixel-equivalents of painting work.
    fn charge_paint(&mut self, px: f64) -> Result<(), TaskError> {
        self.painted += px;
        if self.painted.is_nan() || self.painted > self.paint_budget {
            return Err(TaskError::new(
                ErrorCode::Limit,
                format!(
                    "painting needs more than {:.0} pixel operations (limits.paintPixels)",
                    self.paint_budget
                ),
            ));
        }
        Ok(())
    }

    fn charge(&mut self, px: f64, what: &str) -> Result<(), TaskError> {
        if px.is_nan() || px > self.single {
            return Err(TaskError::new(
                ErrorCode::Limit,
                format!(
                    "{what} needs a {px:.0}-pixel buffer, over maxPixels ({:.0})",
                    self.single
                ),
            ));
        }
        self.used += px;
        if self.used.is_nan() || self.used > self.budget {
            return Err(TaskError::new(
                ErrorCode::Limit,
                format!(
                    "rendering needs more than {:.0} intermediate pixels ({WORK_FACTOR}x maxPixels)",
                    self.budget
                ),
            ));
        }
        Ok(())
    }

    /// Size of `rect` (already in pixmap space) clipped to resvg's layer box.
    fn clipped(&self, r: usvg::NonZeroRect) -> (f64, f64) {
        let (bx, by, bw, bh) = self.max_box;
        let x0 = (r.left() as f64).max(bx);
        let y0 = (r.top() as f64).max(by);
        let x1 = (r.right() as f64).min(bx + bw);
        let y1 = (r.bottom() as f64).min(by + bh);
        ((x1 - x0).max(0.0) + 4.0, (y1 - y0).max(0.0) + 4.0)
    }

    /// Charges every filter of the group. resvg sizes each filter's working
    /// buffers by the filter region (`filter.rect()` under the group's
    /// transform, *not* clipped to the layer or the canvas: a region of
    /// 200000×200000 user units on a 100×100 canvas asks for a 160 GB
    /// pixmap), and the source inputs by the layer (`lw`×`lh`). Each primitive
    /// keeps its result alive until the filter ends, so all of them are
    /// charged, weighted by their per-pixel cost (resvg's morphology is a
    /// naive window scan, turbulence loops over octaves, convolution over the
    /// kernel). `feImage` content is walked like a group on its own canvas.
    fn filters(&mut self, grp: &Group, ts: Transform, lw: f64, lh: f64) -> Result<(), TaskError> {
        let (sx, sy) = ts.get_scale();
        for f in grp.filters() {
            // IntRect of the transformed region, as resvg's `to_int_rect`
            // (floor of the origin, ceil of the size: at most +1 each way).
            let (rw, rh) = match f.rect().transform(ts) {
                Some(r) => (r.width() as f64 + 2.0, r.height() as f64 + 2.0),
                None => (0.0, 0.0),
            };
            let region = rw * rh;
            self.charge(region, "a filter region")?;
            let area = region.max(lw * lh);
            for p in f.primitives() {
                let factor = match p.kind() {
                    Kind::Turbulence(t) => t.num_octaves().max(1) as f64,
                    Kind::Morphology(m) => {
                        let cols = ((m.radius_x().get() * sx).ceil() as f64 * 2.0).clamp(1.0, rw);
                        let rows = ((m.radius_y().get() * sy).ceil() as f64 * 2.0).clamp(1.0, rh);
                        cols * rows
                    }
                    Kind::ConvolveMatrix(c) => {
                        (c.matrix().columns() as f64 * c.matrix().rows() as f64).max(1.0)
                    }
                    _ => 1.0,
                };
                self.charge(area, "a filter primitive")?;
                self.used += area * (factor - 1.0);
                if self.used.is_nan() || self.used > self.budget {
                    return Err(TaskError::new(
                        ErrorCode::Limit,
                        format!(
                            "filter work exceeds {:.0} pixel operations ({WORK_FACTOR}x maxPixels)",
                            self.budget
                        ),
                    ));
                }
                if let Kind::Image(img) = p.kind() {
                    // resvg renders it into a region-sized pixmap whose layers
                    // are clipped to that pixmap.
                    let saved = self.max_box;
                    self.max_box = (0.0, 0.0, rw, rh);
                    let r = group(img.root(), Transform::from_scale(sx, sy), region, self);
                    self.max_box = saved;
                    r?;
                }
            }
        }
        Ok(())
    }
}

/// Checks a render of `tree` with `ts` onto a `w`×`h` canvas.
pub(crate) fn check(
    tree: &usvg::Tree,
    ts: Transform,
    w: u32,
    h: u32,
    max_pixels: u64,
    paint_pixels: u64,
) -> Result<(), TaskError> {
    let (wf, hf) = (w as f64, h as f64);
    let mut g = Guard::new(
        (-2.0 * wf, -2.0 * hf, 5.0 * wf, 5.0 * hf),
        max_pixels,
        paint_pixels,
    );
    g.charge(wf * hf, "the canvas")?;
    group(tree.root(), ts, wf * hf, &mut g)
}

fn group(grp: &Group, parent: Transform, canvas: f64, g: &mut Guard) -> Result<(), TaskError> {
    let ts = parent.pre_concat(grp.transform());
    let mut canvas = canvas;
    if grp.should_isolate() {
        let (lw, lh) = grp
            .layer_bounding_box()
            .transform(ts)
            .map(|r| g.clipped(r))
            .unwrap_or((0.0, 0.0));
        let area = lw * lh;
        g.charge(area, "a group layer")?;
        g.filters(grp, ts, lw, lh)?;
        if let Some(cp) = grp.clip_path() {
            clip(cp, ts, area, g)?;
        }
        let mut mask = grp.mask();
        while let Some(m) = mask {
            g.charge(area, "a mask")?;
            group(m.root(), ts, area, g)?;
            mask = m.mask();
        }
        canvas = area;
    }
    for child in grp.children() {
        node(child, ts, canvas, g)?;
    }
    Ok(())
}

fn clip(cp: &usvg::ClipPath, ts: Transform, canvas: f64, g: &mut Guard) -> Result<(), TaskError> {
    g.charge(canvas, "a clip path")?;
    let ts = ts.pre_concat(cp.transform());
    group(cp.root(), ts, canvas, g)?;
    if let Some(inner) = cp.clip_path() {
        clip(inner, ts, canvas, g)?;
    }
    Ok(())
}

fn node(n: &Node, ts: Transform, canvas: f64, g: &mut Guard) -> Result<(), TaskError> {
    match n {
        Node::Group(grp) => group(grp, ts, canvas, g),
        Node::Path(p) => {
            let layers = p.fill().is_some() as u8 + p.stroke().is_some() as u8;
            for _ in 0..layers {
                g.paint(p.stroke_bounding_box().transform(ts), canvas)?;
            }
            // The rasteriser also pays per edge (building, sorting, walking
            // it over every row it spans): a million-point path covers a
            // small area but takes seconds (its stroke outline twice that).
            if layers > 0 {
                let (w, sy) = (
                    p.stroke().map_or(0.0, |s| s.width().get() as f64),
                    ts.get_scale().1 as f64,
                );
                let points = p.data().points().len() as f64;
                let edges = edge_rows(p.data(), ts) * EDGE_ROW_COST + points * POINT_COST;
                let fill = if p.fill().is_some() { edges } else { 0.0 };
                let stroke = if p.stroke().is_some() {
                    2.0 * (edges + points * w * sy * EDGE_ROW_COST)
                } else {
                    0.0
                };
                g.charge_paint(fill + stroke)?;
            }
            let paints = [p.fill().map(|f| f.paint()), p.stroke().map(|s| s.paint())];
            for paint in paints.into_iter().flatten() {
                if let Paint::Pattern(pat) = paint {
                    let (sx, sy) = ts.pre_concat(pat.transform()).get_scale();
                    let r = pat.rect();
                    let (tw, th) = (
                        (r.width() as f64 * sx as f64).round(),
                        (r.height() as f64 * sy as f64).round(),
                    );
                    g.charge(tw * th, "a pattern tile")?;
                    group(pat.root(), Transform::from_scale(sx, sy), tw * th, g)?;
                }
            }
            Ok(())
        }
        Node::Image(img) => match img.kind() {
            ImageKind::SVG(tree) => {
                g.charge(canvas, "a nested SVG image")?;
                group(tree.root(), ts, canvas, g)
            }
            _ => g.paint(img.bounding_box().transform(ts), canvas),
        },
        Node::Text(t) => group(t.flattened(), ts, canvas, g),
    }
}

/// PDF output: krilla-svg rasterises each filtered group (at `filter_scale` ×
/// the page zoom, at most 5000 px per side). Bounds the sum of those rasters.
pub(crate) fn check_pdf_filters(
    tree: &usvg::Tree,
    zoom: f64,
    filter_scale: f64,
    max_pixels: u64,
    paint_pixels: u64,
) -> Result<(), TaskError> {
    let mut g = Guard::new(
        (
            f64::MIN / 4.0,
            f64::MIN / 4.0,
            f64::MAX / 2.0,
            f64::MAX / 2.0,
        ),
        max_pixels,
        paint_pixels,
    );
    fn walk(grp: &Group, s: f64, g: &mut Guard) -> Result<(), TaskError> {
        if !grp.filters().is_empty() {
            // krilla-svg hands this whole group to resvg at scale k (<= 5000 px
            // per side): bound it exactly like a raster render of that size.
            let b = grp.layer_bounding_box();
            let (sx, sy) = grp.abs_transform().get_scale();
            let k = (sx.max(sy) as f64 * s)
                .min(5000.0 / b.width() as f64)
                .min(5000.0 / b.height() as f64);
            let (w, h) = (b.width() as f64 * k, b.height() as f64 * k);
            let saved = g.max_box;
            g.max_box = (-2.0 * w, -2.0 * h, 5.0 * w, 5.0 * h);
            g.charge(w * h, "a filter raster")?;
            let ts = Transform::from_scale(k as f32, k as f32)
                .pre_concat(Transform::from_translate(-b.x(), -b.y()));
            let r = group(
                grp,
                ts.pre_concat(grp.transform().invert().unwrap_or_default()),
                w * h,
                g,
            );
            g.max_box = saved;
            return r;
        }
        for child in grp.children() {
            if let Node::Group(c) = child {
                walk(c, s, g)?;
            }
            let mut res = Ok(());
            child.subroots(|sub| {
                if res.is_ok() {
                    res = walk(sub, s, g);
                }
            });
            res?;
        }
        Ok(())
    }
    walk(tree.root(), zoom * filter_scale, &mut g)
}
