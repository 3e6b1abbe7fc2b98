fn main() {
    // The package root is the repository root (so tauri.conf.json and icons/ are found there);
    // capabilities live with the shell's sources. Listing the app's commands makes tauri-build
    // generate one permission per command, so a capability grants exactly the commands a window
    // uses.
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "library_summary",
            "get_settings",
            "save_settings",
            "start_enrichment",
            "pause_enrichment",
            "resume_enrichment",
            "cancel_enrichment",
            "list_failures",
            "get_providers",
            "save_providers",
            "enrichment_status",
            "list_albums",
            "album_tracks",
            "track_lyrics",
            "choose_folder",
            "scan_folder",
            "save_text_file",
            "last_run",
            "provider_stats",
            "music_folders",
            "add_music_folder",
            "remove_music_folder",
            "watch_status",
            "enrich_album_now",
            "provider_urls",
            "album_card",
            "reveal_track",
            "write_back_preview",
        ]));
    #[expect(
        clippy::expect_used,
        reason = "a build script fails the build by panicking"
    )]
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
