//! Country and area registry: ISO 3166 countries plus the historical entities, aggregates and
//! unallocated areas that trade sources report, the IMF names that map to them, when each
//! entity existed and which entities it came from.
//!
//! The tables are data shipped with the project (`data/countries.csv`,
//! `data/imf_country_names.csv`, `data/comtrade_codes.csv`, `data/country_history.csv`,
//! `data/code_aliases.csv`; provenance in `data/README.md`) and are compiled into the binary so
//! that a run never depends on the working directory. A name that is not in the table is an
//! error for the caller to report with its file, row and column: nothing is silently dropped.
//! A code used outside the years its entity existed (the USSR as a partner in 2013) is not an
//! error here: the normalize stage reports it (rule `valid-for-year`).

use std::collections::HashMap;

const COUNTRIES_CSV: &str = include_str!("../../../data/countries.csv");
const IMF_NAMES_CSV: &str = include_str!("../../../data/imf_country_names.csv");
const COMTRADE_CSV: &str = include_str!("../../../data/comtrade_codes.csv");
const HISTORY_CSV: &str = include_str!("../../../data/country_history.csv");
const ALIASES_CSV: &str = include_str!("../../../data/code_aliases.csv");

/// What a code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    /// A current ISO 3166 country or territory (or Kosovo, XKX).
    Country,
    /// An entity that no longer exists (USSR, Yugoslavia, Belgium-Luxembourg, ...).
    Historic,
    /// A group of countries (World, European Union, IMF regions, ...).
    Aggregate,
    /// Trade the source could not allocate to a partner.
    Unspecified,
}

impl EntityKind {
    /// Whether rows with this partner are part of a sum over individual partners.
    pub fn is_partner_economy(self) -> bool {
        matches!(
            self,
            EntityKind::Country | EntityKind::Historic | EntityKind::Unspecified
        )
    }
}

/// One code of the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub code: String,
    pub kind: EntityKind,
    /// Short English name for reports (CLDR display name for countries).
    pub name: String,
    /// UN M49 / ISO numeric code where one exists.
    pub m49: Option<u16>,
    pub region: String,
    pub subregion: String,
    /// The years the entity existed: first and last (`None`: open). A successor state's
    /// first year and its predecessor's last year may be the same year.
    pub from: Option<i32>,
    pub to: Option<i32>,
    /// The entities it came from, in whole or in part (KAZ: SUN; CZE: CSK; BEL: BLX, its
    /// joint reporting union).
    pub predecessors: Vec<String>,
    /// How it came into being or ended (`data/country_history.csv`).
    pub history: String,
}

impl Entity {
    /// An entity without history: always existed, no predecessors, no region.
    fn unbounded() -> Entity {
        Entity {
            code: String::new(),
            kind: EntityKind::Country,
            name: String::new(),
            m49: None,
            region: String::new(),
            subregion: String::new(),
            from: None,
            to: None,
            predecessors: Vec::new(),
            history: String::new(),
        }
    }

    /// Whether the entity existed in `year`.
    pub fn exists_in(&self, year: i32) -> bool {
        self.from.is_none_or(|f| f <= year) && self.to.is_none_or(|t| year <= t)
    }
}

#[derive(Debug, serde::Deserialize)]
struct CountryRow {
    iso3: String,
    iso2: String,
    #[allow(dead_code)]
    iso_numeric: String,
    m49: String,
    name: String,
    #[allow(dead_code)]
    official_name: String,
    #[allow(dead_code)]
    unterm_short: String,
    region: String,
    subregion: String,
}

#[derive(Debug, serde::Deserialize)]
struct ImfNameRow {
    imf_name: String,
    code: String,
    kind: EntityKind,
    #[allow(dead_code)]
    note: String,
}

/// Lookup tables from source names and codes to registry entities.
#[derive(Debug, Clone)]
pub struct Registry {
    entities: Vec<Entity>,
    by_code: HashMap<String, usize>,
    by_imf_name: HashMap<String, usize>,
    by_comtrade: HashMap<u32, usize>,
    by_iso2: HashMap<String, usize>,
    /// Entity -> its current Comtrade code (codes of predecessor states, named "(...YEAR)"
    /// in Comtrade's table, never chosen).
    comtrade_of: HashMap<usize, u32>,
    iso2_of: HashMap<usize, String>,
    /// Former codes and other names (upper case) -> entity: ROM -> ROU.
    by_alias: HashMap<String, usize>,
}

impl Registry {
    /// The registry compiled into the binary. Panics only if the shipped tables are malformed,
    /// which the unit tests rule out.
    pub fn embedded() -> Registry {
        let mut reg =
            Registry::from_tables(COUNTRIES_CSV, IMF_NAMES_CSV).expect("embedded registry tables are valid");
        reg.add_comtrade(COMTRADE_CSV)
            .expect("embedded Comtrade code table is valid");
        reg.add_history(HISTORY_CSV, ALIASES_CSV)
            .expect("embedded history and alias tables are valid");
        reg
    }

    fn from_tables(countries: &str, imf_names: &str) -> Result<Registry, String> {
        let mut reg = Registry {
            entities: Vec::new(),
            by_code: HashMap::new(),
            by_imf_name: HashMap::new(),
            by_comtrade: HashMap::new(),
            by_iso2: HashMap::new(),
            comtrade_of: HashMap::new(),
            iso2_of: HashMap::new(),
            by_alias: HashMap::new(),
        };
        for row in csv::Reader::from_reader(countries.as_bytes()).deserialize::<CountryRow>() {
            let row = row.map_err(|e| format!("countries.csv: {e}"))?;
            if !row.iso2.is_empty() {
                reg.by_iso2.insert(row.iso2.clone(), reg.entities.len());
                reg.iso2_of.insert(reg.entities.len(), row.iso2.clone());
            }
            reg.insert(Entity {
                m49: row.m49.parse().ok(),
                code: row.iso3,
                kind: EntityKind::Country,
                name: row.name,
                region: row.region,
                subregion: row.subregion,
                ..Entity::unbounded()
            })?;
        }
        for row in csv::Reader::from_reader(imf_names.as_bytes()).deserialize::<ImfNameRow>() {
            let row = row.map_err(|e| format!("imf_country_names.csv: {e}"))?;
            let idx = match reg.by_code.get(&row.code) {
                Some(&i) => {
                    if reg.entities[i].kind != row.kind {
                        return Err(format!(
                            "{}: kind {:?} conflicts with the country table",
                            row.code, row.kind
                        ));
                    }
                    i
                }
                None => reg.insert(Entity {
                    code: row.code.clone(),
                    kind: row.kind,
                    name: row.imf_name.clone(),
                    m49: None,
                    ..Entity::unbounded()
                })?,
            };
            if reg.by_imf_name.insert(row.imf_name.clone(), idx).is_some() {
                return Err(format!("IMF name {:?} listed twice", row.imf_name));
            }
        }
        Ok(reg)
    }

    fn add_comtrade(&mut self, table: &str) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct Row {
            comtrade_code: u32,
            code: String,
            comtrade_name: String,
        }
        for row in csv::Reader::from_reader(table.as_bytes()).deserialize::<Row>() {
            let row = row.map_err(|e| format!("comtrade_codes.csv: {e}"))?;
            let idx = *self
                .by_code
                .get(&row.code)
                .ok_or_else(|| format!("comtrade_codes.csv: unknown code {}", row.code))?;
            self.by_comtrade.insert(row.comtrade_code, idx);
            if !row.comtrade_name.contains("(...") {
                self.comtrade_of.entry(idx).or_insert(row.comtrade_code);
            }
        }
        Ok(())
    }

    /// Validity periods, predecessors and aliases.
    fn add_history(&mut self, history: &str, aliases: &str) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct Row {
            code: String,
            from: Option<i32>,
            to: Option<i32>,
            predecessors: String,
            note: String,
        }
        for row in csv::Reader::from_reader(history.as_bytes()).deserialize::<Row>() {
            let row = row.map_err(|e| format!("country_history.csv: {e}"))?;
            let known = |c: &str| self.by_code.get(c).copied();
            let idx =
                known(&row.code).ok_or_else(|| format!("country_history.csv: unknown code {}", row.code))?;
            let predecessors: Vec<String> = row.predecessors.split_whitespace().map(str::to_string).collect();
            if let Some(p) = predecessors.iter().find(|p| known(p).is_none()) {
                return Err(format!(
                    "country_history.csv: {}: unknown predecessor {p}",
                    row.code
                ));
            }
            let e = &mut self.entities[idx];
            (e.from, e.to, e.predecessors, e.history) = (row.from, row.to, predecessors, row.note);
        }
        #[derive(serde::Deserialize)]
        struct Alias {
            alias: String,
            code: String,
        }
        for row in csv::Reader::from_reader(aliases.as_bytes()).deserialize::<Alias>() {
            let row = row.map_err(|e| format!("code_aliases.csv: {e}"))?;
            let idx = *self
                .by_code
                .get(&row.code)
                .ok_or_else(|| format!("code_aliases.csv: unknown code {}", row.code))?;
            if self.by_code.contains_key(&row.alias) {
                return Err(format!("code_aliases.csv: {} is a code of its own", row.alias));
            }
            self.by_alias.insert(row.alias.to_uppercase(), idx);
        }
        Ok(())
    }

    /// The entity a former code or another name stands for (`ROM`, `Other Asia, nes`), any
    /// case.
    pub fn resolve_alias(&self, alias: &str) -> Option<&Entity> {
        self.by_alias
            .get(&alias.trim().to_uppercase())
            .map(|&i| &self.entities[i])
    }

    /// The entities that came from `code` in whole or in part (SUN: the fifteen republics),
    /// in code order.
    pub fn successors(&self, code: &str) -> Vec<&Entity> {
        let mut out: Vec<&Entity> = self
            .entities
            .iter()
            .filter(|e| e.predecessors.iter().any(|p| p == code))
            .collect();
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// The entity of an ISO 3166 alpha-2 code (as the IMF's SDMX series use).
    pub fn resolve_iso2(&self, code: &str) -> Option<&Entity> {
        self.by_iso2.get(code).map(|&i| &self.entities[i])
    }

    /// The entity of a UN Comtrade reporter or partner code (0 = World).
    pub fn resolve_comtrade_code(&self, code: u32) -> Option<&Entity> {
        self.by_comtrade.get(&code).map(|&i| &self.entities[i])
    }

    /// The current UN Comtrade code of a registry code (`USA` -> 842, `WLD` -> 0), as
    /// requests to the Comtrade API need it.
    pub fn comtrade_code(&self, code: &str) -> Option<u32> {
        self.by_code
            .get(code)
            .and_then(|i| self.comtrade_of.get(i))
            .copied()
    }

    /// The ISO 3166 alpha-2 code of a registry code, as the IMF's legacy DOT service needs it.
    pub fn iso2(&self, code: &str) -> Option<&str> {
        self.by_code
            .get(code)
            .and_then(|i| self.iso2_of.get(i))
            .map(String::as_str)
    }

    fn insert(&mut self, e: Entity) -> Result<usize, String> {
        let idx = self.entities.len();
        if self.by_code.insert(e.code.clone(), idx).is_some() {
            return Err(format!("code {} listed twice", e.code));
        }
        self.entities.push(e);
        Ok(idx)
    }

    /// The entity an IMF country or area name stands for.
    pub fn resolve_imf_name(&self, imf_name: &str) -> Option<&Entity> {
        self.by_imf_name.get(imf_name).map(|&i| &self.entities[i])
    }

    /// The entity of a registry code (ISO3 or one of the project's codes for other areas).
    pub fn get(&self, code: &str) -> Option<&Entity> {
        self.by_code.get(code).map(|&i| &self.entities[i])
    }

    /// The entity of a current code or of a former one (`ROM` -> Romania).
    pub fn resolve_code(&self, code: &str) -> Option<&Entity> {
        self.get(code).or_else(|| self.resolve_alias(code))
    }

    /// Display name of a code; the code itself if it is unknown.
    pub fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.get(code).map_or(code, |e| e.name.as_str())
    }

    /// Every entity, in table order.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_codes_are_the_current_ones() {
        let reg = Registry::embedded();
        for (code, comtrade, iso2) in [
            ("USA", Some(842), Some("US")),
            ("DEU", Some(276), Some("DE")),
            ("IND", Some(699), Some("IN")),
            ("SDN", Some(729), Some("SD")),
            ("KAZ", Some(398), Some("KZ")),
            ("WLD", Some(0), None),
        ] {
            assert_eq!(reg.comtrade_code(code), comtrade, "{code}");
            assert_eq!(reg.iso2(code), iso2, "{code}");
        }
    }

    #[test]
    fn embedded_tables_load() {
        let reg = Registry::embedded();
        assert!(reg.entities().len() > 250);
    }

    #[test]
    fn imf_names_of_the_study_countries_resolve() {
        let reg = Registry::embedded();
        for (name, code) in [
            ("China, P.R.: Mainland", "CHN"),
            ("Kazakhstan, Rep. of", "KAZ"),
            ("Kyrgyz Rep.", "KGZ"),
            ("Tajikistan, Rep. of", "TJK"),
            ("Turkmenistan", "TKM"),
            ("Uzbekistan, Rep. of", "UZB"),
            ("World", "WLD"),
            ("European Union", "EUU"),
            ("Taiwan Province of China", "TWN"),
            ("USSR", "SUN"),
        ] {
            assert_eq!(
                reg.resolve_imf_name(name).map(|e| e.code.as_str()),
                Some(code),
                "{name}"
            );
        }
        assert!(reg.resolve_imf_name("Atlantis").is_none());
    }

    #[test]
    fn kinds_and_names() {
        let reg = Registry::embedded();
        assert_eq!(reg.get("KAZ").unwrap().kind, EntityKind::Country);
        assert_eq!(reg.get("KAZ").unwrap().m49, Some(398));
        assert_eq!(reg.get("WLD").unwrap().kind, EntityKind::Aggregate);
        assert_eq!(reg.get("SUN").unwrap().kind, EntityKind::Historic);
        assert_eq!(reg.name("KGZ"), "Kyrgyzstan");
        assert_eq!(reg.name("ZZZ"), "ZZZ");
        assert!(!EntityKind::Aggregate.is_partner_economy());
    }

    #[test]
    fn comtrade_codes_resolve_with_their_quirks() {
        let reg = Registry::embedded();
        let code = |c| reg.resolve_comtrade_code(c).map(|e| e.code.as_str());
        assert_eq!(code(156), Some("CHN"));
        assert_eq!(code(0), Some("WLD"));
        assert_eq!(code(842), Some("USA"));
        assert_eq!(code(251), Some("FRA"));
        assert_eq!(code(490), Some("TWN"));
        assert_eq!(code(58), Some("BLX"));
        assert_eq!(code(975), None);
        assert_eq!(reg.resolve_iso2("US").map(|e| e.code.as_str()), Some("USA"));
        assert_eq!(reg.resolve_iso2("KZ").map(|e| e.code.as_str()), Some("KAZ"));
    }

    #[test]
    fn successor_states_and_validity_periods() {
        let reg = Registry::embedded();
        let codes = |v: Vec<&Entity>| v.iter().map(|e| e.code.clone()).collect::<Vec<_>>().join(" ");
        assert_eq!(
            codes(reg.successors("SUN")),
            "ARM AZE BLR EST GEO KAZ KGZ LTU LVA MDA RUS TJK TKM UKR UZB"
        );
        assert_eq!(codes(reg.successors("YUG")), "BIH HRV MKD SCG SVN");
        assert_eq!(codes(reg.successors("SCG")), "MNE SRB");
        assert_eq!(codes(reg.successors("CSK")), "CZE SVK");
        assert_eq!(codes(reg.successors("SDN")), "SSD");
        assert_eq!(codes(reg.successors("ANT")), "BES CUW SXM");
        assert_eq!(codes(reg.successors("BLX")), "BEL LUX");
        let sun = reg.get("SUN").unwrap();
        assert!(sun.exists_in(1991) && !sun.exists_in(1992) && sun.exists_in(1960));
        let kaz = reg.get("KAZ").unwrap();
        assert!(!kaz.exists_in(1990) && kaz.exists_in(1991) && kaz.exists_in(2025));
        let ssd = reg.get("SSD").unwrap();
        assert!(!ssd.exists_in(2010) && ssd.exists_in(2011));
        assert!(reg.get("CHN").unwrap().exists_in(1950));
        assert!(reg.get("SDN").unwrap().history.contains("South Sudan"));
    }

    #[test]
    fn former_codes_and_names_resolve_to_the_current_entity() {
        let reg = Registry::embedded();
        let code = |a| reg.resolve_alias(a).map(|e| e.code.as_str());
        assert_eq!(code("ROM"), Some("ROU"));
        assert_eq!(code("rom"), Some("ROU"));
        assert_eq!(code("ZAR"), Some("COD"));
        assert_eq!(code("Other Asia, nes"), Some("TWN"));
        assert_eq!(code("ROU"), None, "a current code is not an alias");
    }

    #[test]
    fn history_rows_must_name_known_codes() {
        let mut reg = Registry::embedded();
        let err = reg
            .add_history(
                "code,from,to,predecessors,note\nKAZ,1991,,XXX,\n",
                "alias,code,note\n",
            )
            .unwrap_err();
        assert!(err.contains("unknown predecessor XXX"), "{err}");
        let err = reg
            .add_history("code,from,to,predecessors,note\n", "alias,code,note\nKAZ,KGZ,\n")
            .unwrap_err();
        assert!(err.contains("KAZ is a code of its own"), "{err}");
    }

    #[test]
    fn duplicate_imf_name_is_rejected() {
        let countries = "iso3,iso2,iso_numeric,m49,name,official_name,unterm_short,region,subregion\n\
                         KAZ,KZ,398,398,Kazakhstan,Kazakhstan,Kazakhstan,Asia,Central Asia\n";
        let names = "imf_name,code,kind,note\nKazakhstan,KAZ,country,\nKazakhstan,KAZ,country,\n";
        let err = Registry::from_tables(countries, names).unwrap_err();
        assert!(err.contains("listed twice"), "{err}");
    }
}
