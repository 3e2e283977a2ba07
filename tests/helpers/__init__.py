"""Code the test modules share; imported as ``helpers`` (pytest puts tests/ on sys.path)."""
