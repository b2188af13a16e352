"""The demo supervisor: a one-shot process (the demo's setup) may finish without stopping the
others; any other process ending stops everything."""

from __future__ import annotations

import sys

from connector.processes import ProcessSpec, Supervisor


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_one_shot_process_finishes_without_stopping_the_rest(capsys):
    specs = [
        ProcessSpec("setup", _python("print('set up'); raise SystemExit(3)"), one_shot=True),
        ProcessSpec("server", _python("import time; time.sleep(1.5)")),
    ]

    assert Supervisor(specs).run() == 1  # when "server" ends, long after "setup"

    assert capsys.readouterr().out.splitlines() == [
        "setup  | set up",
        "supervisor | setup finished (exit code 3)",
        "supervisor | server exited with code 0; stopping the rest",
    ]


def test_a_long_running_process_ending_stops_the_others(capsys):
    specs = [
        ProcessSpec("quick", _python("print('bye')")),
        ProcessSpec("slow", _python("import time; time.sleep(30)")),
    ]

    assert Supervisor(specs).run() == 1

    assert "quick exited with code 0; stopping the rest" in capsys.readouterr().out
