"""The tamper-evident audit log: events, their hashing, the Merkle tree, checkpoints, verification.

Pure code: it computes and checks; ``tabadul.storage.audit_log`` stores.
"""
