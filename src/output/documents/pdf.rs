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

/// Print `html` (a file) to PDF bytes. `title` is the page's `<title>`: the PDF must carry it,
/// have pages, and be A4, or it is not the report (a browser that could not open the file
/// prints its error page instead, on US Letter).
pub fn print(chromium: &Path, html: &Path, title: &str) -> Result<Vec<u8>> {
    let failed = |why: String| {
        Error::output(
            "--pdf",
            chromium,
            format!("did not print report.html to PDF: {why}"),
        )
    };
    let html = std::path::absolute(html).map_err(|e| Error::io(html, e))?;
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
        .arg(file_url(&html))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let bytes = match result {
        Ok(status) if status.success() => std::fs::read(&out).ok(),
        _ => None,
    };
    let _ = std::fs::remove_dir_all(&scratch);
    let bytes = bytes.ok_or_else(|| failed("it wrote no file".into()))?;
    check_pdf(&bytes, title).map_err(failed)?;
    Ok(bytes)
}

/// A `file://` URL for an absolute path: every byte outside the unreserved set and `/`
/// percent-encoded (a space, `#`, `?`, `%` or Chinese in a folder name stay part of the path).
pub fn file_url(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// The printed file is the report: a PDF, with pages, each A4 (595 × 842 points, either way
/// round, to a point), and `title` as its document title.
pub fn check_pdf(bytes: &[u8], title: &str) -> std::result::Result<(), String> {
    if !bytes.starts_with(b"%PDF") {
        return Err("the file is not a PDF".into());
    }
    let boxes = media_boxes(bytes);
    if boxes.is_empty() {
        return Err("the PDF has no pages".into());
    }
    let a4 = |(w, h): (f64, f64)| {
        let near = |x: f64, y: f64| (x - y).abs() < 1.5;
        (near(w, 595.3) && near(h, 841.9)) || (near(w, 841.9) && near(h, 595.3))
    };
    if let Some((w, h)) = boxes.iter().copied().find(|b| !a4(*b)) {
        return Err(format!("a page is {w:.0} × {h:.0} points, not A4"));
    }
    match pdf_title(bytes) {
        Some(t) if t == title => Ok(()),
        Some(t) => Err(format!("it printed a page titled {t:?}, not the report")),
        None => Err("the PDF has no title: it is not the report".into()),
    }
}

/// Width and height of every `/MediaBox [x0 y0 x1 y1]` in the file.
fn media_boxes(bytes: &[u8]) -> Vec<(f64, f64)> {
    let key = b"/MediaBox";
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&bytes[at..], key) {
        let start = at + i + key.len();
        at = start;
        let rest = &bytes[start..bytes.len().min(start + 120)];
        let Some(open) = rest.iter().position(|&b| b == b'[') else {
            continue;
        };
        let Some(close) = rest.iter().position(|&b| b == b']') else {
            continue;
        };
        if close < open {
            continue;
        }
        let nums: Vec<f64> = String::from_utf8_lossy(&rest[open + 1..close])
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [x0, y0, x1, y1] = nums[..] {
            out.push(((x1 - x0).abs(), (y1 - y0).abs()));
        }
    }
    out
}

/// The document title of the Info dictionary: a literal `(…)` string (PDFDocEncoding as
/// Latin-1, escapes read) or a `<FEFF…>` UTF-16BE hex string.
fn pdf_title(bytes: &[u8]) -> Option<String> {
    let key = b"/Title";
    let at = find(bytes, key)? + key.len();
    let rest = &bytes[at..];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &rest[start..];
    let raw: Vec<u8> = match rest.first()? {
        b'<' => {
            let end = rest.iter().position(|&b| b == b'>')?;
            let hex: Vec<u8> = rest[1..end]
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            hex.chunks(2)
                .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
                .collect::<Option<Vec<u8>>>()?
        }
        b'(' => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut k = 1;
            while k < rest.len() {
                match rest[k] {
                    b'\\' if k + 1 < rest.len() => {
                        k += 1;
                        let c = rest[k];
                        if (b'0'..=b'7').contains(&c) {
                            let digits: Vec<u8> = rest[k..]
                                .iter()
                                .take(3)
                                .take_while(|d| (b'0'..=b'7').contains(d))
                                .copied()
                                .collect();
                            k += digits.len() - 1;
                            let v = digits.iter().fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
                            out.push(v as u8);
                        } else {
                            out.push(match c {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                other => other,
                            });
                        }
                    }
                    b'(' => {
                        depth += 1;
                        out.push(b'(');
                    }
                    b')' if depth == 0 => break,
                    b')' => {
                        depth -= 1;
                        out.push(b')');
                    }
                    b => out.push(b),
                }
                k += 1;
            }
            out
        }
        _ => return None,
    };
    if let Some(utf16) = raw.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(raw.iter().map(|&b| b as char).collect())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_absolute_and_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/#1/报告.html")),
            "file:///tmp/a%20b/%231/%E6%8A%A5%E5%91%8A.html"
        );
        assert_eq!(file_url(Path::new("/x/r%.html")), "file:///x/r%25.html");
    }

    #[test]
    fn only_an_a4_pdf_titled_like_the_report_passes() {
        let title = "网贷机构风险处置报告 / P2P wind-down report";
        let utf16: String = std::iter::once(0xFEFFu16)
            .chain(title.encode_utf16())
            .map(|u| format!("{u:04X}"))
            .collect();
        let pdf = |media: &str, title: &str| {
            format!(
                "%PDF-1.4\n1 0 obj <</Type /Page /MediaBox [0 0 {media}]>> endobj\n\
                 2 0 obj <</Title {title}>> endobj\n"
            )
            .into_bytes()
        };
        let ok = pdf("594.95996 841.91998", &format!("<{utf16}>"));
        assert_eq!(check_pdf(&ok, title), Ok(()));
        // Chromium's error page: US Letter, titled by the URL.
        let letter = pdf("612 792", &format!("<{utf16}>"));
        assert!(check_pdf(&letter, title).unwrap_err().contains("not A4"));
        let other = pdf("594.95996 841.91998", "(file:///x/report.html)");
        assert!(check_pdf(&other, title).unwrap_err().contains("titled"));
        assert!(check_pdf(b"%PDF-1.4\n", title)
            .unwrap_err()
            .contains("no pages"));
        assert!(check_pdf(b"<html>", title).is_err());
        // A literal title with an escaped parenthesis.
        let lit = pdf("595.28 841.89", "(a \\(b\\) c)");
        assert_eq!(check_pdf(&lit, "a (b) c"), Ok(()));
    }
}
