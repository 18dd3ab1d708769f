//! Malformed-input corpus (issue 15): every committed image and SVG fixture,
//! truncated at 64 evenly spaced points and with 200 seeded random bit flips,
//! goes through the fuzz targets' harness (fuzz/src/harness.rs), which
//! asserts a coded error or a valid output — never a panic. Images run
//! through `metadata` and `resize` (width 33, the fuzz target's option
//! trailer), SVGs through `render` to PNG (and the truncations also to PDF).
//! Image headers also get their size fields set to extremes (0, 1, 65535,
//! 2^31 − 1).

use std::path::{Path, PathBuf};

use super::fuzz_regressions::harness;

/// Options trailer of the resize target: width 33, Lanczos3, PNG level 6.
const TRAILER: [u8; harness::RESIZE_TRAILER] = [32, 0, 0, 4, 79, 0, 46, 0, 0, 0, 255, 0];

fn fixtures(ext: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut dirs = vec![
        root.join("__test__/fixtures"),
        root.join("examples/express/fixtures"),
    ];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("fixture directory") {
            let p = e.expect("fixture entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ext.contains(&x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no {ext:?} fixtures");
    out
}

/// The 64 truncations and 200 single-bit flips of `data` (seeded, so every
/// run tests the same inputs).
fn variants(data: &[u8], seed: u32) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for i in 0..64 {
        let at = data.len() * i / 64;
        out.push((format!("truncated at {at}"), data[..at].to_vec()));
    }
    let mut rng = seed | 1;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        rng
    };
    for _ in 0..200 {
        let bit = next() as usize % (data.len() * 8);
        let mut v = data.to_vec();
        v[bit / 8] ^= 1 << (bit % 8);
        out.push((format!("bit {bit} flipped"), v));
    }
    out
}

fn check(name: &Path, what: &str, run: impl Fn() + std::panic::UnwindSafe) {
    if let Err(p) = std::panic::catch_unwind(run) {
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("(non-string panic)");
        panic!("{} {what}: {msg}", name.display());
    }
}

fn resize_with_trailer(img: &[u8]) {
    let mut data = img.to_vec();
    data.extend_from_slice(&TRAILER);
    harness::resize(&data);
}

#[test]
fn truncated_and_bit_flipped_images() {
    for (n, path) in fixtures(&["png", "jpg", "jpeg", "gif", "webp", "tif", "bmp"])
        .iter()
        .enumerate()
    {
        let data = std::fs::read(path).unwrap();
        for (what, v) in variants(&data, 0x9E37_79B9 ^ n as u32) {
            check(path, &what, || harness::metadata(&v));
            check(path, &what, || resize_with_trailer(&v));
        }
    }
}

#[test]
fn truncated_and_bit_flipped_svgs() {
    for (n, path) in fixtures(&["svg"]).iter().enumerate() {
        let data = std::fs::read(path).unwrap();
        for (what, v) in variants(&data, 0x85EB_CA6B ^ n as u32) {
            check(path, &what, || harness::render_png(&v));
            if what.starts_with("truncated") {
                check(path, &what, || harness::render_pdf(&v));
            }
        }
    }
}

/// Offsets of big-endian / little-endian size fields in the headers of the
/// image fixtures (and of a small BMP and GIF built here).
fn size_fields(data: &[u8]) -> Vec<(usize, usize, bool)> {
    let mut f = Vec::new(); // (offset, bytes, big endian)
    if data.starts_with(b"\x89PNG") {
        f.extend([(16, 4, true), (20, 4, true)]);
    } else if data.starts_with(&[0xFF, 0xD8]) {
        // SOFn: FF C0..C3, then length(2) precision(1) height(2) width(2).
        if let Some(p) = data
            .windows(2)
            .position(|w| w[0] == 0xFF && (0xC0..=0xC3).contains(&w[1]))
        {
            f.extend([(p + 5, 2, true), (p + 7, 2, true)]);
        }
    } else if data.starts_with(b"GIF8") {
        f.extend([(6, 2, false), (8, 2, false)]);
        if let Some(p) = data.iter().skip(13).position(|&b| b == 0x2C) {
            f.extend([(13 + p + 5, 2, false), (13 + p + 7, 2, false)]);
        }
    } else if data.starts_with(b"BM") {
        f.extend([(18, 4, false), (22, 4, false)]);
    }
    f
}

fn set(data: &mut [u8], (off, n, be): (usize, usize, bool), v: u64) {
    for (i, b) in v.to_le_bytes().into_iter().take(n).enumerate() {
        data[off + if be { n - 1 - i } else { i }] = b;
    }
}

#[test]
fn header_sizes_set_to_extremes() {
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = fixtures(&["png", "jpg"])
        .into_iter()
        .map(|p| {
            let d = std::fs::read(&p).unwrap();
            (p, d)
        })
        .collect();
    // A 3×2 GIF and a 2×2 BMP (no committed fixtures of those formats).
    let img = image::RgbaImage::from_fn(3, 2, |x, y| {
        image::Rgba([x as u8 * 80, y as u8 * 90, 7, 255])
    });
    for fmt in [image::ImageFormat::Gif, image::ImageFormat::Bmp] {
        let mut buf = std::io::Cursor::new(Vec::new());
        img.write_to(&mut buf, fmt).unwrap();
        inputs.push((
            PathBuf::from(format!("generated.{fmt:?}")),
            buf.into_inner(),
        ));
    }
    let mut tested = 0;
    for (path, data) in &inputs {
        let fields = size_fields(data);
        assert!(
            !fields.is_empty(),
            "no size field found in {}",
            path.display()
        );
        for field in fields {
            for v in [0u64, 1, 65535, (1 << 31) - 1] {
                if field.1 == 2 && v > 65535 {
                    continue;
                }
                let mut bad = data.clone();
                set(&mut bad, field, v);
                let what = format!("size field at {} = {v}", field.0);
                check(path, &what, || harness::metadata(&bad));
                check(path, &what, || resize_with_trailer(&bad));
                tested += 1;
            }
        }
    }
    assert!(tested >= 40, "only {tested} header variants");
}

/// Peak RSS (`VmHWM`, KiB) of process `pid`, or None once it has exited.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The corpus tests above, run alone in a child process (this test binary,
/// one test thread), never take its peak RSS to 512 MiB. The child's
/// `VmHWM` is sampled every 10 ms until it exits (it only grows, so the last
/// sample is the peak up to the child's last 10 ms).
#[test]
#[cfg(target_os = "linux")]
fn corpus_peak_rss_stays_under_512_mib() {
    if std::env::var_os("COREPOOL_MALFORMED_CHILD").is_some() {
        return;
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "tasks::malformed_inputs::",
            "--test-threads=1",
            "--skip",
            "corpus_peak_rss",
        ])
        .env("COREPOOL_MALFORMED_CHILD", "1")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn the test binary");
    let mut peak = 0;
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak = peak.max(kib);
        }
        if start.elapsed().as_secs() > 600 {
            child.kill().ok();
            panic!("the malformed-input corpus ran over 10 minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(
        status.success(),
        "corpus tests failed in the child: {status}"
    );
    assert!(peak > 0, "no VmHWM sample");
    assert!(peak < 512 * 1024, "peak RSS {} MiB", peak / 1024);
    eprintln!("malformed-input corpus: peak RSS {} MiB", peak / 1024);
}
