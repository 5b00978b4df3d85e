//! The consultant's page end to end in headless Chromium: `e2e/pagina.mjs` (Playwright)
//! takes real cases from the region to the outcome against a running `wiebetaalt serve`,
//! at desktop and phone size, with the mouse, the keyboard alone and fingers, and checks
//! the decision shown against the API's, the race of slow replies, a server that is down,
//! Back and reload, and axe-core in every state.
//!
//! Needs Debian's `chromium` and `npm ci --prefix e2e`; the README's test command
//! installs both and sets `WIEBETAALT_E2E=1`, which makes a missing browser a failure
//! instead of a skip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn the_page_decides_real_cases_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready =
        Path::new(&chromium).exists() && Path::new("e2e/node_modules/playwright-core").exists();
    if !ready {
        assert!(
            std::env::var_os("WIEBETAALT_E2E").is_none(),
            "WIEBETAALT_E2E is set, but {chromium} or e2e/node_modules is missing"
        );
        eprintln!("overgeslagen: geen {chromium} of e2e/node_modules (zie README)");
        return;
    }
    let (mut server, url) = common::spawn_server("rules", &[], Stdio::null());
    let mut args = vec!["e2e/pagina.mjs".to_string(), url];
    // `WIEBETAALT_SCREENSHOT=docs/beslissing.png cargo test --test browser` renews the
    // pictures in the docs (desktop, and phone as docs/beslissing-telefoon.png).
    if let Ok(path) = std::env::var("WIEBETAALT_SCREENSHOT") {
        args.push(path);
    }
    let out = Command::new("node").args(&args).output().unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches('✓').count(), 17, "{stdout}");
}
