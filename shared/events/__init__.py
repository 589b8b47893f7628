"""The v1 event contract: envelope, topics and the pydantic schema of each event's data."""
