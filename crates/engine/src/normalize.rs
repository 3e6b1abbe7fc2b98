//! Name folding for identity keys: one artist row per artist however its tags spell case and
//! spacing. (Fuzzy matching against providers is a separate, richer normaliser.)

/// Lower-cased, trimmed, inner white space collapsed to single spaces.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn folds_case_and_spacing() {
        assert_eq!(name_key("  The   Beatles "), "the beatles");
        assert_eq!(name_key("ÉDITH Piaf"), "édith piaf");
        assert_eq!(name_key("坂本龍一"), "坂本龍一");
        assert_eq!(name_key(""), "");
    }
}

/// Characters that text from outside must not carry to a reader: control characters other than
/// newline and tab (terminal escapes, NUL), and the Unicode direction overrides and isolates,
/// which reorder what is shown.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The most lyrics text kept for one track: far above any song (a long rap verse runs to a few
/// KB), far below what a hostile answer can send.
pub const MAX_LYRICS_BYTES: usize = 64 * 1024;

/// Lyrics text from outside (a provider's answer) made safe to store and show: control
/// characters other than newline and tab are dropped (`\r\n` and `\r` become `\n`), and so are
/// the Unicode direction overrides and isolates, which reorder what is shown. `Ok(None)` when
/// nothing is left; an error saying why when the text is no song's: over
/// [`MAX_LYRICS_BYTES`], or mostly not words (symbols, binary noise).
pub fn lyrics_text(raw: &str) -> Result<Option<String>, String> {
    let too_big = |len: usize| {
        format!(
            "{} KB of text is no song's lyrics (the limit is {} KB)",
            len / 1024,
            MAX_LYRICS_BYTES / 1024
        )
    };
    // Far over the limit whatever cleaning removes: refused before any copy is made.
    if raw.len() > MAX_LYRICS_BYTES * 2 {
        return Err(too_big(raw.len()));
    }
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let cleaned: String = text.chars().filter(|&c| !is_hidden_control(c)).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Ok(None);
    }
    if cleaned.len() > MAX_LYRICS_BYTES {
        return Err(too_big(cleaned.len()));
    }
    let (mut wordy, mut total) = (0usize, 0usize);
    for c in cleaned.chars().filter(|c| !c.is_whitespace()) {
        total += 1;
        if c.is_alphanumeric()
            || matches!(
                c,
                '\'' | '’'
                    | ','
                    | '.'
                    | '!'
                    | '?'
                    | '-'
                    | '('
                    | ')'
                    | ':'
                    | '['
                    | ']'
                    | '"'
                    | '“'
                    | '”'
                    | '…'
                    | ';'
            )
        {
            wordy += 1;
        }
    }
    if total > 0 && wordy * 10 < total * 7 {
        return Err("the text is mostly not words".to_owned());
    }
    Ok(Some(cleaned.to_owned()))
}

#[cfg(test)]
mod lyrics_tests {
    use super::{MAX_LYRICS_BYTES, lyrics_text};

    #[test]
    fn lyrics_keep_their_words_and_lose_what_is_not_text() {
        assert_eq!(
            lyrics_text("Hello\r\nworld\tagain\r").unwrap().as_deref(),
            Some("Hello\nworld\tagain")
        );
        assert_eq!(
            lyrics_text("Bad\u{0}\u{1b}[31mred\u{1b}[0m \u{202e}txt")
                .unwrap()
                .as_deref(),
            Some("Bad[31mred[0m txt"),
            "NUL, ESC and a direction override dropped"
        );
        assert_eq!(
            lyrics_text("[00:01.00] Synced line\n[00:02.50] Next: (oh, yeah!)")
                .unwrap()
                .as_deref(),
            Some("[00:01.00] Synced line\n[00:02.50] Next: (oh, yeah!)")
        );
        assert_eq!(lyrics_text(" \u{0} \n ").unwrap(), None);
        assert_eq!(
            lyrics_text("Ça va, 東京の夜 — ¿qué tal?")
                .unwrap()
                .as_deref(),
            Some("Ça va, 東京の夜 — ¿qué tal?")
        );
    }

    #[test]
    fn huge_or_wordless_answers_are_refused_with_a_reason() {
        let huge = "la la la\n".repeat(MAX_LYRICS_BYTES / 9 + 10);
        assert!(lyrics_text(&huge).unwrap_err().contains("KB"));
        let noise = "@#$%^&*{}<>|~".repeat(20);
        assert!(lyrics_text(&noise).unwrap_err().contains("not words"));
    }
}
