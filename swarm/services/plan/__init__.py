"""Planning swarm rounds: the frame (rounds, slots, venues, policy), requests and pins, the instance export, the
solve queue and worker (for both engines), results, the draft, the organizer's review, publishing and answers."""
