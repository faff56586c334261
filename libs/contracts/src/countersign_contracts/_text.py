"""Text that people and clients send: what a text field may hold, for every service's API.

    Text            one line: names, references, codes, ids, e-mails, URLs, tokens
    MultilineText   free text: a line's description, a comment, a reason

Both refuse, naming the field:

- ``control_characters``: C0 controls (NUL among them: Postgres cannot store it in text or
  jsonb), DEL and the C1 controls; one-line text also tab, CR, LF and the Unicode line and
  paragraph separators; free text keeps tab, CR and LF.
- ``invisible_characters``: characters that change how text reads without being seen: the
  bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069; with
  U+202E a supplier name shows reversed), the zero-width space, word joiner and invisible
  operators (U+200B, U+2060 to U+2064) and the byte order mark (U+FEFF): two names that look
  the same would match approval rules and Xero contacts differently. The joiners and marks
  real scripts need (U+200C, U+200D, U+200E, U+200F) are kept.

A consumer's tolerant decoding (``TOLERANT``) skips the check, as it skips unknown fields: an
event or a stored document written before a rule tightened still reads.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, SecretStr, ValidationInfo
from pydantic_core import PydanticCustomError

from countersign_contracts._base import is_tolerant

__all__ = ["ONE_LINE", "TEXT_RULES", "MultilineText", "SecretText", "Text", "text_violation"]

_INVISIBLE = re.compile("[\u200b\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_violation(value: str, *, multiline: bool = False) -> tuple[str, str] | None:
    """The rule ``value`` breaks and why, or None: for text that is not a model field (a
    multipart file name)."""
    if (_CONTROL_IN_FREE_TEXT if multiline else _CONTROL_IN_ONE_LINE).search(value):
        allowed = " (tabs and line breaks are)" if multiline else ""
        return "control_characters", f"control characters are not allowed{allowed}"
    if _INVISIBLE.search(value):
        return (
            "invisible_characters",
            "invisible characters that reorder or hide text (bidirectional overrides, zero-width"
            " spaces) are not allowed",
        )
    return None


def _checked(value: str, info: ValidationInfo, *, multiline: bool) -> str:
    broken = None if is_tolerant(info) else text_violation(value, multiline=multiline)
    if broken is not None:
        rule, message = broken
        raise PydanticCustomError(rule, message)
    return value


def _one_line(value: str, info: ValidationInfo) -> str:
    return _checked(value, info, multiline=False)


def _free_text(value: str, info: ValidationInfo) -> str:
    return _checked(value, info, multiline=True)


def _one_line_secret(value: object, info: ValidationInfo) -> object:
    return _one_line(value, info) if isinstance(value, str) else value


ONE_LINE = AfterValidator(_one_line)
"""The one-line rule alone, to place after a pattern in an annotated type: pydantic then keeps
the pattern on the string (and in the JSON Schema) and checks the text after it."""

Text = Annotated[str, ONE_LINE]
"""One line of text: no control character, tab and line breaks included, nothing invisible."""

MultilineText = Annotated[str, AfterValidator(_free_text)]
"""Free text: tabs and line breaks (CR, LF) allowed; no other control, nothing invisible."""

SecretText = Annotated[SecretStr, BeforeValidator(_one_line_secret)]
"""A secret (kept out of reprs and logs) that is one line of text."""

TEXT_RULES = (_one_line, _free_text, _one_line_secret)
"""The validators above, for a test that every text field of an API carries one."""
