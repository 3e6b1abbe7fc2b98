//! A fake iTunes Search API on loopback: `/search?term=…&entity=album` in the real
//! `resultCount`/`results` shape, artwork at `/image/thumb/{id}/{N}x{N}bb.jpg` where only some
//! sizes exist, 403 once more than `per_minute` searches came (Apple's throttle signal, no
//! `Retry-After`), and 400 with `errorMessage` for a bad `country`.

use serde_json::json;
use wiremock::{Request, ResponseTemplate};

use super::{SearchApi, SearchFake, query_param};

/// An album the fake knows.
#[derive(Debug, Clone)]
pub struct ItunesAlbum {
    pub collection: String,
    pub artist: String,
    /// Sizes (px) the CDN has for its artwork.
    pub sizes: Vec<u32>,
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl SearchApi for ItunesAlbum {
    const SEARCH_PATH: &'static str = "/search";

    fn over_quota() -> ResponseTemplate {
        ResponseTemplate::new(403).set_body_string("Forbidden")
    }

    fn search(albums: &[Self], request: &Request, base: &str) -> ResponseTemplate {
        let param = |k: &str| query_param(request, k);
        if param("country").is_some_and(|c| c.len() != 2) {
            return ResponseTemplate::new(400).set_body_json(json!({
                "errorMessage": "Invalid value(s) for key(s): [country]",
                "queryParameters": {"country": "US"}
            }));
        }
        let term = words(&param("term").unwrap_or_default());
        let results: Vec<_> = albums
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                let have = words(&format!("{} {}", a.collection, a.artist));
                term.iter().all(|w| have.contains(w))
            })
            .map(|(i, a)| {
                let art = |px: u32| format!("{base}/image/thumb/{i}/{px}x{px}bb.jpg");
                json!({"wrapperType": "collection", "collectionType": "Album", "artistId": 1, "collectionId": i,
                       "artistName": a.artist, "collectionName": a.collection, "collectionCensoredName": a.collection,
                       "artworkUrl60": art(60), "artworkUrl100": art(100), "trackCount": 10,
                       "releaseDate": "2001-03-07T08:00:00Z", "country": "USA", "primaryGenreName": "Electronic"})
            })
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"resultCount": results.len(), "results": results}))
    }

    fn other(albums: &[Self], path: &str) -> ResponseTemplate {
        let Some(rest) = path.strip_prefix("/image/thumb/") else {
            return ResponseTemplate::new(404);
        };
        let mut parts = rest.split('/');
        let (Some(id), Some(file)) = (parts.next(), parts.next()) else {
            return ResponseTemplate::new(404);
        };
        let album = id.parse::<usize>().ok().and_then(|i| albums.get(i));
        let px = file.split('x').next().and_then(|n| n.parse::<u32>().ok());
        match (album, px) {
            (Some(a), Some(px)) if a.sizes.contains(&px) => ResponseTemplate::new(200)
                .insert_header("content-type", "image/jpeg")
                .set_body_bytes(crate::audio::COVER_JPG_600.to_vec()),
            _ => ResponseTemplate::new(404),
        }
    }
}

/// The running fake; more than its quota of searches (per minute) are answered 403.
pub type FakeItunes = SearchFake<ItunesAlbum>;
