//! Encoders shared by the image kernels: JPEG (jpeg-encoder, SIMD), PNG
//! (png crate) and WebP (libwebp).
//!
//! [`encode_rgba8`] is the entry point for other kernels (e.g. SVG render):
//! straight (non-premultiplied) RGBA8 in, encoded bytes out; JPEG flattens
//! alpha over `background`.

use super::{check_output, err, Format, Pixels, Raster};
use crate::tasks::{ErrorCode, TaskError};
use std::os::raw::c_int;

/// Output settings for [`encode_rgba8`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Jpeg, Png or Webp. Default: `Format::Png`.
    pub format: Format,
    /// JPEG/WebP quality 1..=100. Default: 80.
    pub quality: u8,
    /// Progressive JPEG (PNG is never interlaced). Default: `false`.
    pub progressive: bool,
    /// WebP method 0..=6 (higher = smaller, slower). Default: 4.
    pub effort: u8,
    /// RGBA that JPEG output flattens alpha onto. Default: `[0, 0, 0, 255]`.
    pub background: [u8; 4],
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            format: Format::Png,
            quality: 80,
            progressive: false,
            effort: 4,
            background: [0, 0, 0, 255],
        }
    }
}

/// Settings only the resize kernel passes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Params<'a> {
    /// WebP lossless.
    pub lossless: bool,
    /// PNG zlib level 0..=9.
    pub compression_level: u8,
    /// ICC profile to embed (JPEG, PNG).
    pub icc: Option<&'a [u8]>,
}

/// Encodes straight-alpha RGBA8 `pixels` (`width*height*4` bytes).
///
/// Errors: ERR_INVALID_ARG_VALUE (buffer size, zero size, quality/effort
/// out of range, non-output format), ERR_LIMIT (too large for the format),
/// ERR_ENCODE (encoder failure).
pub fn encode_rgba8(
    pixels: &[u8],
    width: u32,
    height: u32,
    fmt: &EncodeOptions,
) -> Result<Vec<u8>, TaskError> {
    encode_rgba8_level(pixels, width, height, fmt, 6)
}

/// [`encode_rgba8`] with a PNG zlib `compression_level` (0..=9; ignored for
/// JPEG and WebP).
pub fn encode_rgba8_level(
    pixels: &[u8],
    width: u32,
    height: u32,
    fmt: &EncodeOptions,
    compression_level: u8,
) -> Result<Vec<u8>, TaskError> {
    if compression_level > 9 {
        return Err(TaskError::int_range(
            "options.compressionLevel",
            0,
            9,
            compression_level,
        ));
    }
    let expected = width as u64 * height as u64 * 4;
    if width == 0 || height == 0 || pixels.len() as u64 != expected {
        return Err(err(
            ErrorCode::InvalidArgValue,
            format!(
                "Expected {expected} bytes of RGBA8 for {width}x{height} but received {}",
                pixels.len()
            ),
        ));
    }
    let params = Params {
        compression_level,
        ..Params::default()
    };
    encode_u8(pixels, width, height, 4, fmt, &params)
}

fn check_opts(o: &EncodeOptions) -> Result<(), TaskError> {
    if !(1..=100).contains(&o.quality) {
        return Err(TaskError::int_range("options.quality", 1, 100, o.quality));
    }
    if o.effort > 6 {
        return Err(TaskError::int_range("options.effort", 0, 6, o.effort));
    }
    Ok(())
}

/// Encodes a raster; returns the bytes and the encoded channel count.
pub(crate) fn encode_raster(
    r: &Raster,
    o: &EncodeOptions,
    p: &Params,
) -> Result<(Vec<u8>, u8), TaskError> {
    let c = r.channels;
    match (&r.px, o.format) {
        (Pixels::U16(d), Format::Png) => {
            check_opts(o)?;
            check_output(r.width, r.height, Format::Png)?;
            let mut be = Vec::with_capacity(d.len() * 2);
            for v in d {
                be.extend_from_slice(&v.to_be_bytes());
            }
            Ok((png(&be, r.width, r.height, c, true, p)?, c))
        }
        (Pixels::U16(d), _) => {
            let d8: Vec<u8> = d
                .iter()
                .map(|&v| ((v as u32 * 255 + 32767) / 65535) as u8)
                .collect();
            out_channels(encode_u8(&d8, r.width, r.height, c, o, p), c, o.format)
        }
        (Pixels::U8(d), _) => out_channels(encode_u8(d, r.width, r.height, c, o, p), c, o.format),
    }
}

fn out_channels(
    r: Result<Vec<u8>, TaskError>,
    c: u8,
    f: Format,
) -> Result<(Vec<u8>, u8), TaskError> {
    let n = match f {
        Format::Jpeg if c == 2 => 1,
        Format::Jpeg if c == 4 => 3,
        Format::Webp if c <= 2 => c + 2,
        _ => c,
    };
    r.map(|v| (v, n))
}

/// 8-bit samples with `c` channels (1..=4) → encoded bytes.
fn encode_u8(
    d: &[u8],
    w: u32,
    h: u32,
    c: u8,
    o: &EncodeOptions,
    p: &Params,
) -> Result<Vec<u8>, TaskError> {
    check_opts(o)?;
    check_output(w, h, o.format)?;
    match o.format {
        Format::Jpeg => {
            if c.is_multiple_of(2) {
                let flat = flatten(d, c, o.background);
                jpeg(&flat, w, h, c - 1, o, p)
            } else {
                jpeg(d, w, h, c, o, p)
            }
        }
        Format::Png => png(d, w, h, c, false, p),
        Format::Webp => {
            if c <= 2 {
                let mut rgb = Vec::with_capacity(d.len() / c as usize * (c as usize + 2));
                for px in d.chunks_exact(c as usize) {
                    rgb.extend_from_slice(&[px[0], px[0], px[0]]);
                    if c == 2 {
                        rgb.push(px[1]);
                    }
                }
                webp(&rgb, w, h, c + 2, o, p)
            } else {
                webp(d, w, h, c, o, p)
            }
        }
        f => Err(TaskError::arg_value(
            "options.format",
            "one of 'jpeg', 'png', 'webp'",
            crate::tasks::received_string(f.name()),
        )),
    }
}

/// Composites straight alpha over an opaque `bg` (gray+alpha uses bg's red).
fn flatten(d: &[u8], c: u8, bg: [u8; 4]) -> Vec<u8> {
    let c = c as usize;
    let mut out = Vec::with_capacity(d.len() / c * (c - 1));
    for px in d.chunks_exact(c) {
        let a = px[c - 1] as u32;
        for (i, &v) in px[..c - 1].iter().enumerate() {
            let b = bg[if c == 2 { 0 } else { i }] as u32;
            out.push(((v as u32 * a + b * (255 - a) + 127) / 255) as u8);
        }
    }
    out
}

fn encode_err(f: Format, e: impl std::fmt::Display) -> TaskError {
    err(
        ErrorCode::Encode,
        format!("{} encoding failed: {e}", f.name()),
    )
}

fn jpeg(
    d: &[u8],
    w: u32,
    h: u32,
    c: u8,
    o: &EncodeOptions,
    p: &Params,
) -> Result<Vec<u8>, TaskError> {
    use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};
    let mut out = Vec::with_capacity(d.len() / 8);
    let mut e = Encoder::new(&mut out, o.quality);
    // sharp/libjpeg-turbo defaults: 4:2:0, optimised Huffman tables.
    e.set_sampling_factor(SamplingFactor::F_2_2);
    e.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    e.set_optimized_huffman_tables(true);
    e.set_progressive(o.progressive);
    if let Some(icc) = p.icc {
        e.add_icc_profile(icc)
            .map_err(|x| encode_err(Format::Jpeg, x))?;
    }
    let ct = if c == 1 {
        ColorType::Luma
    } else {
        ColorType::Rgb
    };
    e.encode(d, w as u16, h as u16, ct)
        .map_err(|x| encode_err(Format::Jpeg, x))?;
    Ok(out)
}

fn png(d: &[u8], w: u32, h: u32, c: u8, wide: bool, p: &Params) -> Result<Vec<u8>, TaskError> {
    let mut info = png::Info::with_size(w, h);
    info.color_type = match c {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        _ => png::ColorType::Rgba,
    };
    info.bit_depth = if wide {
        png::BitDepth::Sixteen
    } else {
        png::BitDepth::Eight
    };
    info.icc_profile = p.icc.map(std::borrow::Cow::Borrowed);
    let mut out = Vec::with_capacity(d.len() / 2);
    let fail = |x: png::EncodingError| encode_err(Format::Png, x);
    {
        let mut enc = png::Encoder::with_info(&mut out, info).map_err(fail)?;
        enc.set_deflate_compression(match p.compression_level {
            0 => png::DeflateCompression::NoCompression,
            l => png::DeflateCompression::Level(l),
        });
        enc.set_filter(png::Filter::Adaptive);
        let mut wr = enc.write_header().map_err(fail)?;
        wr.write_image_data(d).map_err(fail)?;
        wr.finish().map_err(fail)?;
    }
    Ok(out)
}

fn webp(
    d: &[u8],
    w: u32,
    h: u32,
    c: u8,
    o: &EncodeOptions,
    p: &Params,
) -> Result<Vec<u8>, TaskError> {
    use libwebp_sys as x;
    let f = Format::Webp;
    // SAFETY: WebPConfig is plain C data; WebPInitConfig fills it.
    let mut cfg: x::WebPConfig = unsafe { std::mem::zeroed() };
    // SAFETY: `cfg` is writable.
    if !unsafe { x::WebPInitConfig(&mut cfg) } {
        return Err(encode_err(f, "config init (libwebp ABI mismatch)"));
    }
    cfg.quality = o.quality as f32;
    cfg.method = o.effort as c_int;
    cfg.lossless = p.lossless as c_int;
    // SAFETY: WebPPicture is plain C data; WebPPictureInit fills it.
    let mut pic: x::WebPPicture = unsafe { std::mem::zeroed() };
    // SAFETY: `pic` is writable.
    if !unsafe { x::WebPPictureInit(&mut pic) } {
        return Err(encode_err(f, "picture init"));
    }
    pic.width = w as c_int;
    pic.height = h as c_int;
    pic.use_argb = p.lossless as c_int;
    // SAFETY: WebPMemoryWriter is plain C data; Init fills it.
    let mut wr: x::WebPMemoryWriter = unsafe { std::mem::zeroed() };
    // SAFETY: `wr` is writable.
    unsafe { x::WebPMemoryWriterInit(&mut wr) };
    let stride = (w * c as u32) as c_int;
    // SAFETY: `d` holds h rows of `stride` bytes (checked by callers); the
    // import copies them into `pic`. `wr` outlives the WebPEncode call that
    // writes through `custom_ptr`; both are freed below exactly once.
    unsafe {
        let imported = if c == 4 {
            x::WebPPictureImportRGBA(&mut pic, d.as_ptr(), stride)
        } else {
            x::WebPPictureImportRGB(&mut pic, d.as_ptr(), stride)
        };
        pic.writer = Some(x::WebPMemoryWrite);
        pic.custom_ptr = (&mut wr as *mut x::WebPMemoryWriter).cast();
        let r = if imported == 0 {
            Err(encode_err(f, "cannot import pixels (out of memory)"))
        } else if x::WebPEncode(&cfg, &mut pic) == 0 {
            Err(encode_err(f, format!("{:?}", pic.error_code)))
        } else {
            Ok(std::slice::from_raw_parts(wr.mem, wr.size).to_vec())
        };
        x::WebPPictureFree(&mut pic);
        x::WebPMemoryWriterClear(&mut wr);
        r
    }
}
