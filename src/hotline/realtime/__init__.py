"""Real-time delivery: tailing the ledger to every subscriber that may see each event."""
