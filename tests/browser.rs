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

/// Loads `page` headless and returns the `src=WIDTHxHEIGHT` of every image once loaded, after
/// checking that nothing failed to load and nothing was logged as an error.
fn load(bin: &Path, page: &Path) -> Vec<String> {
    let profile = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(page).unwrap();
    let probe = "<script>window.addEventListener('load', () => { document.body.dataset.check = \
                 [...document.images].map(i => i.getAttribute('src') + '=' + i.naturalWidth + 'x' + \
                 i.naturalHeight).join(';'); });</script></body>";
    let check = page.with_file_name("check.html");
    std::fs::write(&check, html.replace("</body>", probe)).unwrap();
    let out = headless(bin, profile.path())
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("file://{}", check.display()))
        .output()
        .unwrap();
    std::fs::remove_file(&check).unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let found = dom
        .split("data-check=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("probe did not run on {}; stderr:\n{stderr}", page.display()));
    for bad in ["ERR_FILE_NOT_FOUND", "Uncaught", "Failed to load resource"] {
        assert!(
            !stderr.contains(bad),
            "{}: browser reported {bad}:\n{stderr}",
            page.display()
        );
    }
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("CONSOLE") && l.contains("ERROR")),
        "{}: console error:\n{stderr}",
        page.display()
    );
    found
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Screenshots `page` and returns the share of non-white pixels.
fn screenshot_ink(bin: &Path, page: &Path, png: &Path) -> f64 {
    let profile = tempfile::tempdir().unwrap();
    let status = headless(bin, profile.path())
        .args(["--window-size=1100,2400"])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .status()
        .unwrap();
    assert!(status.success());
    ink_fraction(png)
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        return crate::util::skip(
            "report_renders_in_headless_chromium",
            "no Chromium: install Debian's chromium (as .ci/run does) or set TRADEPIPE_CHROMIUM",
        );
    };
    let p = Pipeline::slice();
    p.run(["run"]).success();
    let images = load(&bin, &p.report_dir().join("index.html"));
    assert_eq!(
        images,
        [
            "figures/fig-totals.svg=960x500",
            "figures/fig-balances.svg=960x500",
            "figures/fig-map.svg=960x604",
            "figures/fig-hm-out.svg=960x500",
            "figures/fig-hm-in.svg=960x500"
        ],
        "every chart loads at its size"
    );
    let ink = screenshot_ink(
        &bin,
        &p.report_dir().join("index.html"),
        &p.dir.path().join("report.png"),
    );
    assert!(ink > 0.03, "screenshot is nearly blank: {:.1}% ink", ink * 100.0);
}

#[test]
fn every_default_report_and_reproduction_renders() {
    let Some(bin) = chromium() else {
        return crate::util::skip(
            "every_default_report_and_reproduction_renders",
            "no Chromium: install Debian's chromium (as .ci/run does) or set TRADEPIPE_CHROMIUM",
        );
    };
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    crate::util::run_in_repo(&["-q", "--output", o, "run"]).success();
    crate::util::run_in_repo(&[
        "-q",
        "--output",
        o,
        "reproduce",
        "reproduce/000-china-central-asia.toml",
    ])
    .success();
    let landscape = load(&bin, &out.path().join("reports/central-asia-partners/index.html"));
    assert_eq!(landscape.len(), 5, "{landscape:?}");
    assert!(landscape.iter().all(|i| i.ends_with("=960x500")), "{landscape:?}");
    let page = out.path().join("reproduce/000-china-central-asia/index.html");
    assert!(load(&bin, &page).is_empty());
    let ink = screenshot_ink(&bin, &page, &out.path().join("reproduce.png"));
    assert!(
        ink > 0.02,
        "reproduction page is nearly blank: {:.1}% ink",
        ink * 100.0
    );
    // The other shipped specs (002 last: its config has its own years and countries).
    for spec in [
        "001-us-central-asia",
        "003-004-china-central-asia-2025",
        "002-china-imbalance",
    ] {
        let path = format!("reproduce/{spec}.toml");
        crate::util::run_in_repo(&["-q", "--output", o, "reproduce", &path]).success();
        let page = out.path().join(format!("reproduce/{spec}/index.html"));
        assert!(load(&bin, &page).is_empty(), "{spec}");
        let ink = screenshot_ink(&bin, &page, &out.path().join(format!("{spec}.png")));
        assert!(ink > 0.02, "{spec}: nearly blank: {:.1}% ink", ink * 100.0);
    }
}

/// A report on data with products and customs breakdowns (the ILLUSTRATIVE tables): the
/// structure and breakdown tables render beside the charts, with no browser errors.
#[test]
fn report_with_product_and_breakdown_tables_renders() {
    let Some(bin) = chromium() else {
        return crate::util::skip(
            "report_with_product_and_breakdown_tables_renders",
            "no Chromium: install Debian's chromium (as .ci/run does) or set TRADEPIPE_CHROMIUM",
        );
    };
    let p = crate::product_check::customs_example_with_report();
    p.run(["-q", "run"]).success();
    let page = p.output().join("reports/customs/index.html");
    let images = load(&bin, &page);
    assert!(
        !images.is_empty() && images.iter().all(|i| !i.ends_with("=0x0")),
        "{images:?}"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    for id in [
        "table-top-products",
        "table-hhi-products",
        "table-by-province",
        "table-by-regime",
        "table-by-section",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    let ink = screenshot_ink(&bin, &page, &p.dir.path().join("customs.png"));
    assert!(ink > 0.02, "report is nearly blank: {:.1}% ink", ink * 100.0);
}

/// The pixel at `(x, y)` of an RGB(A) PNG.
fn pixel(png_path: &Path, x: u32, y: u32) -> [u8; 3] {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let at = (y as usize * info.width as usize + x as usize) * channels;
    [buf[at], buf[at + 1], buf[at + 2]]
}

fn hex(fill: &str) -> [u8; 3] {
    let h = |i: usize| u8::from_str_radix(&fill[i..i + 2], 16).unwrap();
    [h(1), h(3), h(5)]
}

/// Each shipped example's HTML report loads in Chromium, and its map shows the focus and
/// every partner: at the point the map marks inside each of them (`data-x`, `data-y`), the
/// rendered pixel has that country's fill (labels hidden, so that the text does not cover
/// it), not the sea, a neighbour or the blank beyond the frame.
#[test]
fn every_example_map_shows_its_countries() {
    let Some(bin) = chromium() else {
        return crate::util::skip(
            "every_example_map_shows_its_countries",
            "no Chromium: install Debian's chromium (as .ci/run does) or set TRADEPIPE_CHROMIUM",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    for name in crate::examples::EXAMPLES {
        let report = crate::examples::run_example(name, &dir.path().join(name));
        let images = load(&bin, &report.join("index.html"));
        assert!(
            images.iter().any(|i| i.starts_with("figures/fig-map.svg=960x")),
            "{name}: {images:?}"
        );
        let svg = std::fs::read_to_string(report.join("figures/fig-map.svg")).unwrap();
        let height: u32 = svg
            .split("height=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        let unlabelled = report.join("figures/map-unlabelled.svg");
        std::fs::write(
            &unlabelled,
            svg.replacen("<title>", "<style>.labels{display:none}</style><title>", 1),
        )
        .unwrap();
        let png = dir.path().join(format!("{name}-map.png"));
        let profile = tempfile::tempdir().unwrap();
        let status = headless(&bin, profile.path())
            .arg(format!("--window-size=960,{height}"))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", unlabelled.display()))
            .status()
            .unwrap();
        assert!(status.success());
        let json = crate::util::read_json(&report.join("report.json"));
        let mut codes = vec![json["focus"]["code"].as_str().unwrap().to_string()];
        codes.extend(
            json["partners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["code"].as_str().unwrap().to_string()),
        );
        for code in codes {
            let path = svg
                .split("<path ")
                .find(|p| p.contains(&format!("data-iso3=\"{code}\"")))
                .unwrap_or_else(|| panic!("{name}: {code} is not on the map"));
            let attr = |a: &str| -> String {
                path.split(&format!("{a}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap()
                    .to_string()
            };
            let (x, y): (f64, f64) = (attr("data-x").parse().unwrap(), attr("data-y").parse().unwrap());
            assert!(
                x >= 0.0 && x < 960.0 && y >= 56.0 && y < f64::from(height) - 64.0,
                "{name}: {code} outside the frame: {x} {y}"
            );
            let got = pixel(&png, x.round() as u32, y.round() as u32);
            let want = hex(&attr("fill"));
            let close = got
                .iter()
                .zip(want)
                .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 8);
            assert!(
                close,
                "{name}: {code} at ({x}, {y}) is {got:?}, its fill is {want:?}"
            );
        }
    }
}
