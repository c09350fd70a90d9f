//! Product codes: HS levels and the HS sections (`data/hs_sections.csv`, provenance in
//! `data/README.md`).
//!
//! Codes are text. An HS code's level is its number of digits (2 chapter, 4 heading, 6
//! subheading); a section is written `S01`..`S21` and has level 0.

const SECTIONS_CSV: &str = include_str!("../../../data/hs_sections.csv");

/// One HS section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub roman: String,
    pub number: u8,
    pub first_chapter: u8,
    pub last_chapter: u8,
    pub title: String,
}

impl Section {
    /// The product code of the section in the canonical table (`S16`).
    pub fn code(&self) -> String {
        format!("S{:02}", self.number)
    }
}

/// The 21 sections, in order.
pub fn sections() -> Vec<Section> {
    #[derive(serde::Deserialize)]
    struct Row {
        section: String,
        number: u8,
        first_chapter: u8,
        last_chapter: u8,
        title: String,
    }
    csv::Reader::from_reader(SECTIONS_CSV.as_bytes())
        .deserialize::<Row>()
        .map(|r| {
            let r = r.expect("embedded hs_sections.csv is valid (tested)");
            Section {
                roman: r.section,
                number: r.number,
                first_chapter: r.first_chapter,
                last_chapter: r.last_chapter,
                title: r.title,
            }
        })
        .collect()
}

/// The section of an HS code (any level), if its chapter is in one.
pub fn section_of(code: &str) -> Option<Section> {
    let chapter: u8 = code.get(..2)?.parse().ok()?;
    sections()
        .into_iter()
        .find(|s| (s.first_chapter..=s.last_chapter).contains(&chapter))
}

/// Level of a product code: 0 for a section, else its number of digits.
pub fn level_of(code: &str) -> u8 {
    if code.len() == 3 && code.starts_with('S') && code[1..].bytes().all(|b| b.is_ascii_digit()) {
        0
    } else {
        u8::try_from(code.len()).unwrap_or(u8::MAX)
    }
}

/// Whether a classification is a revision of the HS (`HS`, `HS92`, `H5`, ...).
pub fn is_hs(classification: &str) -> bool {
    let c = classification.to_ascii_uppercase();
    c.starts_with("HS") || (c.len() == 2 && c.starts_with('H'))
}

/// A coarser product level to aggregate to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Section,
    Chapter,
    Heading,
}

impl Level {
    /// The code of `code` at this level, if `code` is a finer HS code.
    pub fn of(self, code: &str) -> Option<String> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match self {
            Level::Section if code.len() >= 2 => section_of(code).map(|s| s.code()),
            Level::Chapter if code.len() > 2 => Some(code[..2].to_string()),
            Level::Heading if code.len() > 4 => Some(code[..4].to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_cover_chapters_1_to_97_once() {
        let s = sections();
        assert_eq!(s.len(), 21);
        let chapters: Vec<u8> = s.iter().flat_map(|s| s.first_chapter..=s.last_chapter).collect();
        assert_eq!(chapters, (1..=97).collect::<Vec<u8>>());
        assert_eq!(s[15].roman, "XVI");
        assert!(s[15].title.starts_with("Machinery"));
    }

    #[test]
    fn codes_at_coarser_levels() {
        assert_eq!(Level::Section.of("847130").as_deref(), Some("S16"));
        assert_eq!(Level::Section.of("0105").as_deref(), Some("S01"));
        assert_eq!(Level::Chapter.of("847130").as_deref(), Some("84"));
        assert_eq!(Level::Heading.of("847130").as_deref(), Some("8471"));
        assert_eq!(Level::Heading.of("8471"), None, "not finer than a heading");
        assert_eq!(Level::Section.of("TOTAL"), None);
        assert_eq!(Level::Section.of("9999"), None, "chapters 98-99 are national");
        assert_eq!((level_of("S16"), level_of("84"), level_of("847130")), (0, 2, 6));
        assert!(is_hs("HS92") && is_hs("H5") && !is_hs("SITC3"));
    }
}
