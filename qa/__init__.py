"""callqa: offline-first call-centre QA."""
