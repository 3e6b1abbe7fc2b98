declare global {
  interface Window {
    /** Injected by the Tauri webview; absent in a plain browser. */
    __TAURI_INTERNALS__?: unknown;
  }
}

export {};
