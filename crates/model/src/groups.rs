//! Country groups with membership by year: the embedded `data/groups.csv` (C5, EU by
//! accession year, ASEAN, G7, and ASIA, the UN M49 region, each member from the year it
//! existed) and user groups from `pipeline.toml` (`[[group]]`).
//!
//! A group's members in year `y` are those with `from <= y <= to` (`to` open while a member),
//! so the EU of 2003 has 15 members and that of 2004 has 25.

use std::collections::BTreeMap;

use serde::Deserialize;

const GROUPS_CSV: &str = include_str!("../../../data/groups.csv");

/// One membership spell.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Membership {
    pub member: String,
    pub from: i32,
    /// Last year of membership; `None` while a member.
    pub to: Option<i32>,
}

/// Groups by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Groups {
    groups: BTreeMap<String, Vec<Membership>>,
}

/// A user group as written in `pipeline.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GroupConfig {
    pub name: String,
    pub members: Vec<String>,
    /// First year of membership of every member (default: always).
    pub from: Option<i32>,
    /// Last year (default: open).
    pub to: Option<i32>,
}

impl Groups {
    /// The embedded groups.
    pub fn embedded() -> Groups {
        #[derive(Deserialize)]
        struct Row {
            group: String,
            member: String,
            /// Empty: a member as long as it existed.
            from: Option<i32>,
            to: Option<i32>,
        }
        let mut groups: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
        for row in csv::Reader::from_reader(GROUPS_CSV.as_bytes()).deserialize::<Row>() {
            let r = row.expect("embedded groups.csv is valid (tested)");
            groups.entry(r.group).or_default().push(Membership {
                member: r.member,
                from: r.from.unwrap_or(i32::MIN),
                to: r.to,
            });
        }
        Groups { groups }
    }

    /// The embedded groups plus `user` ones (a user group replaces an embedded one of the
    /// same name).
    pub fn with(user: &[GroupConfig]) -> Groups {
        let mut g = Groups::embedded();
        for u in user {
            let spells = u
                .members
                .iter()
                .map(|m| Membership {
                    member: m.clone(),
                    from: u.from.unwrap_or(i32::MIN),
                    to: u.to,
                })
                .collect();
            g.groups.insert(u.name.clone(), spells);
        }
        g
    }

    /// A reader's name of a group: "European Union (EU)"; a user group's own name.
    pub fn label(group: &str) -> String {
        let long = match group {
            "C5" => "Central Asia",
            "EU" => "European Union",
            "ASIA" => "Asia (UN M49 region)",
            _ => return group.to_string(),
        };
        if group == "ASIA" {
            long.to_string()
        } else {
            format!("{long} ({group})")
        }
    }

    pub fn contains(&self, group: &str) -> bool {
        self.groups.contains_key(group)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.groups.keys().map(String::as_str)
    }

    /// Members of `group` in `year`, in code order; empty for an unknown group.
    pub fn members(&self, group: &str, year: i32) -> Vec<&str> {
        let mut m: Vec<&str> = self
            .groups
            .get(group)
            .into_iter()
            .flatten()
            .filter(|s| s.from <= year && s.to.is_none_or(|to| year <= to))
            .map(|s| s.member.as_str())
            .collect();
        m.sort_unstable();
        m.dedup();
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    #[test]
    fn membership_follows_the_years() {
        let g = Groups::embedded();
        assert_eq!(g.members("EU", 2003).len(), 15);
        assert_eq!(g.members("EU", 2004).len(), 25);
        assert_eq!(g.members("EU", 2013).len(), 28);
        assert_eq!(g.members("EU", 2020).len(), 27, "the UK left in 2020");
        assert!(g.members("EU", 2019).contains(&"GBR"));
        assert_eq!(g.members("ASEAN", 1996).len(), 7);
        assert_eq!(g.members("ASEAN", 1999).len(), 10);
        assert_eq!(g.members("G7", 1975).len(), 6);
        assert_eq!(g.members("C5", 2010), ["KAZ", "KGZ", "TJK", "TKM", "UZB"]);
        assert!(g.members("nope", 2010).is_empty());
        let asia = |y| g.members("ASIA", y);
        assert!(
            asia(1990).contains(&"XYA") && !asia(1991).contains(&"XYA"),
            "North Yemen to 1990"
        );
        assert!(!asia(1990).contains(&"KAZ") && asia(1992).contains(&"KAZ"));
        assert!(asia(1980).contains(&"JPN") && asia(1980).contains(&"CHN") && asia(1980).contains(&"TWN"));
        assert!(!asia(1980).contains(&"RUS") && !asia(1980).contains(&"SUN"));
        assert_eq!(asia(2020).len(), 51);
        // Every member resolves in the registry.
        let reg = Registry::embedded();
        for name in g.names() {
            for m in g.members(name, 2020) {
                assert!(reg.get(m).is_some(), "{name}: {m}");
            }
        }
    }

    #[test]
    fn user_groups_add_or_replace() {
        let g = Groups::with(&[GroupConfig {
            name: "BRICS".into(),
            members: vec!["BRA".into(), "RUS".into(), "IND".into(), "CHN".into()],
            from: Some(2009),
            to: None,
        }]);
        assert_eq!(g.members("BRICS", 2008).len(), 0);
        assert_eq!(g.members("BRICS", 2010), ["BRA", "CHN", "IND", "RUS"]);
        assert_eq!(g.members("EU", 2004).len(), 25);
    }
}
