"""One question as an HTML form: reading what was posted, and the NHS.UK macro parameters.

Every question posts the field ``answer``. "I don't know" is the radio or checkbox value
:data:`DONT_KNOW`, or (for numbers and lists) the button ``dont_know``; "None of these" is the
checkbox value :data:`NONE`. The words of questions and options come from the guidance; only
the page's own words (buttons, error messages about the format) live here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from crampcheck.guidance.model import Question

FIELD = "answer"
DONT_KNOW = "dont-know"
NONE = "none"
DONT_KNOW_LABEL = "I don't know"
_DONT_KNOW_TYPED = re.compile(r"^\s*(i\s*)?(do\s*not|don'?t|dont)\s*know\.?\s*$|^\s*not\s+sure\.?\s*$", re.I)


@dataclass
class Posted:
    """What a person sent for one question: a value, "I don't know", or an error to show."""

    value: Any = None
    declined: bool = False
    error: str | None = None
    raw: list[str] = field(default_factory=list)
    """What they typed or ticked, to show again next to the error."""


def _number_text(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def _parse_number(q: Question, text: str) -> Posted:
    raw = [text]
    cleaned = text.strip().replace(",", "")
    if q.unit and cleaned.lower().endswith(q.unit.lower()):
        cleaned = cleaned[: -len(q.unit)].strip()
    if not cleaned:
        return Posted(error="Enter a number, or choose \u201cI don't know\u201d", raw=raw)
    if _DONT_KNOW_TYPED.match(cleaned):
        return Posted(declined=True)
    try:
        number = float(cleaned)
    except ValueError:
        return Posted(error="Enter a number using digits, like 5", raw=raw)
    lo, hi = _number_text(q.min), _number_text(q.max)
    if not math.isfinite(number):
        return Posted(error="Enter a number using digits, like 5", raw=raw)
    if q.type == "integer" and not number.is_integer():
        return Posted(error=f"Enter a whole number from {lo} to {hi}", raw=raw)
    if (q.min is not None and number < q.min) or (q.max is not None and number > q.max):
        kind = "a whole number" if q.type == "integer" else "a number"
        return Posted(error=f"Enter {kind} from {lo} to {hi}", raw=raw)
    return Posted(value=int(number) if q.type == "integer" else number, raw=raw)


def _parse_list(q: Question, text: str) -> Posted:
    raw = [text]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if q.max_items is not None and len(lines) > q.max_items:
        return Posted(error=f"Write at most {q.max_items}, one on each line", raw=raw)
    if q.max_length is not None and any(len(line) > q.max_length for line in lines):
        return Posted(error=f"Each line must be {q.max_length} characters or fewer", raw=raw)
    if len(lines) == 1 and _DONT_KNOW_TYPED.match(lines[0]):
        return Posted(declined=True)
    return Posted(value=list(dict.fromkeys(lines)), raw=raw)


def parse(q: Question, form: FormData) -> Posted:
    """Read the answer to ``q`` from a posted form."""
    if form.get("dont_know"):
        return Posted(declined=True)
    picked = [v for v in form.getlist(FIELD) if isinstance(v, str)]
    if q.type in ("integer", "number"):
        return _parse_number(q, picked[0] if picked else "")
    if q.type == "text_list":
        return _parse_list(q, picked[0] if picked else "")
    if q.type in ("boolean", "choice"):
        allowed = ["yes", "no"] if q.type == "boolean" else [o.value for o in q.options]
        choice = picked[0] if len(picked) == 1 else None
        if choice == DONT_KNOW:
            return Posted(declined=True)
        if choice not in allowed:
            return Posted(error="Select one answer, or \u201cI don't know\u201d", raw=picked)
        return Posted(value=(choice == "yes") if q.type == "boolean" else choice, raw=picked)
    return _parse_multi(q, picked)


def _parse_multi(q: Question, picked: list[str]) -> Posted:
    values = [o.value for o in q.options]
    chosen = [v for v in picked if v in values]
    special = [v for v in picked if v in (NONE, DONT_KNOW)]
    none_text = f"\u201c{q.none_label}\u201d, " if q.none_label else ""
    if not picked or len(chosen) + len(special) != len(picked):
        return Posted(error=f"Select all that apply, or {none_text}or \u201cI don't know\u201d", raw=picked)
    if special and (chosen or len(special) > 1):
        return Posted(
            error=f"Select the ones that apply, or {none_text}or \u201cI don't know\u201d on its own",
            raw=picked,
        )
    if special == [DONT_KNOW]:
        return Posted(declined=True)
    if special == [NONE]:
        return Posted(value=[] if q.none_label else None, raw=picked)
    return Posted(value=chosen, raw=picked)


def shown(q: Question, value: Any, declined: bool) -> list[str]:
    """The form values that show a stored answer (or "I don't know") again."""
    if declined:
        return [DONT_KNOW]
    if value is None:
        return []
    if q.type == "boolean":
        return ["yes" if value else "no"]
    if q.type in ("integer", "number"):
        return [_number_text(value)]
    if q.type == "text_list":
        return ["\n".join(value)]
    if q.type == "multi_choice":
        return list(value) or [NONE]
    return [str(value)]


def _heading(q: Question) -> dict[str, Any]:
    return {"text": q.text, "isPageHeading": True, "size": "l"}


def _hint(q: Question, extra: str = "") -> dict[str, Any] | None:
    text = " ".join(part for part in (q.help or "", extra) if part)
    return {"text": text} if text else None


def macro_params(q: Question, raw: list[str], error: str | None) -> tuple[str, dict[str, Any]]:
    """Which NHS.UK macro renders ``q`` (``radios``, ``checkboxes``, ``input``, ``textarea``) and
    its parameters, with ``raw`` selected or filled in and ``error`` shown inline."""
    error_message = {"text": error} if error else None
    if q.type in ("boolean", "choice"):
        options = (
            [("yes", "Yes"), ("no", "No")] if q.type == "boolean" else [(o.value, o.label) for o in q.options]
        )
        items: list[dict[str, Any]] = [{"value": v, "text": t, "checked": v in raw} for v, t in options]
        items += [
            {"divider": "or"},
            {"value": DONT_KNOW, "text": DONT_KNOW_LABEL, "checked": DONT_KNOW in raw},
        ]
        return "radios", {
            "idPrefix": FIELD,
            "name": FIELD,
            "fieldset": {"legend": _heading(q)},
            "hint": _hint(q),
            "items": items,
            "errorMessage": error_message,
        }
    if q.type == "multi_choice":
        items = [{"value": o.value, "text": o.label, "checked": o.value in raw} for o in q.options]
        items.append({"divider": "or"})
        if q.none_label:
            items.append(
                {"value": NONE, "text": q.none_label, "checked": NONE in raw, "behaviour": "exclusive"}
            )
        items.append(
            {
                "value": DONT_KNOW,
                "text": DONT_KNOW_LABEL,
                "checked": DONT_KNOW in raw,
                "behaviour": "exclusive",
            }
        )
        return "checkboxes", {
            "idPrefix": FIELD,
            "name": FIELD,
            "fieldset": {"legend": _heading(q)},
            "hint": _hint(q, "Select all that apply."),
            "items": items,
            "errorMessage": error_message,
        }
    text = raw[0] if raw and raw[0] != DONT_KNOW else ""
    if q.type == "text_list":
        return "textarea", {
            "id": FIELD,
            "name": FIELD,
            "label": _heading(q),
            "hint": _hint(q, "Leave it empty if there are none."),
            "value": text,
            "rows": 5,
            "spellcheck": False,
            "errorMessage": error_message,
        }
    return "input", {
        "id": FIELD,
        "name": FIELD,
        "label": _heading(q),
        "hint": _hint(q),
        "value": text,
        "inputmode": "numeric" if q.type == "integer" else "decimal",
        "spellcheck": False,
        "autocomplete": "off",
        "classes": "nhsuk-input--width-5",
        "suffix": q.unit,
        "errorMessage": error_message,
    }


def summary_text(q: Question, value: Any, declined: bool) -> str:
    """A stored answer in words, for check your answers."""
    if declined:
        return DONT_KNOW_LABEL
    if q.type == "boolean":
        return "Yes" if value else "No"
    if q.type in ("integer", "number"):
        return f"{_number_text(value)} {q.unit or ''}".strip()
    if q.type == "choice":
        opt = q.option(str(value))
        return opt.label if opt else str(value)
    if q.type == "multi_choice":
        if not value:
            return q.none_label or "None"
        return ", ".join(o.label if (o := q.option(v)) else v for v in value)
    return ", ".join(value) if value else "None"
