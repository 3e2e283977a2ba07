"""Compliance detectors: profanity, raised voice, script adherence, personal data."""
