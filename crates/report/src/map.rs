//! A static SVG map of trade by country: the focus country and its partners over their
//! neighbours, partners shaded by value, each labelled with its name and value, with title,
//! legend and source line.
//!
//! Boundaries: Natural Earth 1:50m (`data/ne-countries-50m.topojson.json`, provenance in
//! `data/README.md`), decoded from TopoJSON (quantized, delta-encoded arcs).
//!
//! The frame ([`frame`]) is the bounding box of the countries' main landmasses (overseas
//! territories under a sixth of a country's largest polygon are left out) with a
//! margin, across the antimeridian where that is narrower (a frame with west > east), padded to
//! an aspect a page can hold, or the whole world when the countries span continents. The
//! projection is equirectangular with its standard parallel at the frame's middle latitude
//! (shapes are true there, which suits a regional map at any latitude). Labels are placed
//! without overlap (moved with a leader line where they would), and a country too small to
//! see at the frame's scale gets a marker.

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
    /// `[west, east, south, north]` in degrees; west > east crosses the antimeridian.
    pub window: [f64; 4],
}

/// The world, for countries that span continents.
pub const WORLD_FRAME: [f64; 4] = [-180.0, 180.0, -58.0, 84.0];

/// Height over width of the map area, at most and at least.
const TALLEST: f64 = 0.75;
const FLATTEST: f64 = 0.4;

/// Every country's polygons in degrees, by ISO3 code where the registry knows its M49 number.
struct Shapes {
    countries: Vec<(Option<String>, Vec<Vec<Ring>>)>,
}

fn shapes(registry: &Registry) -> Result<Shapes, String> {
    let topo: Topology = serde_json::from_str(TOPOLOGY).map_err(|e| format!("boundary data: {e}"))?;
    let arcs = decode_arcs(&topo);
    let by_m49: HashMap<u16, &str> = registry
        .entities()
        .iter()
        .filter_map(|e| e.m49.map(|n| (n, e.code.as_str())))
        .collect();
    Ok(Shapes {
        countries: topo
            .objects
            .countries
            .geometries
            .iter()
            .map(|g| {
                let code =
                    g.id.as_deref()
                        .and_then(|id| id.parse::<u16>().ok())
                        .and_then(|n| by_m49.get(&n).map(|c| (*c).to_string()));
                (code, polygons(&arcs, g))
            })
            .collect(),
    })
}

/// Area of a ring in square degrees, shrunk by the cosine of its latitude.
fn degree_area(r: &Ring) -> f64 {
    let lat = r.iter().map(|p| p.1).sum::<f64>() / r.len().max(1) as f64;
    area_centroid(r).0 * lat.to_radians().cos()
}

/// Share of a country's largest polygon that another of its polygons needs to enter the
/// frame: Alaska (a fifth of the contiguous US, in square degrees at its latitude) is in,
/// French Guiana (a sixth of metropolitan France) and Svalbard are out.
const MAIN: f64 = 0.18;

/// The polygons of a country that make its main landmass (see [`MAIN`]).
fn main_polygons(polys: &[Vec<Ring>]) -> Vec<&Vec<Ring>> {
    let area = |p: &Vec<Ring>| p.first().map_or(0.0, degree_area);
    let largest = polys.iter().map(area).fold(0.0, f64::max);
    polys.iter().filter(|p| area(p) >= MAIN * largest).collect()
}

/// The frame of a map of `codes`: see the module comment. Unknown codes are left out; none
/// known gives the world.
pub fn frame(codes: &[&str], registry: &Registry) -> [f64; 4] {
    let Ok(shapes) = shapes(registry) else {
        return WORLD_FRAME;
    };
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (code, polys) in &shapes.countries {
        if code.as_deref().is_some_and(|c| codes.contains(&c)) {
            for p in main_polygons(polys) {
                points.extend(p.iter().flatten().copied());
            }
        }
    }
    if points.is_empty() {
        return WORLD_FRAME;
    }
    let range = |v: &mut dyn Iterator<Item = f64>| {
        v.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        })
    };
    let plain = range(&mut points.iter().map(|p| p.0));
    // The same longitudes with the western hemisphere moved east of 180°: narrower for a
    // frame across the Pacific (Russia and the US, Fiji, New Zealand's islands).
    let shifted = range(&mut points.iter().map(|p| if p.0 < 0.0 { p.0 + 360.0 } else { p.0 }));
    let (w, e) = if shifted.1 - shifted.0 < plain.1 - plain.0 {
        shifted
    } else {
        plain
    };
    let (s, n) = range(&mut points.iter().map(|p| p.1));
    if e - w > 170.0 || n - s > 110.0 {
        return WORLD_FRAME;
    }
    let (dx, dy) = (((e - w) * 0.08).max(2.0), ((n - s) * 0.08).max(2.0));
    let (mut w, mut e, mut s, mut n) = (w - dx, e + dx, (s - dy).max(-85.0), (n + dy).min(85.0));
    let kx = ((s + n) / 2.0).to_radians().cos();
    let ratio = (n - s) / ((e - w) * kx);
    if ratio > TALLEST {
        let half = (n - s) / (TALLEST * kx) / 2.0;
        let mid = (w + e) / 2.0;
        (w, e) = (mid - half, mid + half);
    } else if ratio < FLATTEST {
        let half = FLATTEST * (e - w) * kx / 2.0;
        let mid = (s + n) / 2.0;
        (s, n) = ((mid - half).max(-85.0), (mid + half).min(85.0));
    }
    if e - w >= 360.0 {
        return WORLD_FRAME;
    }
    // Back to -180..180: a frame across the antimeridian has west > east.
    let wrap = |x: f64| {
        if x > 180.0 {
            x - 360.0
        } else if x < -180.0 {
            x + 360.0
        } else {
            x
        }
    };
    [wrap(w), wrap(e), s, n]
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
    /// East in degrees past `west`: above 180 for a frame across the antimeridian.
    east: f64,
    south: f64,
    north: f64,
    kx: f64,
    scale: f64,
}

impl Projection {
    fn new(w: [f64; 4]) -> Projection {
        let kx = ((w[2] + w[3]) / 2.0).to_radians().cos();
        let east = if w[1] <= w[0] { w[1] + 360.0 } else { w[1] };
        Projection {
            west: w[0],
            east,
            south: w[2],
            north: w[3],
            kx,
            scale: WIDTH / ((east - w[0]) * kx),
        }
    }
    /// A longitude on the frame's side of the antimeridian.
    fn lon(&self, lon: f64) -> f64 {
        if self.east > 180.0 && lon < self.west {
            lon + 360.0
        } else {
            lon
        }
    }
    fn xy(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            (self.lon(lon) - self.west) * self.kx * self.scale,
            TOP + (self.north - lat) * self.scale,
        )
    }
    /// Whether a point is within `margin` degrees of the frame.
    fn near(&self, (lon, lat): (f64, f64), margin: f64) -> bool {
        let lon = self.lon(lon);
        lon >= self.west - margin
            && lon <= self.east + margin
            && lat >= self.south - margin
            && lat <= self.north + margin
    }
}

/// Whether `p` is inside the ring (even-odd rule).
fn inside(r: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut c = false;
    for w in r.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if (y0 > y) != (y1 > y) && x < x0 + (y - y0) / (y1 - y0) * (x1 - x0) {
            c = !c;
        }
    }
    c
}

/// Distance from `p` to the nearest edge of the ring.
fn edge_distance(r: &[(f64, f64)], (x, y): (f64, f64)) -> f64 {
    r.windows(2)
        .map(|w| {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let (dx, dy) = (x1 - x0, y1 - y0);
            let len = dx * dx + dy * dy;
            let t = if len > 0.0 {
                (((x - x0) * dx + (y - y0) * dy) / len).clamp(0.0, 1.0)
            } else {
                0.0
            };
            ((x - x0 - t * dx).powi(2) + (y - y0 - t * dy).powi(2)).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

/// A point well inside a projected ring for its label and marker: of the centroid and a grid
/// over the ring's box, the inside point farthest from any edge (the centroid of a concave
/// country can fall outside it, or on a border).
fn anchor(r: &[(f64, f64)]) -> (f64, f64) {
    let (_, c) = area_centroid(r);
    let (mut x0, mut x1, mut y0, mut y1) =
        (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in r {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    const N: usize = 16;
    let grid = (0..N * N).map(|k| {
        let (i, j) = ((k % N) as f64 + 0.5, (k / N) as f64 + 0.5);
        (x0 + (x1 - x0) * i / N as f64, y0 + (y1 - y0) * j / N as f64)
    });
    std::iter::once(c)
        .chain(grid)
        .filter(|&p| inside(r, p))
        .map(|p| (edge_distance(r, p), p))
        // The centroid wins ties: labels sit where readers expect them.
        .fold(None, |best: Option<(f64, (f64, f64))>, (d, p)| match best {
            Some((bd, _)) if bd >= d => best,
            _ => Some((d, p)),
        })
        .map_or(c, |(_, p)| p)
}

/// A label's box: `(left, top, right, bottom)` for two lines centred on `(x, y)`.
fn label_box(x: f64, y: f64, name: &str, value: Option<&str>) -> (f64, f64, f64, f64) {
    let chars = name.chars().count().max(value.map_or(0, |v| v.chars().count()));
    let half = chars as f64 * 4.2 + 4.0;
    let lines = if value.is_some() { 2.0 } else { 1.0 };
    (x - half, y - 14.0, x + half, y - 14.0 + 16.0 * lines + 4.0)
}

fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Label positions: each at its anchor unless it would cover a label already placed, then
/// at the nearest free position around it (tried in rings of growing distance), inside the
/// map area.
fn place_labels(
    labels: &[(f64, f64, String, Option<String>)],
    bounds: (f64, f64, f64, f64),
) -> Vec<(f64, f64)> {
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut out = Vec::new();
    for (x, y, name, value) in labels {
        let fits = |px: f64, py: f64, placed: &[(f64, f64, f64, f64)]| {
            let b = label_box(px, py, name, value.as_deref());
            b.0 >= bounds.0
                && b.2 <= bounds.2
                && b.1 >= bounds.1
                && b.3 <= bounds.3
                && !placed.iter().any(|p| overlaps(*p, b))
        };
        let mut at = (*x, *y);
        'search: for step in 0..12 {
            let d = step as f64 * 14.0;
            for (dx, dy) in [
                (0.0, 0.0),
                (0.0, 1.0),
                (0.0, -1.0),
                (1.0, 0.0),
                (-1.0, 0.0),
                (1.0, 1.0),
                (-1.0, 1.0),
                (1.0, -1.0),
                (-1.0, -1.0),
            ] {
                if step == 0 && (dx, dy) != (0.0, 0.0) {
                    continue;
                }
                let (px, py) = (x + dx * d * 2.5, y + dy * d);
                if fits(px, py, &placed) {
                    at = (px, py);
                    break 'search;
                }
            }
        }
        placed.push(label_box(at.0, at.1, name, value.as_deref()));
        out.push(at);
    }
    out
}

/// Projected area under which a country is marked with a circle (a few pixels at the scale).
const SMALL: f64 = 60.0;

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
    let shapes = shapes(registry)?;
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
    // (anchor x, anchor y, name, value, fill, small) of the focus and each partner drawn.
    let mut labels: Vec<(f64, f64, String, Option<String>)> = Vec::new();
    let mut markers: Vec<(f64, f64, String)> = Vec::new();
    let margin = 10.0;
    for (code, polys) in &shapes.countries {
        if !polys.iter().flatten().flatten().any(|&p| proj.near(p, margin)) {
            continue;
        }
        let code = code.as_deref();
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
        // The largest ring inside the frame carries the label (the mainland, not an island).
        let mut biggest: (f64, Option<Vec<(f64, f64)>>) = (0.0, None);
        let mut total_area = 0.0;
        for poly in polys {
            for (k, r) in poly.iter().enumerate() {
                let pts: Vec<(f64, f64)> = r.iter().map(|&p| proj.xy(p)).collect();
                let (a, _) = area_centroid(&pts);
                let visible = r.iter().any(|&p| proj.near(p, 0.0));
                if k == 0 && visible {
                    total_area += a;
                    if a > biggest.0 {
                        biggest = (a, Some(pts.clone()));
                    }
                }
                for (k, (x, y)) in pts.iter().enumerate() {
                    let _ = write!(d, "{}{x:.1},{y:.1}", if k == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        let spot = biggest.1.as_deref().map(anchor);
        match (label, spot) {
            (Some((name, value)), Some((x, y))) => {
                let _ = write!(
                    svg,
                    r#"<path d="{d}" fill="{fill}" data-iso3="{c}" data-x="{x:.1}" data-y="{y:.1}"/>"#,
                    c = esc(code.unwrap_or_default())
                );
                if total_area < SMALL {
                    markers.push((x, y, fill.clone()));
                }
                labels.push((x, y, name, value));
            }
            _ => {
                let _ = write!(svg, r#"<path d="{d}" fill="{fill}"/>"#);
            }
        }
    }
    svg.push_str("</g>");
    // Small states: a circle in their colour, so that they can be seen and found.
    for (x, y, fill) in &markers {
        let _ = write!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="{fill}" stroke="#333333" stroke-width="1"/>"##
        );
    }
    // Labels last, so no country is drawn over them; a white halo keeps them legible. The
    // focus first, then partners by value, so that the largest keep their places.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let value_of = |l: &(f64, f64, String, Option<String>)| {
        l.3.as_deref()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::INFINITY)
    };
    order.sort_by(|&a, &b| value_of(&labels[b]).total_cmp(&value_of(&labels[a])));
    let ordered: Vec<_> = order.iter().map(|&i| labels[i].clone()).collect();
    let spots = place_labels(&ordered, (4.0, TOP + 4.0, WIDTH - 4.0, TOP + map_h - 4.0));
    svg.push_str(r#"<g class="labels">"#);
    for ((ax, ay, name, value), (x, y)) in ordered.iter().zip(&spots) {
        if (ax - x).abs() > 0.5 || (ay - y).abs() > 0.5 {
            // Moved off its country: a leader line back to it.
            let _ = write!(
                svg,
                r##"<line x1="{ax:.1}" y1="{ay:.1}" x2="{x:.1}" y2="{ly:.1}" stroke="#555555" stroke-width="0.8"/>"##,
                ly = y - 4.0
            );
        }
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
    svg.push_str("</g>");
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

    fn framed(codes: &[&str]) -> [f64; 4] {
        frame(codes, &Registry::embedded())
    }

    #[test]
    fn frames_hold_the_countries_main_landmasses() {
        // China and the five Central Asian states: about 46°E–135°E, 18°N–55°N.
        let [w, e, s, n] = framed(&["CHN", "KAZ", "KGZ", "TJK", "TKM", "UZB"]);
        assert!(
            w < 47.0 && w > 35.0 && e > 134.0 && e < 145.0 && s < 19.0 && n > 53.0,
            "{w} {e} {s} {n}"
        );
        // Germany and five neighbours: France's overseas departments are left out.
        let [w, e, s, n] = framed(&["DEU", "FRA", "POL", "ITA", "NLD", "CZE"]);
        assert!(
            w < -4.0 && w > -20.0 && e > 24.0 && e < 45.0 && s < 37.0 && s > 25.0 && n > 55.0 && n < 62.0,
            "{w} {e} {s} {n}"
        );
        // North America: Alaska to Newfoundland, southern Mexico to Canada's mainland coast
        // (its Arctic islands, each under a quarter of the mainland, may be cut).
        let [w, e, s, n] = framed(&["USA", "MEX", "CAN"]);
        assert!(w < -155.0 && e > -55.0 && s < 15.0 && n > 72.0, "{w} {e} {s} {n}");
        // New Zealand, Fiji and Tonga: narrower across the antimeridian than around the world.
        let [w, e, _, _] = framed(&["NZL", "FJI", "TON"]);
        assert!(
            w > e && w > 140.0 && e < -150.0,
            "the frame crosses the antimeridian: {w} {e}"
        );
        // Continents apart: the world.
        assert_eq!(framed(&["CHN", "BRA", "DEU"]), WORLD_FRAME);
        assert_eq!(framed(&["XXX"]), WORLD_FRAME);
    }

    #[test]
    fn anchors_lie_inside_concave_shapes() {
        // A U shape whose centroid falls in the notch.
        let u = [
            (0.0, 0.0),
            (9.0, 0.0),
            (9.0, 9.0),
            (6.0, 9.0),
            (6.0, 3.0),
            (3.0, 3.0),
            (3.0, 9.0),
            (0.0, 9.0),
            (0.0, 0.0),
        ];
        let a = anchor(&u);
        assert!(inside(&u, a), "{a:?}");
    }

    #[test]
    fn labels_that_would_overlap_are_moved_apart() {
        let labels = vec![
            (100.0, 100.0, "Kyrgyzstan".to_string(), Some("1.0".to_string())),
            (104.0, 102.0, "Tajikistan".to_string(), Some("2.0".to_string())),
        ];
        let spots = place_labels(&labels, (0.0, 0.0, 960.0, 500.0));
        assert_eq!(spots[0], (100.0, 100.0));
        let (a, b) = (
            label_box(spots[0].0, spots[0].1, "Kyrgyzstan", Some("1.0")),
            label_box(spots[1].0, spots[1].1, "Tajikistan", Some("2.0")),
        );
        assert!(!overlaps(a, b), "{spots:?}");
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
