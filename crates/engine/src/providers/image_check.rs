//! Checks that bytes really are an image, whatever a file name or a Content-Type says: the format
//! is sniffed from the bytes and the image must decode.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

/// The largest image accepted (bytes).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// What an image turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

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
