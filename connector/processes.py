"""A tiny process supervisor for the demo: start several commands, prefix their output, and stop
all of them together on Ctrl-C, SIGTERM, or when any one of them dies."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

STOP_GRACE_SECONDS = 15.0


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    # A one-shot process (the demo's setup) may end, with any exit code, without stopping the
    # others; its exit is reported once all its output has been shown.
    one_shot: bool = False


class Supervisor:
    def __init__(self, specs: list[ProcessSpec], *, env: dict[str, str] | None = None):
        self.specs = specs
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}
        self._one_shot = {spec.name: spec.one_shot for spec in specs}
        self.width = max(len(spec.name) for spec in specs)

    def run(self) -> int:
        """Block until Ctrl-C/SIGTERM (returns 0) or until a process exits (returns 1)."""
        previous_term = signal.signal(signal.SIGTERM, self._on_sigterm)
        selector = selectors.DefaultSelector()
        try:
            for spec in self.specs:
                process = subprocess.Popen(  # noqa: S603 - argv built by our own command
                    spec.argv,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                    # Own process group: the terminal's Ctrl-C reaches only us, and we stop the
                    # children in order instead of all at once mid-write.
                    start_new_session=True,
                )
                self.running[spec.name] = process
                selector.register(process.stdout, selectors.EVENT_READ, spec.name)
            return self._pump(selector)
        except KeyboardInterrupt:
            self._say("supervisor", "stopping everything…")
            return 0
        finally:
            self.stop_all()
            selector.close()
            signal.signal(signal.SIGTERM, previous_term)

    def _pump(self, selector: selectors.BaseSelector) -> int:
        while True:
            for key, _ in selector.select(timeout=0.5):
                line = key.fileobj.readline()
                if line:
                    self._say(key.data, line.decode(errors="replace").rstrip())
                else:
                    selector.unregister(key.fileobj)
            for name, process in list(self.running.items()):
                if process.poll() is None:
                    continue
                if not self._one_shot[name]:
                    self._say(
                        "supervisor",
                        f"{name} exited with code {process.returncode}; stopping the rest",
                    )
                    return 1
                if not _registered(selector, process.stdout):
                    del self.running[name]
                    self._say("supervisor", f"{name} finished (exit code {process.returncode})")

    def stop_all(self) -> None:
        # The leader alone gets SIGTERM: a Celery worker shuts its pool down itself, and
        # signalling its children as well only slows that down. Stragglers are killed as a group.
        for process in self.running.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in self.running.items():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say("supervisor", f"{name} did not stop in time; killing it")
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def _say(self, name: str, text: str) -> None:
        sys.stdout.write(f"{name:<{self.width}} | {text}\n")
        sys.stdout.flush()

    @staticmethod
    def _on_sigterm(signum, frame):
        raise KeyboardInterrupt


def _registered(selector: selectors.BaseSelector, fileobj) -> bool:
    try:
        selector.get_key(fileobj)
    except KeyError:
        return False
    return True


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
