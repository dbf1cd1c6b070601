"""Rasa custom actions for Steer (served by rasa-sdk)."""
