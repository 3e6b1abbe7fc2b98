//! Lyrics found on disk: `.lrc`/`.txt` sidecars and embedded lyrics tags.

pub(crate) use crate::model::{LocalLyrics, LocalLyricsSource};

/// The largest sidecar read; anything bigger is not a lyrics file.
pub(crate) const MAX_SIDECAR_BYTES: u64 = 1 << 20;

/// Decodes sidecar bytes: UTF-8 (a BOM is dropped), else UTF-16 with a BOM, else Latin-1, which
/// maps every byte to a character, so nothing is lost.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Builds [`LocalLyrics`] from a text that may be LRC or plain; `None` for blank text.
pub(crate) fn parse_local(text: &str, source: LocalLyricsSource) -> Option<LocalLyrics> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if is_instrumental_marker(text) {
        return Some(LocalLyrics {
            plain: None,
            synced: None,
            source,
            instrumental: true,
        });
    }
    if text.lines().any(|line| split_timestamps(line).0 > 0) {
        let plain: Vec<&str> = text
            .lines()
            .filter(|line| !is_lrc_metadata(line))
            .map(|line| split_timestamps(line).1.trim())
            .collect();
        let plain = plain.join("\n").trim().to_owned();
        return Some(LocalLyrics {
            plain: (!plain.is_empty()).then_some(plain),
            synced: Some(text.to_owned()),
            source,
            instrumental: false,
        });
    }
    Some(LocalLyrics {
        plain: Some(text.to_owned()),
        synced: None,
        source,
        instrumental: false,
    })
}

/// `[au: instrumental]` (LRCGET's marker), `[instrumental]` or a lone "instrumental".
fn is_instrumental_marker(text: &str) -> bool {
    let folded: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        folded.as_str(),
        "[au:instrumental]" | "[instrumental]" | "instrumental" | "(instrumental)"
    )
}

/// An LRC header line such as `[ar: Artist]` or `[length: 03:20]`.
fn is_lrc_metadata(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('[')
        && line.ends_with(']')
        && split_timestamps(line).0 == 0
        && line[1..]
            .split(':')
            .next()
            .is_some_and(|tag| tag.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Counts the leading `[mm:ss]`, `[mm:ss.xx]` or `[mm:ss:xx]` timestamps of an LRC line and
/// returns the text after them.
pub(crate) fn split_timestamps(line: &str) -> (usize, &str) {
    let mut rest = line.trim_start();
    let mut count = 0;
    while let Some(after) = rest.strip_prefix('[') {
        let Some(end) = after.find(']') else { break };
        if !is_timestamp(&after[..end]) {
            break;
        }
        count += 1;
        rest = &after[end + 1..];
    }
    (count, rest)
}

/// The timed lines of LRC text, in time order: `(milliseconds, text)`, one entry per timestamp
/// (a line with two timestamps is sung twice). Metadata and untimed lines are left out.
pub(crate) fn timed_lines(lrc: &str) -> Vec<(u32, String)> {
    let mut lines = Vec::new();
    for line in lrc.lines() {
        let (count, text) = split_timestamps(line);
        let mut rest = line.trim_start();
        for _ in 0..count {
            let end = rest.find(']').unwrap_or(rest.len());
            if let Some(ms) = timestamp_ms(&rest[1..end]) {
                lines.push((ms, text.trim().to_owned()));
            }
            rest = &rest[(end + 1).min(rest.len())..];
        }
    }
    lines.sort_by_key(|(ms, _)| *ms);
    lines
}

/// `mm:ss`, `mm:ss.xx` or `mm:ss:xx` in milliseconds.
fn timestamp_ms(s: &str) -> Option<u32> {
    let (minutes, seconds) = s.split_once(':')?;
    let (whole, fraction) = match seconds.find(['.', ':']) {
        Some(i) => (&seconds[..i], &seconds[i + 1..]),
        None => (seconds, ""),
    };
    let fraction_ms = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u32>().ok()? * 100,
        2 => fraction.parse::<u32>().ok()? * 10,
        _ => fraction[..3].parse::<u32>().ok()?,
    };
    Some(minutes.parse::<u32>().ok()? * 60_000 + whole.parse::<u32>().ok()? * 1000 + fraction_ms)
}

fn is_timestamp(s: &str) -> bool {
    let mut parts = s.splitn(2, ':');
    let (Some(minutes), Some(seconds)) = (parts.next(), parts.next()) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let (whole, fraction) = match seconds.find(['.', ':']) {
        Some(i) => (&seconds[..i], Some(&seconds[i + 1..])),
        None => (seconds, None),
    };
    digits(minutes) && whole.len() == 2 && digits(whole) && fraction.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synced_lyrics_keep_timestamps_and_derive_plain() {
        let lrc = "[ar: Someone]\n[00:12.34]First line\n[00:15.00][01:15.00]Chorus\n[03:25.72] ";
        let parsed = parse_local(lrc, LocalLyricsSource::Sidecar).unwrap();
        assert_eq!(parsed.synced.as_deref(), Some(lrc.trim()));
        assert_eq!(parsed.plain.as_deref(), Some("First line\nChorus"));
        assert!(!parsed.instrumental);
    }

    #[test]
    fn timed_lines_in_milliseconds() {
        let lrc =
            "[ar: Someone]\n[00:12.34]First\n[00:15.00][01:15.5]Chorus\nuntimed\n[00:01:20]Intro";
        assert_eq!(
            timed_lines(lrc),
            [
                (1200, "Intro".to_owned()),
                (12340, "First".to_owned()),
                (15000, "Chorus".to_owned()),
                (75500, "Chorus".to_owned()),
            ]
        );
    }

    #[test]
    fn plain_text_stays_plain() {
        let parsed = parse_local("Line one\r\nLine [two]\n", LocalLyricsSource::Embedded).unwrap();
        assert_eq!(parsed.plain.as_deref(), Some("Line one\nLine [two]"));
        assert_eq!(parsed.synced, None);
    }

    #[test]
    fn instrumental_markers_and_blank_text() {
        assert!(
            parse_local("[au: instrumental]", LocalLyricsSource::Sidecar)
                .unwrap()
                .instrumental
        );
        assert!(
            parse_local(" Instrumental \n", LocalLyricsSource::Sidecar)
                .unwrap()
                .instrumental
        );
        assert_eq!(parse_local(" \n\t", LocalLyricsSource::Sidecar), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(split_timestamps("[01:02.03]x"), (1, "x"));
        assert_eq!(split_timestamps("[01:02:03]x"), (1, "x"));
        assert_eq!(split_timestamps("[1:02]x"), (1, "x"));
        assert_eq!(split_timestamps("[ar:02]x"), (0, "[ar:02]x"));
        assert_eq!(split_timestamps("[01:2]x"), (0, "[01:2]x"));
    }

    #[test]
    fn decoding_never_loses_bytes() {
        assert_eq!(decode_text("héllo".as_bytes()), "héllo");
        assert_eq!(decode_text(b"\xEF\xBB\xBFbom"), "bom");
        assert_eq!(decode_text(b"caf\xE9"), "café");
        assert_eq!(decode_text(b"\xFF\xFEh\0i\0"), "hi");
    }
}
