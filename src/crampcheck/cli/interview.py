"""The interactive assessment: one question at a time, most urgent first, with "don't know".

Choices are picked by number on the keyboard; ``d`` is "don't know" (never read as "no").
An emergency is shown the moment it is reached.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.prompt import Prompt
from rich.text import Text

from crampcheck.answers import AnswersError, describe, validate_answers
from crampcheck.engine import Assessment, Engine
from crampcheck.guidance.model import Question

DONT_KNOW = "d"


def _options_text(q: Question) -> Text:
    text = Text()
    for n, option in enumerate(q.options, start=1):
        text.append(f"  {n}", style="bold cyan")
        text.append(f"  {option.label}\n")
    if q.type == "multi_choice" and q.none_label:
        text.append("  0", style="bold cyan")
        text.append(f"  {q.none_label}\n")
    text.append(f"  {DONT_KNOW}", style="bold cyan")
    text.append("  I don't know\n")
    return text


def _hint(q: Question) -> str:
    if q.type == "boolean":
        return f"y = yes, n = no, {DONT_KNOW} = don't know"
    if q.type == "choice":
        return "type a number"
    if q.type == "multi_choice":
        return "type numbers separated by commas" + (", 0 for none" if q.none_label else "")
    if q.type == "text_list":
        return "separate them with commas; leave empty for none"
    return f"a number{f' ({q.unit})' if q.unit else ''}, or {DONT_KNOW} for don't know"


def parse_reply(q: Question, reply: str) -> Any:
    """Turn a typed reply into an answer value; ``None`` means "don't know".

    >>> from crampcheck.guidance import load_guidance
    >>> parse_reply(load_guidance().question_map["which_leg"], "2")
    'right'

    Raises ValueError with a message for the person when the reply makes no sense.
    """
    reply = reply.strip()
    if reply.lower() in (DONT_KNOW, "don't know", "dont know", "?"):
        return None
    if q.type == "boolean":
        if reply.lower() in ("y", "yes"):
            return True
        if reply.lower() in ("n", "no"):
            return False
        raise ValueError("please type y, n or d")
    if q.type == "text_list":
        return [part.strip() for part in reply.replace("\n", ",").split(",") if part.strip()]
    if q.type in ("integer", "number"):
        try:
            return int(reply) if q.type == "integer" else float(reply)
        except ValueError:
            raise ValueError(f"please type {describe(q).removeprefix('must be ')}") from None
    picks: list[str] = []
    for part in reply.replace(" ", ",").split(","):
        if not part:
            continue
        if part == "0" and q.type == "multi_choice" and q.none_label:
            continue
        if not part.isdigit() or not 1 <= int(part) <= len(q.options):
            raise ValueError(f"please type numbers from 1 to {len(q.options)}")
        picks.append(q.options[int(part) - 1].value)
    if q.type == "choice":
        if len(picks) != 1:
            raise ValueError("please type one number")
        return picks[0]
    if not picks and not (reply == "0" and q.none_label):
        raise ValueError("please type at least one number")
    return picks


def interview(engine: Engine, console: Console | None = None) -> Assessment:
    """Ask questions until nothing left could change the outcome; return the assessment."""
    console = console or Console()
    console.print(
        Text(
            "crampcheck: leg cramps. This is not a diagnosis. If you have chest pain or are struggling "
            "to breathe, call 999 now.",
            style="bold",
        )
    )
    answers: dict[str, Any] = {}
    declined: set[str] = set()
    while True:
        pending = engine.next_questions(answers, declined)
        if not pending:
            break
        q = pending[0]
        console.print()
        console.print(Text(q.text, style="bold"))
        if q.help:
            console.print(Text(q.help, style="dim"))
        if q.options:
            console.print(_options_text(q), end="")
        while True:
            reply = Prompt.ask(f"[dim]({_hint(q)})[/dim]", console=console, default="", show_default=False)
            try:
                value = parse_reply(q, reply)
                if value is None:
                    declined.add(q.key)
                    break
                answers = validate_answers({**answers, q.key: value}, engine.guidance)
                break
            except AnswersError as exc:
                console.print(Text(exc.problems.get(q.key, str(exc)), style="red"))
            except ValueError as exc:
                console.print(Text(str(exc), style="red"))
        if engine.assess(answers).disposition == "emergency":
            break
    return engine.assess(answers)
