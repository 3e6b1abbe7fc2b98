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
