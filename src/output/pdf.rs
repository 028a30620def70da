//! `report --pdf`: report.html printed to report.pdf (A4, the report's print stylesheet) by a
//! headless Chromium, when one is installed. Looked for before any work, so a machine without
//! one is told at once, with how to install it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The browsers tried, in order, on PATH (`WINDDOWN_CHROMIUM` names one explicitly).
const CANDIDATES: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "headless_shell",
];

/// The Chromium to print with, or a usage error saying how to get one.
pub fn find_chromium() -> Result<PathBuf> {
    if let Some(explicit) = std::env::var_os("WINDDOWN_CHROMIUM") {
        let path = PathBuf::from(explicit);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::Usage(format!(
                "--pdf: WINDDOWN_CHROMIUM={} is not a file",
                path.display()
            )))
        };
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&dirs) {
        for name in CANDIDATES {
            let path = dir.join(name);
            if path.is_file() {
                return Ok(path);
            }
        }
    }
    Err(Error::Usage(
        "--pdf needs a headless Chromium and none was found (chromium, chromium-browser or \
         google-chrome on PATH, or WINDDOWN_CHROMIUM=/path/to/chrome); install one with \
         `apt-get install chromium`, or open report.html in a browser and print it"
            .into(),
    ))
}

/// Print `html` (a file) to PDF bytes.
pub fn print(chromium: &Path, html: &Path) -> Result<Vec<u8>> {
    let scratch = std::env::temp_dir().join(format!("winddown-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
    let out = scratch.join("report.pdf");
    let result = std::process::Command::new(chromium)
        .arg("--headless")
        .arg("--disable-gpu")
        .arg("--no-sandbox")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let bytes = match result {
        Ok(status) if status.success() => std::fs::read(&out).ok(),
        _ => None,
    };
    let _ = std::fs::remove_dir_all(&scratch);
    bytes.filter(|b| b.starts_with(b"%PDF")).ok_or_else(|| {
        Error::Output(format!(
            "--pdf: {} did not print report.html to PDF",
            chromium.display()
        ))
    })
}
