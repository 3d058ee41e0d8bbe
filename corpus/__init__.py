"""Loading and parsing legal sources: statutes, user-supplied regulations, discretion benchmarks, precedents."""
