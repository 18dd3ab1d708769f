//! Trees that make resvg 0.47 panic, refused with a coded error before
//! rendering (each found by fuzzing; see BENCHMARKS.md, Reliability).
//!
//! - `feDisplacementMap` in a group whose `filter` lists several filters of
//!   which one is a CSS function (`filter="url(#d) blur(1px)"`): the
//!   displacement's inputs no longer have the filter region's size and
//!   resvg's `displacement_map::apply` asserts (raster, and PDF, where
//!   krilla-svg rasterises filters with resvg). Input:
//!   fuzz/regressions/render_png/displacement-map-in-filter-list.svg.

use usvg::filter::Kind;
use usvg::{Group, Node};

use crate::tasks::{ErrorCode, TaskError};

/// `Err(ERR_DECODE)` when `tree` holds a construct resvg cannot render.
pub(crate) fn check(tree: &usvg::Tree) -> Result<(), TaskError> {
    let mut result = Ok(());
    group(tree.root(), &mut result);
    result
}

fn group(g: &Group, result: &mut Result<(), TaskError>) {
    if result.is_err() {
        return;
    }
    let filters = g.filters();
    let displaces = filters.iter().any(|f| {
        f.primitives()
            .iter()
            .any(|p| matches!(p.kind(), Kind::DisplacementMap(_)))
    });
    if filters.len() > 1 && displaces {
        *result = Err(TaskError::new(
            ErrorCode::Decode,
            "cannot render feDisplacementMap in a list of several filters \
             (e.g. filter=\"url(#f) blur(1px)\"): unsupported by the renderer",
        ));
        return;
    }
    // Usvg trees are at most limits::MAX_DEPTH deep, so recursion is bounded.
    // A child's subroots: its clip paths, masks, patterns, feImage content
    // and nested SVG images.
    for child in g.children() {
        child.subroots(|s| group(s, result));
        if let Node::Group(c) = child {
            group(c, result);
        }
    }
}
