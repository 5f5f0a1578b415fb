"""`redis-unify server` driven by an independent LSP client: pytest-lsp
(PyPI), which starts the real binary and speaks to it with pygls'
client. Run by tests/lsp_client.rs (`cargo test --test lsp_client`), which
passes the binary in REDIS_UNIFY_BIN; on its own:

    REDIS_UNIFY_BIN=target/debug/redis-unify python -m pytest -c tests/lsp/pytest.ini tests/lsp

Covers: initialize (capabilities), diagnostics on an unsaved buffer (not the
file on disk), each code action applied and the text checked (the fix of a
finding, `# noqa`, fix all), a configuration reload, a buffer that does not
parse, a document closed mid-way, a finding from another module that follows
that module's open buffer (the project index), and shutdown with exit code 0.
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BINARY = os.environ.get("REDIS_UNIFY_BIN", "redis-unify")
# Only a failsafe against a hung server: no assertion depends on time.
FAILSAFE = 120


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "app").mkdir()
    # On disk: nothing to find. The buffers the tests open say otherwise.
    (tmp_path / "app" / "cache.py").write_text("import os\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "server"]))
async def client(lsp_client: LanguageClient, project: pathlib.Path):
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(
                    position_encodings=[types.PositionEncodingKind.Utf16]
                ),
                workspace=types.WorkspaceClientCapabilities(
                    did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                        dynamic_registration=False
                    )
                ),
            ),
            workspace_folders=[
                types.WorkspaceFolder(uri=project.as_uri(), name="demo")
            ],
        )
    )
    lsp_client.initialize_result = result
    yield
    if lsp_client._server is not None and lsp_client._server.returncode is None:
        await lsp_client.shutdown_session()


async def diagnostics(client: LanguageClient, uri: str, wanted) -> list:
    """Waits until the diagnostics published for `uri` satisfy `wanted`."""
    while not (uri in client.diagnostics and wanted(client.diagnostics[uri])):
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS),
            FAILSAFE,
        )
    return list(client.diagnostics[uri])


def codes(found) -> list:
    return [d.code for d in found]


def open_buffer(client: LanguageClient, uri: str, text: str, version: int = 1):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )


def change_buffer(client: LanguageClient, uri: str, text: str, version: int):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply(text: str, edits) -> str:
    """Applies LSP text edits (ASCII text: UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


async def actions(client: LanguageClient, uri: str, line: int, only=None) -> list:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=line, character=0),
                end=types.Position(line=line, character=0),
            ),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return result or []


@pytest.mark.asyncio
async def test_initialize_announces_the_capabilities(client: LanguageClient):
    capabilities = client.initialize_result.capabilities
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16
    assert capabilities.code_action_provider is not None
    kinds = capabilities.code_action_provider.code_action_kinds
    assert "quickfix" in kinds
    assert "source.fixAll.redis-unify" in kinds
    assert client.initialize_result.server_info.name == "redis-unify"


@pytest.mark.asyncio
async def test_diagnostics_come_from_the_unsaved_buffer(
    client: LanguageClient, project: pathlib.Path
):
    uri = (project / "app" / "cache.py").as_uri()
    open_buffer(client, uri, "import aioredis\n")
    found = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert codes(found) == ["RU100"]
    assert found[0].range == types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=0, character=15),
    )
    assert found[0].severity == types.DiagnosticSeverity.Warning
    assert found[0].code_description.href.endswith("rules/docs/RU100.md")
    # An unsaved change: the buffer counts, not the disk (still `import os`).
    change_buffer(client, uri, "import os\nimport aioredis.client\n", 2)
    found = await diagnostics(
        client, uri, lambda d: [x.range.start.line for x in d] == [1]
    )
    assert codes(found) == ["RU100"]
    change_buffer(client, uri, "import os\n", 3)
    await diagnostics(client, uri, lambda d: len(d) == 0)
    assert (project / "app" / "cache.py").read_text() == "import os\n"


FACTORY_1X = (
    "import aioredis\n\n\nasync def create_pool(address):\n"
    "    return await aioredis.create_redis_pool(address)\n"
)
FACTORY_REDIS_PY = (
    "import redis.asyncio as aioredis\n\n\nasync def create_pool(address):\n"
    "    return aioredis.from_url(address, socket_timeout=5)\n"
)
VIEWS = (
    "from app.db import create_pool\n\n\nasync def view():\n"
    "    redis = await create_pool('redis://localhost')\n"
    "    await redis.wait_closed()\n"
)


@pytest.mark.asyncio
async def test_findings_from_another_module_follow_its_open_buffer(
    client: LanguageClient, project: pathlib.Path
):
    """The project index: views.py's finding comes from db.py's factory, and
    follows db.py's unsaved buffer."""
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "db.py").write_text(FACTORY_1X)
    (project / "app" / "views.py").write_text(VIEWS)
    views = (project / "app" / "views.py").as_uri()
    db = (project / "app" / "db.py").as_uri()
    open_buffer(client, views, VIEWS)
    found = await diagnostics(client, views, lambda d: len(d) == 1)
    assert codes(found) == ["RU101"]
    assert found[0].range.start == types.Position(line=5, character=16)
    related = found[0].related_information[0]
    assert related.location.uri == db
    assert related.location.range.start.line == 3
    # db.py's buffer builds a redis-py client now (not saved): nothing left.
    open_buffer(client, db, FACTORY_REDIS_PY)
    await diagnostics(client, views, lambda d: len(d) == 0)
    # Back to 1.x in the buffer: the finding returns.
    change_buffer(client, db, FACTORY_1X, 2)
    found = await diagnostics(client, views, lambda d: len(d) == 1)
    assert codes(found) == ["RU101"]
    assert (project / "app" / "db.py").read_text() == FACTORY_1X


@pytest.mark.asyncio
async def test_each_code_action_gives_the_expected_text(
    client: LanguageClient, project: pathlib.Path
):
    uri = (project / "app" / "cache.py").as_uri()
    text = "import aioredis\n\nclient = aioredis.from_url('redis://h', socket_timeout=5)\n"
    open_buffer(client, uri, text)
    await diagnostics(client, uri, lambda d: codes(d) == ["RU100"])

    quick = await actions(client, uri, 0)
    titles = [a.title for a in quick]
    fix = next(a for a in quick if "Suppress" not in a.title and a.kind == "quickfix")
    assert fix.is_preferred
    assert apply(text, fix.edit.changes[uri]) == text.replace(
        "import aioredis", "import redis.asyncio as aioredis"
    )
    noqa = next(a for a in quick if a.title.endswith("Suppress with `# noqa: RU100`"))
    assert apply(text, noqa.edit.changes[uri]) == text.replace(
        "import aioredis\n", "import aioredis  # noqa: RU100\n"
    ), titles

    fix_all = await actions(client, uri, 0, only=["source.fixAll"])
    assert [a.kind for a in fix_all] == ["source.fixAll.redis-unify"]
    fixed = apply(text, fix_all[0].edit.changes[uri])
    assert fixed.startswith("import redis.asyncio as aioredis\n")

    # The fixed text, sent back as the editor would: nothing left.
    change_buffer(client, uri, fixed, 2)
    await diagnostics(client, uri, lambda d: len(d) == 0)


@pytest.mark.asyncio
async def test_the_configuration_is_reloaded_when_it_changes(
    client: LanguageClient, project: pathlib.Path
):
    uri = (project / "app" / "cache.py").as_uri()
    open_buffer(client, uri, "import aioredis\n")
    await diagnostics(client, uri, lambda d: codes(d) == ["RU100"])
    config = project / "pyproject.toml"
    config.write_text('[project]\nname = "demo"\n\n[tool.redis-unify]\nignore = ["RU100"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await diagnostics(client, uri, lambda d: len(d) == 0)


@pytest.mark.asyncio
async def test_hostile_buffers_never_stop_the_server(
    client: LanguageClient, project: pathlib.Path
):
    broken = (project / "app" / "broken.py").as_uri()
    open_buffer(client, broken, "import aioredis\ndef f(:\n")
    found = await diagnostics(client, broken, lambda d: "RU001" in codes(d))
    assert "RU100" in codes(found)
    # Opened and closed before it could be checked: an empty list at the end.
    gone = (project / "app" / "gone.py").as_uri()
    open_buffer(client, gone, "import aioredis\n")
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=gone))
    )
    # Nested deeper than Python allows.
    deep = (project / "app" / "deep.py").as_uri()
    open_buffer(client, deep, "import aioredis\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    await diagnostics(client, deep, lambda d: "RU001" in codes(d))
    await diagnostics(client, gone, lambda d: len(d) == 0)
    # The server still answers.
    assert (await actions(client, broken, 0)) is not None


@pytest.mark.asyncio
async def test_shutdown_and_exit_end_the_server_with_0(client: LanguageClient):
    await client.shutdown_session()
    assert client._server.returncode == 0
