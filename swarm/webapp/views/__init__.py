"""One blueprint per actor; views stay thin and call swarm.services."""
