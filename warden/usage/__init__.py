"""Tokens and cost: counting prompts locally, reading providers' usage, pricing it."""
