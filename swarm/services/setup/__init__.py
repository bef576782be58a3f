"""Reference data and the seeded demo: what `swarm seed` and `swarm demo` put in an empty database."""
