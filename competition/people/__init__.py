"""The office's pages for recommending units, accounts and judges (issue #13 items 7–9)."""
