"""``crampcheck fhir ...``: FHIR R4B exports and assessment from the command line.

- ``crampcheck fhir questionnaire``: the questionnaire as a FHIR ``Questionnaire``;
- ``crampcheck fhir observations``: your diary as a ``Bundle`` of ``Observation`` resources;
- ``crampcheck fhir assess FILE``: a ``QuestionnaireResponse`` in, a ``RiskAssessment`` out
  (an ``OperationOutcome`` and exit 2 for a resource it cannot assess).

Output is JSON on standard output, or in ``--out FILE``. FHIR code is imported only when a
command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from crampcheck.cli.diary import DbOption, EmailOption

OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")]


def register(app: typer.Typer) -> None:
    """Add the ``fhir`` command group to ``app``."""
    group = typer.Typer(help="FHIR R4B: export the questionnaire or your diary, assess a response.")
    group.command("questionnaire")(questionnaire)
    group.command("observations")(observations)
    group.command("assess")(assess)
    app.add_typer(group, name="fhir")


def _write(resource: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}.", err=True)


def questionnaire(out: OutOption = None) -> None:
    """Print the questionnaire as a FHIR R4B Questionnaire (generated from the guidance)."""
    from crampcheck.fhir import questionnaire as build

    _write(build(), out)


def observations(
    out: OutOption = None,
    database_url: DbOption = None,
    email: EmailOption = None,
) -> None:
    """Print your cramp diary as a FHIR R4B Bundle of Observations (SNOMED CT 449918009)."""
    from crampcheck.cli.diary import open_diary
    from crampcheck.fhir import observation_bundle

    with open_diary(database_url, email) as (repo, person):
        episodes = repo.list_episodes(person, limit=None, newest_first=False)
    _write(observation_bundle((e.to_json() for e in episodes), "Patient/me"), out)


def assess(
    response: Annotated[
        str, typer.Argument(help="A QuestionnaireResponse JSON file ('-' for standard input).")
    ],
    out: OutOption = None,
) -> None:
    """Assess a FHIR QuestionnaireResponse; print the RiskAssessment (exit 2 and an OperationOutcome
    when the resource cannot be assessed)."""
    from crampcheck.fhir import FhirError, assess_response, operation_outcome

    text = sys.stdin.read() if response == "-" else Path(response).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _write(operation_outcome([("structure", f"not JSON: {exc.msg}", None)]), None)
        raise typer.Exit(2) from None
    try:
        result = assess_response(data)
    except FhirError as exc:
        _write(exc.outcome(), None)
        raise typer.Exit(2) from None
    _write(result, out)
