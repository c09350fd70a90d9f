//! What a long normalize says while it runs: on a terminal, a progress bar over the years
//! (years done, rows written, bytes read, rows a second); elsewhere (cron, CI, `--log-format json`) one
//! log line per finished year, which a bar would only garble.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) struct Years {
    bar: Option<indicatif::ProgressBar>,
    rows: AtomicU64,
    bytes: AtomicU64,
    started: std::time::Instant,
}

impl Years {
    /// A bar over `years`, of which `bytes` (the sources read whole) are already read.
    pub(crate) fn new(years: usize, bytes: u64) -> Years {
        let bar = (years > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(years as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "normalize [{bar:30}] {pos}/{len} years, {msg} ({elapsed}, eta {eta})",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar
        });
        Years {
            bar,
            rows: AtomicU64::new(0),
            bytes: AtomicU64::new(bytes),
            started: std::time::Instant::now(),
        }
    }

    /// A year's partition is staged (called from the year's thread).
    /// A year's partition is staged, having read `bytes` of its own (release-zip entries).
    pub(crate) fn year_done(&self, year: i32, rows: usize, bytes: u64) {
        let total = self.rows.fetch_add(rows as u64, Ordering::Relaxed) + rows as u64;
        let read = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        match &self.bar {
            Some(bar) => {
                let secs = self.started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "{} rows, {} read, {:.1}M rows/s",
                    thousands(total),
                    size(read),
                    total as f64 / secs / 1e6
                ));
                bar.inc(1);
            }
            None => tracing::info!(year, rows, bytes, "year normalized"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Bytes in kB, MB or GB (decimal units, one decimal).
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.1} GB", b / 1e9)
    }
}

/// `20000000` as `20,000,000`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(20_000_000), "20,000,000");
    }

    #[test]
    fn sizes() {
        assert_eq!(super::size(300), "0.3 kB");
        assert_eq!(super::size(2_500_000), "2.5 MB");
        assert_eq!(super::size(7_000_000_000), "7.0 GB");
    }
}
