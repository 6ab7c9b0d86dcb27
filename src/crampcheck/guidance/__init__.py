"""The leg-cramp guidance as cited data: questions, rules, causes, medicines, advice.

The content lives in YAML files next to this module and is validated when loaded.

>>> g = load_guidance()
>>> sorted(g.sources)
['nhs-dvt', 'nhs-inform', 'uk-cmo-alcohol', 'vein-clinic']
"""

from __future__ import annotations

from functools import cache

from crampcheck.guidance.guidance import Guidance
from crampcheck.guidance.loader import GuidanceError, read_guidance

__all__ = ["Guidance", "GuidanceError", "load_guidance", "read_guidance"]


@cache
def load_guidance() -> Guidance:
    """The package's guidance, loaded once per process; raises :class:`GuidanceError`."""
    guidance, problems = read_guidance()
    if guidance is None:
        raise GuidanceError(problems)
    return guidance
