"""What a text field may hold: one rule for every service's API (no IO)."""

from __future__ import annotations

import pytest
from countersign_contracts import TOLERANT, MultilineText, SecretText, Supplier, Text
from pydantic import BaseModel, ValidationError


class Form(BaseModel):
    name: Text
    comment: MultilineText | None = None
    secret: SecretText | None = None


def rule(**values: object) -> str | None:
    try:
        Form.model_validate({"name": "Acme", **values})
    except ValidationError as refused:
        [error] = refused.errors()
        return str(error["type"])
    return None


@pytest.mark.parametrize(
    "value",
    ["\x00", "\x1b[31m", "\x7f", "\x85", "\x9f", "\t", "\n", "\r", "\u2028", "\u2029"],
    ids=repr,
)
def test_one_line_of_text_holds_no_control_character(value: str) -> None:
    assert rule(name=f"Acme{value}Ltd") == "control_characters"


@pytest.mark.parametrize("value", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"], ids=repr)
def test_free_text_holds_no_control_character_but_tabs_and_line_breaks(value: str) -> None:
    assert rule(comment=f"Checked{value}") == "control_characters"
    assert rule(comment="Checked:\r\n\t- totals\n\u2028- coding") is None


@pytest.mark.parametrize(
    "value",
    ["\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u2060", "\u2063", "\ufeff"],
    ids=repr,
)
def test_no_text_holds_invisible_characters_that_reorder_or_hide_it(value: str) -> None:
    assert rule(name=f"Acme{value}Ltd") == "invisible_characters"
    assert rule(comment=f"ok{value}") == "invisible_characters"


def test_the_joiners_and_marks_real_scripts_need_are_kept() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # needs its non-joiner
    for name in (persian, "👩\u200d💻", "שלום\u200f", "Zoë Ørsted", "株式会社"):
        assert rule(name=name) is None


def test_a_secret_is_one_line_of_text_too() -> None:
    assert rule(secret="s3cret\x00") == "control_characters"
    assert rule(secret="s" * 40) is None


def test_a_tolerant_reader_still_reads_text_written_before_the_rule() -> None:
    """Events on the topics and documents in the databases may predate the rule."""
    assert Supplier.model_validate({"name": "Acme\u200b"}, context=TOLERANT).name == "Acme\u200b"
    with pytest.raises(ValidationError):
        Supplier.model_validate({"name": "Acme\u200b"})
