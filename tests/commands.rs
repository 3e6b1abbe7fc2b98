//! The app's command names are written in four places that must agree: the handler list in
//! `src-tauri/src/lib.rs`, the permission list in `src-tauri/build.rs`, the window's capability
//! (`src-tauri/capabilities/main.json`) and the UI's `TauriBackend` (`ui/src/lib/tauriBackend.ts`).
//! A command missing from one of them fails at run time only (unregistered, or denied); this
//! test makes it fail in `make test`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found"))
        + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{end:?} not found"))
        + from;
    &text[from..to]
}

/// Every identifier-like word (`[a-z_]+`) that follows `prefix` in `text`.
fn words_after(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || *c == '-')
                .collect::<String>()
                .replace('-', "_")
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn every_command_is_registered_permitted_granted_and_called_by_the_same_name() {
    let handlers = words_after(
        between(&read("src-tauri/src/lib.rs"), "generate_handler![", "]"),
        "commands::",
    );
    let permissions = words_after(
        between(&read("src-tauri/build.rs"), ".commands(&[", "]"),
        "\"",
    );
    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    let ui = read("ui/src/lib/tauriBackend.ts");
    let mut called = words_after(&ui, "call('");
    for (at, _) in ui.match_indices("call<") {
        // call<Type>('name', ...): the name follows the type's closing `>(`.
        let rest = &ui[at..];
        let name = between(rest, ">('", "'");
        called.insert(name.to_owned());
    }

    assert!(
        handlers.len() >= 17,
        "the handler list was read: {handlers:?}"
    );
    assert_eq!(permissions, handlers, "src-tauri/build.rs vs lib.rs");
    assert_eq!(granted, handlers, "capabilities/main.json vs lib.rs");
    assert_eq!(called, handlers, "ui/src/lib/tauriBackend.ts vs lib.rs");
}
