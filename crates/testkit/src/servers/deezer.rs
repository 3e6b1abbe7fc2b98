//! A fake Deezer API on loopback: `/search/album?q=artist:"…" album:"…"` in the real shape,
//! covers at 56/250/500/1000 px, and Deezer's in-band quota error (HTTP 200 with
//! `"code":4`) once more than `quota` searches came.

use serde_json::json;
use wiremock::{Request, ResponseTemplate};

use super::{SearchApi, SearchFake, query_param};

/// An album the fake knows.
#[derive(Debug, Clone)]
pub struct DeezerAlbum {
    pub title: String,
    pub artist: String,
}

fn norm(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The value of `field:"…"` in an advanced query.
fn field(q: &str, name: &str) -> Option<String> {
    let start = q.find(&format!("{name}:\""))? + name.len() + 2;
    let end = q[start..].find('"')? + start;
    Some(q[start..end].to_owned())
}

impl SearchApi for DeezerAlbum {
    const SEARCH_PATH: &'static str = "/search/album";

    fn over_quota() -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(
            json!({"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}),
        )
    }

    fn search(albums: &[Self], request: &Request, base: &str) -> ResponseTemplate {
        let q = query_param(request, "q").unwrap_or_default();
        let (artist, album) = (field(&q, "artist"), field(&q, "album").unwrap_or_default());
        let data: Vec<_> = albums
            .iter()
            .enumerate()
            .filter(|(_, a)| norm(&a.title).contains(&norm(&album)) && artist.as_ref().is_none_or(|x| norm(&a.artist) == norm(x)))
            .map(|(i, a)| {
                let cover = |px: u32| format!("{base}/images/cover/{i}/{px}x{px}-000000-80-0-0.jpg");
                json!({"id": i, "title": a.title, "link": format!("https://www.deezer.com/album/{i}"),
                       "cover": format!("{base}/album/{i}/image"),
                       "cover_small": cover(56), "cover_medium": cover(250), "cover_big": cover(500), "cover_xl": cover(1000),
                       "md5_image": format!("{i:032}"), "nb_tracks": 10, "record_type": "album",
                       "artist": {"id": i, "name": a.artist, "type": "artist"}, "type": "album"})
            })
            .collect();
        let total = data.len();
        ResponseTemplate::new(200).set_body_json(json!({"data": data, "total": total}))
    }

    fn other(_albums: &[Self], path: &str) -> ResponseTemplate {
        if path.starts_with("/images/cover/") {
            return ResponseTemplate::new(200)
                .insert_header("content-type", "image/jpeg")
                .set_body_bytes(crate::audio::COVER_JPG_600.to_vec());
        }
        ResponseTemplate::new(200).set_body_json(
            json!({"error": {"type": "DataException", "message": "no data", "code": 800}}),
        )
    }
}

/// The running fake; searches past its quota get the in-band quota error.
pub type FakeDeezer = SearchFake<DeezerAlbum>;
