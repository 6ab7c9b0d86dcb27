"""CDS Hooks 2.0: a ``patient-view`` service that points out leg-cramp causes in a patient record.

The service reads what the EHR prefetched (the patient's active conditions and medicines) and
returns at most two cards: a ``warning`` naming medicines the guidance links to cramps and an
``info`` card naming conditions that can cause them, each with a link to the patient's own
assessment. Conditions are matched by SNOMED CT or ICD-10 code (``codes.yaml``), medicines by
name (:class:`crampcheck.medicines.MedicineMatcher`). All wording comes from the guidance.

The service never fetches from the EHR's FHIR server itself: without the prefetch it answers 412,
as the specification allows ("if the CDS Service is unable to obtain the data it needs").

>>> [s["id"] for s in discovery()["services"]]
['leg-cramps']
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from crampcheck.guidance import Guidance, load_guidance
from crampcheck.guidance.codes import Codes, load_codes
from crampcheck.guidance.model import SourceRef
from crampcheck.medicines import MedicineMatcher

SERVICE_ID = "leg-cramps"
HOOK = "patient-view"
ASSESSMENT_PATH = "/"
"""Where the patient's assessment starts, relative to the app's address (card link)."""
SUMMARY_LIMIT = 140
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
    "medications": "MedicationRequest?patient={{context.patientId}}&status=active",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&status=active",
}
REQUIRED_PREFETCH = ("conditions", "medications")

_INACTIVE_CONDITION = {"inactive", "remission", "resolved"}
_UNCONFIRMED_CONDITION = {"refuted", "entered-in-error"}
_CURRENT_MEDICINE = {
    "MedicationRequest": {"active", "on-hold", "unknown"},
    "MedicationStatement": {"active", "intended", "on-hold", "unknown"},
}


class CdsError(Exception):
    """A request the service cannot answer: ``status`` 400 (malformed) or 412 (no data)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def discovery() -> dict[str, Any]:
    """The discovery document for ``GET /cds-services``."""
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "Leg cramps: causes in the record",
                "description": (
                    "Names medicines and conditions in the patient's record that the leg-cramp "
                    "guidance lists as possible causes, and links to the patient's own assessment."
                ),
                "prefetch": dict(PREFETCH),
                "usageRequirements": (
                    "Send the 'conditions' and 'medications' prefetch (null when there is no data): "
                    "the service does not query the FHIR server and answers 412 without them."
                ),
            }
        ]
    }


@dataclass(frozen=True)
class Found:
    """What the record holds that matters for leg cramps."""

    medicines: dict[str, list[str]]
    """Generic name -> the texts in the record that named it."""
    conditions: list[str]
    """Contract condition ids, in record order."""


def check_request(body: object) -> Mapping[str, Any]:
    """The request's structure as CDS Hooks 2.0 and the patient-view hook define it."""
    if not isinstance(body, Mapping):
        raise CdsError(400, "the request must be a JSON object")
    if body.get("hook") != HOOK:
        raise CdsError(400, f"this service answers the '{HOOK}' hook")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        raise CdsError(400, "hookInstance is required")
    context = body.get("context")
    if not isinstance(context, Mapping):
        raise CdsError(400, "context is required")
    for key in ("userId", "patientId"):
        if not isinstance(context.get(key), str) or not context[key]:
            raise CdsError(400, f"context.{key} is required by the {HOOK} hook")
    if body.get("fhirAuthorization") is not None and not body.get("fhirServer"):
        raise CdsError(400, "fhirServer is required when fhirAuthorization is given")
    prefetch = body.get("prefetch")
    if prefetch is not None and not isinstance(prefetch, Mapping):
        raise CdsError(400, "prefetch must be an object")
    missing = [k for k in REQUIRED_PREFETCH if not isinstance(prefetch, Mapping) or k not in prefetch]
    if missing:
        raise CdsError(
            412, f"prefetch needed: {', '.join(missing)} (this service does not query the FHIR server)"
        )
    return body


def _resources(value: object) -> Iterator[Mapping[str, Any]]:
    # A prefetch value is a resource, a searchset Bundle, or null (no data).
    if not isinstance(value, Mapping):
        return
    if value.get("resourceType") == "Bundle":
        for entry in value.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, Mapping) else None
            if isinstance(resource, Mapping):
                yield resource
    elif value.get("resourceType"):
        yield value


def _codes_of(concept: object) -> Iterator[tuple[str | None, str | None]]:
    if isinstance(concept, Mapping):
        for coding in concept.get("coding") or []:
            if isinstance(coding, Mapping):
                yield coding.get("system"), coding.get("code")


def _status_codes(concept: object) -> set[str]:
    return {code for _, code in _codes_of(concept) if code}


def _for_patient(resource: Mapping[str, Any], patient_id: str) -> bool:
    ref = (resource.get("subject") or {}).get("reference")
    return not ref or str(ref).rstrip("/").endswith(f"Patient/{patient_id}")


def conditions_in(resources: Iterable[Mapping[str, Any]], codes: Codes, patient_id: str) -> list[str]:
    """Contract condition ids of the active, not refuted Conditions among ``resources``."""
    found: list[str] = []
    for res in resources:
        if res.get("resourceType") != "Condition" or not _for_patient(res, patient_id):
            continue
        if _status_codes(res.get("clinicalStatus")) & _INACTIVE_CONDITION:
            continue
        if _status_codes(res.get("verificationStatus")) & _UNCONFIRMED_CONDITION:
            continue
        for system, code in _codes_of(res.get("code")):
            cid = codes.condition_for(system, code)
            if cid and cid not in found:
                found.append(cid)
    return found


def _concept_texts(concept: object) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    texts = [str(concept["text"])] if concept.get("text") else []
    texts += [
        str(c["display"]) for c in concept.get("coding") or [] if isinstance(c, Mapping) and c.get("display")
    ]
    return texts


def _medicine_texts(res: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]]) -> list[str]:
    texts = _concept_texts(res.get("medicationCodeableConcept"))
    ref = res.get("medicationReference")
    if isinstance(ref, Mapping):
        target = str(ref.get("reference") or "")
        if target.startswith("#"):
            contained = {str(c.get("id")): c for c in res.get("contained") or [] if isinstance(c, Mapping)}
            medication = contained.get(target[1:])
        else:
            medication = medications.get(target.split("/")[-1]) if "Medication/" in target else None
        if medication is not None:
            texts += _concept_texts(medication.get("code"))
        if ref.get("display"):
            texts.append(str(ref["display"]))
    return texts


def medicines_in(
    resources: Iterable[Mapping[str, Any]], matcher: MedicineMatcher, patient_id: str
) -> dict[str, list[str]]:
    """Listed medicines named by current MedicationRequests/MedicationStatements."""
    items = list(resources)
    medications = {str(r.get("id")): r for r in items if r.get("resourceType") == "Medication"}
    found: dict[str, list[str]] = {}
    for res in items:
        current = _CURRENT_MEDICINE.get(str(res.get("resourceType")))
        if current is None or not _for_patient(res, patient_id):
            continue
        if res.get("status") and res["status"] not in current:
            continue
        for text in _medicine_texts(res, medications):
            for generic in matcher.match(text):
                seen = found.setdefault(generic, [])
                if text not in seen:
                    seen.append(text)
    return found


def find(body: Mapping[str, Any], guidance: Guidance | None = None, codes: Codes | None = None) -> Found:
    """What a checked request's prefetch holds that matters for leg cramps."""
    g, c = guidance or load_guidance(), codes or load_codes()
    patient_id = str(body["context"]["patientId"])
    prefetch = body["prefetch"]
    med_resources = [
        *_resources(prefetch.get("medications")),
        *_resources(prefetch.get("medicationStatements")),
    ]
    return Found(
        medicines=medicines_in(med_resources, _matcher(g), patient_id),
        conditions=conditions_in(_resources(prefetch.get("conditions")), c, patient_id),
    )


@cache
def _matcher(g: Guidance) -> MedicineMatcher:
    return MedicineMatcher.from_guidance(g)


# --- cards ---------------------------------------------------------------------------------------


def fit_summary(template: str, more: str, names: list[str], limit: int = SUMMARY_LIMIT) -> str:
    """``template`` filled with as many ``names`` as keep it under ``limit`` characters.

    >>> fit_summary("Found: {names}", "{names} and {count} more", ["a", "b", "c"], limit=20)
    'Found: a, b, c'
    >>> fit_summary("Found: {names}", "{names} and {count} more", ["alpha", "beta", "gamma"], limit=25)
    'Found: alpha and 2 more'
    """
    for shown in range(len(names), 0, -1):
        listed = ", ".join(names[:shown])
        if shown < len(names):
            listed = more.format(names=listed, count=len(names) - shown)
        text = template.format(names=listed)
        if len(text) < limit:
            return text
    text = template.format(
        names=more.format(names=names[0], count=len(names) - 1) if len(names) > 1 else names[0]
    )
    return text[: limit - 2] + "…"


_MARKDOWN = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    # Record texts come from the EHR: shown literally, never as markup.
    return _MARKDOWN.sub(r"\\\1", text)


def _source(g: Guidance, refs: Iterable[SourceRef]) -> dict[str, str]:
    for ref in refs:
        src = g.sources.get(ref.id)
        if src is not None and src.url:
            return {"label": f"{src.publisher}: {src.title}", "url": src.url}
    first = g.source_list[0]
    return {"label": f"{first.publisher}: {first.title}", **({"url": first.url} if first.url else {})}


def cards(found: Found, hook_instance: str, base_url: str, g: Guidance, codes: Codes) -> list[dict[str, Any]]:
    """The cards for what was found: none when the record holds nothing relevant."""
    texts = codes.cards
    link = {
        "label": texts.link_label,
        "url": base_url.rstrip("/") + ASSESSMENT_PATH,
        "type": "absolute",
    }
    out: list[dict[str, Any]] = []
    if found.medicines:
        meds = {m.generic: m for m in g.medicines}
        names = list(found.medicines)
        lines = [texts.detail_intro, ""]
        for name in names:
            recorded = "; ".join(f'"{_md(t)}"' for t in found.medicines[name])
            lines.append(f"- **{name.capitalize()}** ({recorded}): {meds[name].note}")
        refs = [ref for name in names for ref in meds[name].sources]
        out.append(
            _card("medicines", hook_instance, "warning", texts.medicines_summary, texts.more, names, lines)
        )
        out[-1].update(source=_source(g, refs), links=[link])
    if found.conditions:
        causes = {c.id: c for c in g.causes}
        titles = [causes[cid].title for cid in found.conditions]
        lines = [texts.detail_intro, ""]
        lines += [f"- **{causes[cid].title}**: {causes[cid].text}" for cid in found.conditions]
        refs = [ref for cid in found.conditions for ref in causes[cid].sources]
        out.append(
            _card("conditions", hook_instance, "info", texts.conditions_summary, texts.more, titles, lines)
        )
        out[-1].update(source=_source(g, refs), links=[link])
    return out


def _card(
    kind: str,
    hook_instance: str,
    indicator: str,
    template: str,
    more: str,
    names: list[str],
    lines: list[str],
) -> dict[str, Any]:
    return {
        # Stable per request and card kind, so feedback can name the card.
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"crampcheck:{hook_instance}:{kind}")),
        "summary": fit_summary(template, more, names),
        "indicator": indicator,
        "detail": "\n".join(lines),
    }


def call(
    body: object, base_url: str, guidance: Guidance | None = None, codes: Codes | None = None
) -> dict[str, Any]:
    """``POST /cds-services/leg-cramps``: the response with its cards; raises :class:`CdsError`."""
    g, c = guidance or load_guidance(), codes or load_codes()
    request = check_request(body)
    return {"cards": cards(find(request, g, c), str(request["hookInstance"]), base_url, g, c)}
