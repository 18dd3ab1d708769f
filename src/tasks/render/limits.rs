//! Pre-scans that bound the work usvg/resvg will do, before they do it.
//!
//! - [`check_entities`]: XML entity expansion (billion-laughs style inputs).
//! - [`scan_tree`]: element nesting depth and the size of the tree after
//!   `use`/`href`/`url(#…)` references are expanded (usvg instantiates every
//!   reference, so `<use>` fan-out grows exponentially), iteratively, so deep
//!   inputs cannot overflow the stack here either; with it the text usvg will
//!   lay out (text elements and characters, per element and in total, after
//!   expansion: usvg's layout of one text chunk grows quadratically with its
//!   length).
//! - [`check_css`]: the selector matching usvg will do (every style rule
//!   against every element, with backtracking over ancestors for descendant
//!   combinators, exponential in their number), run here against a step
//!   budget that stops the walk as soon as it is spent.
//!
//! The budgets are [`RenderLimits`]; their defaults let real-world SVGs
//! through (icons, charts, cards, maps with tens of thousands of paths) and
//! refuse hostile ones before the expensive work starts.

use std::collections::HashMap;

use usvg::roxmltree::{Document, Node, NodeId};

use crate::tasks::{ErrorCode, TaskError};

/// Maximum element nesting depth, counting expanded references.
pub const MAX_DEPTH: u32 = 256;
/// Work budgets of one render (shared by its main document and its nested
/// SVG images). Each bounds a stage whose running time the input controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderLimits {
    /// Elements after expanding `use`/`href`/`url(#…)` references.
    /// Default: 2_000_000.
    pub elements: u64,
    /// CSS selector-matching steps (rule × element checks plus ancestor and
    /// sibling visits; parsing counts too). Default: 20_000_000.
    pub css_steps: u64,
    /// `<text>` elements after expanding references. Default: 10_000.
    pub text_elements: u64,
    /// Characters of all `<text>` elements after expanding references.
    /// Default: 100_000.
    pub text_chars: u64,
    /// Characters of one `<text>` element (usvg lays a text chunk out in time
    /// quadratic in its length). Default: 10_000.
    pub text_chars_per_element: u64,
    /// Pixel operations of painting: the area each path, glyph and image
    /// covers (its bounding box on its target) plus each path's edge work
    /// (see `guard`), summed. Default: 1_000_000_000 (about a second).
    pub paint_pixels: u64,
}

impl Default for RenderLimits {
    fn default() -> Self {
        RenderLimits {
            elements: 2_000_000,
            css_steps: 20_000_000,
            text_elements: 10_000,
            text_chars: 100_000,
            text_chars_per_element: 10_000,
            paint_pixels: 1_000_000_000,
        }
    }
}

/// What [`scan_tree`] found a document expands to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Expanded {
    /// Elements, references instantiated.
    pub elements: u64,
    /// `<text>` elements, references instantiated.
    pub text_elements: u64,
    /// Characters of those `<text>` elements.
    pub text_chars: u64,
}

impl Expanded {
    fn add(&mut self, o: Expanded, mult: u64) {
        self.elements = self
            .elements
            .saturating_add(o.elements.saturating_mul(mult));
        self.text_elements = self
            .text_elements
            .saturating_add(o.text_elements.saturating_mul(mult));
        self.text_chars = self
            .text_chars
            .saturating_add(o.text_chars.saturating_mul(mult));
    }
}
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
    Done { cost: Expanded, depth: u32 },
}

/// Characters of the text content of a `<text>` element.
fn text_chars(node: Node) -> u64 {
    node.descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().map_or(0, |t| t.chars().count() as u64))
        .sum()
}

/// Checks depth and expanded size of `doc` against what is left of the
/// render's budgets (`left`); returns what the document expands to (to
/// charge against them). Errors with `ERR_LIMIT`.
pub fn scan_tree(
    doc: &Document,
    left: &Expanded,
    limits: &RenderLimits,
) -> Result<Expanded, TaskError> {
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
        // A `<use>` whose target is still Active references itself or an
        // element on its own path: usvg drops some of these and refuses
        // others ("nodes limit"); refuse them all the same way.
        if node.tag_name().name() == "use" {
            let href = node.attributes().find(|a| a.name() == "href");
            if let Some(id) = href.and_then(|a| a.value().trim().strip_prefix('#')) {
                if let Some(&t) = ids.get(id) {
                    if let Mark::Active = marks[t.get_usize()] {
                        return Err(TaskError::new(
                            ErrorCode::Decode,
                            format!("SVG <use> reference cycle through #{id}"),
                        ));
                    }
                }
            }
        }
        let mut cost = Expanded {
            elements: 1,
            ..Expanded::default()
        };
        if node.tag_name().name() == "text" {
            let chars = text_chars(node);
            if chars > limits.text_chars_per_element {
                return Err(limit(format!(
                    "a <text> element has {chars} characters, over limits.textCharsPerElement ({})",
                    limits.text_chars_per_element
                )));
            }
            cost.text_elements = 1;
            cost.text_chars = chars;
        }
        let mut depth = 0u32;
        let mut add = |m: Mark, mult: u64| {
            if let Mark::Done { cost: c, depth: d } = m {
                cost.add(c, mult);
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
        if cost.elements > left.elements {
            return Err(limit(format!(
                "SVG expands to more than {} elements (use/href fan-out; limits.elements)",
                left.elements
            )));
        }
        if cost.text_elements > left.text_elements {
            return Err(limit(format!(
                "SVG has more than {} <text> elements (references expanded; limits.textElements)",
                left.text_elements
            )));
        }
        if cost.text_chars > left.text_chars {
            return Err(limit(format!(
                "SVG text has more than {} characters (references expanded; limits.textChars)",
                left.text_chars
            )));
        }
        marks[idx(node)] = Mark::Done { cost, depth };
    }
    match marks[idx(root)] {
        Mark::Done { cost, .. } => Ok(cost),
        _ => Ok(Expanded {
            elements: 1,
            ..Expanded::default()
        }),
    }
}

/// A roxmltree element seen by simplecss, counting every step of the
/// matching against a shared budget. Once the budget is spent, it reports no
/// parent and no sibling, so a backtracking match in progress ends at once.
#[derive(Clone, Copy)]
struct Counted<'a, 'input> {
    node: Node<'a, 'input>,
    steps: &'a std::cell::Cell<u64>,
    budget: u64,
}

impl Counted<'_, '_> {
    fn step(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= self.budget
    }
}

impl simplecss::Element for Counted<'_, '_> {
    fn parent_element(&self) -> Option<Self> {
        if !self.step() {
            return None;
        }
        self.node
            .parent_element()
            .map(|node| Counted { node, ..*self })
    }

    fn prev_sibling_element(&self) -> Option<Self> {
        if !self.step() {
            return None;
        }
        self.node
            .prev_sibling_element()
            .map(|node| Counted { node, ..*self })
    }

    fn has_local_name(&self, name: &str) -> bool {
        self.node.tag_name().name() == name
    }

    fn attribute_matches(&self, name: &str, op: simplecss::AttributeOperator) -> bool {
        self.node.attribute(name).is_some_and(|v| op.matches(v))
    }

    fn pseudo_class_matches(&self, class: simplecss::PseudoClass) -> bool {
        // Same answers as usvg: only :first-child can match a static SVG.
        matches!(class, simplecss::PseudoClass::FirstChild)
            && self.node.prev_sibling_element().is_none()
    }
}

/// simplecss computes the line and column of every parse error it meets by
/// scanning the style text from its start, so a sheet with one error per
/// rule (a missing `;` before `}` is one) parses in quadratic time. Returns
/// the bytes those scans will read: the offsets of every `}` not preceded by
/// `;` or `{` and of every `@` (an at-rule may fail on its name).
fn css_parse_scans(text: &str) -> u64 {
    let mut prev = b'{';
    let mut total = 0u64;
    for (i, &c) in text.as_bytes().iter().enumerate() {
        if (c == b'}' && prev != b';' && prev != b'{') || c == b'@' {
            total = total.saturating_add(i as u64);
        }
        if !c.is_ascii_whitespace() {
            prev = c;
        }
    }
    total
}

/// Bytes of error-position scanning that count as one matching step
/// (measured on x86-64: ~15 ns per rule × element check, ~8 GB/s scanning).
const SCAN_BYTES_PER_STEP: u64 = 128;

/// Bounds the CSS work usvg will do: parsing the document's `<style>` sheets
/// (see [`css_parse_scans`]), then matching every rule against every element,
/// each instance of a referenced element again. The matching is run here
/// against what is left of `budget` and stops as soon as it is spent.
/// Returns the steps used (parsing and matching); `ERR_LIMIT` past `budget`.
pub fn check_css(doc: &Document, expanded: u64, budget: u64) -> Result<u64, TaskError> {
    let refuse = |what: &str| {
        limit(format!(
            "CSS {what} needs more than {budget} steps (limits.cssSteps)"
        ))
    };
    let styles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("style"))
        .filter(|n| !matches!(n.attribute("type"), Some(t) if t != "text/css"))
        .filter_map(|n| n.text())
        .collect();
    // usvg parses the sheets once and this check once more.
    let scans: u64 = styles.iter().map(|t| css_parse_scans(t)).sum();
    let parse_steps = scans.saturating_mul(2) / SCAN_BYTES_PER_STEP;
    if parse_steps > budget {
        return Err(refuse("parsing"));
    }
    let mut sheet = simplecss::StyleSheet::new();
    for text in styles {
        sheet.parse_more(text);
    }
    if sheet.rules.is_empty() {
        return Ok(parse_steps);
    }
    let elements = doc.descendants().filter(|n| n.is_element()).count() as u64;
    // Each element is matched once per instance: spread the budget over them.
    let scale = (expanded / elements.max(1)).max(1);
    let steps = std::cell::Cell::new(0u64);
    let own = (budget - parse_steps) / scale;
    for node in doc.descendants().filter(|n| n.is_element()) {
        let el = Counted {
            node,
            steps: &steps,
            budget: own,
        };
        for rule in &sheet.rules {
            if !el.step() {
                return Err(refuse("selector matching"));
            }
            let _ = rule.selector.matches(&el);
        }
    }
    if steps.get() > own {
        return Err(refuse("selector matching"));
    }
    Ok(parse_steps + steps.get().saturating_mul(scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Document<'_> {
        Document::parse(s).unwrap()
    }

    /// `scan_tree` with `elements` left and the default limits otherwise.
    fn scan(d: &Document, elements: u64) -> Result<u64, TaskError> {
        let limits = RenderLimits::default();
        let left = Expanded {
            elements,
            text_elements: limits.text_elements,
            text_chars: limits.text_chars,
        };
        scan_tree(d, &left, &limits).map(|e| e.elements)
    }

    #[test]
    fn flat_document_costs_its_elements() {
        let d = parse(r#"<svg><g><rect/><rect/></g><circle/></svg>"#);
        assert_eq!(scan(&d, 100).unwrap(), 5);
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
        assert_eq!(scan(&d, 1_000_000).unwrap_err().code, ErrorCode::Limit);
    }

    #[test]
    fn deep_nesting_is_limited() {
        let s = format!("<svg>{}{}</svg>", "<g>".repeat(300), "</g>".repeat(300));
        let d = parse(&s);
        assert_eq!(scan(&d, 1_000_000).unwrap_err().code, ErrorCode::Limit);
        let s = format!("<svg>{}{}</svg>", "<g>".repeat(200), "</g>".repeat(200));
        assert!(scan(&parse(&s), 1_000_000).is_ok());
    }

    #[test]
    fn use_cycles_are_decode_errors_and_other_reference_cycles_terminate() {
        for svg in [
            r##"<svg><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>"##,
            r##"<svg><use id="a" href="#a"/></svg>"##,
            r##"<svg xmlns:xlink="http://www.w3.org/1999/xlink"><g id="a"><g><use xlink:href="#a"/></g></g></svg>"##,
        ] {
            let e = scan(&parse(svg), 100).unwrap_err();
            assert_eq!(e.code, ErrorCode::Decode, "{svg}: {e}");
            assert!(e.message.contains("reference cycle through #"), "{e}");
        }
        // A pattern filled with itself: usvg drops the recursive paint.
        let d = parse(
            r##"<svg><pattern id="p"><rect fill="url(#p)"/></pattern><rect fill="url(#p)"/></svg>"##,
        );
        assert!(scan(&d, 100).unwrap() >= 4);
        // Two uses of one element are no cycle.
        let d = parse(r##"<svg><rect id="r"/><use href="#r"/><use href="#r"/></svg>"##);
        assert!(scan(&d, 100).is_ok());
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
