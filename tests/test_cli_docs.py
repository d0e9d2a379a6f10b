"""Every command has help text and a section in the README (sqlite-utils style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_cli_has_the_commands_the_workflow_needs():
    assert {"blank", "prefill", "read", "import", "export", "report"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_a_readme_section(name: str):
    command = cli.commands[name]
    assert command.help and command.help.strip(), f"{name} has no help text"
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert param.help, f"{name} --{param.name} has no help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {name}")
    assert re.search(rf"^### `minicex {name}`", README, re.M), f"README has no section for minicex {name}"


def _all_commands(group=cli, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _all_commands()], ids=" ".join)
def test_h_is_help_and_help_ends_with_examples(path: tuple[str, ...]):
    long = CliRunner().invoke(cli, [*path, "--help"])
    short = CliRunner().invoke(cli, [*path, "-h"])
    assert short.exit_code == 0 and short.output == long.output
    lines = long.output.rstrip().splitlines()
    examples = lines.index("  Examples:") if "  Examples:" in lines else None
    assert examples is not None, f"minicex {' '.join(path)} --help has no examples"
    shown = [ln.strip() for ln in lines[examples + 1 :] if ln.strip().startswith("minicex ")]
    assert 1 <= len(shown) <= 3 and all(ln.startswith(f"minicex {' '.join(path)}") for ln in shown)


def test_quick_start_has_exactly_two_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    assert "minicex blank" in lines[0]
    assert "pytest" in lines[1]
