"""The complexity tables (`complexity`, `complexity_country`, `proximity`) and the universe
notes of `_meta.json`, as `crates/indices/src/complexity{,_table}.rs` compute them (Stata
`ecomplexity`'s definitions: docs/formulas.md, "Economic complexity").

Spark does what grows with the data: it reduces the product rows to one export value per
(year, country, classification, product) cell (the product table's `Cells`). What is left is a
universe (a year, a classification, a product level): at most a few hundred countries by a few
thousand products, however many rows went into it, and its eigenvector and P×P proximity
matrix are dense linear algebra. Each universe is therefore one task of a grouped map
(`applyInPandas`) that does that algebra with numpy, the way Spark users run a per-group model:
universes spread over the executors, nothing is collected to the driver but one note a
universe.

The steps and their order of operations follow the native engine, sums taken left to right
where a value is compared against a threshold or printed (`np.cumsum`), so that the two
engines choose the same countries and products and word the same notes.
"""

import json
import math

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .product import Cells

# One schema for the three kinds of row a universe yields (cell, country, note): the cells and
# country rows come from one eigendecomposition, so they are computed in one pass. Integers and
# booleans travel as doubles (NaN for null) and are cast back below.
UNIVERSE_SCHEMA = (
    "year int, classification string, level int, kind string, reporter string, product string, "
    "exports double, rca double, rpop double, m double, diversity double, ubiquity double, "
    "density double, eci double, pci double, coi double, cog double, prody double, "
    "eci_rank double, expy double, note string"
)
# (column, is text) in the schema's order.
UNIVERSE_COLUMNS = [(f.split(" ")[0], f.endswith(" string")) for f in UNIVERSE_SCHEMA.split(", ")]
PAIR_SCHEMA = "year int, classification string, level int, product_1 string, product_2 string, proximity double"

CELL_COLUMNS = [
    "reporter", "classification", "product", "level", "exports", "rca", "rpop", "m",
    "diversity", "ubiquity", "density", "eci", "pci", "coi", "cog", "prody",
]
COUNTRY_COLUMNS = ["reporter", "classification", "level", "exports", "diversity", "eci", "eci_rank", "coi", "expy"]
INTS = {"level", "diversity", "ubiquity", "eci_rank"}


def rust_float(v: float) -> str:
    """`v` as Rust's `{}` prints an f64 (shortest round trip, never an exponent), so that notes
    read the same from both engines."""
    return np.format_float_positional(v, trim="-")


def seq_sum(a: np.ndarray, axis: int) -> np.ndarray:
    """Sums taken left to right (numpy's `sum` is pairwise), as the native loops take them."""
    if a.shape[axis] == 0:
        return np.zeros(a.shape[1 - axis])
    return np.take(np.cumsum(a, axis=axis), -1, axis=axis)


class Universe:
    """One universe's countries and products as the native engine chooses them, and `x`."""

    def __init__(self, key, pdf: pd.DataFrame, options: dict, population: dict | None):
        year, self.classification, level = key
        self.year, self.level = int(year), int(level)
        reporters = sorted(pdf["c"].unique())
        products = sorted(pdf["product"].unique())
        r_of = {r: i for i, r in enumerate(reporters)}
        p_of = {p: i for i, p in enumerate(products)}
        x = np.zeros((len(reporters), len(products)))
        np.add.at(x, (pdf["c"].map(r_of).to_numpy(), pdf["product"].map(p_of).to_numpy()), pdf["v"].to_numpy())
        totals = seq_sum(x, 1)
        pop = None if population is None else population.get(str(self.year), {})
        self.left_out = []
        keep_r, people = [], []
        for r, code in enumerate(reporters):
            total = float(totals[r])
            if total <= 0.0:
                continue  # no exports in this universe: not a participant, nothing to say
            if pop is not None:
                v = pop.get(code)
                if v is None or not v > 0.0:
                    self._leave(code, f"no population for {self.year} in the population file")
                    continue
                if v < options["min-population"]:
                    self._leave(code, f"population {rust_float(v)} below min-population {rust_float(options['min-population'])}")
                    continue
            if total < options["min-country-exports"]:
                self._leave(
                    code,
                    f"exports of US${rust_float(total)} below min-country-exports {rust_float(options['min-country-exports'])}",
                )
                continue
            keep_r.append(r)
            if pop is not None:
                people.append(pop[code])
        kept = x[keep_r]
        t = seq_sum(kept, 0) if keep_r else np.zeros(len(products))
        keep_p = [q for q in range(len(products)) if t[q] > 0.0 and t[q] >= options["min-product-exports"]]
        self.products_all = len(products)
        self.reporters = [reporters[r] for r in keep_r]
        self.products = [products[q] for q in keep_p]
        self.x = kept[:, keep_p]
        self.population = np.array(people) if pop is not None else None

    def _leave(self, code: str, reason: str) -> None:
        self.left_out.append({"country": code, "reason": reason})

    def note(self, eigenvalues=None, not_defined=None) -> dict:
        return {
            "year": self.year,
            "classification": self.classification,
            "level": self.level,
            "countries": len(self.reporters),
            "products": len(self.products),
            "left_out_countries": self.left_out,
            "left_out_products": self.products_all - len(self.products),
            "eigenvalues": eigenvalues,
            "not_defined": not_defined,
        }


def presence(u: Universe, options: dict):
    """RCA, RPOP (or None) and M of the universe, as `complexity::compute`."""
    x = u.x
    row_total = seq_sum(x, 1)
    col_total = seq_sum(x, 0)
    total = float(seq_sum(row_total[None, :], 1)[0])
    rca = (x / row_total[:, None]) / (col_total / total)[None, :]
    rpop = None
    if u.population is not None:
        world = float(seq_sum(u.population[None, :], 1)[0])
        rpop = (x / u.population[:, None]) / (col_total / world)[None, :]
    by_rca = rca >= options["rca-threshold"]
    by_rpop = rpop >= options["rpop-threshold"] if rpop is not None else np.zeros_like(by_rca)
    test = options["presence"]
    m = by_rca if test == "rca" else by_rpop if test == "rpop" else by_rca | by_rpop
    return rca, rpop, m


def undefined(u: Universe, m: np.ndarray) -> str | None:
    """Why ECI is not defined before any eigenvalue is looked at (`Undefined::describe`)."""
    c_n, p_n = m.shape
    if c_n < 2 or p_n < 2:
        return f"{c_n} countries and {p_n} products: at least two of each are needed"
    empty_c = [u.reporters[c] for c in np.flatnonzero(m.sum(axis=1) == 0)]
    empty_p = [u.products[p] for p in np.flatnonzero(m.sum(axis=0) == 0)]
    if not empty_c and not empty_p:
        return None

    def listed(names):
        shown = names[:5] + ([f"and {len(names) - 5} more"] if len(names) > 5 else [])
        return ", ".join(shown)

    parts = []
    if empty_c:
        parts.append(f"{len(empty_c)} countries have no product present ({listed(empty_c)})")
    if empty_p:
        parts.append(f"{len(empty_p)} products are present in no country ({listed(empty_p)})")
    return " and ".join(parts) + ": lower the presence threshold"


def proximity(m: np.ndarray, kp0: np.ndarray) -> np.ndarray:
    """φ_pp' = C_pp' / max(k_p, k_p'), diagonal 0; C = MᵀM counted exactly in doubles."""
    mf = m.astype(np.float64)
    phi = mf.T @ mf
    phi /= np.maximum(kp0[:, None], kp0[None, :])
    np.fill_diagonal(phi, 0.0)
    return phi


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    da, db = a - a.mean(), b - b.mean()
    denom = math.sqrt(float((da * da).sum() * (db * db).sum()))
    return float((da * db).sum()) / denom if denom > 0 else math.nan


def rank(m: np.ndarray):
    """ECI, PCI, density, COI and COG (`complexity::rank`), or a reason they are undefined."""
    c_n, p_n = m.shape
    mf = m.astype(np.float64)
    kc0, kp0 = mf.sum(axis=1), mf.sum(axis=0)
    b = mf / np.sqrt(kc0[:, None] * kp0[None, :])
    values, vectors = np.linalg.eigh(b @ b.T)
    order = sorted(range(c_n), key=lambda i: (-values[i], i))
    second = float(values[order[1]])
    third = float(values[order[2]]) if c_n > 2 else -math.inf
    if abs(second - third) <= 1e-10 * abs(float(values[order[0]])):
        return None, (
            f"the second and third eigenvalues are equal ({rust_float(second)} and {rust_float(third)}), "
            "so the ranking is not determined"
        )
    v = vectors[:, order[1]] / np.sqrt(kc0)
    kp = (mf.T @ v) / kp0
    kc = (mf @ kp) / kc0
    r = pearson(kc0, kc)
    if math.isnan(r) or abs(r) < 1e-9:
        flip = kc[int(np.argmax(np.abs(kc)))] < 0.0
    else:
        flip = r < 0.0
    if flip:
        kc, kp = -kc, -kp
    phi = proximity(m, kp0)
    weight = phi.sum(axis=0)
    connected = weight > 0.0
    scale = np.where(connected, kp / np.where(connected, weight, 1.0), 0.0)
    both = np.vstack([mf, (1.0 - mf) * scale[None, :]]) @ phi
    del phi
    density = np.where(connected[None, :], both[:c_n] / np.where(connected, weight, 1.0)[None, :], np.nan)
    coi_raw = (np.where(m, 0.0, np.nan_to_num(density, nan=0.0)) * kp[None, :]).sum(axis=1)

    def moments(vec):
        mean = vec.sum() / len(vec)
        squares = ((vec - mean) ** 2).sum() * p_n
        return mean, math.sqrt(squares / (c_n * p_n - 1.0))

    mean, sd = moments(kc)
    coi_mean, coi_sd = moments(coi_raw)
    return {
        "eci": (kc - mean) / sd,
        "pci": (kp - mean) / sd,
        "coi": (coi_raw - coi_mean) / coi_sd if coi_sd > 0.0 else np.full(c_n, np.nan),
        "density": density,
        "cog": np.where(m, 0.0, both[c_n:] / sd),
        "eigenvalues": [second, third],
    }, None


def prody_expy(x: np.ndarray, income: np.ndarray):
    """PRODY by product and EXPY by country (`complexity::prody_expy`); NaN for none."""
    share = x / seq_sum(x, 1)[:, None]
    known = ~np.isnan(income)
    weight = share[known].sum(axis=0)
    summed = (share[known] * income[known][:, None]).sum(axis=0)
    prody = np.where(weight > 0.0, summed / np.where(weight > 0.0, weight, 1.0), np.nan)
    has = ~np.isnan(prody)
    expy = (share[:, has] * prody[has][None, :]).sum(axis=1) if has.any() else np.full(x.shape[0], np.nan)
    return prody, expy


def _rows(u: Universe, kind: str, n: int, **cols) -> pd.DataFrame:
    base = {"year": u.year, "classification": u.classification, "level": u.level, "kind": kind}
    frame = pd.DataFrame({**{k: np.repeat(v, n) for k, v in base.items()}, **cols})
    for col, text in UNIVERSE_COLUMNS:
        if col not in frame:
            frame[col] = None if text else np.nan
    return _plain_text(frame[[col for col, _ in UNIVERSE_COLUMNS]])


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects: pandas 3 infers Arrow-backed strings, which arrive at
    Spark's serializer as chunked arrays it cannot take."""
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype(object)
    return frame


def universe_rows(options: dict, population: dict | None, income: dict):
    """The grouped-map function: one universe's cell and country rows and its note."""

    def run(key, pdf: pd.DataFrame) -> pd.DataFrame:
        u = Universe(key, pdf, options, population)
        c_n, p_n = u.x.shape
        if c_n == 0 or p_n == 0:
            return _rows(u, "note", 1, note=[json.dumps(u.note(not_defined="no country and product with exports"))])
        if p_n > options["max-products"]:
            why = (
                f"{p_n} products exceed max-products = {options['max-products']} (the proximity matrix "
                f"would take {p_n * p_n * 8 // 1_000_000} MB); raise [indices.complexity] max-products to compute it"
            )
            return _rows(u, "note", 1, note=[json.dumps(u.note(not_defined=why))])
        rca, rpop, m = presence(u, options)
        why = undefined(u, m)
        ranked = None
        if why is None:
            ranked, why = rank(m)
        incomes = income.get(str(u.year), {})
        prody, expy = prody_expy(u.x, np.array([incomes.get(r, np.nan) for r in u.reporters], dtype=np.float64))
        diversity, ubiquity = m.sum(axis=1).astype(np.float64), m.sum(axis=0).astype(np.float64)
        nan_cells = np.full((c_n, p_n), np.nan)
        per_c = lambda a: np.repeat(a, p_n)  # noqa: E731 (a country's value on each of its cells)
        per_p = lambda a: np.tile(a, c_n)  # noqa: E731
        cells = _rows(
            u,
            "cell",
            c_n * p_n,
            reporter=per_c(np.array(u.reporters, dtype=object)),
            product=per_p(np.array(u.products, dtype=object)),
            exports=u.x.ravel(),
            rca=rca.ravel(),
            rpop=rpop.ravel() if rpop is not None else np.full(c_n * p_n, np.nan),
            m=m.ravel().astype(np.float64),
            diversity=per_c(diversity),
            ubiquity=per_p(ubiquity),
            density=(ranked["density"] if ranked else nan_cells).ravel(),
            eci=per_c(ranked["eci"]) if ranked else np.full(c_n * p_n, np.nan),
            pci=per_p(ranked["pci"]) if ranked else np.full(c_n * p_n, np.nan),
            coi=per_c(ranked["coi"]) if ranked else np.full(c_n * p_n, np.nan),
            cog=(ranked["cog"] if ranked else nan_cells).ravel(),
            prody=per_p(prody),
        )
        none = np.full(c_n, np.nan)
        eci = ranked["eci"] if ranked else none
        countries = _rows(
            u,
            "country",
            c_n,
            reporter=np.array(u.reporters, dtype=object),
            exports=seq_sum(u.x, 1),
            diversity=diversity,
            eci=eci,
            # Rank 1 for the largest ECI; equal values share the better rank.
            eci_rank=np.array([1 + int((eci > a).sum()) for a in eci], dtype=np.float64) if ranked else none,
            coi=ranked["coi"] if ranked else none,
            expy=expy,
        )
        note = _rows(u, "note", 1, note=[json.dumps(u.note(ranked["eigenvalues"] if ranked else None, why))])
        return pd.concat([cells, countries, note], ignore_index=True)

    return run


def pair_rows(options: dict, population: dict | None):
    """The grouped-map function of the proximity table: pairs p < p' with φ > 0."""

    def run(key, pdf: pd.DataFrame) -> pd.DataFrame:
        u = Universe(key, pdf, options, population)
        _, _, m = presence(u, options)
        phi = proximity(m, m.sum(axis=0).astype(np.float64))
        a, b = np.triu_indices(len(u.products), k=1)
        keep = phi[a, b] > 0.0
        a, b = a[keep], b[keep]
        names = np.array(u.products, dtype=object)
        n = len(a)
        return _plain_text(pd.DataFrame(
            {
                "year": np.repeat(u.year, n),
                "classification": np.repeat(u.classification, n),
                "level": np.repeat(u.level, n),
                "product_1": names[a],
                "product_2": names[b],
                "proximity": phi[a, b],
            }
        ))

    return run


class Tables:
    """The three complexity tables of a run and its universe notes."""

    def __init__(self, cells: Cells, spec: dict):
        options = spec["options"]
        population, income = spec.get("population"), spec["income"]
        x = cells.exports.select("year", "classification", "level", "c", "product", "v")
        universe = ["year", "classification", "level"]
        out = x.groupBy(*universe).applyInPandas(universe_rows(options, population, income), UNIVERSE_SCHEMA).cache()
        typed = out.select(
            "year",
            "kind",
            *[
                F.col(c).cast("int").alias(c)
                if c in INTS
                else (F.col(c) == 1.0).alias(c) if c == "m" else F.col(c)
                for c in dict.fromkeys(CELL_COLUMNS + COUNTRY_COLUMNS)
            ],
            "note",
        )
        self.cells = typed.filter(F.col("kind") == "cell").select("year", *CELL_COLUMNS)
        self.countries = typed.filter(F.col("kind") == "country").select("year", *COUNTRY_COLUMNS)
        notes = [json.loads(r["note"]) for r in out.filter(F.col("kind") == "note").select("note").collect()]
        self.notes = sorted(notes, key=lambda n: (n["year"], n["classification"], n["level"]))
        self.proximity = None
        if options["proximity-table"]:
            defined = [(n["year"], n["classification"], n["level"]) for n in self.notes if n["eigenvalues"] is not None]
            spark = cells.exports.sparkSession
            keys = spark.createDataFrame(defined, "year int, classification string, level int")
            self.proximity = (
                x.join(F.broadcast(keys), universe)
                .groupBy(*universe)
                .applyInPandas(pair_rows(options, population), PAIR_SCHEMA)
            )
