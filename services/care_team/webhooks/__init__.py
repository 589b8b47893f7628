"""Webhook channel of notifications: subscriptions, signed deliveries, retries, dead letters."""
