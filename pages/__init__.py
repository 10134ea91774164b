"""Pages that belong to no feature: errors, and the notices every public service carries."""
