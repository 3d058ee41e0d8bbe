"""Official documents: layout (GB/T 9704), draft context, citations, kinds and text checks.

- :mod:`.gbt9704` — python-docx layout helpers shared by every document writer;
- :mod:`.context` — :class:`DraftContext` and its JSON loader;
- :mod:`.citing` — :func:`cite`: structured citations resolved from the statute store;
- :mod:`.checks` — :func:`missing_items_59` and other text checks;
- :mod:`.kinds` — the document kinds the drafting service produces.
"""
from assistant.documents.checks import ITEMS_59, missing_items_59, outdated_phrases
from assistant.documents.citing import CitationRef, cite
from assistant.documents.kinds import KINDS, DocKind, doc_kind

__all__ = ["ITEMS_59", "KINDS", "CitationRef", "DocKind", "cite", "doc_kind", "missing_items_59", "outdated_phrases"]
