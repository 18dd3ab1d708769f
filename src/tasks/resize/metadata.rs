//! Header-only parsing: format sniffing, dimensions, orientation, alpha,
//! depth, ICC presence and page count, without decoding any pixels.
//!
//! Every parser is bounds-checked by hand (`Bytes` below) and never
//! allocates in proportion to the claimed image size, so a 100000×100000
//! "bomb" header is answered in microseconds.

use super::Format;
use crate::tasks::{ErrorCode, TaskError};

/// What the headers say about an image (no pixel decode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// Container format.
    pub format: Format,
    /// Width in pixels as stored (before EXIF orientation), like sharp.
    pub width: u32,
    /// Height in pixels as stored (before EXIF orientation), like sharp.
    pub height: u32,
    /// EXIF orientation 1–8 when the file carries one.
    pub orientation: Option<u8>,
    /// True when the decoded image has an alpha channel (incl. tRNS / GIF transparency).
    pub has_alpha: bool,
    /// Channels after decoding: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA or CMYK (JPEG).
    pub channels: u8,
    /// Bits per sample after decoding: 8 or 16 (sub-byte PNGs report 8, like sharp's `uchar`).
    pub bit_depth: u8,
    /// Progressive JPEG or interlaced PNG/GIF.
    pub is_progressive: bool,
    /// An ICC profile is embedded.
    pub has_icc: bool,
    /// Frames/pages (GIF frames, animated WebP frames, TIFF IFDs); 1 otherwise.
    pub pages: u32,
}

/// Extra header facts the decoder needs beyond [`Metadata`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    /// JPEG: an Adobe APP14 marker is present (CMYK stored inverted).
    pub adobe: bool,
    /// WebP: the file is animated.
    pub animated: bool,
}

/// Reads the headers of `input`. Fails with ERR_UNSUPPORTED_FORMAT for an
/// unknown/unsupported container and ERR_DECODE for a truncated/corrupt header.
pub fn metadata(input: &[u8]) -> Result<Metadata, TaskError> {
    probe(input).map(|(m, _)| m)
}

pub(crate) fn probe(input: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let format = sniff(input)?;
    let r = match format {
        Format::Jpeg => jpeg(input),
        Format::Png => png(input),
        Format::Webp => webp(input),
        Format::Gif => gif(input),
        Format::Bmp => bmp(input),
        Format::Tiff => tiff(input),
    }?;
    if r.0.width == 0 || r.0.height == 0 {
        return Err(decode_err(format, "image has a zero width or height"));
    }
    Ok(r)
}

fn decode_err(f: Format, what: &str) -> TaskError {
    TaskError::new(
        ErrorCode::Decode,
        format!("Invalid {} header: {what}", f.name()),
    )
}

fn truncated(f: Format) -> TaskError {
    decode_err(f, "input is truncated")
}

/// Detects the container from magic bytes; names what it saw when unsupported.
pub(crate) fn sniff(b: &[u8]) -> Result<Format, TaskError> {
    if b.len() >= 3 && b[..3] == [0xFF, 0xD8, 0xFF] {
        return Ok(Format::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if b.starts_with(b"BM") && b.len() >= 18 {
        return Ok(Format::Bmp);
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return Ok(Format::Tiff);
    }
    if b.is_empty() {
        return Err(TaskError::new(
            ErrorCode::UnsupportedFormat,
            "Input is empty: expected JPEG, PNG, WebP, GIF, BMP or TIFF",
        ));
    }
    let kind = known_unsupported(b);
    let head: Vec<String> = b.iter().take(8).map(|x| format!("{x:02x}")).collect();
    Err(TaskError::new(
        ErrorCode::UnsupportedFormat,
        format!(
            "Unsupported image format ({kind}; first bytes: {}): expected JPEG, PNG, WebP, GIF, BMP or TIFF",
            head.join(" ")
        ),
    ))
}

fn known_unsupported(b: &[u8]) -> &'static str {
    let starts = |m: &[u8]| b.starts_with(m);
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        return match &b[8..12] {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" => "HEIF",
            _ => "ISO-BMFF (mp4/mov/heif family)",
        };
    }
    if starts(b"%PDF") {
        "PDF"
    } else if starts(b"8BPS") {
        "PSD"
    } else if starts(b"qoif") {
        "QOI"
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL ") {
        "JPEG XL"
    } else if starts(&[0, 0, 1, 0]) {
        "ICO"
    } else if starts(b"\x76\x2f\x31\x01") {
        "OpenEXR"
    } else if starts(b"#?RADIANCE") {
        "Radiance HDR"
    } else if starts(b"II\x2b\0") || starts(b"MM\0\x2b") {
        "BigTIFF"
    } else if starts(b"RIFF") {
        "RIFF container that is not WebP"
    } else if starts(&[0xFF, 0xD8]) {
        "JPEG without a marker after SOI"
    } else {
        let t = b.trim_ascii_start();
        if t.starts_with(b"<svg") || t.starts_with(b"<?xml") {
            "SVG/XML text"
        } else {
            "unrecognised signature"
        }
    }
}

/// Bounds-checked big/little-endian reads.
struct Bytes<'a> {
    b: &'a [u8],
    le: bool,
}

impl Bytes<'_> {
    fn u8(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }
    fn u16(&self, at: usize) -> Option<u16> {
        let s = self.b.get(at..at.checked_add(2)?)?;
        Some(if self.le {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let s = self.b.get(at..at.checked_add(4)?)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if self.le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
}

/// EXIF orientation (tag 0x0112 in IFD0) from a TIFF-structured EXIF blob.
pub(crate) fn exif_orientation(tiff: &[u8]) -> Option<u8> {
    let le = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let r = Bytes { b: tiff, le };
    let ifd = r.u32(4)? as usize;
    let n = r.u16(ifd)? as usize;
    for i in 0..n.min(512) {
        let e = ifd + 2 + i * 12;
        if r.u16(e)? == 0x0112 {
            let v = r.u16(e + 8)?;
            return (1..=8).contains(&v).then_some(v as u8);
        }
    }
    None
}

fn jpeg(b: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let f = Format::Jpeg;
    let r = Bytes { b, le: false };
    let mut pos = 2usize;
    let mut m = Metadata {
        format: f,
        width: 0,
        height: 0,
        orientation: None,
        has_alpha: false,
        channels: 0,
        bit_depth: 8,
        is_progressive: false,
        has_icc: false,
        pages: 1,
    };
    let mut extra = Extra::default();
    let mut saw_sof = false;
    loop {
        // Skip to the next 0xFF, then over fill bytes.
        if r.u8(pos).ok_or_else(|| truncated(f))? != 0xFF {
            return Err(decode_err(f, "expected a marker"));
        }
        while r.u8(pos) == Some(0xFF) {
            pos += 1;
        }
        let marker = r.u8(pos).ok_or_else(|| truncated(f))?;
        pos += 1;
        match marker {
            0xD0..=0xD7 | 0x01 => continue,
            0xD9 => break,
            _ => {}
        }
        let len = r.u16(pos).ok_or_else(|| truncated(f))? as usize;
        if len < 2 {
            return Err(decode_err(f, "segment length < 2"));
        }
        let seg = b.get(pos + 2..pos + len).ok_or_else(|| truncated(f))?;
        match marker {
            0xE1 if seg.starts_with(b"Exif\0\0") && m.orientation.is_none() => {
                m.orientation = exif_orientation(&seg[6..]);
            }
            0xE2 if seg.starts_with(b"ICC_PROFILE\0") => m.has_icc = true,
            0xEE if seg.starts_with(b"Adobe") => extra.adobe = true,
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                if seg.len() < 6 {
                    return Err(truncated(f));
                }
                saw_sof = true;
                if seg[0] != 8 {
                    return Err(TaskError::new(
                        ErrorCode::UnsupportedFormat,
                        format!("Unsupported JPEG sample precision {} (only 8-bit)", seg[0]),
                    ));
                }
                if matches!(marker, 0xC3 | 0xC7 | 0xCB | 0xCF) {
                    return Err(TaskError::new(
                        ErrorCode::UnsupportedFormat,
                        "Unsupported lossless JPEG (SOF3)",
                    ));
                }
                m.height = u16::from_be_bytes([seg[1], seg[2]]) as u32;
                m.width = u16::from_be_bytes([seg[3], seg[4]]) as u32;
                m.channels = seg[5];
                if !matches!(m.channels, 1 | 3 | 4) {
                    return Err(decode_err(f, "component count must be 1, 3 or 4"));
                }
                m.is_progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            }
            0xDA => break,
            _ => {}
        }
        pos += len;
    }
    if !saw_sof {
        return Err(decode_err(f, "no frame header (SOF) before image data"));
    }
    Ok((m, extra))
}

fn png(b: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let f = Format::Png;
    let r = Bytes { b, le: false };
    if r.u32(12) != Some(u32::from_be_bytes(*b"IHDR")) {
        return Err(if b.len() < 16 {
            truncated(f)
        } else {
            decode_err(f, "first chunk is not IHDR")
        });
    }
    let width = r.u32(16).ok_or_else(|| truncated(f))?;
    let height = r.u32(20).ok_or_else(|| truncated(f))?;
    let depth = r.u8(24).ok_or_else(|| truncated(f))?;
    let ctype = r.u8(25).ok_or_else(|| truncated(f))?;
    let interlace = r.u8(28).ok_or_else(|| truncated(f))?;
    let valid_depth = match ctype {
        0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(depth, 1 | 2 | 4 | 8),
        2 | 4 | 6 => matches!(depth, 8 | 16),
        _ => false,
    };
    if !valid_depth || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(decode_err(f, "invalid IHDR (colour type, depth or size)"));
    }
    let (mut trns, mut icc, mut orientation, mut frames) = (false, false, None, None);
    let mut pos = 8usize;
    // Walk chunk headers only (jumping over data); stop at IEND or truncation.
    while let (Some(len), Some(kind)) = (r.u32(pos), b.get(pos + 4..pos + 8)) {
        let data = b.get(pos + 8..(pos + 8).saturating_add(len as usize));
        match kind {
            b"tRNS" => trns = true,
            b"iCCP" => icc = true,
            b"eXIf" => orientation = data.and_then(exif_orientation),
            b"acTL" => frames = data.and_then(|d| Bytes { b: d, le: false }.u32(0)),
            b"IEND" => break,
            _ => {}
        }
        pos = match pos.checked_add(12 + len as usize) {
            Some(p) => p,
            None => break,
        };
    }
    let base = match ctype {
        0 => 1,
        2 | 3 => 3,
        4 => 2,
        _ => 4,
    };
    let channels = if trns && matches!(ctype, 0 | 2 | 3) {
        base + 1
    } else {
        base
    };
    let m = Metadata {
        format: f,
        width,
        height,
        orientation,
        has_alpha: channels == 2 || channels == 4,
        channels,
        bit_depth: if depth == 16 { 16 } else { 8 },
        is_progressive: interlace == 1,
        has_icc: icc,
        pages: frames.unwrap_or(1).max(1),
    };
    Ok((m, Extra::default()))
}

fn webp(b: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let f = Format::Webp;
    let r = Bytes { b, le: true };
    let mut pos = 12usize;
    let mut m = Metadata {
        format: f,
        width: 0,
        height: 0,
        orientation: None,
        has_alpha: false,
        channels: 3,
        bit_depth: 8,
        is_progressive: false,
        has_icc: false,
        pages: 1,
    };
    let mut extra = Extra::default();
    let mut vp8x = false;
    let mut frames = 0u32;
    let mut first = true;
    while let (Some(kind), Some(len)) = (b.get(pos..pos + 4), r.u32(pos + 4)) {
        let start = pos + 8;
        let data = b.get(start..start.saturating_add(len as usize));
        match kind {
            b"VP8X" if first => {
                let d = data.filter(|d| d.len() >= 10).ok_or_else(|| truncated(f))?;
                let flags = d[0];
                m.has_icc = flags & 0x20 != 0;
                m.has_alpha = flags & 0x10 != 0;
                extra.animated = flags & 0x02 != 0;
                m.width = 1 + u32::from_le_bytes([d[4], d[5], d[6], 0]);
                m.height = 1 + u32::from_le_bytes([d[7], d[8], d[9], 0]);
                vp8x = true;
            }
            b"VP8 " if !vp8x => {
                let d = data.filter(|d| d.len() >= 10).ok_or_else(|| truncated(f))?;
                if d[3..6] != [0x9d, 0x01, 0x2a] {
                    return Err(decode_err(f, "bad VP8 start code"));
                }
                m.width = (u16::from_le_bytes([d[6], d[7]]) & 0x3fff) as u32;
                m.height = (u16::from_le_bytes([d[8], d[9]]) & 0x3fff) as u32;
                break;
            }
            b"VP8L" if !vp8x => {
                let d = data.filter(|d| d.len() >= 5).ok_or_else(|| truncated(f))?;
                if d[0] != 0x2f {
                    return Err(decode_err(f, "bad VP8L signature"));
                }
                let bits = u32::from_le_bytes([d[1], d[2], d[3], d[4]]);
                m.width = (bits & 0x3fff) + 1;
                m.height = ((bits >> 14) & 0x3fff) + 1;
                m.has_alpha = (bits >> 28) & 1 == 1;
                break;
            }
            b"ANMF" => frames += 1,
            b"EXIF" => m.orientation = data.and_then(exif_orientation),
            _ if first => return Err(decode_err(f, "unknown first chunk")),
            _ => {}
        }
        first = false;
        // Chunks are padded to an even size.
        pos = match start.checked_add(len as usize + (len as usize & 1)) {
            Some(p) => p,
            None => break,
        };
    }
    if m.width == 0 {
        return Err(truncated(f));
    }
    if m.has_alpha {
        m.channels = 4;
    }
    m.pages = frames.max(1);
    Ok((m, extra))
}

fn gif(b: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let f = Format::Gif;
    let r = Bytes { b, le: true };
    let width = r.u16(6).ok_or_else(|| truncated(f))? as u32;
    let height = r.u16(8).ok_or_else(|| truncated(f))? as u32;
    let flags = r.u8(10).ok_or_else(|| truncated(f))?;
    let mut pos = 13
        + if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        };
    let (mut frames, mut alpha, mut interlaced) = (0u32, false, false);
    // Skips a chain of data sub-blocks; returns the position after the terminator.
    let skip_blocks = |mut p: usize| -> Option<usize> {
        loop {
            let n = r.u8(p)? as usize;
            p += 1 + n;
            if n == 0 {
                return Some(p);
            }
        }
    };
    loop {
        match r.u8(pos) {
            Some(0x2C) => {
                let pf = r.u8(pos + 9);
                frames += 1;
                if frames == 1 {
                    interlaced = pf.is_some_and(|x| x & 0x40 != 0);
                }
                let lct = pf.map_or(0, |x| if x & 0x80 != 0 { 3 << ((x & 7) + 1) } else { 0 });
                match skip_blocks(pos + 10 + lct + 1) {
                    Some(p) => pos = p,
                    None => break,
                }
            }
            Some(0x21) => {
                if r.u8(pos + 1) == Some(0xF9) && r.u8(pos + 3).is_some_and(|x| x & 1 != 0) {
                    alpha = true;
                }
                match skip_blocks(pos + 2) {
                    Some(p) => pos = p,
                    None => break,
                }
            }
            _ => break,
        }
    }
    if frames == 0 {
        return Err(decode_err(f, "no image frame"));
    }
    let m = Metadata {
        format: f,
        width,
        height,
        orientation: None,
        has_alpha: alpha,
        channels: if alpha { 4 } else { 3 },
        bit_depth: 8,
        is_progressive: interlaced,
        has_icc: false,
        pages: frames,
    };
    Ok((m, Extra::default()))
}

fn bmp(b: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let f = Format::Bmp;
    let r = Bytes { b, le: true };
    let hsize = r.u32(14).ok_or_else(|| truncated(f))?;
    let (width, height, bpp) = if hsize == 12 {
        let w = r.u16(18).ok_or_else(|| truncated(f))? as u32;
        let h = r.u16(20).ok_or_else(|| truncated(f))? as u32;
        (w, h, r.u16(24).ok_or_else(|| truncated(f))?)
    } else if hsize >= 40 {
        let w = r.u32(18).ok_or_else(|| truncated(f))? as i32;
        let h = r.u32(22).ok_or_else(|| truncated(f))? as i32;
        if w <= 0 || h == i32::MIN {
            return Err(decode_err(f, "invalid width/height"));
        }
        (
            w as u32,
            h.unsigned_abs(),
            r.u16(28).ok_or_else(|| truncated(f))?,
        )
    } else {
        return Err(decode_err(f, "unknown DIB header size"));
    };
    // 32-bit BMPs may carry alpha; the decoder decides, we report RGBA.
    let alpha = bpp == 32;
    let m = Metadata {
        format: f,
        width,
        height,
        orientation: None,
        has_alpha: alpha,
        channels: if alpha { 4 } else { 3 },
        bit_depth: 8,
        is_progressive: false,
        has_icc: false,
        pages: 1,
    };
    Ok((m, Extra::default()))
}

fn tiff(b: &[u8]) -> Result<(Metadata, Extra), TaskError> {
    let f = Format::Tiff;
    let r = Bytes {
        b,
        le: b[0] == b'I',
    };
    let mut ifd = r.u32(4).ok_or_else(|| truncated(f))? as usize;
    let (mut w, mut h, mut spp, mut bps, mut extra_alpha) = (0u32, 0u32, 1u16, 8u16, false);
    let (mut orientation, mut icc, mut pages) = (None, false, 0u32);
    let mut seen = Vec::new();
    while ifd != 0 && pages < 10_000 && !seen.contains(&ifd) {
        seen.push(ifd);
        let n = r.u16(ifd).ok_or_else(|| truncated(f))? as usize;
        if pages == 0 {
            for i in 0..n {
                let e = ifd + 2 + i * 12;
                let (tag, typ) = (r.u16(e), r.u16(e + 2));
                let (Some(tag), Some(typ)) = (tag, typ) else {
                    return Err(truncated(f));
                };
                // SHORT (3) values sit in the first 2 bytes; LONG (4) in 4.
                let val = if typ == 3 {
                    r.u16(e + 8).map(u32::from)
                } else {
                    r.u32(e + 8)
                };
                let val = val.unwrap_or(0);
                match tag {
                    256 => w = val,
                    257 => h = val,
                    258 => {
                        bps = if typ == 3 && r.u32(e + 4) == Some(1) {
                            val as u16
                        } else {
                            bps_first(&r, e, typ)
                        }
                    }
                    277 => spp = val as u16,
                    338 => extra_alpha = val == 1 || val == 2,
                    274 => orientation = (1..=8).contains(&val).then_some(val as u8),
                    34675 => icc = true,
                    _ => {}
                }
            }
        }
        pages += 1;
        ifd = r.u32(ifd + 2 + n * 12).unwrap_or(0) as usize;
    }
    let channels = match spp {
        1 => 1,
        2 => 2,
        3 => 3,
        _ => 4,
    };
    let m = Metadata {
        format: f,
        width: w,
        height: h,
        orientation,
        has_alpha: channels == 2 || (channels == 4 && extra_alpha),
        channels,
        bit_depth: if bps == 16 { 16 } else { 8 },
        is_progressive: false,
        has_icc: icc,
        pages: pages.max(1),
    };
    Ok((m, Extra::default()))
}

/// BitsPerSample with several values stores them at an offset; read the first.
fn bps_first(r: &Bytes<'_>, e: usize, typ: u16) -> u16 {
    if typ != 3 {
        return 8;
    }
    r.u32(e + 8)
        .and_then(|off| r.u16(off as usize))
        .unwrap_or(8)
}
