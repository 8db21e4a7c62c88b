"""Every command's --json output has one shape, described by docs/outreach-json.schema.json."""

from __future__ import annotations

import json

import click
import jsonschema
import pytest

from pipeline.cli import cli
from workspace import ROOT, invoke, make_workspace

SCHEMA = json.loads((ROOT / "docs/outreach-json.schema.json").read_text(encoding="utf-8"))

#: One invocation per command with --json (paths are relative to the workspace).
CALLS = {
    "run": ["run", "--engine", "fake", "-q", "--json"],
    "detect": ["detect", "--json"],
    "status": ["status", "--json"],
    "check": ["check", "--json"],
    "models list": ["models", "list", "--json"],
    "memory export": ["memory", "export", "--tmx", "{ws}/memory-out.tmx", "--json"],
    "memory import": ["memory", "import", "{ws}/memory-out.tmx", "--json"],
}


def _json_commands(group: click.Group, prefix: str = "") -> set[str]:
    found = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _json_commands(command, f"{prefix}{name} ")
        elif any("--json" in p.opts for p in command.params if isinstance(p, click.Option)):
            found.add(prefix + name)
    return found


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_json_command_is_covered():
    assert _json_commands(cli) == set(CALLS) == set(SCHEMA["properties"]["command"]["enum"])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("json"), {
        "source_texts/a.txt": "Zapraszamy na spotkanie autorskie.\n\nWelcome to everyone.\n",
        "source_texts/empty.txt": "\n",
    }, samples=True)
    results = {}
    for name, args in CALLS.items():
        result = invoke(ws, *[a.format(ws=ws) for a in args])
        assert result.exit_code in (0, 1), (name, result.stderr)
        results[name] = json.loads(result.stdout)
    results["check --format json"] = json.loads(invoke(ws, "check", "--format", "json", "--qa").stdout)
    return results


@pytest.mark.parametrize("name", [*CALLS, "check --format json"])
def test_output_validates_against_the_schema(outputs, name):
    data = outputs[name]
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data["version"] == 1 and data["command"] == name.split(" --")[0]


def test_schema_rejects_what_it_should(outputs):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    detect = dict(outputs["detect"])
    assert validator.is_valid(detect)
    assert not validator.is_valid({**detect, "version": 2})
    assert not validator.is_valid({**detect, "surprise": 1})          # a new field means a schema change
    assert not validator.is_valid(outputs["detect"]["documents"])    # the old bare array
    status = json.loads(json.dumps(outputs["status"]))
    status["total"]["entries"] = -1
    assert not validator.is_valid(status)
