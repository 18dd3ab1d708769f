//! Parsing an SVG into a usvg tree with safe resource handling.
//!
//! usvg's default `<image href>` resolver reads any local path. Ours:
//! - `data:` URIs (PNG, JPEG, GIF, WebP, SVG) are accepted after their header
//!   dimensions are checked against the pixel limits;
//! - paths, `file:` and every other scheme are refused with a warning, unless
//!   `base_dir` is set, in which case relative (or absolute) paths that resolve,
//!   after following symlinks, to a regular file inside `base_dir` are read;
//! - nested SVG images go through the same pipeline (size, entity, depth and
//!   expansion limits) with a nesting cap of [`MAX_IMAGE_NESTING`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::tasks::interrupt;

use usvg::roxmltree;
use usvg::{ImageHrefResolver, ImageKind, Options, Tree};

use super::{fonts, limits};
use crate::tasks::{ErrorCode, TaskError};

/// How many SVG-in-`<image>` levels are followed.
pub const MAX_IMAGE_NESTING: u32 = 3;

/// Per-render context shared by the resolver closures.
pub(crate) struct Ctx {
    pub warnings: Arc<Mutex<Vec<String>>>,
    /// Canonicalised resource directory, if the caller opted in.
    pub base_dir: Option<PathBuf>,
    pub max_input_bytes: u64,
    /// Remaining decoded-image pixel budget (all raster images of a render).
    pub image_pixels_left: AtomicU64,
    /// The render's work limits.
    pub limits: limits::RenderLimits,
    /// What is left of them (main document and nested SVGs share them).
    pub left: Mutex<Left>,
    pub fontdb: Arc<fontdb::Database>,
}

impl Ctx {
    pub fn warn(&self, msg: String) {
        if let Ok(mut w) = self.warnings.lock() {
            if w.len() < 100 && !w.contains(&msg) {
                w.push(msg);
            }
        }
    }
}

/// What is left of a render's work budgets.
pub(crate) struct Left {
    pub expanded: limits::Expanded,
    pub css_steps: u64,
}

impl Left {
    pub fn new(l: &limits::RenderLimits) -> Left {
        Left {
            expanded: limits::Expanded {
                elements: l.elements,
                text_elements: l.text_elements,
                text_chars: l.text_chars,
            },
            css_steps: l.css_steps,
        }
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Parses SVG (or SVGZ) bytes into a tree. `nesting` is 0 for the top level.
pub(crate) fn parse_tree(data: &[u8], ctx: &Arc<Ctx>, nesting: u32) -> Result<Tree, TaskError> {
    let max = ctx.max_input_bytes;
    if data.len() as u64 > max {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!("SVG input is {} bytes, maxInputBytes is {max}", data.len()),
        ));
    }
    let inflated;
    let data = if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .take(max + 1)
            .read_to_end(&mut out)
            .map_err(|e| TaskError::new(ErrorCode::Decode, format!("SVGZ: {e}")))?;
        if out.len() as u64 > max {
            return Err(TaskError::new(
                ErrorCode::Limit,
                format!("SVGZ inflates past maxInputBytes ({max})"),
            ));
        }
        inflated = out;
        &inflated[..]
    } else {
        data
    };
    let text = std::str::from_utf8(data)
        .map_err(|e| TaskError::new(ErrorCode::Decode, format!("SVG is not UTF-8: {e}")))?;
    limits::check_entities(text, max.max(1 << 20))?;
    let xml_opt = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: limits::MAX_XML_NODES,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, xml_opt).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => TaskError::new(
            ErrorCode::Limit,
            format!("SVG has more than {} XML nodes", limits::MAX_XML_NODES),
        ),
        e => TaskError::new(ErrorCode::Decode, format!("SVG XML: {e}")),
    })?;
    {
        let mut left = ctx.left.lock().unwrap_or_else(|p| p.into_inner());
        let e = limits::scan_tree(&doc, &left.expanded, &ctx.limits)?;
        let css = limits::check_css(&doc, e.elements, left.css_steps)?;
        let l = &mut left.expanded;
        l.elements -= e.elements;
        l.text_elements -= e.text_elements;
        l.text_chars -= e.text_chars;
        left.css_steps -= css.min(left.css_steps);
    }
    let opts = options(ctx, nesting);
    Tree::from_xmltree(&doc, &opts)
        .map_err(|e| TaskError::new(ErrorCode::Decode, format!("SVG: {e}")))
}

/// usvg options with our font database, font resolver and image resolver.
pub(crate) fn options(ctx: &Arc<Ctx>, nesting: u32) -> Options<'static> {
    let c1 = ctx.clone();
    let c2 = ctx.clone();
    Options {
        resources_dir: None,
        font_family: ctx
            .fontdb
            .family_name(&fontdb::Family::SansSerif)
            .to_string(),
        fontdb: ctx.fontdb.clone(),
        font_resolver: fonts::font_resolver(ctx.warnings.clone()),
        image_href_resolver: ImageHrefResolver {
            resolve_data: Box::new(move |mime, data, _| resolve_data(&c1, mime, data, nesting)),
            resolve_string: Box::new(move |href, _| resolve_string(&c2, href, nesting)),
        },
        ..Options::default()
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

fn sniff(data: &[u8]) -> Option<Kind> {
    match imagesize::image_type(data).ok()? {
        imagesize::ImageType::Png => Some(Kind::Png),
        imagesize::ImageType::Jpeg => Some(Kind::Jpeg),
        imagesize::ImageType::Gif => Some(Kind::Gif),
        imagesize::ImageType::Webp => Some(Kind::Webp),
        _ => None,
    }
}

fn resolve_data(ctx: &Arc<Ctx>, mime: &str, data: Arc<Vec<u8>>, nesting: u32) -> Option<ImageKind> {
    interrupt::poll();
    let kind = match mime {
        "image/png" => Some(Kind::Png),
        "image/jpg" | "image/jpeg" => Some(Kind::Jpeg),
        "image/gif" => Some(Kind::Gif),
        "image/webp" => Some(Kind::Webp),
        "image/svg+xml" => Some(Kind::Svg),
        _ => sniff(&data).or_else(|| {
            let head = &data[..data.len().min(512)];
            let head = String::from_utf8_lossy(head);
            (head.contains("<svg") || data.starts_with(&[0x1f, 0x8b])).then_some(Kind::Svg)
        }),
    };
    let Some(kind) = kind else {
        ctx.warn(format!(
            "image data URI of type '{mime}' is not supported; skipped"
        ));
        return None;
    };
    load(ctx, kind, data, nesting, "data: URI")
}

fn load(
    ctx: &Arc<Ctx>,
    kind: Kind,
    data: Arc<Vec<u8>>,
    nesting: u32,
    what: &str,
) -> Option<ImageKind> {
    if kind == Kind::Svg {
        if nesting >= MAX_IMAGE_NESTING {
            ctx.warn(format!(
                "SVG image ({what}) nested more than {MAX_IMAGE_NESTING} levels deep; skipped"
            ));
            return None;
        }
        return match parse_tree(&data, ctx, nesting + 1) {
            Ok(tree) => Some(ImageKind::SVG(tree)),
            Err(e) => {
                ctx.warn(format!("SVG image ({what}) skipped: {}", e.message));
                None
            }
        };
    }
    // Raster: the renderer decodes it later; bound that decode by its header size.
    let size = match imagesize::blob_size(&data) {
        Ok(s) => s,
        Err(_) => {
            ctx.warn(format!("image ({what}) has an unreadable header; skipped"));
            return None;
        }
    };
    let px = (size.width as u64).saturating_mul(size.height as u64);
    let left = ctx.image_pixels_left.load(Ordering::Relaxed);
    if px == 0 || px > left {
        ctx.warn(format!(
            "image ({what}) of {}x{} exceeds the remaining image pixel budget ({left}); skipped",
            size.width, size.height
        ));
        return None;
    }
    ctx.image_pixels_left.fetch_sub(px, Ordering::Relaxed);
    Some(match kind {
        Kind::Png => ImageKind::PNG(data),
        Kind::Jpeg => ImageKind::JPEG(data),
        Kind::Gif => ImageKind::GIF(data),
        Kind::Webp => ImageKind::WEBP(data),
        Kind::Svg => unreachable!("handled above"),
    })
}

fn resolve_string(ctx: &Arc<Ctx>, href: &str, nesting: u32) -> Option<ImageKind> {
    interrupt::poll();
    let href = href.trim();
    if href.starts_with("data:") {
        ctx.warn(format!("malformed data URI '{}' skipped", short(href)));
        return None;
    }
    let Some(base) = ctx.base_dir.as_ref() else {
        ctx.warn(format!(
            "external image '{}' not loaded: file and network access are disabled (set baseDir)",
            short(href)
        ));
        return None;
    };
    let path_str = if let Some(p) = href.strip_prefix("file://") {
        p
    } else if has_scheme(href) {
        ctx.warn(format!(
            "image '{}' not loaded: network access is disabled",
            short(href)
        ));
        return None;
    } else {
        href
    };
    // Fragments and queries are not part of a file name.
    let path_str = path_str.split(['#', '?']).next().unwrap_or("");
    match read_under(base, Path::new(path_str), ctx.max_input_bytes) {
        Ok(data) => {
            let is_svg = path_str.ends_with(".svg") || path_str.ends_with(".svgz");
            let kind = if is_svg {
                Some(Kind::Svg)
            } else {
                sniff(&data)
            };
            match kind {
                Some(k) => load(
                    ctx,
                    k,
                    Arc::new(data),
                    nesting,
                    &format!("'{}'", short(href)),
                ),
                None => {
                    ctx.warn(format!(
                        "'{}' is not a PNG, JPEG, GIF, WebP or SVG",
                        short(href)
                    ));
                    None
                }
            }
        }
        Err(why) => {
            ctx.warn(format!("image '{}' not loaded: {why}", short(href)));
            None
        }
    }
}

/// `scheme:` per RFC 3986 (also catches Windows drive letters, which we refuse).
fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 0 => {
            let scheme = &s[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    }
}

/// Reads `rel` (relative to `base`, or absolute) only if its canonical path is a
/// regular file inside the canonical `base` and not larger than `max` bytes.
pub(crate) fn read_under(base: &Path, rel: &Path, max: u64) -> Result<Vec<u8>, String> {
    let joined = if rel.is_absolute() {
        rel.to_path_buf()
    } else {
        base.join(rel)
    };
    let canon = joined
        .canonicalize()
        .map_err(|_| "no such file under baseDir".to_string())?;
    if !canon.starts_with(base) {
        return Err("path resolves outside baseDir".into());
    }
    let meta = std::fs::metadata(&canon).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > max {
        return Err(format!("file is larger than maxInputBytes ({max})"));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(&canon)
        .and_then(|f| f.take(max + 1).read_to_end(&mut out))
        .map_err(|e| e.to_string())?;
    if out.len() as u64 > max {
        return Err(format!("file is larger than maxInputBytes ({max})"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(has_scheme("http://x/y.png"));
        assert!(has_scheme("HTTPS://x"));
        assert!(has_scheme("C:\\x.png"));
        assert!(!has_scheme("img/a.png"));
        assert!(!has_scheme("/abs/a.png"));
        assert!(!has_scheme(":x"));
    }

    #[test]
    fn read_under_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("render-ru-{}", std::process::id()));
        let inner = dir.join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(dir.join("secret.png"), b"outside").unwrap();
        std::fs::write(inner.join("ok.png"), b"inside").unwrap();
        let base = inner.canonicalize().unwrap();
        assert_eq!(
            read_under(&base, Path::new("ok.png"), 100).unwrap(),
            b"inside"
        );
        assert!(read_under(&base, Path::new("../secret.png"), 100).is_err());
        assert!(read_under(&base, &dir.join("secret.png"), 100).is_err());
        assert!(read_under(&base, Path::new("ok.png"), 3).is_err());
        assert!(read_under(&base, Path::new("."), 100).is_err());
        #[cfg(unix)]
        {
            let link = inner.join("link.png");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(dir.join("secret.png"), &link).unwrap();
            assert!(read_under(&base, Path::new("link.png"), 100).is_err());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
