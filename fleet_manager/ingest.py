"""Classifying what arrives from the broker: never raises, counts what it drops."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pydantic import ValidationError

from protocol.codec import Rejected, decode
from protocol.messages import CommandAck, Event, Telemetry, TerminalState
from protocol.topics import TerminalChannel, TerminalTopic, TopicError, Topics
from protocol.version import MAX_PAYLOAD_BYTES

Inbound = TerminalState | Telemetry | Event | CommandAck

_MODELS: dict[TerminalChannel, type[Inbound]] = {
    TerminalChannel.STATE: TerminalState,
    TerminalChannel.TELEMETRY: Telemetry,
    TerminalChannel.EVENT: Event,
    TerminalChannel.CMD_ACK: CommandAck,
}

SUBSCRIBED = tuple(_MODELS)


@dataclass(slots=True)
class IngestCounters:
    received: Counter[str] = field(default_factory=Counter)  # by channel
    dropped: Counter[str] = field(default_factory=Counter)  # by reason code


_TOPIC_CACHE_MAX = 200_000


class Classifier:
    """Topic → model and payload → message, with the parsed topics remembered."""

    def __init__(self, topics: Topics) -> None:
        self.topics = topics
        self._topics: dict[str, TerminalTopic] = {}

    def __call__(self, topic: str, payload: bytes) -> Inbound | Rejected:
        if len(payload) > MAX_PAYLOAD_BYTES:  # checked before anything else touches it
            return Rejected("oversized", f"{len(payload)} bytes")
        parsed = self._topics.get(topic)
        if parsed is None:
            try:
                found = self.topics.parse(topic)
            except TopicError as exc:
                return Rejected("bad_topic", str(exc))
            if not isinstance(found, TerminalTopic) or found.channel not in _MODELS:
                return Rejected("bad_topic", f"not an inbound terminal topic: {topic}")
            if len(self._topics) < _TOPIC_CACHE_MAX:
                self._topics[topic] = found
            parsed = found
        model = _MODELS[parsed.channel]
        message: Inbound | Rejected
        try:
            # pydantic's own JSON parser is the fast path; anything it refuses, or a
            # message without an explicit version, goes through the codec for its reason.
            message = model.model_validate_json(payload)
            if "v" not in message.model_fields_set:
                message = decode(model, payload)
        except ValidationError:
            message = decode(model, payload)
        if isinstance(message, Rejected):
            return message
        if message.terminal_id != parsed.terminal_id:
            # The ACL stops this on a production broker; refuse it here as well.
            return Rejected("id_mismatch", f"{message.terminal_id} on {parsed.terminal_id}'s topic")
        return message


def classify(topics: Topics, topic: str, payload: bytes) -> Inbound | Rejected:
    return Classifier(topics)(topic, payload)
