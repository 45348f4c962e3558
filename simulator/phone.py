"""The phone's state machine: accounts, lines, DND, calls (no HTTP here).

Every change is synchronous: a CTI command changes the state before its answer
is sent. Only the outgoing call's connect delay and the reboot use timers, on
the simulator clock (`SimClock`: tests fire them with `clock.advance()`;
`close()` cancels them).

Events (`PhoneEvent`) are recorded in `events` and handed to `listeners`; the
server turns them into Action URL pushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
import itertools
from typing import Any, Final

from custom_components.grandstream_cti.cti.action_url import ActionUrlEvent
from custom_components.grandstream_cti.cti.models import (
    LineState,
    PhoneOperation,
    PhoneStatus,
)

from .clock import SimClock, Timer
from .presets import ModelPreset
from .wire import PHONE_STATUS_UNAVAILABLE

# Lines in these states have the audio path open (the phone is "off hook").
_OFF_HOOK_STATES: Final = frozenset(
    {LineState.DIALING, LineState.CALLING, LineState.CONNECTED}
)
_DIAL_KEYS: Final = {**{str(d): str(d) for d in range(10)}, "STAR": "*", "#": "#"}
EVENT_HISTORY: Final = 500
# A handset reports battery low at or below this many percent.
BATTERY_LOW_PERCENT: Final = 15
# A voicemail left for an account shows in its unread count this much later
# (seen on a WP826 with UniFi Talk: "rises ~16 s after a message is left").
VOICEMAIL_DELAY: Final = 16.0

INCOMING: Final = "incoming"
OUTGOING: Final = "outgoing"


class PhoneError(ValueError):
    """A simulation request the phone cannot follow (bad line, no idle line...)."""


@dataclass
class SimAccount:
    """One SIP account of the simulated phone."""

    id: int
    name: str = ""
    sip_id: str = ""
    sip_server: str = ""
    registered: bool = False
    # Unread voicemail messages (`:unread_vm_N`).
    unread_voicemail: int = 0

    @property
    def configured(self) -> bool:
        """Return True when the account has a SIP user id."""
        return bool(self.sip_id)

    def as_dict(self) -> dict[str, Any]:
        """Return the account as plain JSON data."""
        return {
            "id": self.id,
            "name": self.name,
            "sip_id": self.sip_id,
            "sip_server": self.sip_server,
            "registered": self.registered,
            "unread_voicemail": self.unread_voicemail,
        }


@dataclass
class SimLine:
    """One line appearance and the call on it."""

    number: int
    state: LineState = LineState.IDLE
    account: int | None = None  # 1-based, None while idle
    # The caller's display name ($display_remote); line status shows it only
    # with the `caller_names` quirk (real firmware shows the number).
    remote_name: str = ""
    remote_number: str = ""
    direction: str = ""
    call_id: str = ""
    established_at: float | None = None
    # Order in which lines started ringing / were held (for "the oldest ..." picks).
    order: int = 0

    @property
    def is_idle(self) -> bool:
        """Return True when nothing is on the line."""
        return self.state is LineState.IDLE

    def clear(self) -> None:
        """Return the line to idle."""
        self.state = LineState.IDLE
        self.account = None
        self.remote_name = ""
        self.remote_number = ""
        self.direction = ""
        self.call_id = ""
        self.established_at = None
        self.order = 0

    def as_dict(self, *, active: bool) -> dict[str, Any]:
        """Return the line as plain JSON data (for `/sim/state`)."""
        return {
            "line": self.number,
            "state": str(self.state),
            "account": self.account,
            "remote_name": self.remote_name,
            "remote_number": self.remote_number,
            "direction": self.direction,
            "call_id": self.call_id,
            "active": active,
        }


@dataclass(frozen=True, slots=True)
class PhoneEvent:
    """Something the phone reports through Action URL."""

    event: ActionUrlEvent
    line: int | None
    variables: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the event as plain JSON data."""
        return {
            "event": str(self.event),
            "line": self.line,
            "variables": dict(self.variables),
        }


def default_accounts(count: int) -> list[SimAccount]:
    """Return the default accounts: 1 registered, 2 configured but not, rest empty."""
    accounts = [SimAccount(id=index) for index in range(1, count + 1)]
    accounts[0] = SimAccount(1, "Alice", "1001", "pbx.example.com", registered=True)
    if count > 1:
        accounts[1] = SimAccount(2, "Bob", "1002", "pbx.example.com", registered=False)
    return accounts


def accounts_from(specs: Iterable[Mapping[str, Any]], count: int) -> list[SimAccount]:
    """Return `count` accounts built from override dicts (missing ones empty)."""
    accounts = [SimAccount(id=index) for index in range(1, count + 1)]
    for index, spec in enumerate(specs):
        if index >= count:
            raise ValueError(f"The model has only {count} accounts")
        sip_id = str(spec.get("sip_id", ""))
        accounts[index] = SimAccount(
            id=index + 1,
            name=str(spec.get("name", "")),
            sip_id=sip_id,
            sip_server=str(spec.get("sip_server", "")),
            registered=bool(spec.get("registered", bool(sip_id))),
        )
    return accounts


class Phone:
    """A Grandstream desk phone's call logic."""

    def __init__(
        self,
        preset: ModelPreset,
        *,
        accounts: list[SimAccount] | None = None,
        mac: str = "00:0B:82:12:34:56",
        firmware: str = "1.0.13.22",
        call_connect_delay: float = 2.0,
        reboot_seconds: float = 5.0,
        clock: SimClock | None = None,
        lines: int | None = None,
        handset: bool = False,
    ) -> None:
        """Set up an idle phone (`lines` overrides the preset's line count)."""
        self.preset = preset
        self.accounts = accounts or default_accounts(preset.accounts)
        count = preset.lines if lines is None else lines
        self.lines = [SimLine(number) for number in range(1, count + 1)]
        self.mac = mac
        self.firmware = firmware
        self.call_connect_delay = call_connect_delay
        self.reboot_seconds = reboot_seconds
        self.dnd = False
        self.muted = False
        self.rebooting = False
        self.reboots = 0
        self.active_line: int | None = None
        # Wi-Fi handsets (WP8x6): battery percent, and the extra "answered" event.
        self.handset = handset
        self.battery: int | None = 95 if handset else None
        self.events: list[PhoneEvent] = []
        self.listeners: list[Callable[[PhoneEvent], None]] = []
        self.clock = clock if clock is not None else SimClock()
        self._call_ids = itertools.count(1000)
        self._order = itertools.count(1)
        self._connect_timers: dict[int, Timer] = {}
        # Voicemail on its way to an account (account -> timers).
        self._voicemail_timers: dict[int, list[Timer]] = {}
        self._reboot_timer: Timer | None = None
        self._pending: list[PhoneEvent] = []
        self._depth = 0

    # ------------------------------------------------------------------ queries

    @property
    def model(self) -> str:
        """Return the model name."""
        return self.preset.model

    def line(self, number: int) -> SimLine:
        """Return line `number` (1-based) or raise PhoneError."""
        if not 1 <= number <= len(self.lines):
            raise PhoneError(f"No line {number} (the phone has {len(self.lines)})")
        return self.lines[number - 1]

    def account(self, number: int) -> SimAccount:
        """Return account `number` (1-based) or raise PhoneError."""
        if not 1 <= number <= len(self.accounts):
            raise PhoneError(
                f"No account {number} (the phone has {len(self.accounts)})"
            )
        return self.accounts[number - 1]

    def status(self) -> str:
        """Return the phone-wide status word the way api-get_phone_status derives it.

        `unavailable` is what real firmware says when it is idle with no
        account registered. DND does not show here: no capture or vendor
        list has a `dnd` status (the `status_dnd` quirk adds it).
        """
        if any(line.state is LineState.RINGING for line in self.lines):
            return PhoneStatus.RINGING
        if self._busy():
            return PhoneStatus.BUSY
        if not any(account.registered for account in self.accounts):
            return PHONE_STATUS_UNAVAILABLE
        return PhoneStatus.AVAILABLE

    def is_active(self, line: SimLine) -> bool:
        """Return True when `line` is the phone's current (focused) line."""
        return self.active_line == line.number and not line.is_idle

    def snapshot(self) -> dict[str, Any]:
        """Return accounts, lines and status as plain JSON data."""
        return {
            "model": self.model,
            "mac": self.mac,
            "firmware": self.firmware,
            "status": str(self.status()),
            "dnd": self.dnd,
            "muted": self.muted,
            "off_hook": self._off_hook(),
            "rebooting": self.rebooting,
            "reboots": self.reboots,
            "battery": self.battery,
            "active_line": self.active_line,
            "accounts": [account.as_dict() for account in self.accounts],
            "lines": [line.as_dict(active=self.is_active(line)) for line in self.lines],
        }

    # ------------------------------------------------------- outside world

    def incoming(
        self, number: str, name: str = "", line: int | None = None, account: int = 1
    ) -> int:
        """Ring the phone with a call from `number`; return the line it rings on."""
        self.account(account)
        target = self._idle_line() if line is None else self.line(line)
        if target is None:
            raise PhoneError("No idle line")
        if not target.is_idle:
            raise PhoneError(f"Line {target.number} is not idle")
        with self._transition():
            self._start_call(target, LineState.RINGING, account, INCOMING)
            target.remote_number = number
            target.remote_name = name
            if self.active_line is None or self.line(self.active_line).is_idle:
                self.active_line = target.number
            self._event(ActionUrlEvent.INCOMING_CALL, target)
        return target.number

    def remote_answer(self, line: int) -> bool:
        """Let the far end answer our outgoing call on `line`."""
        target = self.line(line)
        if target.state is not LineState.CALLING:
            return False
        with self._transition():
            self._establish(target)
        return True

    def remote_hangup(self, line: int) -> bool:
        """Let the far end hang up (or give up ringing) on `line`."""
        target = self.line(line)
        if target.is_idle:
            return False
        with self._transition():
            if target.state is LineState.RINGING:
                self._end(target, ActionUrlEvent.MISSED_CALL)
            elif target.state is LineState.DIALING:
                self._end(target, None)
            else:
                self._end(target, ActionUrlEvent.TERMINATED_CALL)
        return True

    def set_registered(self, account: int, registered: bool) -> None:
        """Register or unregister an account (only configured ones register)."""
        target = self.account(account)
        if registered and not target.configured:
            raise PhoneError(f"Account {account} is not configured")
        if target.registered == registered:
            return
        target.registered = registered
        with self._transition():
            self._event(
                ActionUrlEvent.REGISTERED
                if registered
                else ActionUrlEvent.UNREGISTERED,
                None,
                account=account,
            )

    def set_dnd(self, on: bool) -> None:
        """Turn Do Not Disturb on or off."""
        if self.dnd == on:
            return
        self.dnd = on
        with self._transition():
            self._event(ActionUrlEvent.DND_ON if on else ActionUrlEvent.DND_OFF, None)

    def set_battery(self, capacity: int) -> None:
        """Set the handset's battery percent; crossing the low mark is reported."""
        if not 0 <= capacity <= 100:
            raise PhoneError("capacity must be 0-100")
        before, self.battery = self.battery, capacity
        was_low = before is not None and before <= BATTERY_LOW_PERCENT
        is_low = capacity <= BATTERY_LOW_PERCENT
        if before is None or was_low == is_low:
            return
        with self._transition():
            self._event(
                ActionUrlEvent.BATTERY_LOW if is_low else ActionUrlEvent.BATTERY_OK,
                None,
            )

    def leave_voicemail(
        self, account: int, count: int = 1, delay: float = VOICEMAIL_DELAY
    ) -> None:
        """Let callers leave `count` messages; the unread count rises `delay` later."""
        target = self._voicemail_account(account)
        if count < 1:
            raise PhoneError("count must be at least 1")
        if delay < 0:
            raise PhoneError("delay must not be negative")
        timers = self._voicemail_timers.setdefault(target.id, [])
        timer: Timer | None = None

        def arrive() -> None:
            if timer in timers:
                timers.remove(timer)
            target.unread_voicemail += count

        timer = self.clock.call_later(delay, arrive)
        timers.append(timer)

    def listen_voicemail(self, account: int) -> None:
        """Listen to the messages: none unread (ones still on their way arrive)."""
        self._voicemail_account(account).unread_voicemail = 0

    def clear_voicemail(self, account: int) -> None:
        """Delete the messages, those still on their way too."""
        target = self._voicemail_account(account)
        for timer in self._voicemail_timers.pop(target.id, []):
            timer.cancel()
        target.unread_voicemail = 0

    def set_unread_voicemail(self, account: int, count: int) -> None:
        """Set the unread count at once."""
        if count < 0:
            raise PhoneError("count must not be negative")
        self._voicemail_account(account).unread_voicemail = count

    def pending_voicemail(self, account: int) -> int:
        """Return how many deliveries to `account` are still on their way."""
        return sum(not t.done for t in self._voicemail_timers.get(account, []))

    def _voicemail_account(self, account: int) -> SimAccount:
        target = self.account(account)
        if not target.configured:
            raise PhoneError(f"Account {account} is not configured")
        return target

    # -------------------------------------------------------- CTI operations

    def phone_operation(self, operation: PhoneOperation) -> bool:
        """Run one api-phone_operation command; return False if nothing applied."""
        handlers: dict[PhoneOperation, Callable[[], bool]] = {
            PhoneOperation.END_CALL: self.end_call,
            PhoneOperation.HOLD_CALL: self.hold_call,
            PhoneOperation.ACCEPT_CALL: self.accept_call,
            PhoneOperation.REJECT_CALL: self.reject_call,
            PhoneOperation.CANCEL: self.cancel,
        }
        return handlers[operation]()

    def end_call(self) -> bool:
        """Hang up: the connected call, else an outgoing one, else a held one."""
        target = self._pick(
            LineState.CONNECTED, LineState.CALLING, LineState.DIALING, LineState.ONHOLD
        )
        if target is None:
            return False
        with self._transition():
            self._end(
                target,
                None
                if target.state is LineState.DIALING
                else ActionUrlEvent.TERMINATED_CALL,
            )
        return True

    def hold_call(self) -> bool:
        """Hold the connected call, or resume a held one (a toggle)."""
        connected = self._pick(LineState.CONNECTED)
        with self._transition():
            if connected is not None:
                self._hold(connected)
                return True
            held = self._pick(LineState.ONHOLD, newest=True)
            if held is None:
                return False
            held.state = LineState.CONNECTED
            self.active_line = held.number
            self._event(ActionUrlEvent.UNHOLD, held)
        return True

    def accept_call(self) -> bool:
        """Answer the ringing call (the oldest), holding a connected one."""
        ringing = self._pick(LineState.RINGING)
        if ringing is None:
            return False
        with self._transition():
            self._clear_outgoing()
            connected = self._pick(LineState.CONNECTED)
            if connected is not None:
                self._hold(connected)
            self._establish(ringing)
            self.active_line = ringing.number
            if self.handset:
                self._event(ActionUrlEvent.ANSWERED, ringing)
        return True

    def reject_call(self) -> bool:
        """Reject the ringing call (the oldest)."""
        ringing = self._pick(LineState.RINGING)
        if ringing is None:
            return False
        with self._transition():
            self._end(ringing, ActionUrlEvent.REJECTED_CALL)
        return True

    def cancel(self) -> bool:
        """Reject a ringing call, else abort an outgoing one (calling/dialing)."""
        if self._pick(LineState.RINGING) is not None:
            return self.reject_call()
        outgoing = self._pick(LineState.CALLING, LineState.DIALING)
        if outgoing is None:
            return False
        with self._transition():
            self._end(
                outgoing,
                ActionUrlEvent.TERMINATED_CALL
                if outgoing.state is LineState.CALLING
                else None,
            )
        return True

    def can_call_from(self, account: int) -> bool:
        """Return True if `account` (1-based) exists, is configured and registered."""
        if not 1 <= account <= len(self.accounts):
            return False
        target = self.accounts[account - 1]
        return target.configured and target.registered

    def make_call(self, number: str, account: int | None = None) -> bool:
        """Dial `number` from `account` (1-based; None = account 1), if registered."""
        account = 1 if account is None else account
        if not number or not self.can_call_from(account):
            return False
        with self._transition():
            self._clear_dialing()
            target = self._idle_line()
            if target is None:
                return False
            connected = self._pick(LineState.CONNECTED)
            if connected is not None:
                self._hold(connected)
            self._start_call(target, LineState.DIALING, account, OUTGOING)
            target.remote_number = number
            self.active_line = target.number
            self._dial(target)
        return True

    def send_keys(self, keys: Iterable[str]) -> None:
        """Press keys (already normalized wire names) one after the other."""
        for key in keys:
            with self._transition():
                self._press(key)

    def reboot(self) -> None:
        """Start a reboot: calls drop, the phone is away for `reboot_seconds`."""
        for line in self.lines:
            self._cancel_connect(line.number)
            line.clear()
        self.active_line = None
        self.rebooting = True
        self.reboots += 1
        if self._reboot_timer is not None:
            self._reboot_timer.cancel()
        self._reboot_timer = self.clock.call_later(
            self.reboot_seconds, self.finish_reboot
        )

    def finish_reboot(self) -> None:
        """Come back from a reboot: idle, then setup completed and registrations."""
        if self._reboot_timer is not None:
            self._reboot_timer.cancel()
            self._reboot_timer = None
        if not self.rebooting:
            return
        self.rebooting = False
        with self._transition():
            self._event(ActionUrlEvent.SETUP_COMPLETED, None)
            for account in self.accounts:
                if account.registered:
                    self._event(ActionUrlEvent.REGISTERED, None, account=account.id)

    def close(self) -> None:
        """Cancel every timer (connect delays, voicemail on its way, the reboot)."""
        for number in list(self._connect_timers):
            self._cancel_connect(number)
        for timers in self._voicemail_timers.values():
            for timer in timers:
                timer.cancel()
        self._voicemail_timers.clear()
        if self._reboot_timer is not None:
            self._reboot_timer.cancel()
            self._reboot_timer = None

    # ------------------------------------------------------------ key presses

    def _press(self, key: str) -> None:
        dialing = self._pick(LineState.DIALING)
        if key == "OFFHOOK":
            self._go_off_hook()
        elif key == "ONHOOK":
            self._go_on_hook()
        elif key in {"SPEAKER", "HEADSET"}:
            if self._off_hook():
                self._go_on_hook()
            else:
                self._go_off_hook()
        elif key in _DIAL_KEYS:
            if dialing is None and not self._busy():
                # On-hook dialing: the first digit opens a dialing line.
                dialing = self._open_dialing_line()
            if dialing is not None:
                dialing.remote_number += _DIAL_KEYS[key]
            # Otherwise: DTMF in a call, or ignored while only ringing/held.
        elif key in {"SEND", "OK"}:
            if dialing is not None and dialing.remote_number:
                self._dial(dialing)
        elif key == "HOLD":
            self.hold_call()
        elif key == "MUTE":
            self.muted = not self.muted
        # Anything else (MPKn, SOFTn, arrows, LOCK/UNLOCK, VUP/VDOWN, TRANSFER,
        # CONF...) changes no call state.

    def _go_off_hook(self) -> None:
        if self.accept_call():
            return
        if not self._off_hook():
            self._open_dialing_line()

    def _go_on_hook(self) -> None:
        target = self._pick(
            LineState.CONNECTED, LineState.CALLING, LineState.DIALING, LineState.RINGING
        )
        if target is None:
            return
        if target.state is LineState.RINGING:
            self._end(target, ActionUrlEvent.REJECTED_CALL)
        elif target.state is LineState.DIALING:
            self._end(target, None)
        else:
            self._end(target, ActionUrlEvent.TERMINATED_CALL)

    def _open_dialing_line(self) -> SimLine | None:
        target = self._idle_line()
        if target is None:
            return None
        self._start_call(target, LineState.DIALING, 1, OUTGOING)
        self.active_line = target.number
        return target

    # ---------------------------------------------------------------- helpers

    def _idle_line(self) -> SimLine | None:
        return next((line for line in self.lines if line.is_idle), None)

    def _pick(self, *states: LineState, newest: bool = False) -> SimLine | None:
        """Return a line in the first of `states` found, the active line first."""
        for state in states:
            candidates = [line for line in self.lines if line.state is state]
            if not candidates:
                continue
            for line in candidates:
                if line.number == self.active_line:
                    return line
            candidates.sort(key=lambda line: line.order, reverse=newest)
            return candidates[0]
        return None

    def _busy(self) -> bool:
        return any(not line.is_idle for line in self.lines)

    def _off_hook(self) -> bool:
        return any(line.state in _OFF_HOOK_STATES for line in self.lines)

    def _start_call(
        self, line: SimLine, state: LineState, account: int, direction: str
    ) -> None:
        line.clear()
        line.state = state
        line.account = account
        line.direction = direction
        line.call_id = str(next(self._call_ids))
        line.order = next(self._order)

    def _dial(self, line: SimLine) -> None:
        """Send the dialed number: calling now, connected after the delay."""
        line.state = LineState.CALLING
        self._event(ActionUrlEvent.OUTGOING_CALL, line)
        if self.call_connect_delay > 0:
            number, call_id = line.number, line.call_id
            self._connect_timers[number] = self.clock.call_later(
                self.call_connect_delay, lambda: self._connect_timer(number, call_id)
            )

    def _connect_timer(self, number: int, call_id: str) -> None:
        self._connect_timers.pop(number, None)
        line = self.line(number)
        if line.state is LineState.CALLING and line.call_id == call_id:
            with self._transition():
                self._establish(line)

    def _establish(self, line: SimLine) -> None:
        self._cancel_connect(line.number)
        line.state = LineState.CONNECTED
        line.established_at = self.clock()
        if line.direction == OUTGOING and not line.remote_name:
            # Phones often fill the name with the number once connected.
            line.remote_name = line.remote_number
        self._event(ActionUrlEvent.ESTABLISHED_CALL, line)

    def _hold(self, line: SimLine) -> None:
        line.state = LineState.ONHOLD
        line.order = next(self._order)
        self._event(ActionUrlEvent.HOLD, line)

    def _end(self, line: SimLine, event: ActionUrlEvent | None) -> None:
        """Return `line` to idle, reporting `event` with the call's last details."""
        self._cancel_connect(line.number)
        if event is not None:
            self._event(event, line)
        line.clear()
        if self.active_line == line.number:
            other = self._pick(
                LineState.CONNECTED,
                LineState.CALLING,
                LineState.DIALING,
                LineState.RINGING,
                LineState.ONHOLD,
            )
            self.active_line = None if other is None else other.number

    def _clear_dialing(self) -> None:
        for line in self.lines:
            if line.state is LineState.DIALING:
                self._end(line, None)

    def _clear_outgoing(self) -> None:
        for line in self.lines:
            if line.state is LineState.DIALING:
                self._end(line, None)
            elif line.state is LineState.CALLING:
                self._end(line, ActionUrlEvent.TERMINATED_CALL)

    def _cancel_connect(self, number: int) -> None:
        handle = self._connect_timers.pop(number, None)
        if handle is not None:
            handle.cancel()

    # ----------------------------------------------------------------- events

    def _variables(self, line: SimLine | None, account: int | None) -> dict[str, str]:
        variables = {
            "mac": self.mac.replace(":", "").replace("-", "").lower(),
            "product": self.model,
            "program_version": self.firmware,
            "hardware_version": self.preset.hardware_version,
            "local": "",
            "display_local": "",
            "remote": "",
            "display_remote": "",
            "active_user": "",
            "call-id": "",
            "duration": "",
            "calldirection": "",
            "battery": "" if self.battery is None else str(self.battery),
        }
        if line is not None and line.account is not None:
            account = line.account
        if account is not None and 1 <= account <= len(self.accounts):
            acct = self.accounts[account - 1]
            variables["local"] = acct.sip_id
            variables["display_local"] = acct.name
            variables["active_user"] = str(account)
        if line is not None and not line.is_idle:
            duration = (
                0
                if line.established_at is None
                else int(self.clock() - line.established_at)
            )
            variables.update(
                {
                    "remote": line.remote_number,
                    "display_remote": line.remote_name,
                    "call-id": line.call_id,
                    "duration": str(duration),
                    "calldirection": line.direction,
                }
            )
        return variables

    def _event(
        self, event: ActionUrlEvent, line: SimLine | None, *, account: int | None = None
    ) -> None:
        """Queue `event`; variables are captured now, while the line has its call."""
        number = None if line is None else line.number
        self._pending.append(PhoneEvent(event, number, self._variables(line, account)))

    @contextmanager
    def _transition(self) -> Iterator[None]:
        """Collect events of one change; add hook and busy edges around them."""
        self._depth += 1
        if self._depth > 1:  # nested: the outermost transition reports
            try:
                yield
            finally:
                self._depth -= 1
            return
        busy_before, hook_before = self._busy(), self._off_hook()
        try:
            yield
        finally:
            self._depth -= 1
            specific, self._pending = self._pending, []
            busy_after, hook_after = self._busy(), self._off_hook()
            if specific:
                line, variables = specific[0].line, specific[0].variables
            else:
                line, variables = None, self._variables(None, None)
            before: list[PhoneEvent] = []
            after: list[PhoneEvent] = []
            if busy_after and not busy_before:
                before.append(PhoneEvent(ActionUrlEvent.IDLE_TO_BUSY, line, variables))
            if hook_after and not hook_before:
                before.append(PhoneEvent(ActionUrlEvent.OFF_HOOK, line, variables))
            if hook_before and not hook_after:
                after.append(PhoneEvent(ActionUrlEvent.ON_HOOK, line, variables))
            if busy_before and not busy_after:
                after.append(PhoneEvent(ActionUrlEvent.BUSY_TO_IDLE, line, variables))
            for phone_event in [*before, *specific, *after]:
                self._emit(phone_event)

    def _emit(self, event: PhoneEvent) -> None:
        self.events.append(event)
        del self.events[:-EVENT_HISTORY]
        for listener in list(self.listeners):
            listener(event)
