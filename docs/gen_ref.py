"""The reference pages, written at build time from the code so they cannot drift.

Run by mkdocs through the ``gen-files`` plugin (``mkdocs.yml``); nothing it writes is
committed. Each page is produced from what the hub itself uses:

* ``reference/rest.md`` and ``reference/openapi.json``: the app's OpenAPI document, from
  :func:`mdm.app.create_app` on a throwaway SQLite database (never the configured one);
* ``reference/graphql.md``: ``contracts/schema.graphql``;
* ``reference/cli.md``: the ``--help`` of every ``mdm`` command, plugins' commands included;
* ``reference/settings.md``: the settings classes and their defaults;
* ``reference/events.md``: ``contracts/asyncapi.yaml``;
* ``reference/match-settings.md``: the shipped ``matching/settings/*.json``;
* ``reference/errors.md``: the domain errors of ``canonical/errors.py`` and their HTTP status.
"""

from __future__ import annotations

import atexit
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import mkdocs_gen_files
import yaml

ROOT = Path(__file__).resolve().parent.parent
GENERATED = (
    '!!! note "Generated"\n    This page is generated from {source} when the docs are built.\n'
)


def cell(text: object) -> str:
    """A value fit for one markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def write(path: str, text: str) -> None:
    with mkdocs_gen_files.open(path, "w") as out:
        out.write(text)


# --- REST ------------------------------------------------------------------------------------


def openapi_document() -> dict[str, Any]:
    """The document ``/openapi.json`` serves, from an app on a scratch SQLite file.

    Settings are read once per process (``get_settings`` is cached), so the environment is
    set before anything of ``mdm`` is imported, and no demo data or dispatcher is started.
    """
    scratch = tempfile.mkdtemp(prefix="mdm-docs-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    os.environ["MDM_DATABASE_URL"] = f"sqlite:///{scratch}/docs.db"
    os.environ["MDM_SECRET_KEY"] = "docs-build-only"
    for name in ("MDM_NATS_URL", "MDM_ADMIN_API_KEY", "MDM_SECRET_KEY_FILE"):
        os.environ.pop(name, None)  # nothing of a real deployment is reached from a docs build
    from mdm.app import create_app
    from mdm.bootstrap import bootstrap
    from mdm.settings import get_settings

    get_settings.cache_clear()
    return create_app(bootstrap(get_settings(), migrate=False)).openapi()


def rest_page(doc: dict[str, Any]) -> str:
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            tag = (op.get("tags") or ["other"])[0]
            by_tag.setdefault(tag, []).append((method.upper(), path, op))
    lines = [
        "# REST API",
        "",
        GENERATED.format(source="the app's OpenAPI document (`mdm.app.create_app`)"),
        f"{doc['info']['title']} {doc['info']['version']}, OpenAPI {doc['openapi']}. "
        "The full document is [openapi.json](openapi.json); a running hub serves it at "
        "`/openapi.json` and Swagger UI at `/docs`.",
        "",
    ]
    for tag in sorted(by_tag):
        lines += [
            f"## {tag}",
            "",
            "| method | path | summary | answer | status codes |",
            "| --- | --- | --- | --- | --- |",
        ]
        for method, path, op in sorted(by_tag[tag], key=lambda r: (r[1], r[0])):
            summary = op.get("summary") or (op.get("description") or "").split("\n")[0]
            answers = ", ".join(sorted(op.get("responses", {})))
            answer = shape_links(op.get("responses", {}))
            lines.append(f"| {method} | `{path}` | {cell(summary)} | {answer} | {answers} |")
        lines.append("")
    return "\n".join(lines + shapes_section(doc["components"]["schemas"]))


def schema_name(schema: dict[str, Any]) -> str:
    """A schema as a reader names it: a shape's name, ``[Shape]``, ``A | B``, a JSON type."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        return " \\| ".join(schema_name(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {schema_name(schema.get('items', {}))}"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {schema_name(schema['additionalProperties'])}"
    return str(schema.get("type", "any"))


def shape_links(responses: dict[str, Any]) -> str:
    """The shapes of an operation's 2xx answers."""
    found = []
    for code, response in sorted(responses.items()):
        for content in response.get("content", {}).values():
            if code.startswith("2") and "schema" in content:
                found.append(schema_name(content["schema"]))
    return ", ".join(dict.fromkeys(found))


def shapes_section(schemas: dict[str, Any]) -> list[str]:
    """Every shape of the document with its properties."""
    lines = ["## Shapes", "", "Every body the API answers or reads, with its properties.", ""]
    for name in sorted(schemas, key=str.lower):
        schema = schemas[name]
        lines += [f"### {name}", ""]
        if schema.get("description"):
            lines += [cell(schema["description"]), ""]
        required = set(schema.get("required", []))
        lines += ["| property | type | | description |", "| --- | --- | --- | --- |"]
        for prop, spec in schema.get("properties", {}).items():
            need = "required" if prop in required else ""
            about = cell(spec.get("description", ""))
            lines.append(f"| `{prop}` | {schema_name(spec)} | {need} | {about} |")
        lines.append("")
    return lines


# --- GraphQL ---------------------------------------------------------------------------------


def graphql_page() -> str:
    sdl = (ROOT / "contracts" / "schema.graphql").read_text()
    return "\n".join(
        [
            "# GraphQL schema",
            "",
            GENERATED.format(source="`contracts/schema.graphql`"),
            "The API is read-only and served at `/graphql` (GraphiQL on `GET`). "
            "A test checks that the running schema matches this file.",
            "",
            "```graphql",
            sdl.rstrip(),
            "```",
            "",
        ]
    )


# --- CLI -------------------------------------------------------------------------------------


def commands(group: Any, ctx: Any, prefix: list[str]) -> Iterator[tuple[list[str], Any]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or getattr(command, "hidden", False):
            continue
        yield [*prefix, name], command
        if hasattr(command, "list_commands"):
            yield from commands(command, ctx, [*prefix, name])


def cli_page() -> str:
    import typer
    from typer.testing import CliRunner

    from mdm.cli import app

    # click's plain help: rich's boxes are drawn for a terminal, not for a page
    typer.core.HAS_RICH = False
    root = typer.main.get_command(app)
    ctx = root.make_context("mdm", ["--help"], resilient_parsing=True)
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    source = "the `--help` of every `mdm` command"
    lines = ["# Command line", "", GENERATED.format(source=source), ""]
    for path, _command in [([], root), *commands(root, ctx, [])]:
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="mdm")
        title = " ".join(["mdm", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        lines += [f"## `{title}`", "", "```text", text, "```", ""]
    return "\n".join(lines)


# --- settings --------------------------------------------------------------------------------


def type_name(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return " or ".join(f"`{value}`" for value in get_args(annotation))
    text = str(annotation) if get_args(annotation) else annotation.__name__
    return cell(text.replace("pathlib.", ""))


def default_of(value: Any) -> str:
    if value is None:
        return "none"
    if value == "":
        return "empty"
    return f"`{value}`"


def settings_page() -> str:
    from mdm.settings import ObservabilitySettings, Settings
    from sync.connectors.settings import SyncSettings
    from sync.stream.settings import StreamEnvironment

    lines = [
        "# Settings",
        "",
        GENERATED.format(source="the settings classes"),
        "Every setting is an environment variable, read once per process. What each one does "
        "is told in [Operations: settings](../operations/settings.md).",
        "",
    ]
    # the sections of the one object (sync.settings.HubSettings), each where it is read
    for cls in (Settings, ObservabilitySettings, StreamEnvironment, SyncSettings):
        prefix = cls.model_config.get("env_prefix", "")
        lines += [
            f"## `{cls.__module__}.{cls.__name__}`",
            "",
            "| variable | type | default |",
            "| --- | --- | --- |",
        ]
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            env = (
                " / ".join(str(c) for c in alias.choices)
                if alias is not None and hasattr(alias, "choices")
                else (prefix + name).upper()
            )
            kind, default = type_name(field.annotation), default_of(field.default)
            lines.append(f"| `{env}` | {kind} | {default} |")
        lines.append("")
    return "\n".join(lines)


# --- events ----------------------------------------------------------------------------------


def events_page() -> str:
    text = (ROOT / "contracts" / "asyncapi.yaml").read_text()
    doc = yaml.safe_load(text)
    lines = [
        "# Events",
        "",
        GENERATED.format(source="`contracts/asyncapi.yaml`"),
        f"{doc['info']['title']} {doc['info']['version']}, AsyncAPI {doc['asyncapi']}.",
        "",
        doc["info"].get("description", "").strip(),
        "",
        "## Channels",
        "",
        "| channel | address | messages | description |",
        "| --- | --- | --- | --- |",
    ]
    for name, channel in doc.get("channels", {}).items():
        messages = ", ".join(f"`{m}`" for m in channel.get("messages", {}))
        lines.append(
            f"| {cell(name)} | `{channel.get('address', '')}` | {messages} "
            f"| {cell(channel.get('description', ''))} |"
        )
    lines += ["", "## The document", "", '??? abstract "asyncapi.yaml"', ""]
    lines += ["    ```yaml", *("    " + line for line in text.rstrip().splitlines()), "    ```", ""]
    return "\n".join(lines)


# --- match settings --------------------------------------------------------------------------


def match_settings_page() -> str:
    lines = ["# Match settings", "", GENERATED.format(source="`matching/settings/*.json`")]
    lines.append(
        "The settings each entity type ships with; training replaces `m`, `u` and the prior "
        "(see [The matching model](../concepts/matching.md)). A running hub shows the version in "
        "use with `mdm matching settings` or `GET /api/v1/matching/settings`.\n"
    )
    for path in sorted((ROOT / "matching" / "settings").glob("*.json")):
        s = json.loads(path.read_text())
        lines += [
            f"## `{s['version']}` (`matching/settings/{path.name}`)",
            "",
            f"Thresholds: link {s['thresholds']['link']}, review {s['thresholds']['review']}; "
            f"prior {s['prior']}"
            + (f"; related prior {s['related_prior']}" if "related_prior" in s else "")
            + (
                f"; strong identifiers {', '.join(f'`{x}`' for x in s['strong_identifiers'])}"
                if s.get("strong_identifiers")
                else ""
            )
            + ".",
            "",
            "### Blocking rules",
            "",
            "| rule | keys | details |",
            "| --- | --- | --- |",
        ]
        for rule in s["blocking"]:
            rest = {k: v for k, v in rule.items() if k not in {"name", "keys"}}
            keys = ", ".join(f"`{k}`" for k in rule.get("keys", []))
            lines.append(f"| {rule['name']} | {keys} | {cell(json.dumps(rest) if rest else '')} |")
        lines.append("")
        for comparison in s["comparisons"]:
            fields = ", ".join(f"`{f}`" for f in comparison.get("fields", []))
            lines += [
                f"### Comparison `{comparison['name']}` ({fields})",
                "",
                "| level | kind | m | u | flags |",
                "| --- | --- | ---: | ---: | --- |",
            ]
            for level in comparison["levels"]:
                flags = {k: v for k, v in level.items() if k not in {"label", "kind", "m", "u"}}
                lines.append(
                    f"| {cell(level['label'])} | {level['kind']} | {level.get('m', '')} "
                    f"| {level.get('u', '')} | {cell(json.dumps(flags) if flags else '')} |"
                )
            lines.append("")
        if "trained_on" in s:
            lines += ["### Where the numbers come from", ""]
            lines += [f"- **{k}**: {cell(v)}" for k, v in s["trained_on"].items()]
            lines.append("")
    return "\n".join(lines)


# --- errors ----------------------------------------------------------------------------------


def errors_page() -> str:
    import canonical.errors as errors
    from mdm.http.errors import _status_of

    rows = []
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, errors.DomainError) and cls.__module__ == errors.__name__:
            doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
            status = _status_of(cls.__new__(cls))
            rows.append((status, cls.code, name, doc.split("\n\n")[0].replace("``", "`")))
    lines = [
        "# Error codes",
        "",
        GENERATED.format(source="`canonical/errors.py` and `mdm/http/errors.py`"),
        "Every domain error has a stable `code` and one HTTP status, given in the body "
        '`{"error": {"code", "message", "errors"?}}`. The limits of the HTTP layer itself '
        "(413, 414, 415, 431, 408, ...) are in [Limits and error codes]"
        "(../operations/limits.md).",
        "",
        "| status | code | error | meaning |",
        "| ---: | --- | --- | --- |",
    ]
    for status, code, name, doc in sorted(rows):
        lines.append(f"| {status} | `{code}` | `{name}` | {cell(doc)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    doc = openapi_document()
    write("reference/openapi.json", json.dumps(doc, indent=2))
    write("reference/rest.md", rest_page(doc))
    write("reference/graphql.md", graphql_page())
    write("reference/cli.md", cli_page())
    write("reference/settings.md", settings_page())
    write("reference/events.md", events_page())
    write("reference/match-settings.md", match_settings_page())
    write("reference/errors.md", errors_page())


main()
