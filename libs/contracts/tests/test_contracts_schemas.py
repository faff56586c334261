"""The committed JSON Schemas and the `countersign-contracts` command that guards them."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from countersign_contracts import TOPICS, Envelope, EventPayload, encode, topic_for
from countersign_contracts._schemas import diff_schemas, event_schemas, load_schemas, render
from countersign_contracts.cli import DEFAULT_SCHEMAS_DIR, main

COST_ITEM_SCHEMA = "dext.cost-items.v1/CostItemSubmitted.json"


@pytest.fixture
def schemas_copy(tmp_path: Path) -> Path:
    """A scratch copy of the committed schemas to edit."""
    copy = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMAS_DIR, copy)
    return copy


def edit_schema(directory: Path, relative: str, edit: Callable[[dict[str, Any]], None]) -> None:
    path = directory / relative
    schema = json.loads(path.read_text())
    edit(schema)
    path.write_text(render(schema))


def test_the_committed_schemas_match_the_models() -> None:
    diff = diff_schemas(load_schemas(DEFAULT_SCHEMAS_DIR), event_schemas())

    assert diff.up_to_date, diff


def test_check_passes_on_the_committed_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert "match the models" in capsys.readouterr().out


def test_there_is_one_schema_file_per_topic_and_event_type() -> None:
    files = sorted(
        path.relative_to(DEFAULT_SCHEMAS_DIR).as_posix()
        for path in DEFAULT_SCHEMAS_DIR.glob("**/*.json")
    )

    assert len(files) == 44
    assert COST_ITEM_SCHEMA in files
    assert "approval.requests.v1/RequestAuthorised.json" in files


def test_generation_is_deterministic() -> None:
    first = {path: render(schema) for path, schema in event_schemas().items()}
    second = {path: render(schema) for path, schema in event_schemas().items()}

    assert first == second
    assert all(text.endswith("}\n") for text in first.values())


@pytest.mark.parametrize(
    "event_type", sorted(t for topic in TOPICS.values() for t in topic.event_types)
)
def test_every_example_event_validates_against_its_committed_schema(
    examples: dict[str, EventPayload], wrap: Callable[..., Envelope[Any]], event_type: str
) -> None:
    payload = examples[event_type]
    schema = load_schemas(DEFAULT_SCHEMAS_DIR)[f"{topic_for(payload).name}/{event_type}.json"]
    event = json.loads(encode(wrap(payload)))

    jsonschema.Draft202012Validator(schema).validate(event)


def test_a_schema_refuses_a_float_amount_and_a_v2_envelope(
    examples: dict[str, EventPayload], wrap: Callable[..., Envelope[Any]]
) -> None:
    validator = jsonschema.Draft202012Validator(load_schemas(DEFAULT_SCHEMAS_DIR)[COST_ITEM_SCHEMA])
    event = json.loads(encode(wrap(examples["CostItemSubmitted"])))
    event["payload"]["bill"]["future_field"] = "consumers pinned to 1.0 still validate"
    assert validator.is_valid(event)

    event["payload"]["bill"]["total"] = 0.36
    assert not validator.is_valid(event)
    event["payload"]["bill"]["total"] = "0.36"
    event["schema_version"] = "2.0"
    assert not validator.is_valid(event)


def test_check_fails_and_names_a_field_the_models_removed(
    schemas_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A field present in the published schema but not in the model: the model removed it.
    def add_published_field(schema: dict[str, Any]) -> None:
        line = schema["$defs"]["LineItem"]
        line["properties"]["discount_rate"] = {"type": "string"}
        line["required"].append("discount_rate")

    edit_schema(schemas_copy, COST_ITEM_SCHEMA, add_published_field)

    assert main(["check", "--schemas-dir", str(schemas_copy)]) == 1
    error = capsys.readouterr().err
    assert f"{COST_ITEM_SCHEMA} $.payload.bill.lines[*].discount_rate: property_removed" in error
    assert "new major topic" in error


def test_check_fails_on_a_removed_event_type(
    schemas_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    retired = schemas_copy / "dext.cost-items.v1" / "CostItemArchived.json"
    shutil.copy(schemas_copy / COST_ITEM_SCHEMA, retired)

    assert main(["check", "--schemas-dir", str(schemas_copy)]) == 1
    assert "CostItemArchived.json $: event_type_removed" in capsys.readouterr().err


def test_check_asks_to_publish_additive_changes_not_yet_written(
    schemas_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An optional field missing from the published schema: the model added it.
    def drop_optional_field(schema: dict[str, Any]) -> None:
        del schema["$defs"]["LineItem"]["properties"]["item_code"]

    edit_schema(schemas_copy, COST_ITEM_SCHEMA, drop_optional_field)
    (schemas_copy / "ledger.suppliers.v1" / "SupplierSynced.json").unlink()

    assert main(["check", "--schemas-dir", str(schemas_copy)]) == 1
    error = capsys.readouterr().err
    assert "breaking" not in error
    assert f"changed  {COST_ITEM_SCHEMA}" in error
    assert "new      ledger.suppliers.v1/SupplierSynced.json" in error
    assert "Run `make contracts` to publish these additive changes." in error


def test_generate_publishes_additive_changes(
    schemas_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_schema(
        schemas_copy,
        COST_ITEM_SCHEMA,
        lambda schema: schema["$defs"]["LineItem"]["properties"].pop("item_code"),
    )

    assert main(["generate", "--schemas-dir", str(schemas_copy)]) == 0
    assert "1 changed" in capsys.readouterr().out
    assert main(["check", "--schemas-dir", str(schemas_copy)]) == 0


def test_generate_refuses_a_breaking_change_unless_allowed(
    schemas_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def add_published_field(schema: dict[str, Any]) -> None:
        schema["$defs"]["Bill"]["properties"]["po_number"] = {"type": "string"}

    edit_schema(schemas_copy, COST_ITEM_SCHEMA, add_published_field)
    published = (schemas_copy / COST_ITEM_SCHEMA).read_text()

    assert main(["generate", "--schemas-dir", str(schemas_copy)]) == 1
    assert "Nothing written" in capsys.readouterr().err
    assert (schemas_copy / COST_ITEM_SCHEMA).read_text() == published

    assert main(["generate", "--allow-breaking", "--schemas-dir", str(schemas_copy)]) == 0
    assert main(["check", "--schemas-dir", str(schemas_copy)]) == 0


def test_generate_writes_a_fresh_directory(tmp_path: Path) -> None:
    target = tmp_path / "fresh"

    assert main(["generate", "--schemas-dir", str(target)]) == 0

    assert load_schemas(target) == load_schemas(DEFAULT_SCHEMAS_DIR)


def test_check_fails_clearly_without_a_schemas_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--schemas-dir", str(tmp_path / "missing")]) == 1
    assert "no schemas directory" in capsys.readouterr().err
