//! Pre-scans that bound the work usvg/resvg will do, before they do it.
//!
//! - [`check_entities`]: XML entity expansion (billion-laughs style inputs).
//! - [`scan_tree`]: element nesting depth and the size of the tree after
//!   `use`/`href`/`url(#…)` references are expanded (usvg instantiates every
//!   reference, so `<use>` fan-out grows exponentially), iteratively, so deep
//!   inputs cannot overflow the stack here either.

use std::collections::HashMap;

use usvg::roxmltree::{Document, Node, NodeId};

use crate::tasks::{ErrorCode, TaskError};

/// Maximum element nesting depth, counting expanded references.
pub const MAX_DEPTH: u32 = 256;
/// Maximum number of elements after expanding references (per render, shared
/// with nested SVG images).
pub const MAX_EXPANDED_ELEMENTS: u64 = 2_000_000;
/// Maximum number of XML nodes roxmltree may create for one document.
pub const MAX_XML_NODES: u32 = 4_000_000;

fn limit(msg: impl Into<String>) -> TaskError {
    TaskError::new(ErrorCode::Limit, msg)
}

/// Rejects documents whose internal-DTD entities would expand past `max_bytes`
/// of text. Cheap byte scan; only runs when the input declares entities.
pub fn check_entities(text: &str, max_bytes: u64) -> Result<(), TaskError> {
    let Some(decl_start) = text.find("<!ENTITY") else {
        return Ok(());
    };
    // Entity name -> raw value.
    let mut raw: HashMap<&str, &str> = HashMap::new();
    let mut rest = &text[decl_start..];
    let mut body_start = decl_start;
    while let Some(i) = rest.find("<!ENTITY") {
        let after = rest[i + 8..].trim_start();
        let after = after
            .strip_prefix('%')
            .map(str::trim_start)
            .unwrap_or(after);
        let name_end = after
            .find(|c: char| c.is_whitespace())
            .unwrap_or(after.len());
        let name = &after[..name_end];
        let v = after[name_end..].trim_start();
        let consumed_to = if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let inner = &v[1..];
            let end = inner.find(q).unwrap_or(inner.len());
            raw.insert(name, &inner[..end]);
            text.len() - inner.len() + end
        } else {
            text.len() - v.len()
        };
        body_start = body_start.max(consumed_to);
        rest = &text[consumed_to.min(text.len())..];
    }
    // Expanded length of each entity (memoised; cycles are an error).
    fn expanded<'a>(
        name: &'a str,
        raw: &HashMap<&'a str, &'a str>,
        memo: &mut HashMap<&'a str, Option<u64>>,
        max: u64,
        depth: u32,
    ) -> Result<u64, TaskError> {
        if depth > 16 {
            return Err(limit("XML entity nesting too deep"));
        }
        match memo.get(name) {
            Some(Some(n)) => return Ok(*n),
            Some(None) => return Err(TaskError::new(ErrorCode::Decode, "recursive XML entity")),
            None => {}
        }
        let Some(value) = raw.get(name) else {
            return Ok(name.len() as u64 + 2);
        };
        memo.insert(name, None);
        let mut total = 0u64;
        for (lit, r) in split_refs(value) {
            total = total.saturating_add(lit);
            if let Some(r) = r {
                total = total.saturating_add(expanded(r, raw, memo, max, depth + 1)?);
            }
            if total > max {
                return Err(limit(format!("XML entities expand past {max} bytes")));
            }
        }
        memo.insert(name, Some(total));
        Ok(total)
    }
    let mut memo = HashMap::new();
    let mut total = 0u64;
    for (lit, r) in split_refs(&text[body_start.min(text.len())..]) {
        total = total.saturating_add(lit);
        if let Some(r) = r {
            total = total.saturating_add(expanded(r, &raw, &mut memo, max_bytes, 0)?);
        }
        if total > max_bytes {
            return Err(limit(format!("XML entities expand past {max_bytes} bytes")));
        }
    }
    Ok(())
}

/// Splits `s` into (literal byte count, following `&name;` / `%name;` reference).
fn split_refs(s: &str) -> impl Iterator<Item = (u64, Option<&str>)> + '_ {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(i) = rest.find(['&', '%']) else {
            let n = rest.len() as u64;
            rest = "";
            return Some((n, None));
        };
        let tail = &rest[i + 1..];
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .unwrap_or(tail.len());
        if end > 0 && !tail.starts_with('#') && tail[end..].starts_with(';') {
            let name = &tail[..end];
            rest = &tail[end + 1..];
            Some((i as u64, Some(name)))
        } else {
            rest = tail;
            Some((i as u64 + 1, None))
        }
    })
}

/// References from one element to others by id: `href`/`xlink:href="#id"` and
/// `url(#id)` in any attribute (fill, clip-path, mask, filter, marker-*, style…).
fn refs<'a>(node: Node<'a, 'a>) -> impl Iterator<Item = (&'a str, bool)> + 'a {
    node.attributes().flat_map(|a| {
        let v = a.value();
        let is_marker = a.name().starts_with("marker") || a.name() == "style";
        let mut out: Vec<(&'a str, bool)> = Vec::new();
        if a.name() == "href" {
            if let Some(id) = v.trim().strip_prefix('#') {
                out.push((id, false));
            }
        }
        let mut rest = v;
        while let Some(i) = rest.find("url(") {
            let t = rest[i + 4..].trim_start().trim_start_matches(['"', '\'']);
            if let Some(t) = t.strip_prefix('#') {
                let end = t.find([')', '"', '\'']).unwrap_or(t.len());
                out.push((t[..end].trim(), is_marker));
            }
            rest = &rest[i + 4..];
        }
        out
    })
}

/// Rough upper bound of the vertices a marker can be placed on.
fn vertex_estimate(node: Node) -> u64 {
    let d = node
        .attribute("d")
        .or_else(|| node.attribute("points"))
        .unwrap_or("");
    (d.len() as u64 / 2).max(1)
}

#[derive(Clone, Copy)]
enum Mark {
    New,
    Active,
    Done { cost: u64, depth: u32 },
}

/// Checks depth and expanded size of `doc`; returns the expanded element count
/// (to charge against a shared budget). Errors with `ERR_LIMIT`.
pub fn scan_tree(doc: &Document, budget: u64) -> Result<u64, TaskError> {
    let ids: HashMap<&str, NodeId> = doc
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| n.attribute("id").map(|id| (id, n.id())))
        .collect();
    let count = doc.descendants().count();
    let mut marks = vec![Mark::New; count];
    let idx = |n: Node| n.id().get_usize();
    // Explicit DFS stack: (node, edges already expanded?).
    let root = doc.root_element();
    let mut stack: Vec<(Node, bool)> = vec![(root, false)];
    while let Some((node, expanded)) = stack.pop() {
        if !expanded {
            if let Mark::New = marks[idx(node)] {
                marks[idx(node)] = Mark::Active;
                stack.push((node, true));
                for c in node.children().filter(|c| c.is_element()) {
                    stack.push((c, false));
                }
                for (id, _) in refs(node) {
                    if let Some(&t) = ids.get(id) {
                        stack.push((doc.get_node(t).expect("id from this doc"), false));
                    }
                }
            }
            continue;
        }
        // Post-order: all edges are Done (or Active = cycle, counted as 0).
        let mut cost = 1u64;
        let mut depth = 0u32;
        let mut add = |m: Mark, mult: u64| {
            if let Mark::Done { cost: c, depth: d } = m {
                cost = cost.saturating_add(c.saturating_mul(mult));
                depth = depth.max(d);
            }
        };
        for c in node.children().filter(|c| c.is_element()) {
            add(marks[idx(c)], 1);
        }
        for (id, is_marker) in refs(node) {
            if let Some(&t) = ids.get(id) {
                let mult = if is_marker { vertex_estimate(node) } else { 1 };
                add(marks[t.get_usize()], mult);
            }
        }
        let depth = depth + 1;
        if depth > MAX_DEPTH {
            return Err(limit(format!(
                "SVG nesting (with references) deeper than {MAX_DEPTH}"
            )));
        }
        if cost > budget {
            return Err(limit(format!(
                "SVG expands to more than {budget} elements (use/href fan-out)"
            )));
        }
        marks[idx(node)] = Mark::Done { cost, depth };
    }
    match marks[idx(root)] {
        Mark::Done { cost, .. } => Ok(cost),
        _ => Ok(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Document<'_> {
        Document::parse(s).unwrap()
    }

    #[test]
    fn flat_document_costs_its_elements() {
        let d = parse(r#"<svg><g><rect/><rect/></g><circle/></svg>"#);
        assert_eq!(scan_tree(&d, 100).unwrap(), 5);
    }

    #[test]
    fn use_fan_out_is_counted() {
        let mut s = String::from(
            r#"<svg xmlns:xlink="http://www.w3.org/1999/xlink"><defs><rect id="a0"/>"#,
        );
        for i in 1..30 {
            s.push_str(&format!(r##"<g id="a{i}">"##));
            for _ in 0..4 {
                s.push_str(&format!(r##"<use xlink:href="#a{}"/>"##, i - 1));
            }
            s.push_str("</g>");
        }
        s.push_str(r##"</defs><use href="#a29"/></svg>"##);
        let d = parse(&s);
        assert_eq!(scan_tree(&d, 1_000_000).unwrap_err().code, ErrorCode::Limit);
    }

    #[test]
    fn deep_nesting_is_limited() {
        let s = format!("<svg>{}{}</svg>", "<g>".repeat(300), "</g>".repeat(300));
        let d = parse(&s);
        assert_eq!(scan_tree(&d, 1_000_000).unwrap_err().code, ErrorCode::Limit);
        let s = format!("<svg>{}{}</svg>", "<g>".repeat(200), "</g>".repeat(200));
        assert!(scan_tree(&parse(&s), 1_000_000).is_ok());
    }

    #[test]
    fn reference_cycles_terminate() {
        let d =
            parse(r##"<svg><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>"##);
        assert!(scan_tree(&d, 100).unwrap() >= 5);
    }

    #[test]
    fn entity_bombs_are_rejected() {
        let mut s =
            String::from("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"xxxxxxxxxx\">");
        for i in 1..8 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            s.push_str(&format!(
                "<!ENTITY {cur} \"{}\">",
                format!("&{prev};").repeat(10)
            ));
        }
        s.push_str("]><svg><text>&h;</text></svg>");
        assert_eq!(
            check_entities(&s, 1_000_000).unwrap_err().code,
            ErrorCode::Limit
        );
        let ok = "<!DOCTYPE svg [<!ENTITY n \"red\">]><svg fill=\"&n;\"/>";
        assert!(check_entities(ok, 1000).is_ok());
    }
}
