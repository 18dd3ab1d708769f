//! Replays the fuzz corpora through the fuzz targets' own harness
//! (`fuzz/src/harness.rs`, which asserts a coded error or a valid output for
//! every input): the committed seeds (`fuzz/corpus/<target>/`) and every
//! input a fuzzer found a bug with (`fuzz/regressions/<target>/`, one file
//! per finding, named after what it triggered). Runs with `cargo test`, no
//! nightly or libFuzzer needed.

#[path = "../../fuzz/src/harness.rs"]
pub(super) mod harness;

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable fuzz directory").path())
        .filter(|p| p.is_file() && !p.ends_with("README.md"))
        .collect();
    files.sort();
    files
}

/// Runs every seed and regression input of `target`; names the file on failure.
fn replay(target: &str, run: fn(&[u8])) {
    let seeds = inputs("corpus", target);
    assert!(!seeds.is_empty(), "no seeds in fuzz/corpus/{target}");
    for path in seeds.iter().chain(&inputs("regressions", target)) {
        let data = std::fs::read(path).expect("readable fuzz input");
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string panic)");
            panic!("{target}: {} failed: {msg}", path.display());
        }
    }
}

#[test]
fn resize_inputs() {
    replay("resize", harness::resize);
}

#[test]
fn metadata_inputs() {
    replay("metadata", harness::metadata);
}

#[test]
fn render_png_inputs() {
    replay("render_png", harness::render_png);
}

#[test]
fn render_pdf_inputs() {
    replay("render_pdf", harness::render_pdf);
}

#[test]
fn digest_inputs() {
    replay("digest", harness::digest);
}

#[test]
fn hash_verify_inputs() {
    replay("hash_verify", harness::hash_verify);
}

/// Finding F1: `feDisplacementMap`, `feDiffuseLighting`, `feSpecularLighting`
/// or an arithmetic `feComposite` in a filter list made resvg 0.47 assert
/// (the task panicked); now refused by `render::resvg_bugs` with ERR_DECODE.
/// The same filter alone still renders.
#[test]
fn size_asserting_primitives_in_a_filter_list_are_decode_errors() {
    use crate::tasks::render::{render, Format, RenderOptions};
    use crate::tasks::{Checkpoint, ErrorCode};
    let mut seen = 0;
    for (target, format) in [("render_png", Format::Png), ("render_pdf", Format::Pdf)] {
        let opts = RenderOptions {
            format,
            system_fonts: false,
            ..RenderOptions::default()
        };
        for path in inputs("regressions", target) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with("-in-filter-list.svg") {
                continue;
            }
            seen += 1;
            let svg = std::fs::read(&path).expect("regression input");
            let err = render(&[&svg], &opts, &Checkpoint::none()).expect_err(&name);
            assert_eq!(err.code, ErrorCode::Decode, "{name}: {}", err.message);
            assert!(err.message.contains("several filters"), "{}", err.message);
            let alone = String::from_utf8(svg).unwrap().replace(" blur(1px)", "");
            let out = render(&[alone.as_bytes()], &opts, &Checkpoint::none())
                .unwrap_or_else(|e| panic!("{name} with one filter: {e}"));
            assert!(!out.data.is_empty());
        }
    }
    assert_eq!(seen, 6, "regression inputs *-in-filter-list.svg");
}

/// Finding F5: a PNG whose PLTE chunk is 49 bytes made png 0.18.1 panic while
/// expanding the palette (caught as ERR_DECODE "decoder panicked", but a
/// panic all the same, and libFuzzer aborts on one). Now refused before
/// decoding, by resize and metadata alike.
#[test]
fn a_palette_that_is_not_whole_entries_is_a_decode_error() {
    use crate::tasks::resize::{metadata, resize, ResizeOptions};
    use crate::tasks::{Checkpoint, ErrorCode};
    let path = inputs("regressions", "resize")
        .into_iter()
        .find(|p| p.ends_with("png-palette-of-49-bytes.bin"))
        .expect("regression input");
    let png = std::fs::read(path).unwrap();
    let opts = ResizeOptions {
        width: Some(8),
        ..ResizeOptions::default()
    };
    let err = resize(&png, &opts, &Checkpoint::none()).expect_err("resize");
    assert_eq!(err.code, ErrorCode::Decode, "{}", err.message);
    assert!(
        err.message.contains("PLTE chunk of 49 bytes"),
        "{}",
        err.message
    );
    // Headers only: metadata reads no palette and still answers.
    assert_eq!(
        metadata(&png).map(|m| (m.width, m.height)).ok(),
        Some((12, 9))
    );
}
