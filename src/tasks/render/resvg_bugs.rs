//! Trees that make resvg 0.47 panic, refused with a coded error before
//! rendering (each found by fuzzing; see BENCHMARKS.md, "Reliability:
//! fuzzing").
//!
//! - A group whose `filter` lists several filters of which one is a CSS
//!   function (`filter="url(#f) blur(1px)"`), where a filter holds a
//!   primitive resvg asserts equal image sizes for: the inputs no longer
//!   have the filter region's size, and `feDisplacementMap`,
//!   `feDiffuseLighting`, `feSpecularLighting` and
//!   `feComposite operator="arithmetic"` assert (raster, and PDF, where
//!   krilla-svg rasterises filters with resvg). Inputs:
//!   fuzz/regressions/render_{png,pdf}/*-in-filter-list.svg.

use usvg::filter::{CompositeOperator, Kind};
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
    let asserts_sizes = |k: &Kind| match k {
        Kind::DisplacementMap(_) | Kind::DiffuseLighting(_) | Kind::SpecularLighting(_) => true,
        Kind::Composite(c) => matches!(c.operator(), CompositeOperator::Arithmetic { .. }),
        _ => false,
    };
    let culprit = filters
        .iter()
        .flat_map(|f| f.primitives())
        .find(|p| asserts_sizes(p.kind()));
    if let (true, Some(p)) = (filters.len() > 1, culprit) {
        let name = match p.kind() {
            Kind::DisplacementMap(_) => "feDisplacementMap",
            Kind::DiffuseLighting(_) => "feDiffuseLighting",
            Kind::SpecularLighting(_) => "feSpecularLighting",
            _ => "feComposite operator=\"arithmetic\"",
        };
        *result = Err(TaskError::new(
            ErrorCode::Decode,
            format!(
                "cannot render {name} in a list of several filters \
                 (e.g. filter=\"url(#f) blur(1px)\"): unsupported by the renderer"
            ),
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
