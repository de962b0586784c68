"""One-thing applications: drafts, prefill, submission, review, the state machine and deadlines."""
