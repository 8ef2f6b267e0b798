"""Year setup: the office builds a year's structure in pages (issue 13).

- ``seals``: the pure check of an uploaded seal image (Pillow, no database);
- ``services``: copying a year, categories, per-unit quota overrides, the
  rubric and the rounds as a whole, issuers and their seals;
- ``forms``, ``views``, ``urls``: the Chinese pages under ``/competitions/<pk>/setup/``.
"""
