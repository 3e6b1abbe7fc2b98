//! Decoding images within a memory budget shared by the whole process.
//!
//! Every image Gatefold keeps is decoded once to prove it is one (`providers::image_check`) and
//! once more for its thumbnail (`store`). A decoded bitmap is far larger than its file: a
//! 6,000 x 6,000 cover that downloads as 2 MB is 144 MB of RGBA. With 16 workers, each decoding
//! what it found, the process would hold gigabytes. So:
//!
//! - an image declaring more than [`MAX_PIXELS`] is refused from its header, before any pixel is
//!   decoded (a decompression bomb costs nothing);
//! - every decode first reserves its bitmap's size from [`DECODE_BUDGET`] and waits while others
//!   hold it: decodes run side by side while they fit, and a giant one runs alone.
//!
//! The wait blocks its thread: call [`decode`] from a blocking task (`spawn_blocking`), never on
//! an async worker.

use std::io::Cursor;
use std::sync::{Condvar, Mutex, PoisonError};

use image::{DynamicImage, ImageFormat, ImageReader};

/// The most pixels an image may declare: above any real cover (a 6,000 x 6,000 scan is 36
/// megapixels), far below what a decompression bomb declares.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The most bytes of decoded bitmaps held at once in the process: one image at the pixel limit,
/// as RGBA.
pub const DECODE_BUDGET: u64 = MAX_PIXELS * 4;

/// Bytes of the budget in use.
static IN_USE: Mutex<u64> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// A share of [`DECODE_BUDGET`], given back when dropped.
#[derive(Debug)]
struct Reservation {
    bytes: u64,
}

/// Reserves `bytes` (at most the whole budget), blocking until they fit.
fn reserve(bytes: u64) -> Reservation {
    let bytes = bytes.min(DECODE_BUDGET);
    // The counter is a plain number, whole after any panic: a poisoned lock is still usable.
    let mut in_use = IN_USE.lock().unwrap_or_else(PoisonError::into_inner);
    while *in_use + bytes > DECODE_BUDGET {
        in_use = FREED.wait(in_use).unwrap_or_else(PoisonError::into_inner);
    }
    *in_use += bytes;
    Reservation { bytes }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut in_use = IN_USE.lock().unwrap_or_else(PoisonError::into_inner);
        *in_use -= self.bytes;
        FREED.notify_all();
    }
}

/// Sniffs the format of `bytes`, checks the dimensions their header declares against
/// [`MAX_PIXELS`], decodes them within the budget and hands the bitmap to `use_image` (which
/// runs while its share of the budget is held). The error says, for people, why the bytes are
/// not a usable image.
pub fn decode<T>(
    bytes: &[u8],
    use_image: impl FnOnce(&DynamicImage) -> T,
) -> Result<(ImageFormat, T), String> {
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| format!("unreadable image: {e}"))
    };
    let format = reader()?
        .format()
        .ok_or_else(|| "not an image (unknown format)".to_owned())?;
    let (width, height) = reader()?
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
    let bitmap = pixels * 4;
    let _reservation = reserve(bitmap);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(bitmap.max(1));
    let mut reader = reader()?;
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| format!("image does not decode: {e}"))?;
    if image.width() == 0 || image.height() == 0 {
        return Err("image has no pixels".into());
    }
    Ok((format, use_image(&image)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_wait_for_room_and_give_it_back() {
        let big = reserve(DECODE_BUDGET);
        let (sent, waited) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let _small = reserve(1);
            sent.send(()).unwrap();
        });
        // While the whole budget is held, the small reservation waits.
        assert!(
            waited
                .recv_timeout(std::time::Duration::from_millis(100))
                .is_err()
        );
        drop(big);
        waited.recv().unwrap();
        waiter.join().unwrap();
        assert_eq!(*IN_USE.lock().unwrap(), 0);
    }
}
