"""Webhook subscriptions over HTTP (placeholder: being built)."""

from fastapi import APIRouter

router = APIRouter(tags=["webhooks"])
