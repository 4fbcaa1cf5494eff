"""The civic assistant's core: cases, services, FAQ, escalations, inbound log and outbox.

Knows nothing about Rasa, Sanic, Telegram or Twilio; the adapters (actions/, channels/,
components/, console/) import it, never the other way round.
"""
