"""Texts chosen by what went wrong, kept free of Kivy so tests can read them in any language."""

from __future__ import annotations

from collections.abc import Callable

Translate = Callable[[str], str]


def card_failure_text(reason: str | None, t: Translate) -> str:
    """What the citizen reads when the chip could not be read (``CardReadFailed.reason``)."""
    if reason == "keys":
        return t("The card did not accept these details. Check them and try again.")
    if reason == "removed":
        return t(
            "The card was taken out before it could be read. Put it back in the reader, "
            "leave it there, and try again."
        )
    if reason == "absent":
        return t("The card reader is not working. Please try another way or ask at the counter.")
    if reason == "not_id_card":
        return t(
            "This card is not a national identity card with a chip. Insert your identity "
            "card, or try another way."
        )
    return t("The card could not be read. Try another way.")
