"""The terminal agent: connection, presence, telemetry, events, commands and configuration.

The kiosk plugs in its devices through a :data:`HealthProvider` and command handlers; the
fleet simulator runs the same agent for thousands of simulated terminals.
"""

from kiosk_terminal.agent.agent import ConfigListener, TerminalAgent
from kiosk_terminal.agent.commands import CommandDispatcher, CommandHandler, CommandResult
from kiosk_terminal.agent.health import HealthProvider, HealthSnapshot, system_health
from kiosk_terminal.agent.options import AgentOptions, TlsClientOptions

__all__ = [
    "AgentOptions",
    "CommandDispatcher",
    "CommandHandler",
    "CommandResult",
    "ConfigListener",
    "HealthProvider",
    "HealthSnapshot",
    "TerminalAgent",
    "TlsClientOptions",
    "system_health",
]
