"""The claim: its state machine, the billing queue, the readiness checklist's facts, claim input."""
