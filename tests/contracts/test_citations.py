"""The clause catalogue cites docs/calcom-behaviour.md (which users have), never the
maintainers' fact sheet, and every citation lands on a heading of that document."""

from __future__ import annotations

import re
from pathlib import Path

from mock_calcom_contracts.clauses import all_clauses

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "calcom-behaviour.md"
CITATION = re.compile(r"docs/calcom-behaviour\.md#([A-Za-z0-9_-]+)")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to
    hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def doc_anchors() -> set[str]:
    headings = [line.lstrip("#").strip() for line in DOC.read_text(encoding="utf-8").splitlines()
                if re.match(r"#{1,6} ", line)]
    return {github_anchor(h) for h in headings}


def test_the_anchor_rule_is_githubs() -> None:
    assert github_anchor("Known differences from Cal.com") == "known-differences-from-calcom"
    assert github_anchor("Scope enforcement on API v2") == "scope-enforcement-on-api-v2"
    assert "token-endpoint" in doc_anchors()
    assert "no-such-section" not in doc_anchors()


def test_every_clause_cites_a_section_of_the_behaviour_document() -> None:
    anchors = doc_anchors()
    for c in all_clauses():
        cited = CITATION.findall(c.basis)
        assert cited, f"{c.id} cites no section of docs/calcom-behaviour.md: {c.basis!r}"
        missing = [a for a in cited if a not in anchors]
        assert not missing, f"{c.id} cites headings the document does not have: {missing}"


def test_no_clause_cites_the_fact_sheet_users_do_not_have() -> None:
    for c in all_clauses():
        assert "FACTS" not in c.basis, c.id
        assert "FACTS" not in c.rule, c.id


def _sources() -> list[Path]:
    return sorted([*(ROOT / "mock_calcom_contracts").rglob("*.py"), *(ROOT / "examples").rglob("*.py")])


def test_the_contract_package_and_the_examples_cite_only_existing_sections() -> None:
    """Messages, docstrings and comments a user reads: the fact sheet is not theirs, and a
    citation of the behaviour document must resolve."""
    anchors = doc_anchors()
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        assert "FACTS §" not in text, f"{path.relative_to(ROOT)} cites the fact sheet"
        missing = [a for a in CITATION.findall(text) if a not in anchors]
        assert not missing, f"{path.relative_to(ROOT)} cites missing headings {missing}"
