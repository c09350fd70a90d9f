//! Typed readers of the index tables' partitions: a frame read back from disk as rows, naming
//! the file on a schema mismatch.

use std::path::Path;

use polars::prelude::*;

use crate::TablesError;
use crate::rows::*;

pub fn complexity_country_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<ComplexityCountryRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, class, level) = (f.str("reporter")?, f.str("classification")?, f.u32("level")?);
    let (exports, diversity, eci) = (f.f64("exports")?, f.u32("diversity")?, f.f64("eci")?);
    let (rank, coi, expy) = (f.u32("eci_rank")?, f.f64("coi")?, f.f64_or_none("expy")?);
    Ok((0..df.height())
        .map(|k| ComplexityCountryRow {
            year,
            reporter: reporter[k].clone(),
            classification: class[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            exports: exports[k].unwrap_or(0.0),
            diversity: diversity[k].unwrap_or(0),
            eci: eci[k],
            eci_rank: rank[k],
            coi: coi[k],
            expy: expy[k],
        })
        .collect())
}

/// The columns of the `complexity` table the reports read.
pub const COMPLEXITY_CELL_COLUMNS: &[&str] = &[
    "reporter",
    "classification",
    "product",
    "level",
    "exports",
    "rca",
    "m",
    "density",
    "pci",
    "cog",
];

/// The cells of `countries` in a `complexity` partition.
pub fn complexity_cells(
    df: &DataFrame,
    path: &Path,
    year: i32,
    countries: &[String],
) -> Result<Vec<ComplexityCell>, TablesError> {
    let f = Frame { df, path };
    let (reporter, class, product, level) = (
        f.str("reporter")?,
        f.str("classification")?,
        f.str("product")?,
        f.u32("level")?,
    );
    let (exports, rca, m) = (f.f64("exports")?, f.f64("rca")?, f.bool("m")?);
    let (density, pci, cog) = (f.f64("density")?, f.f64("pci")?, f.f64("cog")?);
    Ok((0..df.height())
        .filter(|&k| countries.contains(&reporter[k]))
        .map(|k| ComplexityCell {
            year,
            reporter: reporter[k].clone(),
            classification: class[k].clone(),
            product: product[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            exports: exports[k].unwrap_or(0.0),
            rca: rca[k].unwrap_or(0.0),
            m: m[k],
            density: density[k],
            pci: pci[k],
            cog: cog[k],
        })
        .collect())
}

pub fn country_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<CountryRow>, TablesError> {
    let f = Frame { df, path };
    let reporter = f.str("reporter")?;
    let (x, m, gdp) = (f.f64("exports")?, f.f64("imports")?, f.f64("gdp")?);
    let (pop, pc, open) = (f.f64("population")?, f.f64("gdp_per_capita")?, f.f64("openness")?);
    Ok((0..df.height())
        .map(|k| CountryRow {
            year,
            reporter: reporter[k].clone(),
            exports: x[k],
            imports: m[k],
            gdp: gdp[k],
            population: pop[k],
            gdp_per_capita: pc[k],
            openness: open[k],
        })
        .collect())
}

pub fn concentration_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<ConcentrationRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, flow, count) = (f.str("reporter")?, f.str("flow")?, f.u32("count")?);
    let (over, level) = (f.str("over")?, f.u32("level")?);
    let (h, z) = (f.f64("hhi")?, f.f64("hhi_normalized")?);
    Ok((0..df.height())
        .map(|k| ConcentrationRow {
            year,
            reporter: reporter[k].clone(),
            flow: flow[k].clone(),
            over: over[k].clone(),
            level: level[k].map(|l| l as u8),
            count: count[k].unwrap_or(0),
            hhi: h[k],
            hhi_normalized: z[k],
        })
        .collect())
}

pub fn product_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<ProductRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, class, product, level) = (
        f.str("reporter")?,
        f.str("classification")?,
        f.str("product")?,
        f.u32("level")?,
    );
    let (x, rca, sym) = (f.f64("exports")?, f.f64("rca")?, f.f64("rca_sym")?);
    let x_real = f.f64_or_none("exports_real")?;
    let names = f.str_or_none("product_name")?;
    let (partners, emp) = (f.u32("partners")?, f.f64("market_penetration")?);
    let (quantity, unit, unit_value) = (
        f.f64_or_none("quantity")?,
        f.str_or_none("quantity_unit")?,
        f.f64_or_none("unit_value")?,
    );
    Ok((0..df.height())
        .map(|k| ProductRow {
            year,
            reporter: reporter[k].clone(),
            classification: class[k].clone(),
            product: product[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            exports: x[k].unwrap_or(0.0),
            exports_real: x_real[k],
            product_name: names[k].clone(),
            rca: rca[k],
            rca_sym: sym[k],
            partners: partners[k],
            market_penetration: emp[k],
            quantity: quantity[k],
            quantity_unit: unit[k].clone(),
            unit_value: unit_value[k],
        })
        .collect())
}

/// Typed access to a frame read back from disk, naming the file on a schema mismatch.
struct Frame<'a> {
    df: &'a DataFrame,
    path: &'a Path,
}

impl Frame<'_> {
    fn err(&self, e: PolarsError) -> TablesError {
        TablesError::Schema {
            path: self.path.display().to_string(),
            message: e.to_string(),
        }
    }
    /// A text column that may be null, or absent from a table of an earlier version.
    fn str_or_none(&self, name: &str) -> Result<Vec<Option<String>>, TablesError> {
        let Ok(col) = self.df.column(name) else {
            return Ok(vec![None; self.df.height()]);
        };
        let ca = col.str().map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|v| v.map(str::to_owned)).collect())
    }
    /// A column added after the table was first written (the `*_real` twins): all `None`
    /// where a table from an earlier version lacks it.
    fn f64_or_none(&self, name: &str) -> Result<Vec<Option<f64>>, TablesError> {
        if self.df.column(name).is_err() {
            return Ok(vec![None; self.df.height()]);
        }
        self.f64(name)
    }
    fn f64(&self, name: &str) -> Result<Vec<Option<f64>>, TablesError> {
        Ok(self
            .df
            .column(name)
            .and_then(|c| c.f64().cloned())
            .map_err(|e| self.err(e))?
            .iter()
            .collect())
    }
    fn str(&self, name: &str) -> Result<Vec<String>, TablesError> {
        let ca = self
            .df
            .column(name)
            .and_then(|c| c.str().cloned())
            .map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|s| s.unwrap_or_default().to_owned()).collect())
    }
    fn bool(&self, name: &str) -> Result<Vec<bool>, TablesError> {
        let ca = self
            .df
            .column(name)
            .and_then(|c| c.bool().cloned())
            .map_err(|e| self.err(e))?;
        Ok(ca.iter().map(|b| b.unwrap_or(false)).collect())
    }
    /// A count or level: `UInt32` as the native engine writes it, or any other integer type
    /// (Spark has no unsigned types and writes `Int32`), whose values must then fit.
    fn u32(&self, name: &str) -> Result<Vec<Option<u32>>, TablesError> {
        Ok(self
            .df
            .column(name)
            .and_then(|c| match c.dtype() {
                DataType::UInt32 => Ok(c.clone()),
                t if t.is_integer() => c.strict_cast(&DataType::UInt32),
                _ => c.u32().map(|_| c.clone()),
            })
            .and_then(|c| c.u32().cloned())
            .map_err(|e| self.err(e))?
            .iter()
            .collect())
    }
    fn i32(&self, name: &str) -> Result<Vec<Option<i32>>, TablesError> {
        Ok(self
            .df
            .column(name)
            .and_then(|c| c.i32().cloned())
            .map_err(|e| self.err(e))?
            .iter()
            .collect())
    }
}

pub fn bilateral_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<BilateralRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, partner) = (f.str("reporter")?, f.str("partner")?);
    let (exports, imports, total, balance, tsc) = (
        f.f64("exports")?,
        f.f64("imports")?,
        f.f64("total_trade")?,
        f.f64("balance")?,
        f.f64("tsc")?,
    );
    let (xs, ms, ts, rank) = (
        f.f64("export_share")?,
        f.f64("import_share")?,
        f.f64("trade_share")?,
        f.u32("rank_total")?,
    );
    let (hm, hv, hs) = (f.f64("hm")?, f.str("hm_variant")?, f.str("hm_sources")?);
    let (hb, hmm, hap, tii) = (
        f.f64("hm_baldwin")?,
        f.f64("hm_mirror")?,
        f.f64("hm_as_printed")?,
        f.f64("tii")?,
    );
    let (mx, mm, mr) = (
        f.f64("mirror_exports")?,
        f.f64("mirror_imports")?,
        f.f64("mirror_ratio")?,
    );
    let (rwx, rwm, pwm, world) = (
        f.f64("reporter_world_exports")?,
        f.f64("reporter_world_imports")?,
        f.f64("partner_world_imports")?,
        f.str("world")?,
    );
    let (re, pe) = (f.bool("reporter_estimated")?, f.bool("partner_estimated")?);
    let md = f.bool("reporter_mirror_derived")?;
    let (xr, mr_, tr, br) = (
        f.f64_or_none("exports_real")?,
        f.f64_or_none("imports_real")?,
        f.f64_or_none("total_trade_real")?,
        f.f64_or_none("balance_real")?,
    );
    let (tim, gap, disc) = (
        f.f64("tii_imports")?,
        f.f64("mirror_gap")?,
        f.f64("mirror_discrepancy")?,
    );
    Ok((0..df.height())
        .map(|k| BilateralRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            exports: exports[k],
            imports: imports[k],
            total_trade: total[k],
            balance: balance[k],
            tsc: tsc[k],
            export_share: xs[k],
            import_share: ms[k],
            trade_share: ts[k],
            rank_total: rank[k],
            hm: hm[k],
            hm_variant: hv[k].clone(),
            hm_sources: hs[k].clone(),
            hm_baldwin: hb[k],
            hm_mirror: hmm[k],
            hm_as_printed: hap[k],
            tii: tii[k],
            tii_imports: tim[k],
            mirror_exports: mx[k],
            mirror_imports: mm[k],
            mirror_ratio: mr[k],
            mirror_gap: gap[k],
            mirror_discrepancy: disc[k],
            reporter_world_exports: rwx[k],
            reporter_world_imports: rwm[k],
            partner_world_imports: pwm[k],
            world: world[k].clone(),
            reporter_estimated: re[k],
            partner_estimated: pe[k],
            reporter_mirror_derived: md[k],
            exports_real: xr[k],
            imports_real: mr_[k],
            total_trade_real: tr[k],
            balance_real: br[k],
        })
        .collect())
}

pub fn growth_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<GrowthRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, partner) = (f.str("reporter")?, f.str("partner")?);
    let (x, m, t, b) = (
        f.f64("exports_yoy")?,
        f.f64("imports_yoy")?,
        f.f64("total_trade_yoy")?,
        f.f64("balance_change")?,
    );
    let contribution = f.f64("balance_contribution")?;
    let (tg, xi, mi, ti) = (
        f.f64("total_trade_growth_contribution")?,
        f.f64("exports_index")?,
        f.f64("imports_index")?,
        f.f64("total_trade_index")?,
    );
    let base = f.i32("index_base")?;
    let (xr, mr, tr, tri) = (
        f.f64_or_none("exports_real_yoy")?,
        f.f64_or_none("imports_real_yoy")?,
        f.f64_or_none("total_trade_real_yoy")?,
        f.f64_or_none("total_trade_real_index")?,
    );
    Ok((0..df.height())
        .map(|k| GrowthRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            exports_yoy: x[k],
            imports_yoy: m[k],
            total_trade_yoy: t[k],
            balance_change: b[k],
            balance_contribution: contribution[k],
            total_trade_growth_contribution: tg[k],
            exports_index: xi[k],
            imports_index: mi[k],
            total_trade_index: ti[k],
            index_base: base[k].unwrap_or(year),
            exports_real_yoy: xr[k],
            imports_real_yoy: mr[k],
            total_trade_real_yoy: tr[k],
            total_trade_real_index: tri[k],
        })
        .collect())
}

pub fn cagr_rows(df: &DataFrame, path: &Path) -> Result<Vec<CagrRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, partner, from, to) = (
        f.str("reporter")?,
        f.str("partner")?,
        f.i32("from")?,
        f.i32("to")?,
    );
    let (x, m, t) = (
        f.f64("exports_cagr")?,
        f.f64("imports_cagr")?,
        f.f64("total_trade_cagr")?,
    );
    let (xr, mr, tr) = (
        f.f64_or_none("exports_real_cagr")?,
        f.f64_or_none("imports_real_cagr")?,
        f.f64_or_none("total_trade_real_cagr")?,
    );
    Ok((0..df.height())
        .map(|k| CagrRow {
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            from: from[k].unwrap_or_default(),
            to: to[k].unwrap_or_default(),
            exports_cagr: x[k],
            imports_cagr: m[k],
            total_trade_cagr: t[k],
            exports_real_cagr: xr[k],
            imports_real_cagr: mr[k],
            total_trade_real_cagr: tr[k],
        })
        .collect())
}

pub fn pair_structure_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<PairStructureRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, partner, level) = (f.str("reporter")?, f.str("partner")?, f.u32("level")?);
    let (tc, es, gl) = (
        f.f64("trade_complementarity")?,
        f.f64("export_similarity")?,
        f.f64("grubel_lloyd")?,
    );
    let (products, side) = (f.u32("products")?, f.str("partner_imports_side")?);
    Ok((0..df.height())
        .map(|k| PairStructureRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            level: level[k].unwrap_or(0) as u8,
            trade_complementarity: tc[k],
            export_similarity: es[k],
            grubel_lloyd: gl[k],
            products: products[k].unwrap_or(0),
            partner_imports_side: side[k].clone(),
        })
        .collect())
}

pub fn contribution_rows(
    df: &DataFrame,
    path: &Path,
    year: i32,
) -> Result<Vec<ContributionRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, partner, dimension, component) = (
        f.str("reporter")?,
        f.str("partner")?,
        f.str("dimension")?,
        f.str("component")?,
    );
    let (x, m, b, db) = (
        f.f64("exports")?,
        f.f64("imports")?,
        f.f64("balance")?,
        f.f64("balance_change")?,
    );
    let (bc, xg, mg) = (
        f.f64("balance_contribution")?,
        f.f64("exports_growth_contribution")?,
        f.f64("imports_growth_contribution")?,
    );
    let (xs, ms) = (f.f64("exports_share")?, f.f64("imports_share")?);
    Ok((0..df.height())
        .map(|k| ContributionRow {
            year,
            reporter: reporter[k].clone(),
            partner: partner[k].clone(),
            dimension: dimension[k].clone(),
            component: component[k].clone(),
            exports: x[k],
            imports: m[k],
            balance: b[k],
            balance_change: db[k],
            balance_contribution: bc[k],
            exports_growth_contribution: xg[k],
            imports_growth_contribution: mg[k],
            exports_share: xs[k],
            imports_share: ms[k],
        })
        .collect())
}

pub fn group_rows(df: &DataFrame, path: &Path, year: i32) -> Result<Vec<GroupRow>, TablesError> {
    let f = Frame { df, path };
    let (reporter, group) = (f.str("reporter")?, f.str("group")?);
    let (members, reported) = (f.u32("members")?, f.u32("members_reported")?);
    let (x, m, t, b, s) = (
        f.f64("exports")?,
        f.f64("imports")?,
        f.f64("total_trade")?,
        f.f64("balance")?,
        f.f64("trade_share")?,
    );
    Ok((0..df.height())
        .map(|k| GroupRow {
            year,
            reporter: reporter[k].clone(),
            group: group[k].clone(),
            members: members[k].unwrap_or(0),
            members_reported: reported[k].unwrap_or(0),
            exports: x[k],
            imports: m[k],
            total_trade: t[k],
            balance: b[k],
            trade_share: s[k],
        })
        .collect())
}
