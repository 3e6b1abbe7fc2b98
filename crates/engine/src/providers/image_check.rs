//! Checks that bytes really are an image, whatever a file name or a Content-Type says: the format
//! is sniffed from the bytes and the image must decode.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

/// The largest image accepted (bytes).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// What an image turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// The format sniffed from the bytes: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: &'static str,
    /// Width in pixels, as decoded.
    pub width: u32,
    /// Height in pixels, as decoded.
    pub height: u32,
}

/// The most pixels an image may declare: far above any real cover (a 6000 × 6000 scan is 36
/// megapixels), far below what a decompression bomb declares. Checked from the header, before
/// anything is decoded.
pub const MAX_PIXELS: u64 = 64_000_000;

/// What the decoder may allocate, whatever the header says (a second line behind
/// [`MAX_PIXELS`]): 64 megapixels of RGBA.
const MAX_DECODE_ALLOC: u64 = MAX_PIXELS * 4;

/// Sniffs and fully decodes `bytes`. The error says why they are not a usable image.
pub fn inspect(bytes: &[u8]) -> Result<ImageInfo, String> {
    if bytes.is_empty() {
        return Err("empty image".into());
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "image of {} MB is over the {} MB limit",
            bytes.len() >> 20,
            MAX_IMAGE_BYTES >> 20
        ));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("unreadable image: {e}"))?;
    let mime = match reader.format() {
        Some(ImageFormat::Jpeg) => "image/jpeg",
        Some(ImageFormat::Png) => "image/png",
        Some(ImageFormat::WebP) => "image/webp",
        Some(ImageFormat::Gif) => "image/gif",
        Some(other) => return Err(format!("unsupported image format {other:?}")),
        None => return Err("not an image (unknown format)".into()),
    };
    let (width, height) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("unreadable image: {e}"))?
        .into_dimensions()
        .map_err(|e| format!("image header does not read: {e}"))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "image declares {width} × {height} pixels ({} megapixels), over the {} megapixel limit",
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = reader;
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| format!("image does not decode: {e}"))?;
    let (width, height) = (decoded.width(), decoded.height());
    if width == 0 || height == 0 {
        return Err("image has no pixels".into());
    }
    Ok(ImageInfo {
        mime,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG that declares `width` × `height` pixels: the signature and a valid IHDR chunk.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        let mut chunk = b"IHDR".to_vec();
        chunk.extend(width.to_be_bytes());
        chunk.extend(height.to_be_bytes());
        chunk.extend([8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(13u32.to_be_bytes());
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
        // The start of an IDAT chunk (a zlib header), where the header ends for a reader.
        let idat = b"IDAT\x78\x9c".to_vec();
        png.extend(2u32.to_be_bytes());
        png.extend(&idat);
        png.extend(crc32(&idat).to_be_bytes());
        png
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // 11,000 × 11,000 RGBA is 484 MB decoded; refused before any decoding.
        let err = inspect(&png_header(11_000, 11_000)).unwrap_err();
        assert!(
            err.contains("11000 × 11000") && err.contains("megapixel"),
            "{err}"
        );
        // Under the budget, the header passes and decoding is what fails (no pixel data).
        let err = inspect(&png_header(100, 100)).unwrap_err();
        assert!(err.contains("does not decode"), "{err}");
    }

    #[test]
    fn rejects_what_is_not_an_image() {
        assert!(inspect(b"").is_err());
        assert!(
            inspect(b"<html>not found</html>")
                .unwrap_err()
                .contains("not an image")
        );
        // A JPEG header with nothing behind it does not decode.
        assert!(inspect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0]).is_err());
    }
}
