"""Recognising the listed medicines as people write them."""

from __future__ import annotations

import pytest

from crampcheck.guidance import load_guidance
from crampcheck.medicines import MedicineMatcher, tokens


@pytest.fixture(scope="module")
def matcher() -> MedicineMatcher:
    return MedicineMatcher.from_guidance(load_guidance())


@pytest.mark.parametrize(
    ("written", "generic"),
    [
        ("naproxen", "naproxen"),
        ("NAPROXEN SODIUM 550MG TABLETS", "naproxen"),
        ("Aleve", "naproxen"),
        ("Naprosyn 250 mg", "naproxen"),
        ("EC-Naprosyn 500mg", "naproxen"),
        ("teriparatide", "teriparatide"),
        ("Forsteo 20 micrograms/80 microlitres pen", "teriparatide"),
        ("Forteo pen", "teriparatide"),
        ("Venofer 100mg/5ml infusion", "iron sucrose"),
        ("iron sucrose (IV)", "iron sucrose"),
        ("Premarin 0.625 mg", "conjugated estrogens"),
        ("conjugated oestrogens", "conjugated estrogens"),
        ("Duavee", "conjugated estrogens"),
        ("Evista 60mg", "raloxifene"),
        ("raloxifene hydrochloride", "raloxifene"),
        ("Microgynon 30", "oral contraceptive"),
        ("the pill", "oral contraceptive"),
        ("birth control pills", "oral contraceptive"),
        ("Yaz", "oral contraceptive"),
        ("Cerazette 75 microgram tablets", "oral contraceptive"),
    ],
)
def test_listed_medicines_match(matcher: MedicineMatcher, written: str, generic: str) -> None:
    assert matcher.match(written) == (generic,)


@pytest.mark.parametrize(
    "written",
    [
        "paracetamol",
        "ibuprofen 400mg",
        "ferrous sulfate tablets",  # oral iron is not iron sucrose
        "sleeping pill",
        "contraceptive implant",
        "estradiol patch",
        "amlodipine",
        "Naprosin",  # misspelt: never guess
        "",
        "60 mg tablets",
    ],
)
def test_unlisted_medicines_never_match(matcher: MedicineMatcher, written: str) -> None:
    assert matcher.match(written) == ()


def test_match_all_keeps_order_without_repeats(matcher: MedicineMatcher) -> None:
    assert matcher.match_all(["Aleve", "Evista", "naproxen 250mg"]) == ("naproxen", "raloxifene")


def test_tokens_drop_strengths_and_ignored_words() -> None:
    assert tokens("Evista 60 mg Tablets", frozenset({"mg", "tablet"})) == ("evista",)
    assert tokens("0.03/0.15 levonorgestrel") == ("levonorgestrel",)
