"""Operations, the bottom journey (every other may send mail): the outbox, session calendars and feeds, the
mail chores (reminders, expiry warnings) and the retention of solve snapshots."""
