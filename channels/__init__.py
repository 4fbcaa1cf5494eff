"""Rasa input/output channels: each turns a provider's payload into a UserMessage and back."""
