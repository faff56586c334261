"""The publisher's pure rules: a publication's states and steps, its progress, the identifiers
its Xero requests carry, and the audit report. Nothing here does IO."""
