//! Raster encoder shared by the kernels: `encode_rgba8` turns non-premultiplied
//! RGBA8 into PNG (`png`), JPEG (`jpeg-encoder`, SIMD; alpha flattened onto the
//! background) or lossy WebP (libwebp's simple API, bundled by libwebp-sys).

use super::{ErrorCode, TaskError};

/// Output container of [`encode_rgba8`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodeFormat {
    /// Lossless PNG, RGBA8.
    #[default]
    Png,
    /// Baseline or progressive JPEG; alpha is flattened onto `background`.
    Jpeg,
    /// Lossy WebP with alpha.
    Webp,
}

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Container/codec. Default: `Png`.
    pub format: EncodeFormat,
    /// Quality 1..=100 for JPEG and WebP (ignored for PNG). Default: 80.
    pub quality: u8,
    /// Progressive JPEG. Default: false.
    pub progressive: bool,
    /// Encoder effort 0..=9 (PNG compression / WebP method); the stub ignores it. Default: 4.
    pub effort: u8,
    /// Colour (non-premultiplied RGBA8) that translucent pixels are composited
    /// onto when the format has no alpha (JPEG). Default: opaque white.
    pub background: [u8; 4],
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            format: EncodeFormat::Png,
            quality: 80,
            progressive: false,
            effort: 4,
            background: [255, 255, 255, 255],
        }
    }
}

fn encode_err(msg: impl Into<String>) -> TaskError {
    TaskError::new(ErrorCode::Encode, msg)
}

/// Encodes non-premultiplied RGBA8 `pixels` (`width * height * 4` bytes).
pub fn encode_rgba8(
    pixels: &[u8],
    width: u32,
    height: u32,
    fmt: &EncodeOptions,
) -> Result<Vec<u8>, TaskError> {
    let expected = (width as u64) * (height as u64) * 4;
    if width == 0 || height == 0 || pixels.len() as u64 != expected {
        return Err(TaskError::new(
            ErrorCode::InvalidArgValue,
            format!(
                "pixel buffer of {} bytes does not match {width}x{height} RGBA8",
                pixels.len()
            ),
        ));
    }
    if !(1..=100).contains(&fmt.quality) {
        return Err(TaskError::new(
            ErrorCode::InvalidArgValue,
            format!("quality must be 1..=100, got {}", fmt.quality),
        ));
    }
    match fmt.format {
        EncodeFormat::Png => encode_png(pixels, width, height),
        EncodeFormat::Jpeg => encode_jpeg(pixels, width, height, fmt),
        EncodeFormat::Webp => encode_webp(pixels, width, height, fmt),
    }
}

fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, TaskError> {
    let mut out = Vec::with_capacity(pixels.len() / 4 + 1024);
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc
        .write_header()
        .map_err(|e| encode_err(format!("PNG: {e}")))?;
    w.write_image_data(pixels)
        .map_err(|e| encode_err(format!("PNG: {e}")))?;
    w.finish().map_err(|e| encode_err(format!("PNG: {e}")))?;
    Ok(out)
}

fn encode_jpeg(
    pixels: &[u8],
    width: u32,
    height: u32,
    fmt: &EncodeOptions,
) -> Result<Vec<u8>, TaskError> {
    if width > u16::MAX as u32 || height > u16::MAX as u32 {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!("JPEG dimensions are limited to 65535, got {width}x{height}"),
        ));
    }
    // Flatten alpha onto the background (JPEG has no alpha channel).
    let [br, bg, bb, _] = fmt.background;
    let mut rgb = Vec::with_capacity(pixels.len() / 4 * 3);
    for p in pixels.chunks_exact(4) {
        let a = p[3] as u32;
        let mix = |c: u8, b: u8| ((c as u32 * a + b as u32 * (255 - a) + 127) / 255) as u8;
        rgb.extend_from_slice(&[mix(p[0], br), mix(p[1], bg), mix(p[2], bb)]);
    }
    let mut out = Vec::with_capacity(rgb.len() / 8 + 1024);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, fmt.quality);
    enc.set_progressive(fmt.progressive);
    enc.encode(
        &rgb,
        width as u16,
        height as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .map_err(|e| encode_err(format!("JPEG: {e}")))?;
    Ok(out)
}

fn encode_webp(
    pixels: &[u8],
    width: u32,
    height: u32,
    fmt: &EncodeOptions,
) -> Result<Vec<u8>, TaskError> {
    if width > 16383 || height > 16383 {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!("WebP dimensions are limited to 16383, got {width}x{height}"),
        ));
    }
    let mut out_ptr: *mut u8 = std::ptr::null_mut();
    // SAFETY: `pixels` holds exactly width*height*4 bytes (checked by the caller),
    // the stride is width*4 (fits i32 since width <= 16383), and `out_ptr` is a
    // valid location for libwebp to store its malloc'ed output pointer.
    let len = unsafe {
        libwebp_sys::WebPEncodeRGBA(
            pixels.as_ptr(),
            width as i32,
            height as i32,
            (width * 4) as i32,
            fmt.quality as f32,
            &mut out_ptr,
        )
    };
    if len == 0 || out_ptr.is_null() {
        return Err(encode_err("WebP: libwebp encoding failed"));
    }
    // SAFETY: libwebp returned a buffer of `len` bytes at `out_ptr`; we copy it
    // out and free it exactly once with the matching WebPFree.
    let data = unsafe {
        let v = std::slice::from_raw_parts(out_ptr, len).to_vec();
        libwebp_sys::WebPFree(out_ptr as *mut std::ffi::c_void);
        v
    };
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(format: EncodeFormat) -> EncodeOptions {
        EncodeOptions {
            format,
            ..Default::default()
        }
    }

    #[test]
    fn signatures_of_outputs() {
        let px = vec![200u8; 8 * 8 * 4];
        let png = encode_rgba8(&px, 8, 8, &opts(EncodeFormat::Png)).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let jpg = encode_rgba8(&px, 8, 8, &opts(EncodeFormat::Jpeg)).unwrap();
        assert_eq!(&jpg[..3], &[0xFF, 0xD8, 0xFF]);
        let webp = encode_rgba8(&px, 8, 8, &opts(EncodeFormat::Webp)).unwrap();
        assert_eq!(&webp[..4], b"RIFF");
        assert_eq!(&webp[8..12], b"WEBP");
    }

    #[test]
    fn rejects_bad_buffers_and_quality() {
        let px = vec![0u8; 10];
        let e = encode_rgba8(&px, 8, 8, &opts(EncodeFormat::Png)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgValue);
        let px = vec![0u8; 256];
        let mut o = opts(EncodeFormat::Jpeg);
        o.quality = 0;
        assert_eq!(
            encode_rgba8(&px, 8, 8, &o).unwrap_err().code,
            ErrorCode::InvalidArgValue
        );
    }
}
