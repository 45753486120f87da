"""The public form's CAPTCHA-free proof: a token the server signs when it serves the form (itsdangerous'
TimestampSigner: HMAC-SHA1 over a random nonce and the time). A post is refused when the token is forged,
sooner than `min_age` after the form was served (a script, not a person typing), older than `max_age`, or
already used once (the nonce is recorded in `tip_form_uses` in the same step that checks it).

It is also the form's CSRF proof: the public form has no session, so there is nothing for a cross-site
page to ride on, and a token is good for one tip only."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from services.store.tip_tables import TipFormUseRow

SALT = "casehub-tip-form"


class TokenRefused(Exception):
    """Why a form token is not accepted (Vietnamese first, for the page and the API alike)."""


class _ClockedSigner(TimestampSigner):
    def __init__(self, key: bytes, clock: Callable[[], datetime]) -> None:
        super().__init__(key, salt=SALT)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock().timestamp())


class FormTokens:
    def __init__(
        self,
        key: bytes,
        clock: Callable[[], datetime],
        min_age: timedelta = timedelta(seconds=3),
        max_age: timedelta = timedelta(hours=1),
    ) -> None:
        self._signer = _ClockedSigner(key, clock)
        self._clock = clock
        self.min_age = min_age
        self.max_age = max_age

    def issue(self) -> str:
        return self._signer.sign(secrets.token_urlsafe(18)).decode("ascii")

    def nonce_of(self, token: str) -> str:
        """The token's nonce if it is genuine and its age is within bounds; TokenRefused otherwise."""
        if not token or len(token) > 200 or not token.isascii():
            raise TokenRefused("thiếu mã biểu mẫu hợp lệ: hãy tải lại trang (form token missing)")
        try:
            nonce, signed_at = self._signer.unsign(
                token, max_age=int(self.max_age.total_seconds()), return_timestamp=True
            )
        except SignatureExpired:
            raise TokenRefused("biểu mẫu đã quá hạn: hãy tải lại trang (form expired)") from None
        except BadSignature:
            raise TokenRefused("mã biểu mẫu không hợp lệ (form token forged or damaged)") from None
        age = self._clock() - signed_at
        if age < self.min_age:
            raise TokenRefused("gửi quá nhanh sau khi mở biểu mẫu: hãy thử lại sau vài giây (sent too fast)")
        return nonce.decode("ascii")

    def use(self, engine: Engine, token: str) -> str:
        """Check the token and record its nonce as used; TokenRefused if it was used before."""
        nonce = self.nonce_of(token)
        now = self._clock()
        with engine.begin() as connection:
            connection.execute(delete(TipFormUseRow).where(TipFormUseRow.used_at < now - self.max_age * 2))
        try:
            with engine.begin() as connection:
                connection.execute(insert(TipFormUseRow).values(nonce=nonce, used_at=now))
        except IntegrityError:
            raise TokenRefused("biểu mẫu này đã được gửi (form already used)") from None
        return nonce

    def release(self, engine: Engine, nonce: str) -> None:
        """Forget a use whose tip was not published (the tip's id comes from the nonce: a resend is safe)."""
        with engine.begin() as connection:
            connection.execute(delete(TipFormUseRow).where(TipFormUseRow.nonce == nonce))
