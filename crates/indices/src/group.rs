//! Trade of each configured country with country groups, membership by year: the EU of 2003
//! has 15 members and that of 2004 has 25, so a group's series follow its enlargements.

use tradepipe_model::config::WorldChoice;
use tradepipe_model::groups::Groups;

use crate::formulas::{share, sum_present};
use crate::year_data::{YearData, sum_cells};
pub use tradepipe_tables::GroupRow;

/// Rows of every (reporter, group) in `d`'s year.
pub fn compute(
    d: &YearData,
    reporters: &[String],
    groups: &Groups,
    names: &[String],
    world: WorldChoice,
) -> Vec<GroupRow> {
    let mut out = Vec::new();
    for i in reporters {
        let world_trade = sum_present([d.world_exports(i, world).value, d.world_imports(i, world).value]);
        for g in names {
            let members: Vec<&str> = groups.members(g, d.year).into_iter().filter(|m| m != i).collect();
            let x = sum_cells(members.iter().map(|m| d.exports(i, m))).value;
            let m = sum_cells(members.iter().map(|m| d.imports(i, m))).value;
            let reported = members
                .iter()
                .filter(|p| d.exports(i, p).value.is_some() || d.imports(i, p).value.is_some())
                .count();
            let total = x.zip(m).map(|(a, b)| a + b);
            out.push(GroupRow {
                year: d.year,
                reporter: i.clone(),
                group: g.clone(),
                members: members.len() as u32,
                members_reported: reported as u32,
                exports: x,
                imports: m,
                total_trade: total,
                balance: x.zip(m).map(|(a, b)| a - b),
                trade_share: share(total, world_trade),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::year_data::FlowRow;
    use tradepipe_model::{Flow, Registry};

    fn flow<'a>(p: &'a str, flow: Flow, value: f64) -> FlowRow<'a> {
        FlowRow {
            reporter: "CHN",
            partner: p,
            flow,
            value,
            estimated: false,
        }
    }

    #[test]
    fn hand_computed_group_rows_follow_membership() {
        let rows = |year| {
            let d = YearData::from_rows(
                year,
                [
                    flow("DEU", Flow::Export, 10.0),
                    flow("POL", Flow::Export, 5.0),
                    flow("DEU", Flow::Import, 4.0),
                    flow("WLD", Flow::Export, 100.0),
                    flow("WLD", Flow::Import, 50.0),
                ],
                &Registry::embedded(),
            );
            compute(
                &d,
                &["CHN".into()],
                &Groups::embedded(),
                &["EU".into()],
                WorldChoice::Source,
            )
        };
        // 2003: Poland is not yet a member.
        let a = &rows(2003)[0];
        assert_eq!((a.members, a.members_reported), (15, 1));
        assert_eq!(
            (a.exports, a.imports, a.balance),
            (Some(10.0), Some(4.0), Some(6.0))
        );
        assert_eq!(a.trade_share, Some(14.0 / 150.0));
        // 2004: it is.
        let b = &rows(2004)[0];
        assert_eq!((b.members, b.members_reported, b.exports), (25, 2, Some(15.0)));
    }
}
