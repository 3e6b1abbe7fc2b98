//! The `artwork` URI scheme: the webview asks `artwork://localhost/<id>/<thumb|full>` (built by
//! the UI with `convertFileSrc`) and gets that artwork's file from the artwork store. Images are
//! looked up by id in the library, so no path the page names is ever opened.

use tauri::http::{Response, StatusCode, header};
use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// `<id>/<size>` out of the request path (`/42/thumb`, or `/42%2Fthumb` as `convertFileSrc`
/// encodes it).
fn parse(path: &str) -> Option<(i64, bool)> {
    let decoded = percent_decode(path.trim_start_matches('/'))?;
    let (id, size) = decoded.split_once('/')?;
    let thumbnail = match size {
        "thumb" => true,
        "full" => false,
        _ => return None,
    };
    Some((id.parse().ok().filter(|id| *id > 0)?, thumbnail))
}

/// `%XX` escapes decoded; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn status(code: StatusCode, message: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(message.as_bytes().to_vec())
        .unwrap_or_default()
}

/// The response to a request for `path`.
pub async fn serve(app: &AppHandle, path: &str) -> Response<Vec<u8>> {
    let Some((id, thumbnail)) = parse(path) else {
        return status(
            StatusCode::BAD_REQUEST,
            "expected /<artwork id>/<thumb|full>",
        );
    };
    let state = app.state::<AppState>();
    let Ok(library) = state.library() else {
        return status(StatusCode::SERVICE_UNAVAILABLE, "the library is not open");
    };
    let files = match library.database().artwork_files(id).await {
        Ok(Some(files)) => files,
        Ok(None) => return status(StatusCode::NOT_FOUND, "no such artwork"),
        Err(err) => {
            tracing::warn!(%err, id, "artwork lookup failed");
            return status(StatusCode::INTERNAL_SERVER_ERROR, "artwork lookup failed");
        }
    };
    let (relative, mime) = match (&files.thumbnail_path, thumbnail) {
        (Some(thumb), true) => (thumb.as_str(), "image/jpeg"),
        _ => (files.storage_path.as_str(), files.mime.as_str()),
    };
    match tokio::fs::read(library.store().path_of(relative)).await {
        Ok(bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, mime)
            // Content-addressed: an id's bytes never change.
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(bytes)
            .unwrap_or_default(),
        Err(err) => {
            tracing::warn!(%err, id, "artwork file unreadable");
            status(StatusCode::NOT_FOUND, "the artwork file is missing")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_ids_and_known_sizes() {
        assert_eq!(parse("/42/thumb"), Some((42, true)));
        assert_eq!(parse("/42%2Ffull"), Some((42, false)));
        assert_eq!(parse("/../../etc/passwd"), None);
        assert_eq!(parse("/42/huge"), None);
        assert_eq!(parse("/-1/thumb"), None);
        assert_eq!(parse("/%zz/thumb"), None);
    }
}
