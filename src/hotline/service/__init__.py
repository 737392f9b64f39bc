"""The use cases: load state, decide, append, publish; and the timers derived from the ledger."""
