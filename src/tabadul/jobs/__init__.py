"""The durable job queue's workers and the handlers they run."""
