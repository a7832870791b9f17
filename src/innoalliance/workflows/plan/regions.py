"""What the Plan workflow reads from the store for a region set: the regions and their boundaries,
which of them are neighbours, and the region × industry output panel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from sqlalchemy import Engine

from innoalliance.errors import MethodError, Problem, UnknownReference, ValidationError
from innoalliance.ingest.cells import closest, code_key
from innoalliance.model import Industry, Region
from innoalliance.reports.maps import Region as MapRegion
from innoalliance.workflows.register.ledger import read_statistics, select_frame

PRESETS: dict[str, tuple[str, ...]] = {
    # seed 002: the six cities around Hangzhou Bay
    "hangzhou-bay": ("330100", "330200", "330400", "330500", "330600", "330900"),
    # seed 000: the nine Pearl River Delta cities
    "prd": ("440100", "440300", "440400", "440600", "440700", "441200", "441300", "441900",
            "442000"),
}
NEIGHBOUR_GAP = 0.01  # degrees: boundaries this close count as shared (digitising slivers)


@dataclass(frozen=True)
class RegionSet:
    """Regions in the order used everywhere, with names and lon/lat boundaries."""

    codes: list[str]
    names: list[str]
    geometries: list[shapely.Geometry | None]
    sources: list[str | None]

    def map_regions(self) -> list[MapRegion]:
        """The regions as the map module draws them (every region has a boundary here)."""
        return [MapRegion(c, n, g) for c, n, g in zip(self.codes, self.names, self.geometries,
                                                     strict=True) if g is not None]


def resolve_regions(engine: Engine, wanted: Sequence[str]) -> RegionSet:
    """Region codes, preset names (``hangzhou-bay``, ``prd``) or province codes (their
    prefecture-level cities), in the order given; unknown codes are named with the closest."""
    table = select_frame(engine, Region.code, Region.name_zh, Region.parent, Region.level,
                         Region.geometry, Region.geometry_source)
    known = table.set_index("code")
    codes: list[str] = []
    for item in wanted:
        if item in PRESETS:
            codes += PRESETS[item]
        elif item in known.index and item.endswith("0000"):
            children = table[(table["parent"] == item)]["code"].tolist()
            codes += children or [item]
        elif item in known.index:
            codes.append(item)
        else:
            raise UnknownReference("region", item,
                                   closest(item, [*PRESETS, *known.index.tolist()]),
                                   listed_as="regions")
    codes = list(dict.fromkeys(codes))
    if len(codes) < 2:
        raise MethodError(f"a plan needs at least two regions, got {codes}",
                          hint="give several codes, a province code or a preset "
                               f"({', '.join(PRESETS)})")
    geometries = [None if known.at[c, "geometry"] is None
                  else shapely.from_geojson(str(known.at[c, "geometry"])) for c in codes]
    return RegionSet(codes, [str(known.at[c, "name_zh"]) for c in codes], geometries,
                     [None if pd.isna(s) else str(s)
                      for s in known["geometry_source"].reindex(codes)])


def require_boundaries(regions: RegionSet) -> None:
    """Raise, naming every region of the set that has no boundary in the store."""
    missing = [f"{c} {n}" for c, n, g in zip(regions.codes, regions.names, regions.geometries,
                                             strict=True) if g is None]
    if missing:
        raise ValidationError(
            [Problem("regions", None, "geometry", m, "this region has no boundary")
             for m in missing],
            message=f"{len(missing)} region(s) of the set have no boundary, so no map or "
                    "neighbourhood can be drawn",
            hint="import their boundaries: innoalliance import boundaries FILE.geojson")


def neighbours(regions: RegionSet) -> npt.NDArray[np.bool_]:
    """Symmetric matrix: regions whose boundaries touch (within ``NEIGHBOUR_GAP`` degrees)."""
    require_boundaries(regions)
    geoms = np.array(regions.geometries, dtype=object)
    near = shapely.dwithin(geoms[:, None], geoms[None, :], NEIGHBOUR_GAP)
    np.fill_diagonal(near, False)
    return np.asarray(near, dtype=bool)


@dataclass(frozen=True)
class OutputPanel:
    """Output (or employment) values as years × regions × industries; missing cells are 0."""

    indicator: str
    years: list[int]
    industries: list[str]
    industry_names: list[str]
    values: npt.NDArray[np.float64]
    missing: int  # region-industry-year cells absent from the store (taken as 0)


def output_panel(engine: Engine, regions: RegionSet, indicator: str,
                 years: Sequence[int] | None) -> OutputPanel:
    """The region set's ``indicator`` by industry from the statistics in the store."""
    every = list(range(1900, 2101)) if years is None else list(years)
    stats = read_statistics(engine, [indicator], every)
    stats = stats[stats["region"].isin(regions.codes) & stats["industry"].notna()
                  & (stats["industry"] != "")]
    if stats.empty:
        raise MethodError(
            f"no statistic {indicator!r} by industry for these regions"
            + ("" if years is None else f" in {', '.join(map(str, years))}"),
            hint="import city × industry statistics (columns region,indicator,industry,year,"
                 "value) or choose another --indicator")
    negative = stats[stats["value"] < 0]
    if not negative.empty:
        shown = "; ".join(f"{r.region} industry {r.industry} {r.year}: {r.value:g}"
                          for r in negative.head(10).itertuples())
        raise MethodError(f"{len(negative)} negative {indicator} value(s) in the store: {shown}",
                          hint="an output or employment figure is zero or positive; correct the "
                               "statistics and import them again")
    found_years = sorted(stats["year"].unique().tolist())
    industries = sorted(stats["industry"].unique().tolist(),
                        key=code_key)
    cube = (stats.pivot_table(index=["year", "region", "industry"], values="value",
                              aggfunc="first")["value"]
            .reindex(pd.MultiIndex.from_product([found_years, regions.codes, industries])))
    names = select_frame(engine, Industry.code, Industry.name_en,
                         where=Industry.code.in_(industries)).set_index("code")["name_en"]
    values = cube.to_numpy(dtype=np.float64).reshape(len(found_years), len(regions.codes),
                                                     len(industries))
    missing = int(np.isnan(values).sum())
    return OutputPanel(indicator, found_years, industries,
                       [str(names.get(c, c)) for c in industries], np.nan_to_num(values),
                       missing)
