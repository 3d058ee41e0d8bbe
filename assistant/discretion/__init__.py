"""裁量 (discretion): benchmark records, the statutory factor table and the deterministic
recommender (domain-spec §4). Importers live in :mod:`corpus.benchmarks`; persistence in
:mod:`assistant.discretion.repository`."""
from assistant.discretion.model import (
    BASE_OF_UNIT, CNY, FINE_UNITS, STATUTORY_FACTORS, BenchmarkBand, CitationCheck, Condition, DiscretionBenchmark,
    DiscretionFactor, FirstOffenceEntry, QuantityRange, statutory_factor, to_dict,
)
from assistant.discretion.recommend import (
    CaseFacts, ExplanationStep, Finding, Recommendation, RecommenderConfig, ReviewRule, check_proposed, recommend,
)

__all__ = [
    "BASE_OF_UNIT", "CNY", "FINE_UNITS", "STATUTORY_FACTORS", "BenchmarkBand", "CitationCheck", "Condition",
    "DiscretionBenchmark", "DiscretionFactor", "FirstOffenceEntry", "QuantityRange", "statutory_factor", "to_dict",
    "CaseFacts", "ExplanationStep", "Finding", "Recommendation", "RecommenderConfig", "ReviewRule",
    "check_proposed", "recommend",
]
