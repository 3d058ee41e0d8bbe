"""Chart helpers shared by every matplotlib chart: a CJK font so Chinese labels are not boxes."""
from __future__ import annotations

from functools import lru_cache

_PREFERRED = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei", "Source Han Sans SC")


@lru_cache(maxsize=1)
def use_cjk_font() -> str | None:
    """Select the first installed CJK font for matplotlib; returns its name (None if none found)."""
    import matplotlib
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in _PREFERRED:
        if name in names:
            matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["axes.unicode_minus"] = False
            return name
    return None
