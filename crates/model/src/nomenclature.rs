//! HS nomenclatures: the codes each HS revision has (chapters, headings, subheadings), for
//! the rule `in-nomenclature` of the normalize stage.
//!
//! Embedded: HS92, HS96, HS02, HS07, HS12, HS17 and HS22 (`data/hs/`, provenance in
//! `data/README.md`). A directory named by
//! `[normalize] nomenclatures` adds or replaces revisions: one file per revision, named by
//! its canonical name (`HS17.csv`), one column `code`; `data/tools/build_hs_nomenclature.py`
//! writes such files from the UN's published correlation tables. A revision without a list
//! is checked for structure and dates only (rule `valid-product`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::rules::{hs_revision_name, is_valid_hs};

const HS92_CSV: &str = include_str!("../../../data/hs/HS92.csv");
const HS96_CSV: &str = include_str!("../../../data/hs/HS96.csv");
const HS02_CSV: &str = include_str!("../../../data/hs/HS02.csv");
const HS07_CSV: &str = include_str!("../../../data/hs/HS07.csv");
const HS12_CSV: &str = include_str!("../../../data/hs/HS12.csv");
const HS17_CSV: &str = include_str!("../../../data/hs/HS17.csv");
const HS22_CSV: &str = include_str!("../../../data/hs/HS22.csv");

#[derive(Debug, thiserror::Error)]
pub enum NomenclatureError {
    #[error("cannot read the HS nomenclature {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}, line {line}: {value:?} is not an HS code of 2, 4 or 6 digits")]
    Code {
        path: PathBuf,
        line: usize,
        value: String,
    },
    #[error("{path}: line 1 must be the header `code`")]
    Header { path: PathBuf },
    #[error("{path}: {name:?} is not an HS revision name (HS92, HS96, HS02, HS07, HS12, HS17, HS22)")]
    Name { path: PathBuf, name: String },
}

/// The code lists known to a run, by canonical revision name.
#[derive(Debug, Clone)]
pub struct Nomenclatures {
    lists: BTreeMap<&'static str, HashSet<String>>,
}

impl Nomenclatures {
    /// The lists shipped with the binary.
    pub fn embedded() -> Nomenclatures {
        let list =
            |text, path: &str| parse(text, Path::new(path)).expect("embedded lists are valid (tested)");
        Nomenclatures {
            lists: BTreeMap::from([
                ("HS92", list(HS92_CSV, "data/hs/HS92.csv")),
                ("HS96", list(HS96_CSV, "data/hs/HS96.csv")),
                ("HS02", list(HS02_CSV, "data/hs/HS02.csv")),
                ("HS07", list(HS07_CSV, "data/hs/HS07.csv")),
                ("HS12", list(HS12_CSV, "data/hs/HS12.csv")),
                ("HS17", list(HS17_CSV, "data/hs/HS17.csv")),
                ("HS22", list(HS22_CSV, "data/hs/HS22.csv")),
            ]),
        }
    }

    /// The embedded lists, with every `HSxx.csv` of `dir` added (replacing an embedded one of
    /// the same revision). Other files in `dir` are refused, so a misnamed list is not
    /// silently unused.
    pub fn with_dir(dir: &Path) -> Result<Nomenclatures, NomenclatureError> {
        let mut n = Nomenclatures::embedded();
        let read_err = |source| NomenclatureError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(read_err)?;
        paths.sort();
        for path in paths {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let revision = hs_revision_name(stem)
                .filter(|_| path.extension().is_some_and(|e| e == "csv"))
                .ok_or_else(|| NomenclatureError::Name {
                    path: path.clone(),
                    name: path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                })?;
            let text = std::fs::read_to_string(&path).map_err(|source| NomenclatureError::Read {
                path: path.clone(),
                source,
            })?;
            n.lists.insert(revision, parse(&text, &path)?);
        }
        Ok(n)
    }

    /// The codes of `classification` (`HS17`, `HS2017`, any case), if a list is known.
    pub fn get(&self, classification: &str) -> Option<&HashSet<String>> {
        self.lists.get(hs_revision_name(classification)?)
    }

    /// Revisions with a list, oldest first.
    pub fn revisions(&self) -> Vec<&'static str> {
        let mut r: Vec<_> = self.lists.keys().copied().collect();
        r.sort_by_key(|name| crate::rules::hs_revision_start(name));
        r
    }
}

fn parse(text: &str, path: &Path) -> Result<HashSet<String>, NomenclatureError> {
    let mut lines = text.lines();
    if lines.next().map(|h| h.trim_start_matches('\u{feff}').trim()) != Some("code") {
        return Err(NomenclatureError::Header {
            path: path.to_path_buf(),
        });
    }
    let mut codes = HashSet::new();
    for (i, line) in lines.enumerate() {
        let code = line.trim();
        if code.is_empty() {
            continue;
        }
        // Chapter 77 is reserved in the WCO nomenclature but lists may carry Comtrade's 99,
        // 9999 and 999999 ("not specified"); `is_valid_hs` accepts both.
        if !is_valid_hs(code) {
            return Err(NomenclatureError::Code {
                path: path.to_path_buf(),
                line: i + 2,
                value: code.to_string(),
            });
        }
        codes.insert(code.to_string());
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_have_every_level_and_the_2022_changes() {
        let n = Nomenclatures::embedded();
        let (hs17, hs22) = (n.get("HS2017").unwrap(), n.get("HS2022").unwrap());
        let count = |list: &HashSet<String>, len| list.iter().filter(|c| c.len() == len).count();
        let levels = |list| (count(list, 2), count(list, 4), count(list, 6));
        // The editions as the UN publishes them (HS 2017: 1,222 headings and 5,387
        // subheadings; HS 2022: 1,228 and 5,612; 96 chapters), plus Comtrade's chapter 99
        // (99, 9999, 999999).
        assert_eq!(levels(hs17), (97, 1223, 5388));
        assert_eq!(levels(hs22), (97, 1229, 5613));
        // New in 2022: flat panel modules (8524), e-waste (8549), drones (8806); LED lamps
        // 853950 split into 853951 and 853952; cadmium (8107) moved into 8112.
        for code in ["8524", "852411", "854911", "880621", "853951", "811261"] {
            assert!(hs22.contains(code) && !hs17.contains(code), "{code}");
        }
        for code in ["853950", "8107", "810720"] {
            assert!(hs17.contains(code) && !hs22.contains(code), "{code}");
        }
        // Codes no edition changed are in both, monetary gold included.
        for code in ["010511", "270900", "710820", "711890", "870323"] {
            assert!(hs17.contains(code) && hs22.contains(code), "{code}");
        }
        // HS 2012: 1,224 headings and 5,205 subheadings. New in 2017: LED lamps (853950),
        // hybrid cars (870340..870380), monopods (962000); gone: CRT monitors 852841.
        let hs12 = n.get("HS12").unwrap();
        assert_eq!(levels(hs12), (97, 1225, 5206));
        for code in ["853950", "870340", "962000"] {
            assert!(hs17.contains(code) && !hs12.contains(code), "{code}");
        }
        assert!(hs12.contains("852841") && !hs17.contains("852841"));
        // HS 2007: 1,221 headings. New in 2012: lithium-ion batteries (850760), video game
        // consoles (950450), sanitary towels and napkins (961900).
        let hs07 = n.get("HS07").unwrap();
        assert_eq!(levels(hs07), (97, 1222, 5052));
        for code in ["850760", "950450", "961900"] {
            assert!(hs12.contains(code) && !hs07.contains(code), "{code}");
        }
        // HS 2002: 1,244 headings and 5,224 subheadings. Gone in 2007: sound recorders (8520),
        // recorded media (8524); new: semiconductor-making machines (8486).
        let hs02 = n.get("HS02").unwrap();
        assert_eq!(levels(hs02), (97, 1245, 5225));
        for code in ["852010", "852410"] {
            assert!(hs02.contains(code) && !hs07.contains(code), "{code}");
        }
        assert!(hs07.contains("848610") && !hs02.contains("848610"));
        // HS 1996: 5,113 subheadings. New in 2002: knitted fabrics 6002-6006 restructured
        // (600310); gone: petroleum oils' single subheading 271000.
        let hs96 = n.get("HS96").unwrap();
        assert_eq!(levels(hs96).2, 5114);
        assert!(hs96.contains("271000") && !hs02.contains("271000"));
        assert!(hs02.contains("600310") && !hs96.contains("600310"));
        // HS 1992 (the 1988 nomenclature): 5,020 subheadings in the UN's HS96 table, plus
        // Comtrade's 999999. The 1996 amendments renumbered heading 8471 (computers): HS92's
        // 847191 is not an HS96 code, HS96's 847141 not an HS92 one.
        let hs92 = n.get("HS92").unwrap();
        assert_eq!(levels(hs92).2, 5021);
        assert!(hs92.contains("271000") && hs92.contains("847191") && !hs92.contains("847141"));
        assert!(hs96.contains("847141") && !hs96.contains("847191"));
        assert_eq!(
            n.revisions(),
            vec!["HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22"]
        );
    }

    #[test]
    fn a_directory_adds_revisions_and_names_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        // A revision added, an embedded one replaced.
        std::fs::write(dir.path().join("HS92.csv"), "code\n85\n8539\n853931\n").unwrap();
        std::fs::write(dir.path().join("HS17.csv"), "code\n85\n8539\n853950\n").unwrap();
        let n = Nomenclatures::with_dir(dir.path()).unwrap();
        assert!(n.get("hs1992").unwrap().contains("853931"));
        assert_eq!(n.get("hs17").unwrap().len(), 3);
        let all = ["HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22"];
        assert_eq!(n.revisions(), all);

        std::fs::write(dir.path().join("HS02.csv"), "code\n85\n85395\n").unwrap();
        let err = Nomenclatures::with_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("HS02.csv, line 3") && err.contains("\"85395\""),
            "{err}"
        );

        std::fs::remove_file(dir.path().join("HS02.csv")).unwrap();
        std::fs::write(dir.path().join("hs2017-list.csv"), "code\n").unwrap();
        let err = Nomenclatures::with_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("hs2017-list.csv") && err.contains("not an HS revision name"),
            "{err}"
        );
    }
}
