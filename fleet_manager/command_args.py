"""Each command's arguments, checked before anything is sent (the API and the dashboard).

``set_message`` takes the message of the day per language (``ar``, ``fr``; both empty clears
it), as the kiosk reads it (``protocol.messages.DayMessage``); ``set_log_level`` a level;
the others nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from protocol.health import Scalar
from protocol.messages import DAY_MESSAGE_MAX, CommandName, DayMessage

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: Form fields of the dashboard's argument forms, per command.
FORM_FIELDS: dict[CommandName, tuple[str, ...]] = {
    CommandName.SET_MESSAGE: ("message_ar", "message_fr"),
    CommandName.SET_LOG_LEVEL: ("level",),
}


class ArgsError(ValueError):
    """``code`` names the problem for the dashboard's texts; the message says it in full."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_args(name: CommandName, args: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """The arguments to send, normalized, or ArgsError."""
    if name is CommandName.SET_MESSAGE:
        return _day_message(args)
    if name is CommandName.SET_LOG_LEVEL:
        if set(args) != {"level"} or str(args["level"]).upper() not in LOG_LEVELS:
            raise ArgsError("bad_level", f"set_log_level takes level, one of {LOG_LEVELS}")
        return {"level": str(args["level"]).upper()}
    if args:
        raise ArgsError("no_args", f"{name.value} takes no arguments")
    return {}


def _day_message(args: Mapping[str, Scalar]) -> dict[str, Scalar]:
    unknown = set(args) - {"ar", "fr"}
    if unknown:
        raise ArgsError("bad_message", f"set_message takes ar and fr, not {sorted(unknown)}")
    for lang in ("ar", "fr"):
        value = args.get(lang)
        if value is not None and not isinstance(value, str):
            raise ArgsError("bad_message", f"message {lang} must be text")
        if isinstance(value, str) and len(value.strip()) > DAY_MESSAGE_MAX:
            raise ArgsError(
                "message_too_long", f"message {lang} is longer than {DAY_MESSAGE_MAX} characters"
            )
    try:
        message = DayMessage.model_validate(dict(args))
    except ValidationError as exc:
        reason = "; ".join(str(err["msg"]) for err in exc.errors())
        raise ArgsError("bad_message", f"invalid message: {reason}"[:200]) from None
    # Both absent clears the message on the kiosk.
    return {lang: text for lang, text in (("ar", message.ar), ("fr", message.fr)) if text}


def from_form(name: CommandName, form: Mapping[str, str]) -> dict[str, Scalar]:
    """The dashboard's form fields → arguments (then checked like any other)."""
    if name is CommandName.SET_MESSAGE:
        return {
            "ar": form.get("message_ar", "").strip() or None,
            "fr": form.get("message_fr", "").strip() or None,
        }
    if name is CommandName.SET_LOG_LEVEL:
        return {"level": form.get("level", "")}
    return {}
