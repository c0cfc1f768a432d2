"""The federation protocol v1: node keys, envelopes, messages (DESIGN.md, "Between nodes").

Pure protocol code: it signs, encrypts, verifies and describes messages, and
never touches the database. The services decide what to send and what to
keep; the API carries envelopes between nodes.
"""
