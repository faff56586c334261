"""Approval's pure domain: the workflow document, the rule matrix, the request lifecycle and
the request aggregate, and the rules that bind the organisation's people to its workflow
(roles, substitutes, tokens). Nothing here does IO; a rule that says no raises a refusal
(``refusals.py``)."""
