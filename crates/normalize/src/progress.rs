//! What a long normalize says while it runs: on a terminal, a progress bar over the years
//! (years done, rows written, rows a second); elsewhere (cron, CI, `--log-format json`) one
//! log line per finished year, which a bar would only garble.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) struct Years {
    bar: Option<indicatif::ProgressBar>,
    rows: AtomicU64,
    started: std::time::Instant,
}

impl Years {
    pub(crate) fn new(years: usize) -> Years {
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
            started: std::time::Instant::now(),
        }
    }

    /// A year's partition is staged (called from the year's thread).
    pub(crate) fn year_done(&self, year: i32, rows: usize) {
        let total = self.rows.fetch_add(rows as u64, Ordering::Relaxed) + rows as u64;
        match &self.bar {
            Some(bar) => {
                let secs = self.started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "{} rows, {:.1}M rows/s",
                    thousands(total),
                    total as f64 / secs / 1e6
                ));
                bar.inc(1);
            }
            None => tracing::info!(year, rows, "year normalized"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
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
}
