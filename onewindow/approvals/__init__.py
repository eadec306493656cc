"""Department branches of a case: deadlines in working days, clock pauses, decisions."""
