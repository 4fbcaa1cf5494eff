""""Please cancel that report, the owner just moved it", after the report was sent.

The model read it as a plain "no" and answered "OK, anything else?": the report stayed open
and a crew would have gone out to a car already gone. Outside a form, a request to withdraw
a report (bot.withdrawal_words) goes on the report it names, or else the report this
conversation was last about, as the citizen's note, when they made or follow it and it is
still open (actions.passing_notes): the console shows the case as needing attention, and the
caseworker closes it. The citizen is told so. Otherwise the usual reply follows.
"""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.passing_notes import keep_if_said
from bot.withdrawal_words import asks_to_withdraw


def withdraw_report(dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> Optional[List[EventType]]:
    """The request kept on the report, and the citizen told; None when this is no such
    request, a form is open, or no open report of theirs is known."""
    return keep_if_said(dispatcher, tracker, asks_to_withdraw, "utter_withdrawal_passed_on",
                        "withdrawal_passed_on")


class ActionAcknowledgeNo(Action):
    """A "no" or "cancel" out of context: acknowledged, unless it withdraws a report sent
    ("can you cancel it please", read as a plain no)."""

    def name(self) -> Text:
        return "action_acknowledge_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        withdrawn = withdraw_report(dispatcher, tracker)
        if withdrawn is not None:
            return withdrawn
        dispatcher.utter_message(response="utter_ok_anything_else")
        return []
