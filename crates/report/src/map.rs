//! A static SVG map of trade by country (seed paper 000, Figure 4): the focus country and its
//! partners over their neighbours, partners shaded by value, each labelled with its name and
//! value, with title, legend and source line.
//!
//! Boundaries: Natural Earth 1:50m (`data/ne-countries-50m.topojson.json`, provenance in
//! `data/README.md`), decoded from TopoJSON (quantized, delta-encoded arcs) and drawn in an
//! equirectangular projection scaled by the cosine of the window's middle latitude, which
//! keeps Central Asia's shapes recognisable at this scale.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Deserialize;
use tradepipe_model::Registry;

const TOPOLOGY: &str = include_str!("../../../data/ne-countries-50m.topojson.json");
const WIDTH: f64 = 960.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 64.0;
const FONT: &str = "sans-serif";

/// Everything the map shows.
#[derive(Debug, Clone)]
pub struct MapChart {
    pub title: String,
    /// ISO3 of the focus country (drawn in its own colour).
    pub focus: String,
    pub focus_label: String,
    /// (ISO3, label, value) of each partner; `None` is drawn as "no data".
    pub values: Vec<(String, String, Option<f64>)>,
    /// Unit of the values, e.g. "US$ billion".
    pub unit: String,
    pub source: String,
    /// `[west, east, south, north]` in degrees.
    pub window: [f64; 4],
}

#[derive(Deserialize)]
struct Topology {
    arcs: Vec<Vec<[i64; 2]>>,
    transform: Transform,
    objects: Objects,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Objects {
    countries: Collection,
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    arcs: serde_json::Value,
    #[serde(default)]
    id: Option<String>,
}

type Ring = Vec<(f64, f64)>;

/// The arcs of the topology in degrees.
fn decode_arcs(t: &Topology) -> Vec<Ring> {
    t.arcs
        .iter()
        .map(|arc| {
            let (mut x, mut y) = (0i64, 0i64);
            arc.iter()
                .map(|d| {
                    x += d[0];
                    y += d[1];
                    (
                        x as f64 * t.transform.scale[0] + t.transform.translate[0],
                        y as f64 * t.transform.scale[1] + t.transform.translate[1],
                    )
                })
                .collect()
        })
        .collect()
}

/// A ring from arc indices (a negative index `!i` is arc `i` reversed).
fn ring(arcs: &[Ring], indices: &[i64]) -> Ring {
    let mut out: Ring = Vec::new();
    for &i in indices {
        let mut pts = if i >= 0 {
            arcs[i as usize].clone()
        } else {
            let mut a = arcs[(!i) as usize].clone();
            a.reverse();
            a
        };
        if !out.is_empty() {
            pts.remove(0); // arcs share their end points
        }
        out.extend(pts);
    }
    out
}

/// Polygons (each a list of rings) of a geometry.
fn polygons(arcs: &[Ring], g: &Geometry) -> Vec<Vec<Ring>> {
    let idx = |v: &serde_json::Value| -> Vec<i64> {
        v.as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
            .unwrap_or_default()
    };
    let rings = |v: &serde_json::Value| -> Vec<Ring> {
        v.as_array()
            .map(|a| a.iter().map(|r| ring(arcs, &idx(r))).collect())
            .unwrap_or_default()
    };
    match g.kind.as_str() {
        "Polygon" => vec![rings(&g.arcs)],
        "MultiPolygon" => g
            .arcs
            .as_array()
            .map(|a| a.iter().map(rings).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

struct Projection {
    west: f64,
    north: f64,
    kx: f64,
    scale: f64,
}

impl Projection {
    fn new(w: [f64; 4]) -> Projection {
        let kx = ((w[2] + w[3]) / 2.0).to_radians().cos();
        Projection {
            west: w[0],
            north: w[3],
            kx,
            scale: WIDTH / ((w[1] - w[0]) * kx),
        }
    }
    fn xy(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            (lon - self.west) * self.kx * self.scale,
            TOP + (self.north - lat) * self.scale,
        )
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Shoelace area and centroid of a projected ring.
fn area_centroid(r: &[(f64, f64)]) -> (f64, (f64, f64)) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in r.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let c = x0 * y1 - x1 * y0;
        a += c;
        cx += (x0 + x1) * c;
        cy += (y0 + y1) * c;
    }
    if a.abs() < 1e-9 {
        return (0.0, r.first().copied().unwrap_or((0.0, 0.0)));
    }
    (a.abs() / 2.0, (cx / (3.0 * a), cy / (3.0 * a)))
}

/// Shade of a partner: light to dark blue with the square root of its share of the maximum.
fn shade(v: f64, max: f64) -> String {
    let t = if max > 0.0 {
        (v / max).clamp(0.0, 1.0).sqrt()
    } else {
        0.0
    };
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(222.0, 8.0),
        lerp(235.0, 69.0),
        lerp(247.0, 148.0)
    )
}

const FOCUS_FILL: &str = "#e69f00";
const OTHER_FILL: &str = "#e9e9e9";
const NO_DATA_FILL: &str = "#ffffff";

/// Renders the map to an SVG document.
pub fn render(m: &MapChart, registry: &Registry) -> Result<String, String> {
    let topo: Topology = serde_json::from_str(TOPOLOGY).map_err(|e| format!("boundary data: {e}"))?;
    let arcs = decode_arcs(&topo);
    let by_m49: HashMap<u16, &str> = registry
        .entities()
        .iter()
        .filter_map(|e| e.m49.map(|n| (n, e.code.as_str())))
        .collect();
    let proj = Projection::new(m.window);
    let map_h = (m.window[3] - m.window[2]) * proj.scale;
    let height = TOP + map_h + BOTTOM;
    let max = m.values.iter().filter_map(|v| v.2).fold(0.0f64, f64::max);
    let values: HashMap<&str, (&str, Option<f64>)> = m
        .values
        .iter()
        .map(|(c, l, v)| (c.as_str(), (l.as_str(), *v)))
        .collect();

    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="{FONT}"><title>{t}</title><rect width="100%" height="100%" fill="#ffffff"/><text x="{x:.0}" y="30" font-size="20" text-anchor="middle">{t}</text><defs><clipPath id="window"><rect x="0" y="{TOP}" width="{WIDTH}" height="{map_h:.1}"/></clipPath></defs><rect x="0" y="{TOP}" width="{WIDTH}" height="{map_h:.1}" fill="#f4f8fb"/><g clip-path="url(#window)" stroke="#ffffff" stroke-width="0.6" fill-rule="evenodd">"##,
        t = esc(&m.title),
        x = WIDTH / 2.0,
    );
    let mut labels: Vec<(f64, f64, String, Option<String>)> = Vec::new();
    let margin = 10.0;
    for g in &topo.objects.countries.geometries {
        let polys = polygons(&arcs, g);
        let inside = polys.iter().flatten().flatten().any(|&(lon, lat)| {
            lon >= m.window[0] - margin
                && lon <= m.window[1] + margin
                && lat >= m.window[2] - margin
                && lat <= m.window[3] + margin
        });
        if !inside {
            continue;
        }
        let code =
            g.id.as_deref()
                .and_then(|id| id.parse::<u16>().ok())
                .and_then(|n| by_m49.get(&n).copied());
        let (fill, label) = match code {
            Some(c) if c == m.focus => (FOCUS_FILL.to_string(), Some((m.focus_label.clone(), None))),
            Some(c) => match values.get(c) {
                Some((l, Some(v))) => (shade(*v, max), Some(((*l).to_string(), Some(format!("{v:.1}"))))),
                Some((l, None)) => (
                    NO_DATA_FILL.to_string(),
                    Some(((*l).to_string(), Some("no data".to_string()))),
                ),
                None => (OTHER_FILL.to_string(), None),
            },
            None => (OTHER_FILL.to_string(), None),
        };
        let mut d = String::new();
        let mut biggest = (0.0, (0.0, 0.0));
        for poly in &polys {
            for r in poly {
                let pts: Vec<(f64, f64)> = r.iter().map(|&p| proj.xy(p)).collect();
                let (a, c) = area_centroid(&pts);
                if a > biggest.0 {
                    biggest = (a, c);
                }
                for (k, (x, y)) in pts.iter().enumerate() {
                    let _ = write!(d, "{}{x:.1},{y:.1}", if k == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        let _ = write!(svg, r#"<path d="{d}" fill="{fill}"/>"#);
        if let Some((name, value)) = label {
            labels.push((biggest.1.0, biggest.1.1, name, value));
        }
    }
    svg.push_str("</g>");
    // Labels last, so no country is drawn over them; a white halo keeps them legible.
    for (x, y, name, value) in &labels {
        for (dy, text, size, weight) in [
            (0.0, name.as_str(), 14, "bold"),
            (16.0, value.as_deref().unwrap_or(""), 13, "normal"),
        ] {
            if text.is_empty() {
                continue;
            }
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="{yy:.1}" font-size="{size}" font-weight="{weight}" text-anchor="middle" stroke="#ffffff" stroke-width="3" paint-order="stroke">{t}</text>"##,
                yy = y + dy,
                t = esc(text)
            );
        }
    }
    // Legend: the shade scale and the focus colour, under the map.
    let ly = TOP + map_h + 22.0;
    let _ = write!(
        svg,
        r#"<text x="20" y="{ly:.0}" font-size="13">{}:</text>"#,
        esc(&m.unit)
    );
    // Swatches start after the label (about 7 px a character at 13 px).
    let x0 = 20.0 + (m.unit.chars().count() as f64 + 2.0) * 7.0;
    for (k, f) in [0.05, 0.25, 0.5, 0.75, 1.0].iter().enumerate() {
        let x = x0 + k as f64 * 70.0;
        let _ = write!(
            svg,
            r##"<rect x="{x:.0}" y="{y:.0}" width="60" height="12" fill="{c}" stroke="#999999" stroke-width="0.5"/><text x="{tx:.0}" y="{ty:.0}" font-size="11" text-anchor="middle">{v:.1}</text>"##,
            y = ly - 11.0,
            c = shade(max * f, max),
            tx = x + 30.0,
            ty = ly + 14.0,
            v = max * f
        );
    }
    let _ = write!(
        svg,
        r##"<rect x="{fx:.0}" y="{y:.0}" width="14" height="12" fill="{FOCUS_FILL}"/><text x="{ftx:.0}" y="{ly:.0}" font-size="13">{f}</text><text x="20" y="{sy:.0}" font-size="12" fill="#444444">{s}</text></svg>"##,
        fx = x0 + 5.0 * 70.0 + 20.0,
        ftx = x0 + 5.0 * 70.0 + 40.0,
        y = ly - 11.0,
        f = esc(&m.focus_label),
        sy = height - 8.0,
        s = esc(&m.source)
    );
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_arcs_to_degrees() {
        let t = Topology {
            arcs: vec![vec![[1000, 2000], [10, -5]]],
            transform: Transform {
                scale: [0.5, 0.25],
                translate: [-180.0, -90.0],
            },
            objects: Objects {
                countries: Collection { geometries: vec![] },
            },
        };
        assert_eq!(decode_arcs(&t), vec![vec![(320.0, 410.0), (325.0, 408.75)]]);
    }

    #[test]
    fn reversed_arcs_and_shared_end_points() {
        let arcs = vec![vec![(0.0, 0.0), (1.0, 0.0)], vec![(0.0, 1.0), (1.0, 0.0)]];
        // arc 0, then arc 1 reversed (!1 = -2): (1,0) is not repeated.
        assert_eq!(ring(&arcs, &[0, -2]), vec![(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]);
    }

    #[test]
    fn centroid_of_a_square() {
        let sq = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)];
        let (a, c) = area_centroid(&sq);
        assert_eq!(a, 4.0);
        assert!((c.0 - 1.0).abs() < 1e-12 && (c.1 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn draws_the_study_countries_with_labels_and_escapes_text() {
        let m = MapChart {
            title: "Trade <& map>".into(),
            focus: "CHN".into(),
            focus_label: "China".into(),
            values: vec![
                ("KAZ".into(), "Kazakhstan".into(), Some(21.4)),
                ("TKM".into(), "Turkmenistan".into(), None),
            ],
            unit: "US$ billion".into(),
            source: "Source: test".into(),
            window: [44.0, 124.0, 17.0, 56.0],
        };
        let svg = render(&m, &Registry::embedded()).unwrap();
        assert!(svg.contains("Trade &lt;&amp; map&gt;"));
        assert!(svg.contains(">Kazakhstan<") && svg.contains(">21.4<") && svg.contains(">no data<"));
        assert!(svg.contains(FOCUS_FILL) && svg.contains(&shade(21.4, 21.4)));
        assert!(svg.matches("<path").count() > 20, "neighbours are drawn too");
    }
}
