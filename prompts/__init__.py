"""Prompt and document templates as files with declared variables, rendered strictly."""
