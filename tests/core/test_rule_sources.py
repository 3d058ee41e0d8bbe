"""Every legal rule encoded as data names its source article; each of those citations must resolve
to an article in force in the statute store (a typo or a repealed source would otherwise reach an
officer as the reason a step is refused)."""
from datetime import date
from pathlib import Path

from assistant import agency_settings, lifecycle, lifecycle_rules, simple_forms
from assistant.citations import verify_citations

ROOT = Path(__file__).resolve().parents[2]
DATA = sorted((ROOT / "assistant" / "data").glob("*.json")) + [ROOT / "assistant" / "av_rules.json"]
TEMPLATES = sorted((ROOT / "prompts").rglob("*.tmpl"))


def _sources() -> dict[str, str]:
    out = {f"gate {key}": gate.article for key, gate in lifecycle.GATES.items()}
    out.update({str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in DATA + TEMPLATES})
    out.update({"simple_forms.ARTICLE": simple_forms.ARTICLE, "agency_settings.HEARING_SOURCE": agency_settings.HEARING_SOURCE,
                "lifecycle_rules": Path(lifecycle_rules.__file__).read_text(encoding="utf-8")})
    return out


def test_every_encoded_rule_source_resolves_to_an_article_in_force(statute_store):
    today = date(2026, 11, 22)
    checked, broken = 0, []
    for where, text in _sources().items():
        for check in verify_citations(text, statute_store, today):
            checked += 1
            if not check.ok:
                broken.append(f"{where}: {check.citation.text} — {check.message}")
    assert checked >= 60  # 66 when written: the gates cite ~20 articles, the data files and templates the rest
    assert not broken, "\n".join(broken)
