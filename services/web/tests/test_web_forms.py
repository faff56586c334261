"""The approver's forms as approval's API reads them: the history search (blank fields left
out, amounts and dates checked before approval is asked), an out-of-office from the first day
to the end of the last, a line's recoding, and approval's refusals put back at the fields."""

from __future__ import annotations

from countersign_web.pages.forms import (
    AbsenceForm,
    absence_body,
    coding_body,
    field_errors,
    history_of,
)


def test_a_history_search_asks_approval_only_what_was_typed_newest_first() -> None:
    search = history_of(
        {"supplier": "  northwind ", "min_total": "1,250.50", "max_total": "", "state": "rejected",
         "opened_from": "2026-11-01", "decided_by_me": "1", "other": "x"}
    )  # fmt: skip

    assert search.errors == {}
    assert search.query == {
        "newest_first": "true",
        "supplier": "northwind",
        "min_total": "1250.50",
        "state": "rejected",
        "opened_from": "2026-11-01",
        "decided_by": "me",
    }
    assert search.typed["supplier"] == "northwind"  # shown back in the form


def test_an_empty_history_search_lists_everything_newest_first() -> None:
    assert history_of({}).query == {"newest_first": "true"}


def test_a_history_search_with_a_bad_amount_date_or_state_names_each_field() -> None:
    search = history_of(
        {"min_total": "ten", "max_total": "NaN", "opened_to": "31/12/2026", "state": "lost"}
    )

    assert set(search.errors) == {"min_total", "max_total", "opened_to", "state"}
    assert "min_total" not in search.query and "opened_to" not in search.query


def test_an_absence_runs_from_the_first_day_to_the_end_of_the_last() -> None:
    body, errors = absence_body(AbsenceForm(" cat@example.com ", "2026-12-07", "2026-12-11"))

    assert errors == {}
    assert body == {
        "substitute_email": "cat@example.com",
        "starts_at": "2026-12-07T00:00:00+00:00",
        "ends_at": "2026-12-12T00:00:00+00:00",
    }


def test_an_absence_without_a_substitute_or_with_days_in_the_wrong_order_is_not_sent() -> None:
    missing, missing_errors = absence_body(AbsenceForm("", "2026-12-07", "next week"))
    backwards, backwards_errors = absence_body(
        AbsenceForm("cat@example.com", "2026-12-07", "2026-12-06")
    )

    assert missing is None and set(missing_errors) == {"substitute_email", "ends_on"}
    assert backwards is None and set(backwards_errors) == {"ends_on"}


def test_approvals_refusal_is_shown_at_the_forms_fields() -> None:
    problem = {
        "detail": "2 fields are not valid",
        "errors": [
            {"field": "substitute_email", "rule": "unknown_user", "message": "not a user"},
            {"field": "ends_at", "rule": "in_future", "message": "must be in the future"},
        ],
    }

    assert field_errors(problem) == {
        "substitute_email": "not a user",
        "ends_on": "must be in the future",
    }
    assert field_errors({"detail": "you take no part"}) == {"": "you take no part"}


def test_a_recoding_refusal_is_shown_at_its_lines_fields() -> None:
    problem = {
        "errors": [
            {"field": "lines[1].account_code", "rule": "archived", "message": "archived"},
            {"field": "lines[1].tracking[0].option", "rule": "unknown", "message": "no such"},
        ]
    }

    assert field_errors(problem, line=1) == {"account_code": "archived", "tracking": "no such"}
    assert field_errors(problem, line=0) == {"": "archived no such"}


def test_a_line_recoding_carries_one_option_per_tracking_category_chosen() -> None:
    body, errors = coding_body(
        {"account_code": "461", "tax_type": "INPUT2", "tracking:Region": "North",
         "tracking:Project": "", "tracking:Unknown": "x"},
        ["Project", "Region"],
    )  # fmt: skip
    _, missing = coding_body({"account_code": "", "tax_type": ""}, [])

    assert errors == {}
    assert body == {
        "account_code": "461",
        "tax_type": "INPUT2",
        "tracking": [{"category": "Region", "option": "North"}],
    }
    assert set(missing) == {"account_code", "tax_type"}
