//! Hostile inputs: each must be refused with `ERR_LIMIT` before the work it
//! asks for is done (an allocation that would abort the process, or time
//! that grows faster than the input), and a cancelled render must stop
//! inside the stages resvg/usvg run as one call.

use std::sync::atomic::{AtomicBool, AtomicU64};

use super::tests::{code, decode_png, det, expect_err, run};
use super::*;

fn limit_message(svg: &str, o: &RenderOptions) -> String {
    let e = expect_err(run(svg, o));
    assert_eq!(e.code, ErrorCode::Limit, "{}", e.message);
    e.message
}

fn with_limits(l: RenderLimits) -> RenderOptions {
    RenderOptions { limits: l, ..det() }
}

#[test]
fn huge_filter_regions_are_refused_not_allocated() {
    // The 255-byte SVG that aborted the process: a 200000² user-space filter
    // region on a 100×100 canvas is a 160 GB pixmap in resvg's feFlood.
    let flood = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" filterUnits="userSpaceOnUse" x="-100000" y="-100000" width="200000" height="200000"><feFlood flood-color="red"/></filter><rect width="10" height="10" filter="url(#f)"/></svg>"#;
    assert!(limit_message(flood, &det()).contains("filter region"));
    // krilla-svg rasterises a filtered group at most 5000 px per side, so
    // the PDF path renders it (as before).
    let pdf = RenderOptions {
        format: Format::Pdf,
        ..det()
    };
    assert!(run(flood, &pdf).unwrap().data.starts_with(b"%PDF-"));
    // The same region in objectBoundingBox units (10000 × the element's box).
    let bbox = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" x="-5000" y="-5000" width="10000" height="10000"><feFlood flood-color="red"/></filter><rect width="20" height="20" filter="url(#f)"/></svg>"#;
    assert_eq!(code(bbox, &det()), ErrorCode::Limit);
    // A modest region made huge by the transforms of nested groups.
    let scaled = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="100" height="100"><feTurbulence baseFrequency="0.1"/></filter><g transform="scale(30)"><g transform="scale(10)"><rect width="1" height="1" filter="url(#f)"/></g></g></svg>"#;
    assert_eq!(code(scaled, &det()), ErrorCode::Limit);
    // Every primitive that allocates the region is covered, not only feFlood.
    for prim in [
        r#"<feTurbulence baseFrequency="0.1"/>"#,
        r#"<feImage href="data:image/svg+xml;utf8,&lt;svg xmlns='http://www.w3.org/2000/svg'/&gt;"/>"#,
        r#"<feMerge><feMergeNode in="SourceGraphic"/></feMerge>"#,
        r#"<feComposite in="SourceGraphic" in2="SourceAlpha"/>"#,
        r#"<feTile/>"#,
        r#"<feDiffuseLighting><feDistantLight/></feDiffuseLighting>"#,
    ] {
        let svg = flood.replace(r#"<feFlood flood-color="red"/>"#, prim);
        assert_eq!(code(&svg, &det()), ErrorCode::Limit, "{prim}");
    }
    // A region bigger than the canvas but within the limits renders, and the
    // flood is clipped to the canvas as resvg does.
    let fine = flood.replace("100000", "100").replace("200000", "300");
    let img = decode_png(&run(&fine, &det()).unwrap().data);
    assert_eq!((img.0, img.1), (100, 100));
    assert_eq!(&img.2[..4], &[255, 0, 0, 255]);
    let last = img.2.len() - 4;
    assert_eq!(&img.2[last..], &[255, 0, 0, 255]);
    // Raising maxPixels does not lift the per-buffer bound past the machine.
    let o = RenderOptions {
        max_pixels: 1 << 40,
        ..det()
    };
    assert_eq!(code(flood, &o), ErrorCode::Limit);
}

#[test]
fn painting_is_bounded() {
    // 100,000 canvas-sized rectangles in ~4 MB: each fill is 1M pixels.
    let mut s =
        String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000">"#);
    for i in 0..100_000 {
        s.push_str(&format!(
            r#"<rect x="{}" width="1000" height="1000"/>"#,
            i % 7
        ));
    }
    s.push_str("</svg>");
    assert!(limit_message(&s, &det()).contains("paintPixels"));
    // The same count of small shapes is fine, and the limit can be raised.
    let small = s.replace(
        r#"width="1000" height="1000"/>"#,
        r#"width="2" height="2"/>"#,
    );
    assert!(run(&small, &det()).is_ok());
    let few: String = s.chars().take(60 + 40 * 50).collect::<String>();
    let few = few[..few.rfind("/>").unwrap() + 2].to_string() + "</svg>";
    let tight = RenderLimits {
        paint_pixels: 10_000_000,
        ..RenderLimits::default()
    };
    assert_eq!(code(&few, &with_limits(tight)), ErrorCode::Limit);
    assert!(run(&few, &det()).is_ok());
}

/// A `<style>` of `n` rules, each an error for simplecss (no `;` before `}`)
/// or not, and `elems` rects.
fn css_doc(n: usize, semicolon: bool, elems: usize) -> String {
    let mut s =
        String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>"#);
    let end = if semicolon { ";" } else { "" };
    for i in 0..n {
        s.push_str(&format!(".c{i}{{fill:#{:03x}{end}}}\n", i % 4096));
    }
    s.push_str("</style>");
    for i in 0..elems {
        s.push_str(&format!(
            r#"<rect class="c{}" width="1" height="1"/>"#,
            i % n.max(1)
        ));
    }
    s + "</svg>"
}

#[test]
fn css_work_is_bounded() {
    // simplecss scans from the start of the sheet for every parse error:
    // 16,000 rules without their last `;` took seconds.
    assert!(limit_message(&css_doc(16_000, false, 1), &det()).contains("cssSteps"));
    // The same sheet written without errors parses in linear time.
    assert!(run(&css_doc(16_000, true, 1), &det()).is_ok());
    // Rules × elements.
    assert_eq!(code(&css_doc(6_000, true, 6_000), &det()), ErrorCode::Limit);
    assert!(run(&css_doc(1_000, true, 4_000), &det()).is_ok());
    let raised = RenderLimits {
        css_steps: 100_000_000,
        ..RenderLimits::default()
    };
    assert!(run(&css_doc(6_000, true, 6_000), &with_limits(raised)).is_ok());
    // Descendant combinators backtrack over every ancestor chain: a selector
    // whose first part never matches, against 200 nested groups.
    let backtrack = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>x {}rect{{fill:red;}}</style>{}<rect width="5" height="5"/>{}</svg>"#,
        "g ".repeat(12),
        "<g>".repeat(200),
        "</g>".repeat(200)
    );
    assert!(limit_message(&backtrack, &det()).contains("selector matching"));
    // A short chain is fine, and the rule applies.
    let short = backtrack.replace(&format!("x {}", "g ".repeat(12)), "g g ");
    let img = decode_png(&run(&short, &det()).unwrap().data);
    assert_eq!(&img.2[..4], &[255, 0, 0, 255]);
}

#[test]
fn text_layout_is_bounded() {
    let words = |n: usize| {
        let mut s = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><text y="20">"#,
        );
        for i in 0..n {
            s.push_str(&format!("word{i} "));
        }
        s + "</text></svg>"
    };
    // One text chunk is laid out in time quadratic in its length.
    assert!(limit_message(&words(16_000), &det()).contains("textCharsPerElement"));
    assert!(run(&words(1_000), &det()).is_ok());
    let raised = RenderLimits {
        text_chars_per_element: 1_000_000,
        ..RenderLimits::default()
    };
    assert!(run(&words(2_000), &with_limits(raised)).is_ok());
    // Many text elements, directly or through `<use>`.
    let many = |n: usize| {
        let mut s =
            String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">"#);
        for i in 0..n {
            s.push_str(&format!(r#"<text x="{}" y="50">ab</text>"#, i % 100));
        }
        s + "</svg>"
    };
    assert!(limit_message(&many(25_000), &det()).contains("textElements"));
    assert!(run(&many(2_000), &det()).is_ok());
    let mut used = String::from(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><g id="t"><text y="10">abcdefghij</text><text y="20">abcdefghij</text></g>"##,
    );
    for i in 1..=4 {
        used.push_str(&format!(r#"<g id="t{i}">"#));
        for _ in 0..12 {
            let prev = if i == 1 {
                "t".to_string()
            } else {
                format!("t{}", i - 1)
            };
            used.push_str(&format!(r##"<use href="#{prev}"/>"##));
        }
        used.push_str("</g>");
    }
    used.push_str(r##"</defs><use href="#t4"/></svg>"##);
    // 2 × 12^4 = 41,472 text instances of 10 characters.
    assert_eq!(code(&used, &det()), ErrorCode::Limit);
    // Total characters.
    let mut long =
        String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">"#);
    for _ in 0..30 {
        long.push_str(&format!("<text>{}</text>", "abcd ".repeat(1_600)));
    }
    long.push_str("</svg>");
    assert!(limit_message(&long, &det()).contains("textChars"));
}

#[test]
fn usvg_text_layout_stops_when_cancelled() {
    // parse_tree has no checkpoint of its own: only the font callbacks, which
    // usvg calls while laying out text, can stop it.
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><text y="20">Hello</text></svg>"#;
    let ctx = Arc::new(resources::Ctx {
        warnings: Arc::new(Mutex::new(Vec::new())),
        base_dir: None,
        max_input_bytes: 1 << 20,
        image_pixels_left: AtomicU64::new(1 << 20),
        limits: RenderLimits::default(),
        left: Mutex::new(resources::Left::new(&RenderLimits::default())),
        fontdb: fonts::database(false),
    });
    let (task, env) = (AtomicBool::new(false), AtomicBool::new(false));
    let cp = Checkpoint::new(&task, &env);
    let parsed = interrupt::interruptible(&cp, || resources::parse_tree(svg.as_bytes(), &ctx, 0));
    assert!(matches!(parsed, Ok(Ok(_))));
    task.store(true, std::sync::atomic::Ordering::Relaxed);
    let parsed = interrupt::interruptible(&cp, || resources::parse_tree(svg.as_bytes(), &ctx, 0));
    assert_eq!(parsed.err().map(|e| e.code), Some(ErrorCode::Cancelled));
    // Text-free documents call no font callback and parse to the end.
    let plain = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>"#;
    let parsed = interrupt::interruptible(&cp, || resources::parse_tree(plain.as_bytes(), &ctx, 0));
    assert!(matches!(parsed, Ok(Ok(_))));
}

#[test]
fn painting_stops_between_nodes_when_cancelled() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g><rect width="10" height="10" fill="red"/></g></svg>"#;
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
    let (task, env) = (AtomicBool::new(false), AtomicBool::new(false));
    let cp = Checkpoint::new(&task, &env);
    let ts = tiny_skia::Transform::identity();
    let mut pixmap = tiny_skia::Pixmap::new(10, 10).unwrap();
    env.store(true, std::sync::atomic::Ordering::Relaxed);
    let r = paint(tree.root(), ts, &mut pixmap.as_mut(), &cp);
    assert_eq!(r.unwrap_err().code, ErrorCode::Cancelled);
    assert!(
        pixmap.data().iter().all(|&b| b == 0),
        "painted after the cancel"
    );
    env.store(false, std::sync::atomic::Ordering::Relaxed);
    paint(tree.root(), ts, &mut pixmap.as_mut(), &cp).unwrap();
    // Same pixels as resvg's own render of the whole tree.
    let mut reference = tiny_skia::Pixmap::new(10, 10).unwrap();
    resvg::render(&tree, ts, &mut reference.as_mut());
    assert_eq!(pixmap.data(), reference.data());
}

#[test]
fn complex_paths_are_bounded_by_their_edges_not_only_their_area() {
    // A million-point path in a 1000×1000 box: a small area, seconds of
    // rasterising (building, sorting and walking its edges).
    let path = |n: usize, attrs: &str| {
        let mut d = String::from("M0 0");
        for i in 0..n {
            d.push_str(&format!("L{} {}", i % 1000, (i * 7) % 1000));
        }
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000"><path d="{d}" {attrs}/></svg>"#
        )
    };
    let big = path(1_000_000, r#"fill="red" stroke="blue""#);
    assert!(limit_message(&big, &det()).contains("paintPixels"));
    let raised = RenderLimits {
        paint_pixels: 10_000_000_000,
        ..RenderLimits::default()
    };
    let small = path(20_000, r#"fill="red" stroke="blue""#);
    assert!(run(&small, &det()).is_ok());
    assert!(run(&small, &with_limits(raised)).is_ok());
    // Tall edges count by the rows they span: 2,000 canvas-high zigzags.
    let mut d = String::from("M0 0");
    for i in 0..2_000 {
        d.push_str(if i % 2 == 0 { "L1000 1000000" } else { "L0 0" });
    }
    let tall = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000" viewBox="0 0 1000 1000000"><path d="{d}" fill="red"/></svg>"#
    );
    assert!(run(&tall, &det()).is_ok());
    let tight = RenderLimits {
        paint_pixels: 5_000_000,
        ..RenderLimits::default()
    };
    assert_eq!(code(&tall, &with_limits(tight)), ErrorCode::Limit);
}
