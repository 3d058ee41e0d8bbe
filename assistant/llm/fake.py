"""Deterministic fakes shipped with the package (tests and demo mode share them)."""
from __future__ import annotations

import time
from typing import Callable, Sequence


class ScriptedLLM:
    """Returns scripted answers in turn (the last one repeats); an answer may be a callable of the
    prompt or an exception instance to raise. ``prompts`` records what it was asked."""

    name = "scripted"

    def __init__(self, answers: Sequence[str | Exception | Callable[[str], str]], *, delay: float = 0.0) -> None:
        if not answers:
            raise ValueError("ScriptedLLM needs at least one answer")
        self.answers = list(answers)
        self.delay = delay
        self.prompts: list[str] = []

    def generate(self, prompt: str, *, max_tokens: int) -> str:
        self.prompts.append(prompt)
        answer = self.answers[min(len(self.prompts) - 1, len(self.answers) - 1)]
        if self.delay:
            time.sleep(self.delay)
        if isinstance(answer, Exception):
            raise answer
        return answer(prompt) if callable(answer) else answer
