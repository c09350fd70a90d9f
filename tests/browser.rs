//! The HTML report in a real browser: headless Chromium loads it, every chart must load as a
//! 960×500 image, nothing may fail to load or log an error, and a screenshot must not be blank.
//! `.ci/run` installs Debian's Chromium; without one the test is skipped outside CI only.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::Pipeline;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRADEPIPE_CHROMIUM") {
        return Some(p.into());
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn headless(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Share of pixels that are not near-white in an RGB(A) PNG.
fn ink_fraction(png_path: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "expected an RGB screenshot, got {:?}",
        info.color_type
    );
    let px = &buf[..info.buffer_size()];
    let total = px.len() / channels;
    let inked = px
        .chunks(channels)
        .filter(|c| c[..3].iter().any(|&v| v < 235))
        .count();
    inked as f64 / total as f64
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("skipping browser test: no chromium on this machine");
        return;
    };
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let dir = p.report_dir();
    let profile = tempfile::tempdir().unwrap();

    // A copy of the page with a probe that records how each image loaded.
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let probe = "<script>window.addEventListener('load', () => { document.body.dataset.check = \
                 [...document.images].map(i => i.getAttribute('src') + '=' + i.naturalWidth + 'x' + \
                 i.naturalHeight).join(';'); });</script></body>";
    std::fs::write(dir.join("check.html"), html.replace("</body>", probe)).unwrap();
    let out = headless(&bin, profile.path())
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("file://{}", dir.join("check.html").display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let check = dom
        .split("data-check=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("probe did not run; stderr:\n{stderr}"));
    let images: Vec<&str> = check.split(';').collect();
    assert_eq!(
        images,
        [
            "figures/fig-totals.svg=960x500",
            "figures/fig-balances.svg=960x500",
            "figures/fig-hm-out.svg=960x500",
            "figures/fig-hm-in.svg=960x500"
        ],
        "every chart loads at its size"
    );
    for bad in ["ERR_FILE_NOT_FOUND", "Uncaught", "Failed to load resource"] {
        assert!(!stderr.contains(bad), "browser reported {bad}:\n{stderr}");
    }
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("CONSOLE") && l.contains("ERROR")),
        "console error:\n{stderr}"
    );

    // A screenshot of the real page (no probe) is far from blank.
    let shot = p.dir.path().join("report.png");
    let status = headless(&bin, profile.path())
        .args(["--window-size=1100,2400"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", dir.join("index.html").display()))
        .status()
        .unwrap();
    assert!(status.success());
    let ink = ink_fraction(&shot);
    assert!(ink > 0.03, "screenshot is nearly blank: {:.1}% ink", ink * 100.0);
}
