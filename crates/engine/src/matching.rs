//! Matching what a provider offers against what the library holds. Shared by every provider.
//!
//! Names are normalised (case, accents and width folded, punctuation dropped, "&" read as
//! "and", "feat." parts and bracketed remaster notes removed), then compared with a similarity
//! score. A candidate scores below [`THRESHOLD`] when it is not confidently the same thing, and
//! a version marker ("live", "remix", "acoustic", ...) on one side only is a different
//! recording: a wrong match is worse than none.

use unicode_normalization::UnicodeNormalization;

/// The least confidence accepted (0 to 1).
pub const THRESHOLD: f64 = 0.85;

/// Words that make a different recording or release of the same song.
const VERSION_MARKERS: &[&str] = &[
    "live",
    "remix",
    "mix",
    "acoustic",
    "instrumental",
    "karaoke",
    "demo",
    "edit",
    "version",
    "unplugged",
    "cover",
    "orchestral",
    "rehearsal",
    "session",
];

/// Bracketed or dashed notes that do not change what a recording is.
const NEUTRAL_NOTES: &[&str] = &[
    "remaster",
    "remastered",
    "deluxe",
    "expanded",
    "edition",
    "bonus",
    "mono",
    "stereo",
    "single",
    "explicit",
    "clean",
    "anniversary",
];

/// Lower case, accents and full width folded, `&` as "and", punctuation as spaces, white space
/// collapsed. CJK and other scripts are kept as they are (only Latin-style accents are dropped).
pub fn normalize(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .collect::<String>()
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '&' | '+' => out.push_str(" and "),
            '\'' | '’' | '`' | '´' => {} // "don't" = "dont"
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A title's parts: the core (what must match) and its version markers (which must agree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleParts {
    /// The normalised title without its bracketed or dash notes and featured artists.
    pub core: String,
    /// Version markers (`live`, `edit`, ...), sorted, no duplicates; empty for the original.
    pub versions: Vec<String>,
}

/// Splits "Song (Live at Wembley) [2011 Remaster] - Radio Edit feat. X" into its core ("song")
/// and version markers (["live", "edit"]); remaster-style notes and featured artists are dropped.
pub fn title_parts(title: &str) -> TitleParts {
    let mut core = String::new();
    let mut notes: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut note = String::new();
    for c in title.chars() {
        match c {
            '(' | '[' | '{' => {
                if depth == 0 {
                    note.clear();
                } else {
                    note.push(' ');
                }
                depth += 1;
            }
            ')' | ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    notes.push(note.clone());
                }
            }
            c if depth > 0 => note.push(c),
            c => core.push(c),
        }
    }
    // " - Live", " - 2011 Remaster": a dash note at the end.
    if let Some(idx) = core.rfind(" - ") {
        let tail = core[idx + 3..].to_owned();
        let words = normalize(&tail);
        if words
            .split(' ')
            .any(|w| VERSION_MARKERS.contains(&w) || NEUTRAL_NOTES.contains(&w))
        {
            notes.push(tail);
            core.truncate(idx);
        }
    }
    let core = strip_featuring(&normalize(&core));
    let mut versions: Vec<String> = notes
        .iter()
        .flat_map(|n| {
            normalize(n)
                .split(' ')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|w| VERSION_MARKERS.contains(&w.as_str()))
        .collect();
    versions.sort();
    versions.dedup();
    TitleParts { core, versions }
}

/// A normalised title or artist without its featured part ("X feat. Y", "X ft. Y",
/// "X featuring Y"; for artists also "X with Y").
pub fn strip_featuring(normalized: &str) -> String {
    strip_after(normalized, &["feat", "ft", "featuring"])
}

fn strip_after(normalized: &str, markers: &[&str]) -> String {
    let words: Vec<&str> = normalized.split(' ').collect();
    match words.iter().position(|w| markers.contains(w)) {
        Some(0) | None => normalized.to_owned(),
        Some(i) => words[..i].join(" "),
    }
}

/// An artist name reduced for comparison: normalised, featured artists dropped, a leading
/// "the" dropped.
pub fn artist_key(artist: &str) -> String {
    let key = strip_after(&normalize(artist), &["feat", "ft", "featuring", "with"]);
    key.strip_prefix("the ").map(str::to_owned).unwrap_or(key)
}

/// Whether an album artist names no one in particular (compilations).
pub fn is_various_artists(artist: &str) -> bool {
    matches!(
        artist_key(artist).as_str(),
        "various artists" | "various" | "va" | "verschiedene interpreten" | "artistes divers"
    )
}

/// Similarity of two normalised strings, 0 to 1: normalised Levenshtein (an edit or two is
/// forgiven in a long name; a shared prefix is not a match, unlike Jaro-Winkler, which rates
/// "dancing" and "dancing with myself" 0.89).
///
/// Numbers are never forgiven: "Track 1" and "Track 2", "Symphony No. 5" and "No. 9",
/// "Blink-182" and "Blink-183" are different things however close the letters are.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let numbers = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_numeric())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if numbers(a) != numbers(b) {
        return 0.0;
    }
    strsim::normalized_levenshtein(a, b)
}

/// What the library knows of a track.
#[derive(Debug, Clone)]
pub struct TrackQuery<'a> {
    /// The track's title as tagged.
    pub title: &'a str,
    /// The track's artist as tagged.
    pub artist: &'a str,
    /// The album title, if known; a match on it only nudges the score.
    pub album: Option<&'a str>,
    /// Length in milliseconds, if known.
    pub duration_ms: Option<u64>,
}

/// What a provider offers.
#[derive(Debug, Clone)]
pub struct TrackCandidate<'a> {
    /// The candidate's title.
    pub title: &'a str,
    /// The candidate's artist.
    pub artist: &'a str,
    /// The candidate's album, if the provider names one.
    pub album: Option<&'a str>,
    /// The candidate's length in milliseconds, if the provider gives it.
    pub duration_ms: Option<u64>,
}

/// How confident we are that `candidate` is `query` (0 to 1); 0 for a different version or a
/// duration more than `max_duration_diff_ms` away.
pub fn track_score(
    query: &TrackQuery<'_>,
    candidate: &TrackCandidate<'_>,
    max_duration_diff_ms: u64,
) -> f64 {
    if let (Some(a), Some(b)) = (query.duration_ms, candidate.duration_ms)
        && a.abs_diff(b) > max_duration_diff_ms
    {
        return 0.0;
    }
    let (q, c) = (title_parts(query.title), title_parts(candidate.title));
    if q.versions != c.versions {
        return 0.0;
    }
    let title = similarity(&q.core, &c.core);
    let artist = similarity(&artist_key(query.artist), &artist_key(candidate.artist));
    // Title and artist must both be close; the album only nudges.
    let mut score = title.min(artist) * 0.8 + (title + artist) / 2.0 * 0.2;
    if let (Some(qa), Some(ca)) = (query.album, candidate.album) {
        let album = similarity(&title_parts(qa).core, &title_parts(ca).core);
        if album > 0.9 {
            score = (score + 0.03).min(1.0);
        }
    }
    score
}

/// Confidence that a release (`candidate_title` by `candidate_artist`) is the album asked for.
pub fn album_score(
    title: &str,
    artist: &str,
    candidate_title: &str,
    candidate_artist: &str,
) -> f64 {
    let (q, c) = (title_parts(title), title_parts(candidate_title));
    if q.versions != c.versions {
        return 0.0;
    }
    let title = similarity(&q.core, &c.core);
    let artist = if is_various_artists(artist) && is_various_artists(candidate_artist) {
        1.0
    } else {
        similarity(&artist_key(artist), &artist_key(candidate_artist))
    };
    title.min(artist) * 0.8 + (title + artist) / 2.0 * 0.2
}

/// [`album_score`] for stores (iTunes, Deezer) that credit a compilation's tracks' artists
/// rather than "Various Artists": for a compilation only the titles count.
pub fn album_score_any_compilation_artist(
    title: &str,
    artist: &str,
    candidate_title: &str,
    candidate_artist: &str,
) -> f64 {
    if is_various_artists(artist) {
        let various = crate::model::VARIOUS_ARTISTS;
        album_score(title, various, candidate_title, various)
    } else {
        album_score(title, artist, candidate_title, candidate_artist)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        let cases = [
            ("Björk", "bjork"),
            ("Beyoncé", "beyonce"),
            ("ＡＢＣ　ＤＥＦ", "abc def"),
            ("Simon & Garfunkel", "simon and garfunkel"),
            ("Don't Stop Me Now", "dont stop me now"),
            ("  AC/DC  ", "ac dc"),
            ("坂本龍一", "坂本龍一"),
            ("ガガガSP", "ガガガsp"),
            ("فيروز", "فيروز"),
            ("Sigur Rós", "sigur ros"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input), expected, "{input}");
        }
    }

    #[test]
    fn title_parts_split_core_and_versions() {
        let p = title_parts("Here Comes the Sun (Remastered 2009)");
        assert_eq!(
            (p.core.as_str(), p.versions.len()),
            ("here comes the sun", 0)
        );
        let p = title_parts("Bohemian Rhapsody - Live Aid");
        assert_eq!(
            (p.core.as_str(), p.versions.clone()),
            ("bohemian rhapsody", vec!["live".to_owned()])
        );
        let p = title_parts("Uptown Funk (feat. Bruno Mars) [Radio Edit]");
        assert_eq!(
            (p.core.as_str(), p.versions.clone()),
            ("uptown funk", vec!["edit".to_owned()])
        );
        let p = title_parts("Stay feat. Justin Bieber");
        assert_eq!(p.core, "stay");
        let p = title_parts("Yesterday - 2009 Remaster");
        assert_eq!((p.core.as_str(), p.versions.len()), ("yesterday", 0));
    }

    /// (query title, query artist, candidate title, candidate artist, must match)
    const TRICKY: &[(&str, &str, &str, &str, bool)] = &[
        ("Jóga", "Björk", "Joga", "Bjork", true),
        (
            "Bohemian Rhapsody",
            "Queen",
            "Bohemian Rhapsody (Remastered 2011)",
            "Queen",
            true,
        ),
        (
            "Uptown Funk",
            "Mark Ronson feat. Bruno Mars",
            "Uptown Funk (feat. Bruno Mars)",
            "Mark Ronson",
            true,
        ),
        (
            "Get Lucky",
            "Daft Punk ft. Pharrell Williams",
            "Get Lucky",
            "Daft Punk",
            true,
        ),
        (
            "Mrs. Robinson",
            "Simon & Garfunkel",
            "Mrs Robinson",
            "Simon and Garfunkel",
            true,
        ),
        ("Wonderwall", "Oasis", "Wonderwall", "The Oasis", true),
        (
            "戦場のメリークリスマス",
            "坂本龍一",
            "戦場のメリークリスマス",
            "坂本龍一",
            true,
        ),
        ("ＬＯＶＥ", "ＴＷＩＣＥ", "LOVE", "TWICE", true),
        (
            "Hey Jude",
            "The Beatles",
            "Hey Jude [2015 Mix]",
            "The Beatles",
            false,
        ),
        (
            "Bohemian Rhapsody",
            "Queen",
            "Bohemian Rhapsody - Live Aid",
            "Queen",
            false,
        ),
        (
            "Bohemian Rhapsody (Live)",
            "Queen",
            "Bohemian Rhapsody",
            "Queen",
            false,
        ),
        ("Creep", "Radiohead", "Creep (Acoustic)", "Radiohead", false),
        ("Creep", "Radiohead", "Creep", "Stone Temple Pilots", false),
        ("Hello", "Adele", "Hello", "Lionel Richie", false),
        (
            "Yesterday",
            "The Beatles",
            "Yesterday Once More",
            "The Carpenters",
            false,
        ),
        ("Intro", "The xx", "Intro", "M83", false),
        ("Stay", "Rihanna", "Stay With Me", "Sam Smith", false),
        (
            "Dancing",
            "Billy Idol",
            "Dancing With Myself",
            "Billy Idol",
            false,
        ),
        (
            "Dancing With Myself",
            "Billy Idol",
            "Dancing With Myself",
            "Billy Idol with Generation X",
            true,
        ),
        (
            "Smells Like Teen Spirit",
            "Nirvana",
            "Smells Like Teen Spirit (Karaoke Version)",
            "Nirvana",
            false,
        ),
        ("كيفك إنت", "فيروز", "كيفك إنت", "فيروز", true),
        ("كيفك إنت", "فيروز", "كيفك إنت", "زياد الرحباني", false),
    ];

    #[test]
    fn tricky_names_match_and_decoys_do_not() {
        for (qt, qa, ct, ca, expected) in TRICKY {
            let q = TrackQuery {
                title: qt,
                artist: qa,
                album: None,
                duration_ms: Some(200_000),
            };
            let c = TrackCandidate {
                title: ct,
                artist: ca,
                album: None,
                duration_ms: Some(201_000),
            };
            let score = track_score(&q, &c, 2000);
            assert_eq!(
                score >= THRESHOLD,
                *expected,
                "{qt} / {qa} vs {ct} / {ca}: score {score:.3}"
            );
        }
    }

    #[test]
    fn duration_beyond_the_window_is_no_match() {
        let q = TrackQuery {
            title: "Song",
            artist: "A",
            album: None,
            duration_ms: Some(200_000),
        };
        let near = TrackCandidate {
            title: "Song",
            artist: "A",
            album: None,
            duration_ms: Some(201_900),
        };
        let far = TrackCandidate {
            duration_ms: Some(203_500),
            ..near.clone()
        };
        assert!(track_score(&q, &near, 2000) >= THRESHOLD);
        assert_eq!(track_score(&q, &far, 2000), 0.0);
    }

    #[test]
    fn albums() {
        assert!(
            album_score(
                "Discovery",
                "Daft Punk",
                "Discovery (Deluxe Edition)",
                "Daft Punk"
            ) >= THRESHOLD
        );
        assert!(
            album_score(
                "Now That's Music",
                "Various Artists",
                "Now Thats Music",
                "Various Artists"
            ) >= THRESHOLD
        );
        assert!(album_score("Discovery", "Daft Punk", "Homework", "Daft Punk") < THRESHOLD);
        assert!(album_score("Greatest Hits", "Queen", "Greatest Hits", "ABBA") < THRESHOLD);
        assert!(album_score("Nevermind", "Nirvana", "Nevermind (Live)", "Nirvana") < THRESHOLD);
        assert!(
            is_various_artists("VA")
                && is_various_artists("Various Artists")
                && !is_various_artists("Varius")
        );
    }
}
