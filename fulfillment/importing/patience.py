"""An import that meets a busy Acumatica instance waits and goes on with the same run.

"Busy" is throttling: a 429 the client did not already wait out, or no request slot in the
shared budget within its wait (``RateLimited``, ``Throttled``). The run sleeps what the answer
or the budget says, with jitter so that runs throttled together do not come back together, keeps
its store's lease meanwhile, and asks again; only after ``FULFILLMENT_IMPORT_BUSY_WAIT_SECONDS``
of waiting in one run does the error end it (the cursor kept, the backoff after). Anything else
(errors, a refused sign-in, an open circuit breaker: the instance failing, not busy) is raised
at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from connector.acumatica import RateLimited

logger = logging.getLogger("connector.fulfillment")

T = TypeVar("T")

# A hint longer than this is waited in steps, the lease renewed between them.
STEP = 30.0
# No hint (a 429 without Retry-After): this long, then longer each time.
FIRST_WAIT = 2.0


class Patience:
    """How long one run may still wait for a busy instance (``budget`` seconds in all)."""

    def __init__(
        self,
        budget: float,
        *,
        keep_alive: Callable[[], None] = lambda: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.left = budget
        self.waited = 0.0
        self.waits = 0
        self._keep_alive, self._sleep = keep_alive, sleep

    def call(self, request: Callable[[], T]) -> T:
        """``request()``, again after each wait, until it answers or the budget is spent."""
        while True:
            try:
                return request()
            except RateLimited as exc:
                wait = self._wait_for(exc)
                if wait > self.left:
                    raise
                logger.info("Acumatica is busy (%s); waiting %.1fs, then going on", exc, wait)
                self._pause(wait)

    def _wait_for(self, exc: RateLimited) -> float:
        hint = exc.retry_after if exc.retry_after and exc.retry_after > 0 else None
        base = hint if hint is not None else FIRST_WAIT * 2 ** min(self.waits, 5)
        return base * (1 + 0.25 * random.random())

    def _pause(self, wait: float) -> None:
        self.waits += 1
        remaining = wait
        while remaining > 0:
            step = min(STEP, remaining)
            self._sleep(step)
            remaining -= step
            self._keep_alive()
        self.left -= wait
        self.waited += wait
