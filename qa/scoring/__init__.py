"""Call scoring: pure metrics computed from a transcript (talk, silence, over-talk, fillers)."""
