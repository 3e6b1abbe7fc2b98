//! Checks that bytes really are an image, whatever a file name or a Content-Type says: the format
//! is sniffed from the bytes and the image must decode.

use image::ImageFormat;

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

pub use crate::decode::MAX_PIXELS;

/// Sniffs and fully decodes `bytes` (within the process's decode budget: call it from a
/// blocking task). The error says why they are not a usable image.
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
    let (format, (width, height)) =
        crate::decode::decode(bytes, |image| (image.width(), image.height()))?;
    let mime = match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Gif => "image/gif",
        other => return Err(format!("unsupported image format {other:?}")),
    };
    Ok(ImageInfo {
        mime,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG that declares `width` × `height` pixels and holds almost no data.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        gatefold_testkit::servers::faults::png_bomb(width, height)
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
