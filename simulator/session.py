"""Web logins, sessions and the login lockout (session-spec §2, §5.1); no HTTP.

Everything is timed on the simulator clock: idle expiry, the lock, nonces.
Passwords are read from the config each time, so `/sim/config` changes apply
at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
import hashlib
import math
import secrets
import string
from typing import TYPE_CHECKING, Any, Final, Literal

from custom_components.grandstream_cti.cti.wire import ROLE_ADMIN, ROLE_USER

from .clock import SimClock

if TYPE_CHECKING:
    from .config import SimulatorConfig

NONCE_LENGTH: Final = 31
NONCE_SECONDS: Final = 60.0  # a nonce not used within this is forgotten
_NONCE_ALPHABET: Final = string.ascii_letters + string.digits

LoginKind = Literal["ok", "wrong", "locked", "not_allowed"]
PasswordKind = Literal["passcode", "plain", "challenge"]


def sha256_hex(text: str) -> str:
    """Return the lower-case hex SHA-256 of `text` (UTF-8), like the web UI."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Session:
    """One logged-in web session."""

    sid: str
    username: str
    role: str  # "admin" or "user"
    created: float
    last_seen: float
    # `expire_after_read` quirk: a read happened, the next write expires it.
    read_pending: bool = False

    def public(self, now: float) -> dict[str, Any]:
        """Return the session for `/sim/state`: never the full sid."""
        return {
            "sid": self.sid[:6] + "…",
            "username": self.username,
            "role": self.role,
            "age": round(now - self.created, 3),
            "idle": round(now - self.last_seen, 3),
        }


@dataclass
class LockState:
    """Consecutive failed logins of one account, and its lock."""

    failures: int = 0
    locked_until: float | None = None


@dataclass(frozen=True, slots=True)
class LoginResult:
    """What a login attempt came to."""

    kind: LoginKind
    session: Session | None = None
    # `wrong`: attempts left before the lock (None: an unknown user, bare "wrong").
    attempts_left: int | None = None
    # `locked`: minutes / seconds of the lock still to run (`lockTime`).
    lock_minutes: int = 0
    lock_seconds: int = 0


@dataclass(frozen=True, slots=True)
class _Nonce:
    value: str
    user_hash: str
    expires: float


class SessionManager:
    """Accounts, sessions, nonces and lockouts of one phone."""

    def __init__(
        self, config: SimulatorConfig, clock: SimClock, *, nonce_per_user: bool = True
    ) -> None:
        """Start with no session, nothing locked.

        `nonce_per_user`: a nonce is good only for the user whose username
        hash asked for it (else for any login, GDS/GSC style).
        """
        self.config = config
        self.clock = clock
        self.nonce_per_user = nonce_per_user
        self.sessions: dict[str, Session] = {}
        self.locks: dict[str, LockState] = {}
        # Failed password checks: per account (cumulative) and in total.
        self.failed_logins: Counter[str] = Counter()
        self.total_failures = 0
        # Every request that carried a password (passcode, plain or hashed).
        self.password_requests: list[dict[str, Any]] = []
        # Every session id handed out (tests look for them in logs).
        self.issued: list[str] = []
        self._nonces: list[_Nonce] = []

    # --------------------------------------------------------------- accounts

    def role_of(self, username: str) -> str | None:
        """Return `admin` / `user` for a known username, else None."""
        if username == self.config.admin_username:
            return ROLE_ADMIN
        if username == self.config.user_username:
            return ROLE_USER
        return None

    def password_of(self, username: str) -> str:
        """Return the account's web password ("" for unknown accounts)."""
        role = self.role_of(username)
        if role == ROLE_ADMIN:
            return self.config.passcode
        if role == ROLE_USER:
            return self.config.user_passcode
        return ""

    def record_password(
        self, function: str, kind: PasswordKind, username: str, ok: bool
    ) -> None:
        """Note a request that carried a password (tests count these)."""
        self.password_requests.append(
            {"function": function, "kind": kind, "username": username, "ok": ok}
        )

    # ------------------------------------------------------------------ locks

    def lock_remaining(self, username: str) -> float:
        """Return the seconds the account stays locked (0: not locked)."""
        lock = self.locks.get(username)
        if lock is None or lock.locked_until is None:
            return 0.0
        remaining = lock.locked_until - self.clock.now()
        if remaining <= 0:  # the lock ran out: a fresh start
            self.locks.pop(username, None)
            return 0.0
        return remaining

    def is_locked(self, username: str | None = None) -> bool:
        """Return True if the account (None: any account) is locked now."""
        names = (
            [username]
            if username is not None
            else [self.config.admin_username, self.config.user_username]
        )
        return any(self.lock_remaining(name) > 0 for name in names)

    def _locked_result(self, username: str) -> LoginResult:
        remaining = self.lock_remaining(username)
        return LoginResult(
            "locked",
            lock_minutes=max(1, math.ceil(remaining / 60)),
            lock_seconds=max(1, math.ceil(remaining)),
        )

    def fail(self, username: str) -> LoginResult:
        """Count a failed password check; lock after `lockout_attempts`."""
        self.total_failures += 1
        self.failed_logins[username] += 1
        if self.role_of(username) is None:
            return LoginResult("wrong")
        lock = self.locks.setdefault(username, LockState())
        lock.failures += 1
        left = self.config.lockout_attempts - lock.failures
        if left > 0:
            return LoginResult("wrong", attempts_left=left)
        lock.locked_until = self.clock.now() + self.config.lockout_minutes * 60
        return self._locked_result(username)

    # ------------------------------------------------------------------ login

    def issue_nonce(self, access_hash: str) -> str:
        """Return a fresh single-use nonce for the user whose sha256 is given."""
        now = self.clock.now()
        self._nonces = [nonce for nonce in self._nonces if nonce.expires >= now]
        value = "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_LENGTH))
        self._nonces.append(
            _Nonce(value, access_hash.strip().lower(), now + NONCE_SECONDS)
        )
        return value

    def _challenge_ok(self, username: str, given: str) -> bool:
        """Check sha256(password + nonce) against this user's nonces, using them up."""
        user_hash = sha256_hex(username)
        now = self.clock.now()
        if self.nonce_per_user:
            mine = [n for n in self._nonces if n.user_hash == user_hash]
            self._nonces = [n for n in self._nonces if n.user_hash != user_hash]
        else:  # any nonce will do; the attempt uses them all up
            mine, self._nonces = self._nonces, []
        password = self.password_of(username)
        return any(
            nonce.expires >= now
            and secrets.compare_digest(
                sha256_hex(password + nonce.value), given.strip().lower()
            )
            for nonce in mine
        )

    def login(
        self,
        username: str,
        given: str | None,
        style: Literal["challenge", "plain"],
        *,
        allowed: bool = True,
    ) -> LoginResult:
        """Check a dologin; open a session on success.

        `allowed` False: web access is switched off for this login (GDS/GSC
        Home Assistant control), answered before the password is checked.
        """
        role = self.role_of(username)
        if not allowed or (role == ROLE_USER and not self.config.user_web_access):
            return LoginResult("not_allowed")
        if role is not None and self.is_locked(username):
            return self._locked_result(username)
        if role is None or given is None:
            return self.fail(username)
        if style == "challenge":
            ok = self._challenge_ok(username, given)
        else:
            ok = bool(given) and secrets.compare_digest(
                given.encode(), self.password_of(username).encode()
            )
        if not ok:
            return self.fail(username)
        self.locks.pop(username, None)
        return LoginResult("ok", session=self._open(username, role))

    def check_passcode(self, given: str) -> Literal["ok", "wrong", "locked"]:
        """Check a passcode-API password; failures count against admin."""
        admin = self.config.admin_username
        if self.is_locked(admin):
            return "locked"
        valid = {self.config.passcode, self.config.user_passcode} - {""}
        if given in valid:
            self.locks.pop(admin, None)
            return "ok"
        return "locked" if self.fail(admin).kind == "locked" else "wrong"

    # --------------------------------------------------------------- sessions

    def _open(self, username: str, role: str) -> Session:
        if self.config.single_session:
            self.expire_all(username)
        now = self.clock.now()
        session = Session(secrets.token_hex(32), username, role, now, now)
        self.sessions[session.sid] = session
        self.issued.append(session.sid)
        return session

    def find(self, sids: Iterable[str]) -> Session | None:
        """Return the first live session among `sids` (expired ones are dropped)."""
        now = self.clock.now()
        idle = self.config.session_idle_seconds
        for sid in list(self.sessions):
            if now - self.sessions[sid].last_seen > idle:
                del self.sessions[sid]
        for sid in sids:
            session = self.sessions.get(sid)
            if session is not None:
                return session
        return None

    def touch(self, session: Session) -> None:
        """Count a request as activity (it refreshes the idle timer)."""
        session.last_seen = self.clock.now()

    def end(self, sid: str) -> bool:
        """Log a session out; False if there was none."""
        return self.sessions.pop(sid, None) is not None

    def expire_all(self, username: str | None = None) -> int:
        """End every session (of one account); return how many ended."""
        doomed = [
            sid
            for sid, session in self.sessions.items()
            if username is None or session.username == username
        ]
        for sid in doomed:
            del self.sessions[sid]
        return len(doomed)

    def public(self) -> dict[str, Any]:
        """Return sessions and locks for `/sim/state` (no passwords, no sids)."""
        now = self.clock.now()
        self.find(())  # drop expired sessions first
        names = [self.config.admin_username, self.config.user_username]
        return {
            "sessions": [session.public(now) for session in self.sessions.values()],
            "locks": {
                name: {
                    "failures": self.locks.get(name, LockState()).failures,
                    "locked": self.lock_remaining(name) > 0,
                    "remaining_seconds": round(self.lock_remaining(name), 3),
                }
                for name in names
            },
            "failed_logins": dict(self.failed_logins),
            "password_requests": len(self.password_requests),
        }
