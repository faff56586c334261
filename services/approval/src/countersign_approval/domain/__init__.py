"""Approval's pure domain: the workflow document, the rule matrix, the request lifecycle and
the request aggregate. Nothing here does IO."""
