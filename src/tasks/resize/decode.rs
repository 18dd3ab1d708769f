//! Decoders. JPEG: libjpeg-turbo (via `mozjpeg`) with DCT-domain scaling
//! (shrink-on-load); warnings such as a truncated stream are errors, like
//! sharp's default `failOn: 'warning'`. WebP: libwebp (first frame of an
//! animation). PNG/GIF/BMP/TIFF: the `image` crate, with its allocation
//! limits set from the already-checked header size.

use super::metadata::{Extra, Metadata};
use super::{err, Format, Pixels, Raster};
use crate::tasks::{Checkpoint, ErrorCode, TaskError};
use std::io::Cursor;
use std::os::raw::c_int;

fn decode_error(f: Format, detail: impl std::fmt::Display) -> TaskError {
    err(
        ErrorCode::Decode,
        format!("Cannot decode {} input: {detail}", f.name()),
    )
}

/// Decodes `input` (already probed into `meta`). `jpeg_scale` ∈ {1,2,4,8}
/// asks the JPEG (and opaque WebP) decoder for 1/`jpeg_scale` of the stored size.
pub(crate) fn decode(
    input: &[u8],
    meta: &Metadata,
    extra: &Extra,
    jpeg_scale: u8,
    icc: Option<&[u8]>,
    cp: &Checkpoint,
) -> Result<Raster, TaskError> {
    if meta.format == Format::Jpeg {
        // Has its own unwind handling (libjpeg errors unwind by design).
        return jpeg(input, extra, jpeg_scale, icc, cp);
    }
    if meta.format == Format::Png {
        check_png_palette(input)?;
    }
    // A panic inside a third-party decoder on hostile input becomes
    // ERR_DECODE instead of taking the task down.
    let run = || match meta.format {
        Format::Webp => webp(input, meta, extra, jpeg_scale),
        f => with_image_crate(input, meta, f),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(decode_error(
            meta.format,
            "decoder panicked on malformed input",
        ))
    })
}

/// Refuses a PLTE chunk whose length is not 3 to 768 bytes in steps of 3.
/// png 0.18.1 copies the palette 3 bytes at a time into 256 entries without
/// checking either, and panics (fuzz/regressions/resize); libpng refuses such
/// a palette too. Only the chunks before the image data are read.
pub(crate) fn check_png_palette(input: &[u8]) -> Result<(), TaskError> {
    let mut pos = 8; // the signature
    while let Some(h) = input.get(pos..pos + 8) {
        let len = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
        match &h[4..8] {
            b"IDAT" | b"IEND" => break,
            b"PLTE" if len == 0 || !len.is_multiple_of(3) || len > 768 => {
                return Err(decode_error(
                    Format::Png,
                    format!(
                        "a PLTE chunk of {len} bytes (a palette is 3 to 768 bytes, 3 per entry)"
                    ),
                ));
            }
            _ => {}
        }
        let Some(next) = pos.checked_add(12).and_then(|p| p.checked_add(len)) else {
            break;
        };
        pos = next;
    }
    Ok(())
}

/// The embedded ICC profile (JPEG: reassembled APP2 chunks; PNG: inflated
/// iCCP; WebP: ICCP chunk). `None` when absent or unreadable.
pub(crate) fn icc_profile(input: &[u8], f: Format) -> Option<Vec<u8>> {
    use image::ImageDecoder;
    let c = Cursor::new(input);
    match f {
        Format::Jpeg => {
            let mut chunks: Vec<(u8, &[u8])> = Vec::new();
            let mut pos = 2;
            while pos + 4 <= input.len() && input[pos] == 0xFF {
                let m = input[pos + 1];
                if m == 0xDA || m == 0xD9 {
                    break;
                }
                let len = u16::from_be_bytes([input[pos + 2], input[pos + 3]]) as usize;
                let seg = input.get(pos + 4..pos + 2 + len)?;
                if m == 0xE2 && seg.len() > 14 && seg.starts_with(b"ICC_PROFILE\0") {
                    chunks.push((seg[12], &seg[14..]));
                }
                pos += 2 + len;
            }
            chunks.sort_by_key(|c| c.0);
            let icc: Vec<u8> = chunks.iter().flat_map(|c| c.1.iter().copied()).collect();
            (!icc.is_empty()).then_some(icc)
        }
        Format::Png => {
            check_png_palette(input).ok()?;
            image::codecs::png::PngDecoder::new(c)
                .ok()?
                .icc_profile()
                .ok()?
        }
        Format::Webp => {
            let mut pos = 12;
            while let Some(h) = input.get(pos..pos + 8) {
                let len = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
                if &h[..4] == b"ICCP" {
                    return input.get(pos + 8..pos + 8 + len).map(<[u8]>::to_vec);
                }
                pos = pos.checked_add(8 + len + (len & 1))?;
            }
            None
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- JPEG

/// Formats libjpeg's current message (code + parameters) as text.
fn jpeg_message(cinfo: &mut mozjpeg_sys::jpeg_common_struct) -> String {
    // SAFETY: `err` was set by the decompressor to our live error manager.
    let err = unsafe { &*cinfo.err };
    let code = err.msg_code;
    let Some(fmt) = err.format_message else {
        return format!("libjpeg message {code}");
    };
    let mut buf = [0u8; 80];
    // The C function writes at most 80 bytes (JMSG_LENGTH_MAX) into the
    // buffer it is given; the binding declares it `&[u8; 80]` but C takes
    // `char*`, so passing our exclusive pointer is ABI-identical.
    // SAFETY: per the above, the write goes to memory we own mutably.
    unsafe {
        let f: unsafe extern "C-unwind" fn(&mut mozjpeg_sys::jpeg_common_struct, *mut [u8; 80]) =
            std::mem::transmute(fmt);
        f(cinfo, &mut buf);
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

extern "C-unwind" fn jpeg_error_exit(cinfo: &mut mozjpeg_sys::jpeg_common_struct) {
    let msg = jpeg_message(cinfo);
    // resume_unwind skips the panic hook: no stderr noise on bad input.
    std::panic::resume_unwind(Box::new(msg));
}

/// Most scans a JPEG may have. A progressive JPEG has about ten; each scan
/// may revisit every coefficient of the image, so a file of thousands of
/// tiny scans (legal, and small) would make the decode time grow with the
/// file instead of the image. libjpeg-turbo offers the same bound
/// (`djpeg -maxscans`, TurboJPEG's scan limit).
pub(crate) const MAX_JPEG_SCANS: c_int = 1000;

extern "C-unwind" fn jpeg_emit_message(cinfo: &mut mozjpeg_sys::jpeg_common_struct, level: c_int) {
    // level < 0: a warning (corrupt data, premature end): fail like sharp.
    if level < 0 {
        let msg = jpeg_message(cinfo);
        std::panic::resume_unwind(Box::new(msg));
    }
    // Trace messages come with every marker and scan header, also while
    // jpeg_start_decompress reads all the scans of a progressive file: the
    // place to stop a cancelled decode and to count scans.
    crate::tasks::interrupt::poll();
    if cinfo.is_decompressor != 0 {
        // SAFETY: libjpeg's j_common_ptr convention: the common struct of a
        // decompressor is the first field of its jpeg_decompress_struct,
        // which is alive for the duration of this callback.
        let scans = unsafe {
            (*(cinfo as *mut mozjpeg_sys::jpeg_common_struct
                as *const mozjpeg_sys::jpeg_decompress_struct))
                .input_scan_number
        };
        if scans > MAX_JPEG_SCANS {
            std::panic::resume_unwind(Box::new(err(
                ErrorCode::Limit,
                format!("JPEG has more than {MAX_JPEG_SCANS} scans"),
            )));
        }
    }
}

fn jpeg_error_mgr() -> mozjpeg_sys::jpeg_error_mgr {
    // SAFETY: jpeg_error_mgr is a plain C struct for which all-zero is a
    // valid (empty) state; jpeg_std_error then fills every field.
    let mut e: mozjpeg_sys::jpeg_error_mgr = unsafe { std::mem::zeroed() };
    // SAFETY: `e` is a valid, exclusively borrowed error manager.
    unsafe { mozjpeg_sys::jpeg_std_error(&mut e) };
    e.error_exit = Some(jpeg_error_exit);
    e.emit_message = Some(jpeg_emit_message);
    e
}

fn jpeg(
    input: &[u8],
    extra: &Extra,
    scale: u8,
    icc: Option<&[u8]>,
    cp: &Checkpoint,
) -> Result<Raster, TaskError> {
    use mozjpeg::{ColorSpace, ColorSpaceExt};
    let run = || -> Result<Raster, TaskError> {
        let io = |e: std::io::Error| decode_error(Format::Jpeg, e);
        let mut d = mozjpeg::decompress::DecompressBuilder::new()
            .with_err(jpeg_error_mgr())
            .from_mem(input)
            .map_err(io)?;
        d.scale(8 / scale.clamp(1, 8));
        let started = match d.color_space() {
            ColorSpace::JCS_GRAYSCALE => d.grayscale(),
            ColorSpace::JCS_CMYK | ColorSpace::JCS_YCCK => d.to_colorspace(ColorSpace::JCS_CMYK),
            _ => d.rgb(),
        };
        let mut s = started.map_err(io)?;
        let (w, h) = (s.width(), s.height());
        let c = s.color_space().num_components();
        let line = w * c;
        let mut buf = Vec::new();
        buf.try_reserve_exact(line * h)
            .map_err(|_| err(ErrorCode::Limit, "Cannot allocate the decoded JPEG"))?;
        buf.resize(line * h, 0u8);
        // Read in bands so a cancelled task stops within a few ms.
        for band in buf.chunks_mut(line * 256) {
            cp.check()?;
            s.read_scanlines_into(band).map_err(io)?;
        }
        s.finish().map_err(io)?;
        let (channels, buf) = if c == 4 {
            (3, cmyk_to_rgb(&buf, extra.adobe, icc))
        } else {
            (c as u8, buf)
        };
        Ok(Raster {
            width: w as u32,
            height: h as u32,
            channels,
            px: Pixels::U8(buf),
        })
    };
    let caught = || match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(r) => r,
        Err(payload) if crate::tasks::interrupt::is_interrupt(&*payload) => {
            std::panic::resume_unwind(payload)
        }
        Err(payload) => match payload.downcast::<TaskError>() {
            Ok(e) => Err(*e),
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "libjpeg error".into());
                Err(decode_error(Format::Jpeg, msg))
            }
        },
    };
    crate::tasks::interrupt::interruptible(cp, caught)?
}

/// CMYK → sRGB: through the embedded CMYK profile when usable, else the
/// naive formula. Adobe (Photoshop) files store CMYK inverted, so there the
/// stored value is 255 − ink.
fn cmyk_to_rgb(src: &[u8], adobe_inverted: bool, icc: Option<&[u8]>) -> Vec<u8> {
    if let Some(icc) = icc {
        let ink: Vec<u8> = if adobe_inverted {
            src.iter().map(|v| 255 - v).collect()
        } else {
            src.to_vec()
        };
        if let Some(rgb) = super::color::cmyk_to_srgb(&ink, icc) {
            return rgb;
        }
    }
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    for p in src.chunks_exact(4) {
        let [c, m, y, k] = if adobe_inverted {
            [p[0], p[1], p[2], p[3]]
        } else {
            [255 - p[0], 255 - p[1], 255 - p[2], 255 - p[3]]
        };
        let k = k as u32;
        out.extend_from_slice(&[
            ((c as u32 * k + 127) / 255) as u8,
            ((m as u32 * k + 127) / 255) as u8,
            ((y as u32 * k + 127) / 255) as u8,
        ]);
    }
    out
}

// ---------------------------------------------------------------- WebP

/// WebP via libwebp. Opaque images may be decoded at 1/`scale` using
/// libwebp's area-averaging rescaler (shrink-on-load, as sharp does); images
/// with alpha are decoded at full size so the resize premultiplies alpha.
fn webp(input: &[u8], meta: &Metadata, extra: &Extra, scale: u8) -> Result<Raster, TaskError> {
    use libwebp_sys as w;
    let f = Format::Webp;
    if extra.animated {
        return webp_first_frame(input);
    }
    // SAFETY: WebPDecoderConfig is plain C data; WebPInitDecoderConfig fills it.
    let mut cfg: w::WebPDecoderConfig = unsafe { std::mem::zeroed() };
    // SAFETY: `cfg` is writable.
    if !unsafe { w::WebPInitDecoderConfig(&mut cfg) } {
        return Err(decode_error(f, "decoder init (libwebp ABI mismatch)"));
    }
    // SAFETY: `input` is valid for its length; `cfg.input` is writable.
    let st = unsafe { w::WebPGetFeatures(input.as_ptr(), input.len(), &mut cfg.input) };
    if st != w::VP8StatusCode::VP8_STATUS_OK {
        return Err(decode_error(f, format!("bitstream features: {st:?}")));
    }
    let feat = cfg.input;
    if feat.width as u32 != meta.width || feat.height as u32 != meta.height {
        return Err(decode_error(f, "header and bitstream sizes differ"));
    }
    let alpha = feat.has_alpha != 0;
    let c = if alpha { 4 } else { 3 };
    let (mut wd, mut ht) = (meta.width as usize, meta.height as usize);
    if scale > 1 && !alpha {
        wd = wd.div_ceil(scale as usize);
        ht = ht.div_ceil(scale as usize);
        cfg.options.use_scaling = 1;
        cfg.options.scaled_width = wd as c_int;
        cfg.options.scaled_height = ht as c_int;
    }
    let stride = wd * c;
    let mut buf = Vec::new();
    buf.try_reserve_exact(stride * ht)
        .map_err(|_| err(ErrorCode::Limit, "Cannot allocate the decoded WebP"))?;
    buf.resize(stride * ht, 0u8);
    cfg.output.colorspace = if alpha {
        w::WEBP_CSP_MODE::MODE_RGBA
    } else {
        w::WEBP_CSP_MODE::MODE_RGB
    };
    cfg.output.is_external_memory = 1;
    cfg.output.u.RGBA = w::WebPRGBABuffer {
        rgba: buf.as_mut_ptr(),
        stride: stride as c_int,
        size: buf.len(),
    };
    // SAFETY: the output points at `buf` (exactly stride*height writable
    // bytes, alive across the call); libwebp writes only within it. The
    // buffer is external, so WebPFreeDecBuffer frees nothing of ours.
    let st = unsafe {
        let st = w::WebPDecode(input.as_ptr(), input.len(), &mut cfg);
        w::WebPFreeDecBuffer(&mut cfg.output);
        st
    };
    if st != w::VP8StatusCode::VP8_STATUS_OK {
        return Err(decode_error(
            f,
            format!("corrupt or truncated bitstream ({st:?})"),
        ));
    }
    Ok(Raster {
        width: wd as u32,
        height: ht as u32,
        channels: c as u8,
        px: Pixels::U8(buf),
    })
}

fn webp_first_frame(input: &[u8]) -> Result<Raster, TaskError> {
    use libwebp_sys as w;
    let f = Format::Webp;
    let data = w::WebPData {
        bytes: input.as_ptr(),
        size: input.len(),
    };
    // SAFETY: options is plain C data initialised by the library call.
    let mut o: w::WebPAnimDecoderOptions = unsafe { std::mem::zeroed() };
    // SAFETY: `o` is writable.
    if unsafe { w::WebPAnimDecoderOptionsInit(&mut o) } == 0 {
        return Err(decode_error(f, "animation decoder init"));
    }
    o.color_mode = w::WEBP_CSP_MODE::MODE_RGBA;
    // SAFETY: `data` points into `input`, which outlives the decoder (it is
    // deleted before returning).
    let dec = unsafe { w::WebPAnimDecoderNew(&data, &o) };
    if dec.is_null() {
        return Err(decode_error(f, "invalid animation"));
    }
    let mut info = w::WebPAnimInfo::default();
    let mut frame: *mut u8 = std::ptr::null_mut();
    let mut ts: c_int = 0;
    // SAFETY: `dec` is a live decoder; out-params are valid pointers.
    let ok = unsafe {
        w::WebPAnimDecoderGetInfo(dec, &mut info) != 0
            && w::WebPAnimDecoderGetNext(dec, &mut frame, &mut ts) != 0
    };
    let result = if ok && !frame.is_null() {
        let n = info.canvas_width as usize * info.canvas_height as usize * 4;
        // SAFETY: GetNext returned a canvas of canvas_width*canvas_height
        // RGBA pixels owned by `dec`, valid until the next call/delete.
        let px = unsafe { std::slice::from_raw_parts(frame, n) }.to_vec();
        Ok(Raster {
            width: info.canvas_width,
            height: info.canvas_height,
            channels: 4,
            px: Pixels::U8(px),
        })
    } else {
        Err(decode_error(f, "cannot decode the first frame"))
    };
    // SAFETY: `dec` is live and not used afterwards.
    unsafe { w::WebPAnimDecoderDelete(dec) };
    result
}

// ---------------------------------------------------------------- PNG, GIF, BMP, TIFF

fn with_image_crate(input: &[u8], meta: &Metadata, f: Format) -> Result<Raster, TaskError> {
    use image::{DynamicImage as D, ImageFormat, ImageReader};
    let fmt = match f {
        Format::Png => ImageFormat::Png,
        Format::Gif => ImageFormat::Gif,
        Format::Bmp => ImageFormat::Bmp,
        _ => ImageFormat::Tiff,
    };
    let mut reader = ImageReader::with_format(Cursor::new(input), fmt);
    let mut limits = image::Limits::default();
    // The header was checked against max_input_pixels; never let the
    // decoder allocate more than that image (RGBA16) plus slack.
    let budget = meta.width as u64 * meta.height as u64 * 8 + (64 << 20);
    limits.max_alloc = Some(budget);
    limits.max_image_width = Some(meta.width.max(1));
    limits.max_image_height = Some(meta.height.max(1));
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(l) => err(ErrorCode::Limit, format!("{} input: {l}", f.name())),
        image::ImageError::Unsupported(u) => err(
            ErrorCode::UnsupportedFormat,
            format!("Unsupported {} variant: {u}", f.name()),
        ),
        other => decode_error(f, other),
    })?;
    let (width, height) = (img.width(), img.height());
    let (channels, px) = match img {
        D::ImageLuma8(b) => (1, Pixels::U8(b.into_raw())),
        D::ImageLumaA8(b) => (2, Pixels::U8(b.into_raw())),
        D::ImageRgb8(b) => (3, Pixels::U8(b.into_raw())),
        D::ImageRgba8(b) => (4, Pixels::U8(b.into_raw())),
        D::ImageLuma16(b) => (1, Pixels::U16(b.into_raw())),
        D::ImageLumaA16(b) => (2, Pixels::U16(b.into_raw())),
        D::ImageRgb16(b) => (3, Pixels::U16(b.into_raw())),
        D::ImageRgba16(b) => (4, Pixels::U16(b.into_raw())),
        other if other.color().has_alpha() => (4, Pixels::U16(other.into_rgba16().into_raw())),
        other => (3, Pixels::U16(other.into_rgb16().into_raw())),
    };
    Ok(Raster {
        width,
        height,
        channels,
        px,
    })
}
