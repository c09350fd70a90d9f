//! Static SVG line charts (plotters): title, labelled axes with units, a legend beside the
//! plot (never over the lines), and a source line under it. No JavaScript is needed to read
//! them, and the same file is embedded by the HTML and the Markdown report.

use plotters::coord::Shift;
use plotters::prelude::*;

/// A named series of yearly values; `None` breaks the line.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(i32, Option<f64>)>,
}

/// Everything a line chart shows.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    /// Y axis label including the unit, e.g. "US$ billion".
    pub y_label: String,
    pub series: Vec<Series>,
    /// "Source: ..." line under the plot.
    pub source: String,
    /// Decimals of the y tick labels.
    pub y_decimals: usize,
}

/// A figure of a report.
#[derive(Debug, Clone)]
pub enum Chart {
    Line(LineChart),
    Map(crate::map::MapChart),
}

/// Renders any figure to an SVG document.
pub fn render_chart(chart: &Chart) -> Result<String, String> {
    match chart {
        Chart::Line(c) => render(c),
        Chart::Map(m) => crate::map::render(m, &tradepipe_model::Registry::embedded()),
    }
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 500;
const LEGEND_WIDTH: u32 = 190;
const FONT: &str = "sans-serif";

/// Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// Renders the chart to an SVG document.
pub fn render(chart: &LineChart) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn y_range(chart: &LineChart) -> (f64, f64) {
    let values = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    // Include zero so levels are not exaggerated, pad 8% so lines do not touch the frame.
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let pad = ((hi - lo) * 0.08).max(1e-9);
    (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (body, footer) = root.split_vertically(HEIGHT - 28);
    footer.draw_text(
        &chart.source,
        &(FONT, 13).into_font().color(&RGBColor(80, 80, 80)),
        (12, 6),
    )?;
    let (plot_area, legend) = body.split_horizontally(WIDTH - LEGEND_WIDTH);

    let years: Vec<i32> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let (x0, x1) = (
        years.iter().copied().min().unwrap_or(0),
        years.iter().copied().max().unwrap_or(1),
    );
    let (y0, y1) = y_range(chart);
    let mut ctx = ChartBuilder::on(&plot_area)
        .caption(&chart.title, (FONT, 22))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(78)
        .build_cartesian_2d(x0..x1.max(x0 + 1), y0..y1)?;
    let dec = chart.y_decimals;
    let span = (x1 - x0).max(1) as usize;
    ctx.configure_mesh()
        .x_desc("Year")
        .y_desc(&chart.y_label)
        .x_labels(span.min(12) + 1)
        .x_label_formatter(&|x| x.to_string())
        .y_labels(8)
        .y_label_formatter(&|v| format!("{v:.dec$}"))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    if y0 < 0.0 {
        ctx.draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.stroke_width(1)))?;
    }
    for (k, s) in chart.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        for segment in s.points.split(|p| p.1.is_none()).filter(|seg| !seg.is_empty()) {
            let pts: Vec<(i32, f64)> = segment.iter().filter_map(|&(x, y)| Some((x, y?))).collect();
            ctx.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))?;
            ctx.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
    }
    for (k, s) in chart.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let y = 60 + 26 * k as i32;
        legend.draw(&PathElement::new(vec![(8, y), (36, y)], color.stroke_width(3)))?;
        legend.draw(&Circle::new((22, y), 3, color.filled()))?;
        legend.draw_text(&s.name, &(FONT, 15).into_font().color(&BLACK), (44, y - 8))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_title_axes_legend_and_source() {
        let chart = LineChart {
            title: "Trade & <balance>".into(),
            y_label: "US$ billion".into(),
            series: vec![
                Series {
                    name: "Kazakhstan".into(),
                    points: vec![(2010, Some(1.0)), (2011, None), (2012, Some(-2.0))],
                },
                Series {
                    name: "Kyrgyzstan".into(),
                    points: vec![(2010, Some(0.5)), (2011, Some(0.7)), (2012, Some(0.9))],
                },
            ],
            source: "Source: IMF DOTS".into(),
            y_decimals: 1,
        };
        let svg = render(&chart).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        for needle in [
            "Trade &amp; &lt;balance&gt;",
            "US$ billion",
            "Kazakhstan",
            "Kyrgyzstan",
            "Source: IMF DOTS",
            "2011",
            "Year",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(svg.contains("<polyline"), "lines drawn");
    }

    #[test]
    fn range_includes_zero_and_pads() {
        let chart = |v: f64| LineChart {
            title: String::new(),
            y_label: String::new(),
            series: vec![Series {
                name: "a".into(),
                points: vec![(2000, Some(v))],
            }],
            source: String::new(),
            y_decimals: 0,
        };
        let (lo, hi) = y_range(&chart(10.0));
        assert_eq!(lo, 0.0);
        assert!(hi > 10.0);
        let (lo, _) = y_range(&chart(-10.0));
        assert!(lo < -10.0);
    }
}
