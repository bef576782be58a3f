"""Real Dutch regions, places and skills, and a seeded demo data set (the data: ``fixtures/``, see its README.md)."""
