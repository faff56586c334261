"""Is a new JSON Schema a breaking change from the published one?

In the spirit of a schema registry's BACKWARD check, made stricter because our topics are both
read by consumers deployed before the producer (they must read new events) and replayed from the
start by new consumers (they must read old events). Walking both schemas together, resolving
`$ref`s into `$defs` (compared by structure, not by name, with cycle protection), these are
breaking:

- `event_type_removed`: an event type (or a whole topic) has no schema any more.
- `property_removed`: a property disappears (a rename is a removal plus an addition).
- `made_required`: an optional property becomes required.
- `required_added`: a new property is required (old events do not have it).
- `made_optional`: a required property becomes optional (old readers rely on it).
- `type_changed`: the accepted JSON types differ (string↔number, nullable or not, an object or
  an array where there was another type).
- `enum_value_removed`: an enum or a `const` loses a value (e.g. `event_type`'s const changes),
  or a free value becomes restricted to an enum.
- `constraint_narrowed`: a `pattern` or `format` added or changed, a lower bound raised or an
  upper bound lowered (`minimum`, `maxLength`, `maxItems`…).
- `additional_properties_tightened`: an object that allowed unknown properties no longer does.

Not breaking: a new optional property, a new enum value, a removed or widened constraint, and
changes to titles, descriptions, defaults and examples.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

BreakingRule = Literal[
    "event_type_removed",
    "property_removed",
    "made_required",
    "required_added",
    "made_optional",
    "type_changed",
    "enum_value_removed",
    "constraint_narrowed",
    "additional_properties_tightened",
]

Schema = Mapping[str, Any]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


@dataclass(frozen=True)
class Breaking:
    """One breaking difference, at a JSON path such as `$.payload.bill.lines[*].tax_amount`."""

    path: str
    rule: BreakingRule
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.detail}"


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[Breaking]:
    """Every breaking difference between the published `old_schema` and `new_schema`."""
    return list(_Comparison(old_schema, new_schema).compare(old_schema, new_schema, "$"))


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_root = old_root
        self._new_root = new_root
        self._in_progress: set[tuple[str, str]] = set()

    def compare(self, old: Schema, new: Schema, path: str) -> Iterator[Breaking]:
        old, old_ref = _resolve(old, self._old_root)
        new, new_ref = _resolve(new, self._new_root)
        pair = (old_ref or "", new_ref or "")
        if pair != ("", "") and pair in self._in_progress:
            return  # a recursive definition already being compared further up
        self._in_progress.add(pair)
        try:
            yield from self._compare_resolved(old, new, path)
        finally:
            self._in_progress.discard(pair)

    def _compare_resolved(self, old: Schema, new: Schema, path: str) -> Iterator[Breaking]:
        old_branches = _branches(old, self._old_root)
        new_branches = _branches(new, self._new_root)
        if len(old_branches) == 1 and len(new_branches) == 1:
            if old_branches[0] is old and new_branches[0] is new:
                yield from self._compare_one(old, new, path)
            else:  # a union of one: compare what it wraps
                yield from self.compare(old_branches[0], new_branches[0], path)
            return
        old_by_kind = _by_kind(old_branches, self._old_root)
        new_by_kind = _by_kind(new_branches, self._new_root)
        for kind, branch in old_by_kind.items():
            if kind not in new_by_kind:
                yield Breaking(path, "type_changed", f"no longer accepts {kind}")
            else:
                yield from self.compare(branch, new_by_kind[kind], path)
        for kind in sorted(new_by_kind.keys() - old_by_kind.keys()):
            yield Breaking(path, "type_changed", f"now also accepts {kind}")

    def _compare_one(self, old: Schema, new: Schema, path: str) -> Iterator[Breaking]:
        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            yield Breaking(
                path, "type_changed", f"type {_show(old_types)} became {_show(new_types)}"
            )
            return
        yield from _compare_values(old, new, path)
        yield from _compare_constraints(old, new, path)
        if "object" in old_types:
            yield from self._compare_objects(old, new, path)
        if "array" in old_types:
            yield from self.compare(old.get("items", {}), new.get("items", {}), f"{path}[*]")

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> Iterator[Breaking]:
        old_properties: Schema = old.get("properties", {})
        new_properties: Schema = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for name, old_property in old_properties.items():
            if name not in new_properties:
                yield Breaking(f"{path}.{name}", "property_removed", f"property {name!r} removed")
            else:
                yield from self.compare(old_property, new_properties[name], f"{path}.{name}")
        for name in sorted(new_required - old_required):
            if name in old_properties:
                yield Breaking(f"{path}.{name}", "made_required", f"{name!r} is now required")
            else:
                yield Breaking(
                    f"{path}.{name}", "required_added", f"new property {name!r} is required"
                )
        for name in sorted((old_required - new_required) & new_properties.keys()):
            yield Breaking(f"{path}.{name}", "made_optional", f"{name!r} is no longer required")
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if old_extra is not False and new_extra is False:
            yield Breaking(path, "additional_properties_tightened", "unknown properties refused")
        elif isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
            yield from self.compare(old_extra, new_extra, f"{path}.*")
        elif old_extra is True and isinstance(new_extra, Mapping):
            yield Breaking(path, "additional_properties_tightened", "unknown properties restricted")


def _compare_values(old: Schema, new: Schema, path: str) -> Iterator[Breaking]:
    old_values = _allowed_values(old)
    new_values = _allowed_values(new)
    if new_values is None:
        return
    if old_values is None:
        yield Breaking(path, "enum_value_removed", f"a free value became one of {new_values!r}")
        return
    for value in old_values:
        if value not in new_values:
            yield Breaking(path, "enum_value_removed", f"value {value!r} no longer accepted")


def _allowed_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return list(enum) if enum is not None else None


def _compare_constraints(old: Schema, new: Schema, path: str) -> Iterator[Breaking]:
    for keyword in ("pattern", "format"):
        if keyword in new and old.get(keyword) != new[keyword]:
            yield Breaking(
                path,
                "constraint_narrowed",
                f"{keyword} {old.get(keyword)!r} became {new[keyword]!r}",
            )
    for keyword in _LOWER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] > old[keyword]):
            yield Breaking(
                path, "constraint_narrowed", f"{keyword} {old.get(keyword)} became {new[keyword]}"
            )
    for keyword in _UPPER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] < old[keyword]):
            yield Breaking(
                path, "constraint_narrowed", f"{keyword} {old.get(keyword)} became {new[keyword]}"
            )


def _resolve(schema: Schema, root: Schema) -> tuple[Schema, str | None]:
    """Follow `$ref`s into the root's `$defs`; keywords beside a `$ref` win over the target's."""
    first_ref: str | None = None
    visited: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref in visited:
            raise ValueError(f"$ref cycle without structure at {ref}")
        visited.add(ref)
        first_ref = first_ref or ref
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**_lookup(ref, root), **siblings}
    return schema, first_ref


def _lookup(ref: str, root: Schema) -> Schema:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, got {ref}")
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    if not isinstance(target, Mapping):
        raise ValueError(f"$ref {ref} does not point to a schema")
    return target


def _branches(schema: Schema, root: Schema) -> list[Schema]:
    """The alternatives a schema accepts: its anyOf/oneOf branches (nested unions flattened,
    `$ref`s kept so the comparison of each branch is cycle-protected), or itself."""
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            branches: list[Schema] = []
            for branch in schema[keyword]:
                resolved, _ = _resolve(branch, root)
                if "anyOf" in resolved or "oneOf" in resolved:
                    branches.extend(_branches(resolved, root))
                else:
                    branches.append(branch)
            return branches
    return [schema]


def _by_kind(branches: list[Schema], root: Schema) -> dict[str, Schema]:
    """Pair union branches by JSON type (and title, for objects: one branch per model)."""
    by_kind: dict[str, Schema] = {}
    for branch in branches:
        resolved, _ = _resolve(branch, root)
        types = _types(resolved)
        kind = _show(types)
        if "object" in types and "title" in resolved:
            kind = f"{kind} {resolved['title']}"
        while kind in by_kind:
            kind += "'"
        by_kind[kind] = branch
    return by_kind


def _types(schema: Schema) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(declared)
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if values is not None:
        return frozenset(_json_type(value) for value in values)
    if "properties" in schema:
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    return frozenset({"any"})


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _show(types: frozenset[str]) -> str:
    return "|".join(sorted(types))
