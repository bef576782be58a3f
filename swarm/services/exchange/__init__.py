"""Bring your data: import professionals, role-book entries, venues and swarm requests from CSV and Excel files
(checked with the other journeys' own rules, stored all or nothing), and export professionals, schedules and
teams. Above the other journeys: only the web app, the command line and the JSON API use it."""
