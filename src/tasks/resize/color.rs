//! Colour management with `qcms` (pure Rust, Firefox's CMS).
//!
//! Policy (documented on [`super::ResizeOptions::keep_metadata`]):
//! - default: an embedded non-sRGB RGB profile is applied, so output pixels
//!   are sRGB and carry no profile (like sharp's default);
//! - `keep_metadata`: pixels are left untouched and the profile is embedded.
//!
//! CMYK JPEGs use their embedded CMYK profile when qcms accepts it,
//! otherwise the naive formula in `decode.rs`. 16-bit and gray images are
//! not converted (their profile is dropped unless kept).

use super::{Pixels, Raster};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic inside qcms (hostile profile) into `None`.
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten()
}

/// Converts 8-bit RGB/RGBA pixels from `icc` to sRGB in place. Returns
/// false (pixels untouched) when the profile is sRGB, unusable or the
/// raster is not 8-bit RGB(A).
pub(crate) fn rgb_to_srgb(r: &mut Raster, icc: &[u8]) -> bool {
    let ty = match r.channels {
        3 => qcms::DataType::RGB8,
        4 => qcms::DataType::RGBA8,
        _ => return false,
    };
    let Pixels::U8(d) = &mut r.px else {
        return false;
    };
    guarded(|| {
        let src = qcms::Profile::new_from_slice(icc, false)?;
        if src.is_sRGB() {
            return None;
        }
        let srgb = qcms::Profile::new_sRGB();
        let t = qcms::Transform::new(&src, &srgb, ty, qcms::Intent::RelativeColorimetric)?;
        t.apply(d);
        Some(())
    })
    .is_some()
}

/// CMYK ink values (0 = no ink, 4 bytes per pixel) → sRGB RGB8 using a
/// CMYK `icc` profile; `None` when the profile is not a usable CMYK one.
pub(crate) fn cmyk_to_srgb(ink: &[u8], icc: &[u8]) -> Option<Vec<u8>> {
    guarded(|| {
        let src = qcms::Profile::new_from_slice(icc, false)?;
        let srgb = qcms::Profile::new_sRGB();
        let t = qcms::Transform::new_to(
            &src,
            &srgb,
            qcms::DataType::CMYK,
            qcms::DataType::RGB8,
            qcms::Intent::RelativeColorimetric,
        )?;
        let mut out = vec![0u8; ink.len() / 4 * 3];
        t.convert(ink, &mut out);
        Some(out)
    })
}
