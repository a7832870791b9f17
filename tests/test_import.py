"""Import: all-or-nothing, every problem listed, idempotent, units converted, references checked."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from innoalliance.errors import ValidationError
from innoalliance.ingest.creditcode import complete
from innoalliance.model import AuditEntry, Commitment, Organization, Statistic
from innoalliance.workflows.register.imports import WideLayout, import_files

from .conftest import write

ORG_A = complete("91330100MA2AAAAA0")
ORG_B = complete("12330100MB1BBBBB1")

ORGS = f"""
credit_code,name_zh,name_en,type,size,region,industries,capability,need,source
{ORG_A},杭州示例材料有限公司,Hangzhou Materials,enterprise,medium,330100,3;3.1,正极材料,高镍,x
{ORG_B},示例大学,Example University,高校,,330106,3,材料基因组,,illustrative
"""


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _problems(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in exc.value.problems]


def test_import_then_again_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "orgs.csv", ORGS)
    first = import_files(engine, "organizations", [path])[0]
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    audits = _count(engine, AuditEntry)
    again = import_files(engine, "organizations", [path])[0]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert _count(engine, Organization) == 2
    assert _count(engine, AuditEntry) == audits + 1  # the no-op import is audited too
    with engine.connect() as conn:
        org = conn.execute(select(Organization).where(Organization.credit_code == ORG_B)).one()
    assert org.type == "university"  # the Chinese term 高校 was understood


def test_changed_row_is_updated_and_versioned(engine: Engine, tmp_path: Path) -> None:
    import_files(engine, "organizations", [write(tmp_path / "a.csv", ORGS)])
    changed = ORGS.replace("medium", "large")
    result = import_files(engine, "organizations", [write(tmp_path / "b.csv", changed)])[0]
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        row = conn.execute(select(Organization.size, Organization.version)
                           .where(Organization.credit_code == ORG_A)).one()
        detail = json.loads(conn.execute(select(AuditEntry.detail)
                                         .order_by(AuditEntry.id.desc())).scalars().first())
    assert tuple(row) == ("large", 2)
    assert detail["updated_records"][0]["changes"]["size"] == ["medium", "large"]


def test_every_bad_row_is_reported_and_nothing_written(engine: Engine, tmp_path: Path) -> None:
    bad = f"""
credit_code,name_zh,type,size,region,industries
{ORG_A},好公司,enterprise,small,330100,3
914403001922038217,坏校验位,enterprise,small,440300,
{ORG_B},类型错误,company,small,330100,
{complete("91330100MA2CCCCC0")},,enterprise,small,339999,3.1
{complete("91330100MA2DDDDD0")},行业错误,enterprise,huge,330100,3;99
"""
    before = _count(engine, Organization)
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "organizations", [write(tmp_path / "bad.csv", bad)])
    found = _problems(exc)
    assert (3, "credit_code") in found
    assert (4, "type") in found
    assert (5, "name_zh") in found
    assert (5, "region") in found
    assert (6, "size") in found
    assert (6, "industries") in found
    assert all(p.file == "bad.csv" for p in exc.value.problems)
    assert _count(engine, Organization) == before
    type_problem = next(p for p in exc.value.problems if p.column == "type")
    assert type_problem.value == "company" and "enterprise" in type_problem.rule


def test_unknown_reference_suggests_closest(engine: Engine, tmp_path: Path) -> None:
    bad = f"credit_code,name_zh,type,region\n{ORG_A},甲,enterprise,杭州市\n"
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "organizations", [write(tmp_path / "o.csv", bad)])
    (problem,) = exc.value.problems
    assert problem.column == "region" and problem.suggestion == "330100"


def test_header_problems(engine: Engine, tmp_path: Path) -> None:
    bad = f"credit_code,name,type,region\n{ORG_A},甲,enterprise,330100\n"
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "organizations", [write(tmp_path / "o.csv", bad)])
    rules = {p.column: p for p in exc.value.problems}
    assert rules["name"].suggestion == "name_zh"
    assert "required column is missing" in rules["name_zh"].rule


def test_duplicate_keys_in_one_file(engine: Engine, tmp_path: Path) -> None:
    row = f"{ORG_A},甲,enterprise,330100\n"
    dup = "credit_code,name_zh,type,region\n" + row + row.replace("甲", "乙")
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "organizations", [write(tmp_path / "o.csv", dup)])
    (problem,) = exc.value.problems
    assert problem.row == 3 and "row 2" in problem.rule


def _alliance_setup(engine: Engine, tmp_path: Path) -> None:
    import_files(engine, "organizations", [write(tmp_path / "orgs.csv", ORGS)])
    import_files(engine, "alliances", [write(tmp_path / "al.csv", f"""
name_zh,kind,industry,host_region,lead,status
示例联盟,研发合作,3,330100,{ORG_A},active
""")])
    import_files(engine, "memberships", [write(tmp_path / "m.csv", f"""
alliance,organization,role,joined
示例联盟,{ORG_A},lead,2015-01-01
示例联盟,{ORG_B},member,2015/03/01
""")])


def test_money_is_converted_to_yuan(engine: Engine, tmp_path: Path) -> None:
    _alliance_setup(engine, tmp_path)
    import_files(engine, "commitments", [write(tmp_path / "c.csv", f"""
alliance,ref,organization,kind,amount,unit,due
示例联盟,C1,{ORG_A},capital,"1,500",万元,2016-12-31
示例联盟,C2,{ORG_B},personnel,3,人年,2016-12-31
""")])
    with engine.connect() as conn:
        rows = dict(conn.execute(select(Commitment.ref, Commitment.amount)).all())
        units = dict(conn.execute(select(Commitment.ref, Commitment.unit)).all())
    assert rows == {"C1": 15_000_000.0, "C2": 36.0}
    assert units == {"C1": "元", "C2": "人月"}


def test_unit_must_be_declared_and_fit(engine: Engine, tmp_path: Path) -> None:
    _alliance_setup(engine, tmp_path)
    no_unit = f"alliance,ref,organization,kind,amount\n示例联盟,C1,{ORG_A},capital,10\n"
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "commitments", [write(tmp_path / "c.csv", no_unit)])
    assert "--unit" in exc.value.problems[0].rule
    result = import_files(engine, "commitments", [tmp_path / "c.csv"], units={"unit": "亿元"})
    assert result[0].inserted == 1
    wrong = f"alliance,ref,organization,kind,amount,unit\n示例联盟,C2,{ORG_A},capital,10,人\n"
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "commitments", [write(tmp_path / "w.csv", wrong)])
    assert exc.value.problems[0].column == "unit"


def test_ledger_rules(engine: Engine, tmp_path: Path) -> None:
    _alliance_setup(engine, tmp_path)
    outsider = complete("91440300MA5XXXXX0")
    import_files(engine, "organizations", [write(tmp_path / "x.csv", f"""
credit_code,name_zh,type,region
{outsider},局外公司,enterprise,440300
""")])
    import_files(engine, "commitments", [write(tmp_path / "c.csv", f"""
alliance,ref,organization,kind,amount,unit
示例联盟,C1,{ORG_A},capital,100,万元
""")])
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "contributions", [write(tmp_path / "d.csv", f"""
alliance,ref,commitment,organization,date,amount,unit
示例联盟,D1,C1,{ORG_B},2016-01-01,50,万元
示例联盟,D2,C9,{ORG_A},2016-01-01,50,万元
示例联盟,D3,C1,{ORG_A},2016-01-01,5,人
""")])
    found = _problems(exc)
    assert (2, "organization") in found  # not the committing member
    assert (3, "commitment") in found  # no such commitment
    assert (4, "unit") in found  # persons against a money commitment
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "outputs", [write(tmp_path / "o.csv", f"""
alliance,name,type,owners
示例联盟,专利一,patent,{ORG_A}:0.5;{ORG_B}:0.4
示例联盟,专利二,patent,{ORG_A}:0.5;{outsider}:0.5
""")])
    rules = [p.rule for p in exc.value.problems]
    assert any("sum to 0.9" in r for r in rules)
    assert any("not a member" in r for r in rules)


def test_xlsx_and_json(engine: Engine, tmp_path: Path) -> None:
    frame = pd.DataFrame({"credit_code": [ORG_A], "name_zh": ["甲"], "type": ["enterprise"],
                          "region": [330100]})
    frame.to_excel(tmp_path / "o.xlsx", index=False)
    assert import_files(engine, "organizations", [tmp_path / "o.xlsx"])[0].inserted == 1
    (tmp_path / "o.json").write_text(json.dumps([
        {"credit_code": ORG_B, "name_zh": "乙", "type": "university", "region": "330106",
         "industries": ["3", "3.1"]}
    ]), encoding="utf-8")
    assert import_files(engine, "organizations", [tmp_path / "o.json"])[0].inserted == 1
    bad = [{"credit_code": ORG_B, "name_zh": "乙", "type": "?", "region": "330106"}]
    (tmp_path / "b.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "organizations", [tmp_path / "b.json"])
    assert exc.value.problems[0].row == 1  # JSON records are counted from 1


def test_statistics_long_and_wide(engine: Engine, tmp_path: Path) -> None:
    long = write(tmp_path / "s.csv", """
region,indicator,industry,year,value,unit,source
330100,gdp,,2014,9206.16,亿元,test
330100,industrial_output,3,2014,1200,亿元,test
""")
    assert import_files(engine, "statistics", [long])[0].inserted == 2
    wide = write(tmp_path / "w.csv", """
地区,GDP(亿元),常住人口（万人）
杭州市,9206.16,889.2
330200,7602.51,
""")
    layout = WideLayout("indicators", year=2014, source="yearbook")
    result = import_files(engine, "statistics", [wide], wide=layout)[0]
    assert result.inserted == 3  # the blank cell is skipped, not read as zero
    with engine.connect() as conn:
        pop = conn.execute(select(Statistic.value, Statistic.unit).where(
            Statistic.indicator == "常住人口")).one()
    assert tuple(pop) == (8_892_000.0, "人")
    years = write(tmp_path / "y.csv", "region,2013,2014\n330100,8343.52,9206.16\n")
    again = import_files(engine, "statistics", [years], units={"unit": "亿元"},
                         wide=WideLayout("years", indicator="gdp", source="test"))[0]
    assert (again.inserted, again.unchanged) == (1, 1)


def test_all_or_nothing_across_tables(engine: Engine, tmp_path: Path) -> None:
    """A failure while writing (here a foreign key) rolls back the whole file."""
    _alliance_setup(engine, tmp_path)
    before = _count(engine, Commitment)
    with pytest.raises(ValidationError):
        import_files(engine, "commitments", [write(tmp_path / "c.csv", f"""
alliance,ref,organization,kind,amount,unit
示例联盟,C1,{ORG_A},capital,100,万元
不存在联盟,C2,{ORG_A},capital,100,万元
""")])
    assert _count(engine, Commitment) == before
