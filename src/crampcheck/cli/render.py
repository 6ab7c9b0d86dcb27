"""Rich rendering of an assessment for the terminal.

>>> from io import StringIO
>>> from rich.console import Console
>>> from crampcheck.engine import assess
>>> console = Console(file=StringIO(), width=80)
>>> render_assessment(console, assess({"cramps_per_week": 7}))
>>> "Book an appointment with a GP" in console.file.getvalue()
True
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from crampcheck.engine import Assessment, Citation
from crampcheck.guidance import Guidance, load_guidance

STYLES = {"immediate": "bold white on red", "urgent": "bold red", "non-urgent": "bold blue"}


def cite(citations: list[Citation], guidance: Guidance) -> str:
    """'NHS inform: When to get help; ...' for a list of citations."""
    return "; ".join(
        f"{guidance.sources[c.id].short}: {guidance.section_title(c.id, c.section)}" for c in citations
    )


def render_assessment(console: Console, result: Assessment, guidance: Guidance | None = None) -> None:
    """Print the disposition as a panel, then reasons, causes and advice, each with sources."""
    g = guidance or load_guidance()
    style = STYLES[result.care_card]
    todo = Text()
    todo.append(result.disposition_label + "\n", style=style)
    for step in result.what_to_do:
        todo.append(f"• {step}\n")
    console.print(Panel(todo, title="What to do now", border_style=style.split()[-1]))

    console.print(Text("Why", style="bold"))
    for reason in result.reasons:
        line = Text(f"• {reason.text}")
        if reason.assumed:
            line.append(f" (not known, so we assumed the safer answer for: {', '.join(reason.assumed)})")
        console.print(line)
        console.print(Text(f"  Source: {cite(reason.sources, g)}", style="dim"))

    console.print(Text("\nPossible causes to discuss (not a diagnosis)", style="bold"))
    for cause in result.causes:
        console.print(Text(f"• {cause.title}: {cause.text}"))
        console.print(Text(f"  Source: {cite(cause.sources, g)}", style="dim"))

    console.print(Text("\nLooking after yourself", style="bold"))
    for item in result.advice:
        body: list[Text] = [Text(item.text)]
        body += [Text(f"{n}. {step}") for n, step in enumerate(item.steps, start=1)]
        body.append(Text(f"Source: {cite(item.sources, g)}", style="dim"))
        console.print(Panel(Group(*body), title=item.title, title_align="left", border_style="dim"))
    console.print(Text(f"Guidance version {result.guidance_version}. This is not a diagnosis.", style="dim"))
