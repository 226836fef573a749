"""One transaction for one turn: the redelivery claim, the answer with its audit row, and
the new survey place commit together, or none of them does.

Repositories given a UnitOfWork run their statements in its session and never commit; the
turn commits once, then replies. Nothing in this module knows of turns or chats.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork:
    """A session with one transaction, begun on first use and committed by `commit`.

    Leaving the `async with` without a commit rolls back, so a turn that fails (or a process
    that dies) leaves nothing behind: not even its claim, and Teams' redelivery is handled.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The turn's session; its transaction begins with the first statement (autobegin)."""
        if self._session is None:
            self._session = self._sessions()
        return self._session

    async def commit(self) -> None:
        if self._session is not None:
            await self._session.commit()

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            # close() rolls back whatever was not committed and returns the connection.
            await self._session.close()
            self._session = None
