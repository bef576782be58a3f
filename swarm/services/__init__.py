"""The use cases, as plain functions ``verb_noun(session, ..., *, actor, clock)`` that only flush; the caller
(one web request, one job, one CLI command) commits once. Grouped by journey, layered so no import runs back up:

- ``setup``   reference data and the seeded demo (``swarm seed``, ``swarm demo``);
- ``people``  accounts, professionals and their own data, privacy (erasure), retention of profiles;
- ``plan``    a round's frame and requests, the instance export, the solve queue and worker, results, the draft,
  the organizer's review, publishing and answers;
- ``team``    projects, the role book, the flexible-shell export and proposal;
- ``ops``     the outbox, session calendars and feeds, the mail chores, retention of solve snapshots;
- ``lookup``  fetch-or-fail and the reads every journey shares (the bottom).

``.importlinter`` holds these layers; docs/architecture.md draws them.
"""
