"""The live recording panel: clock against target, input level, silence, overflows, captions."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from voiceprep.core.timefmt import clock

SILENCE_DB = -45.0  # below this level a block counts as silence


def recording_panel(elapsed: float, target: float, limit: float, level_db: float, silent_for: float,
                    overflows: int, captions: list[str] | None = None) -> Panel:
    """What the user sees while answering, redrawn for every block."""
    width = 30
    filled = int(max(0.0, min(1.0, (level_db + 60) / 60)) * width)
    meter = Text("█" * filled, style="green" if level_db > SILENCE_DB else "dim") + Text("░" * (width - filled), style="dim")
    if silent_for >= 1.0:
        status = Text(f"  silence {silent_for:.0f} s", style="yellow")
    elif level_db > SILENCE_DB:
        status = Text("  speaking", style="green")
    else:
        status = Text("  quiet", style="dim")
    over = elapsed > target
    shown = Text(f"{clock(elapsed)} / {clock(target)}", style="red" if over else "bold")
    lines = [Text("● REC  ", style="bold red") + shown + Text(f"  (limit {clock(limit)})", style="dim"),
             Text("level  ") + meter + status]
    if overflows:
        lines.append(Text(f"input overflows: {overflows}", style="red"))
    if captions is not None:
        heard = "".join(captions[-24:]).strip()
        lines.append(Text(f"heard: …{heard}" if heard else "heard: (listening)", style="italic"))
    lines.append(Text("Enter: finish · Ctrl-C: stop and keep the answer", style="dim"))
    return Panel(Group(*lines), title="Recording", title_align="left", border_style="red")
