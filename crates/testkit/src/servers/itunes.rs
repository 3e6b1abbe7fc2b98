//! A fake iTunes Search API on loopback: `/search?term=…&entity=album` in the real
//! `resultCount`/`results` shape, artwork at `/image/thumb/{id}/{N}x{N}bb.jpg` where only some
//! sizes exist, 403 once more than `per_minute` searches came (Apple's throttle signal, no
//! `Retry-After`), and 400 with `errorMessage` for a bad `country`.

use std::sync::{Arc, Mutex};

use serde_json::json;
use wiremock::{Request, Respond, ResponseTemplate};

use super::{SearchFake, Traffic, query_param};

/// An album the fake knows.
#[derive(Debug, Clone)]
pub struct ItunesAlbum {
    pub collection: String,
    pub artist: String,
    /// Sizes (px) the CDN has for its artwork.
    pub sizes: Vec<u32>,
}

struct Responder {
    albums: Vec<ItunesAlbum>,
    traffic: Arc<Mutex<Traffic>>,
    base: String,
    per_minute: usize,
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path();
        let search = self
            .traffic
            .lock()
            .unwrap()
            .search(request, "/search", self.per_minute);
        if let Some(admitted) = search {
            if !admitted {
                return ResponseTemplate::new(403).set_body_string("Forbidden");
            }
            let param = |k: &str| query_param(request, k);
            if param("country").is_some_and(|c| c.len() != 2) {
                return ResponseTemplate::new(400).set_body_json(json!({
                    "errorMessage": "Invalid value(s) for key(s): [country]",
                    "queryParameters": {"country": "US"}
                }));
            }
            let term = words(&param("term").unwrap_or_default());
            let results: Vec<_> = self
                .albums
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    let have = words(&format!("{} {}", a.collection, a.artist));
                    term.iter().all(|w| have.contains(w))
                })
                .map(|(i, a)| {
                    let art = |px: u32| format!("{}/image/thumb/{i}/{px}x{px}bb.jpg", self.base);
                    json!({"wrapperType": "collection", "collectionType": "Album", "artistId": 1, "collectionId": i,
                           "artistName": a.artist, "collectionName": a.collection, "collectionCensoredName": a.collection,
                           "artworkUrl60": art(60), "artworkUrl100": art(100), "trackCount": 10,
                           "releaseDate": "2001-03-07T08:00:00Z", "country": "USA", "primaryGenreName": "Electronic"})
                })
                .collect();
            return ResponseTemplate::new(200)
                .set_body_json(json!({"resultCount": results.len(), "results": results}));
        }
        if let Some(rest) = path.strip_prefix("/image/thumb/") {
            let mut parts = rest.split('/');
            let (Some(id), Some(file)) = (parts.next(), parts.next()) else {
                return ResponseTemplate::new(404);
            };
            let album = id.parse::<usize>().ok().and_then(|i| self.albums.get(i));
            let px = file.split('x').next().and_then(|n| n.parse::<u32>().ok());
            return match (album, px) {
                (Some(a), Some(px)) if a.sizes.contains(&px) => ResponseTemplate::new(200)
                    .insert_header("content-type", "image/jpeg")
                    .set_body_bytes(crate::audio::COVER_JPG_600.to_vec()),
                _ => ResponseTemplate::new(404),
            };
        }
        ResponseTemplate::new(404)
    }
}

/// The running fake.
pub type FakeItunes = SearchFake<ItunesAlbum>;

impl FakeItunes {
    /// Starts the fake; more than `per_minute` searches are answered 403.
    pub async fn start(albums: Vec<ItunesAlbum>, per_minute: usize) -> Self {
        SearchFake::serve(|base, traffic| Responder {
            albums,
            traffic,
            base,
            per_minute,
        })
        .await
    }
}
