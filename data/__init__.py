"""specrag's data: prompts, sensitive-word lists, glossary, model table, sample corpus.

Read from this folder in a source checkout; a wheel installs it as the package `specrag_data`
(see pyproject.toml). `api/settings.py` is the one place that finds it.
"""
