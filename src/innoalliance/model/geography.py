"""Regions (GB/T 2260), industries (NBS 2018 and regional taxonomies) and raster layers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Entity


class Region(Entity):
    """An administrative division; ``geometry`` is GeoJSON text in EPSG:4326 (lon, lat)."""

    __tablename__ = "regions"
    natural_key = ("code",)

    code: Mapped[str] = mapped_column(String(6), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(ForeignKey("regions.code", **CASCADE))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(200))
    geometry: Mapped[str | None] = mapped_column(Text)
    geometry_source: Mapped[str | None] = mapped_column(String(500))


class Industry(Entity):
    """An industry of a taxonomy; regional taxonomies map onto NBS 2018 through ``maps_to``."""

    __tablename__ = "industries"
    natural_key = ("code",)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    taxonomy: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(ForeignKey("industries.code", **CASCADE))
    maps_to: Mapped[str | None] = mapped_column(ForeignKey("industries.code", **CASCADE))


class RasterLayer(Entity):
    """A registered raster file (GeoTIFF, NetCDF); ``bands`` lists ``index:meaning`` pairs."""

    __tablename__ = "rasters"
    natural_key = ("name",)

    name: Mapped[str] = mapped_column(String(200), unique=True)
    path: Mapped[str] = mapped_column(Text)
    driver: Mapped[str] = mapped_column(String(32))
    crs: Mapped[str] = mapped_column(Text)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    band_count: Mapped[int] = mapped_column(Integer)
    bands: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
