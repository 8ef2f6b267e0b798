"""The office console: the office's (and, read-only, the observers') pages for judging.

``nav``: where the year stands and the next step (pure), and the list of the
console's pages; ``queries``: its reads; ``views`` and ``urls``: the pages and
their actions under /judging/office/, each action calling the same service as
the API.
"""
