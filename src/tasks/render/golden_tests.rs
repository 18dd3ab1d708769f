//! Golden images: every `__test__/fixtures/render/golden/*.svg` is rendered to PNG with the
//! bundled font only and compared with the committed `*.png` by pixel difference
//! (not bytes). `UPDATE_GOLDEN=1 cargo test --release golden` rewrites the references.

use std::path::PathBuf;

use super::{render, RenderOptions};
use crate::tasks::Checkpoint;

fn decode(data: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut r = png::Decoder::new(std::io::Cursor::new(data))
        .read_info()
        .unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// (fraction of pixels whose largest channel difference exceeds 24, mean abs diff).
fn diff(a: &[u8], b: &[u8]) -> (f64, f64) {
    let mut bad = 0usize;
    let mut sum = 0u64;
    for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        let d = p.iter().zip(q).map(|(x, y)| x.abs_diff(*y)).max().unwrap();
        sum += p
            .iter()
            .zip(q)
            .map(|(x, y)| x.abs_diff(*y) as u64)
            .sum::<u64>();
        if d > 24 {
            bad += 1;
        }
    }
    let n = (a.len() / 4) as f64;
    (bad as f64 / n, sum as f64 / (n * 4.0))
}

#[test]
fn golden_images() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("__test__/fixtures/render/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let opts = RenderOptions {
        system_fonts: false,
        ..Default::default()
    };
    let mut svgs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    svgs.sort();
    assert!(svgs.len() >= 5, "golden fixtures missing");
    for svg in svgs {
        let data = std::fs::read(&svg).unwrap();
        let out = render(&[&data], &opts, &Checkpoint::none()).unwrap();
        let reference = svg.with_extension("png");
        if update {
            std::fs::write(&reference, &out.data).unwrap();
            println!("updated {}", reference.display());
            continue;
        }
        let want = decode(&std::fs::read(&reference).unwrap_or_else(|_| {
            panic!("{} missing: run with UPDATE_GOLDEN=1", reference.display())
        }));
        let got = decode(&out.data);
        assert_eq!((got.0, got.1), (want.0, want.1), "{}", svg.display());
        let (bad, mean) = diff(&got.2, &want.2);
        assert!(
            bad < 0.005 && mean < 1.0,
            "{}: {:.3}% pixels differ, mean diff {mean:.3}",
            svg.display(),
            bad * 100.0
        );
        // The comparison itself must be able to fail: a shifted image differs.
        let mut shifted = got.2.clone();
        shifted.rotate_left(4 * (got.0 as usize / 2 + 3));
        if got.2.chunks_exact(4).any(|p| p != &got.2[..4]) {
            assert!(diff(&shifted, &want.2).0 > 0.005 || diff(&shifted, &want.2).1 > 1.0);
        }
    }
}
