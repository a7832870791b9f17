"""Property: any valid organizations table survives import → export unchanged (CSV and JSON)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innoalliance.ingest.creditcode import ALPHABET, complete
from innoalliance.ingest.kinds import ORGANIZATIONS
from innoalliance.model.vocab import OrgSize, OrgType
from innoalliance.store.engine import make_engine
from innoalliance.workflows.register.export import export_frame, frame_to_text
from innoalliance.workflows.register.imports import import_files
from innoalliance.workflows.register.setup import init_store

REGIONS = ["330100", "330106", "440300", "110108"]
INDUSTRIES = ["1", "3", "3.1"]  # present in every version of the industry catalogue

words = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0x9FFF),
    min_size=1,
    max_size=12,
)
optional_words = st.none() | words
organization = st.fixed_dictionaries({
    "credit_code": st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(complete),
    "name_zh": words,
    "name_en": optional_words,
    "type": st.sampled_from([t.value for t in OrgType]),
    "size": st.none() | st.sampled_from([s.value for s in OrgSize]),
    "region": st.sampled_from(REGIONS),
    "industries": st.lists(st.sampled_from(INDUSTRIES), unique=True).map(
        lambda xs: ";".join(sorted(xs)) or None),
    "capability": optional_words,
    "need": optional_words,
    "source": optional_words,
})
tables = st.lists(organization, min_size=1, max_size=8, unique_by=lambda r: r["credit_code"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.sampled_from(["csv", "json"]))
def test_import_export_round_trip(records: list[dict[str, str | None]], fmt: str) -> None:
    expected = pd.DataFrame(records, columns=ORGANIZATIONS.names).sort_values("credit_code")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 's.db'}")
        init_store(engine)
        path = Path(folder) / f"orgs.{fmt}"
        path.write_text(frame_to_text(expected, fmt), encoding="utf-8")
        first = import_files(engine, "organizations", [path])[0]
        again = import_files(engine, "organizations", [path])[0]
        exported = export_frame(engine, "organizations")
        engine.dispose()
    assert (first.inserted, again.unchanged) == (len(records), len(records))
    got = exported.astype(object).where(exported.notna(), None).reset_index(drop=True)
    want = expected.astype(object).where(expected.notna(), None).reset_index(drop=True)
    assert got.to_dict("records") == want.to_dict("records")
