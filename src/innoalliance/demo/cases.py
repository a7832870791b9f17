"""The demo's worked cases: which alliance, years and fund each demo run is about."""

from __future__ import annotations

import datetime as dt

#: seed 000's electric-vehicle alliance, whose member stopped paying in: evaluation, credit,
#: sharing, supervision, and the demo accounts' alliance
EV_ALLIANCE = "电动汽车产学研技术创新联盟"
#: seed 002's Hangzhou Bay new-materials alliance: matching
HZB_ALLIANCE = "杭州湾新材料产业技术创新战略联盟"
#: the years every demo evaluation covers
YEARS = [2014, 2015, 2016]
#: the date the demo's ratings, sharing and overview are read as of
AS_OF = dt.date(2016, 12, 31)
#: the date the demo's matching is read as of (seed 002 is of 2018)
MATCH_AS_OF = dt.date(2018, 12, 31)
#: the year of the demo's annual supervision report
REPORT_YEAR = 2014
#: yuan: an illustrative provincial risk compensation fund
RISK_FUND = 5_000_000.0
#: the illustrative Landsat-8-like image of the Hangzhou Bay cities (a registered raster's name)
IMAGE = "hangzhou_bay_illustrative"
#: the province of the demo's regional overview (Guangdong)
OVERVIEW_REGION = "440000"
