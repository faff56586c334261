"""Amounts at their currency's scale, for every object that carries a `currency` (see _money).

A producer's model is strict: "12" GBP is written "12.00", and "12.001" GBP is refused. A
tolerant reader pads what it can and keeps what it cannot as it was sent.
"""

from typing import Any, ClassVar, Self

from pydantic import ValidationInfo, model_validator

from countersign_contracts._base import ContractModel, is_tolerant
from countersign_contracts._money import amount_at_scale, rescaled


class AtCurrencyScale(ContractModel):
    """Base of a model with a `currency` field and amounts in it."""

    amount_fields: ClassVar[tuple[str, ...]] = ()
    """The amounts, written with the currency's minor unit."""

    @model_validator(mode="after")
    def _amounts_at_currency_scale(self, info: ValidationInfo) -> Self:
        currency: str = getattr(self, "currency")  # noqa: B009 - declared by each subclass
        tolerant = is_tolerant(info)
        changes: dict[str, Any] = rescaled(
            self, self.amount_fields, lambda value: amount_at_scale(value, currency), tolerant
        )
        lines = getattr(self, "lines", None)
        if lines:
            scaled_lines = [line.at_scale(currency, tolerant=tolerant) for line in lines]
            if any(new is not old for new, old in zip(scaled_lines, lines, strict=True)):
                changes["lines"] = scaled_lines
        # Frozen models: the validator is the one place that may still fill in a field.
        self.__dict__.update(changes)
        return self
