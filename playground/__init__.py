"""Trying the bot locally in the Microsoft 365 Agents Playground: tenant, demo data, launcher.

A developer tool and the e2e tests' harness; the bot itself never imports it.
"""
