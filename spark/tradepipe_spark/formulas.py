"""The index formulas of docs/formulas.md as Spark column expressions.

Each mirrors its twin in crates/model/src/formulas.rs term for term and in the same order of
operations, so that the two engines agree to the last bits wherever their sums agree: a
missing term or a denominator that is not positive gives a null, never zero.
"""

from pyspark.sql import Column
from pyspark.sql import functions as F

IMF_CIF_FOB = 1.06


def share(part: Column, whole: Column) -> Column:
    """`part / whole`; null if either is null or `whole` is not positive."""
    return F.when(whole > 0, part / whole)


def both(a: Column, b: Column, f) -> Column:
    """`f(a, b)` where both are present."""
    return F.when(a.isNotNull() & b.isNotNull(), f(a, b))


def sum_present(a: Column, b: Column) -> Column:
    """Sum of the present values; null when neither is."""
    return F.when(a.isNull(), b).when(b.isNull(), a).otherwise(a + b)


def hm(x_ij, x_i, m_ji, m_j) -> Column:
    return share(x_ij, x_i) * (F.lit(1.0) - share(m_ji, m_j))


def tsc(x, m) -> Column:
    return F.when(x + m > 0, (x - m) / (x + m))


def tii(x_ij, x_i, x_wj, x_w) -> Column:
    weight = share(x_wj, x_w)
    return F.when(weight > 0, share(x_ij, x_i) / weight)


def tii_imports(x_ij, x_i, m_j, m_w, m_i) -> Column:
    weight = share(m_j, m_w - m_i)
    return F.when(weight > 0, share(x_ij, x_i) / weight)


def discrepancy(m, x) -> Column:
    return F.when(m + x > 0, F.abs(m - x) / ((m + x) / 2.0))


def mirror_derived(x_ij, m_ji, m_ij, x_ji, factor=IMF_CIF_FOB) -> Column:
    def matches(own, implied):
        return F.when(
            own.isNotNull() & implied.isNotNull() & (implied > 0),
            F.abs(own / implied - 1.0) < 5e-4,
        )

    a = matches(x_ij, m_ji / factor)
    b = matches(m_ij, x_ji * factor)
    return (a.isNotNull() | b.isNotNull()) & F.coalesce(a, F.lit(True)) & F.coalesce(b, F.lit(True))


def hhi_normalized(hhi, n) -> Column:
    inv = F.lit(1.0) / n.cast("double")
    return F.when(n > 1, (hhi - inv) / (F.lit(1.0) - inv))


def grubel_lloyd(x, m) -> Column:
    return F.when(x + m > 0, F.lit(1.0) - F.abs(x - m) / (x + m))


def market_penetration(partners, importers) -> Column:
    return F.when(importers > 0, partners.cast("double") / importers.cast("double"))


def index_100(v, base) -> Column:
    return F.lit(100.0) * share(v, base)


def contribution(part, part_prev, total, total_prev) -> Column:
    dt = total - total_prev
    return F.when(dt != 0, (part - part_prev) / dt)


def yoy(v, prev) -> Column:
    return share(v, prev) - 1.0


def cagr(v0, v_end, years: int) -> Column:
    if years <= 0:
        return F.lit(None).cast("double")
    return F.when((v0 > 0) & (v_end > 0), F.pow(v_end / v0, F.lit(1.0 / years)) - 1.0)


def level_of(code: Column) -> Column:
    """Digits of an HS code; 0 for a section (`S16`), as `tradepipe_model::products::level_of`."""
    return F.when(code.rlike(r"^S[0-9]{2}$"), F.lit(0)).otherwise(F.length(code)).cast("int")
