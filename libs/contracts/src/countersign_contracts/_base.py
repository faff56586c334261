"""Base classes: strict for producers, tolerant for consumers.

Every contract model forbids unknown fields and is frozen, so a producer cannot emit a field the
schema does not describe. A consumer decodes with the validation context `{"tolerant": True}`
(see `decode`): then each model, at every nesting level, drops the fields it does not know, so
an event from a newer minor version still decodes.
"""

from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

TOLERANT: Mapping[str, bool] = {"tolerant": True}
"""Validation context for consumers: ignore unknown fields (and unknown values of open enums)."""


def is_tolerant(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, Mapping) and bool(context.get("tolerant"))


class ContractModel(BaseModel):
    """Base of every model that appears on the wire."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_unknown_fields_when_tolerant(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and is_tolerant(info):
            known = cls.model_fields.keys()
            return {key: value for key, value in data.items() if key in known}
        return data


class EventPayload(ContractModel):
    """Base of the payload of an event. The event type is the class name."""

    event_type: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_type = cls.__name__


E = TypeVar("E", bound=Enum)


def unknown_as(fallback: E) -> WrapValidator:
    """Field metadata for an *open* enum: a tolerant reader turns a value it does not know yet
    (added in a later minor version) into `fallback` instead of refusing the whole event.
    Producers stay strict: they can only emit the values they know."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(value)
        except ValidationError:
            if isinstance(value, str) and is_tolerant(info):
                return fallback
            raise

    return WrapValidator(validate)
