"""Clinical vocabulary more than one service needs (pure data and lookups)."""
