"""Review work: the state of each reviewed request, allow-list edits and escalations."""
