"""Model management: validation, install, replace, remove, index download (all offline)."""

from __future__ import annotations

import http.server
import json
import os
import socket
import stat
import threading
import time
import zipfile
from pathlib import Path

import pytest

from argos_fixture import build_argos_package
from pipeline.translate import models
from pipeline.errors import ModelError
from pipeline.translate.models import InstalledModel


# --------------------------------------------------------------------------- helpers


def snapshot(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.fixture
def area(tmp_path):
    """A sandbox with the models folder inside: anything written outside it shows up."""
    sandbox = tmp_path / "sandbox"
    (sandbox / "models").mkdir(parents=True)
    return sandbox


@pytest.fixture
def archive(tmp_path):
    return build_argos_package(tmp_path / "archives")


def rewrite(src: Path, dest: Path, *, drop=(), add=(), rename=None) -> Path:
    """Copy an archive, dropping members, renaming them (``rename(name) -> name``) and adding ``(ZipInfo|name, bytes)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if any(info.filename.endswith(d) for d in drop):
                continue
            name = rename(info.filename) if rename else info.filename
            zout.writestr(name, zin.read(info.filename))
        for name, data in add:
            zout.writestr(name, data)
    return dest


def assert_refused(archive_path: Path, area: Path, reason: str, **limits) -> ModelError:
    directory = area / "models"
    before = snapshot(area)
    with pytest.raises(ModelError) as caught:
        models.install_archive(archive_path, directory, **limits)
    assert reason in str(caught.value)
    assert caught.value.exit_code == 2
    assert caught.value.path == str(archive_path)
    assert snapshot(area) == before, "something was written"
    assert list(directory.iterdir()) == [], "a partial install remains"
    assert not (area.parent / "evil").exists()
    return caught.value


# --------------------------------------------------------------------------- install / list / routes


def test_install_and_list(archive, area):
    directory = area / "models"
    model = models.install_archive(archive, directory)
    assert model == InstalledModel("pl", "en", "1.0", model.name, directory / "translate-pl_en")
    assert model.pair == "pl-en"
    assert (model.path / "model" / "model.bin").is_file()
    assert models.list_models(directory) == [model]
    assert sorted(p.name for p in directory.iterdir()) == ["translate-pl_en"]  # no temp folder left
    assert snapshot(area) == {"models"} | {"models/" + s for s in snapshot(directory)}


def test_installed_model_runs_with_ctranslate2(archive, area):
    import ctranslate2
    import sentencepiece

    model = models.install_archive(archive, area / "models")
    sp = sentencepiece.SentencePieceProcessor(model_file=str(model.path / "sentencepiece.model"))
    tokens = sp.encode("Zapraszamy na spotkanie.", out_type=str)
    result = ctranslate2.Translator(str(model.path / "model")).translate_batch([tokens], max_decoding_length=8)
    assert result[0].hypotheses[0]


def test_routes_with_pivot(tmp_path, area):
    directory = area / "models"
    for pair in [("pl", "en"), ("en", "uk")]:
        models.install_archive(build_argos_package(tmp_path / "a", *pair), directory)
    installed = models.list_models(directory)
    assert {m.pair for m in installed} == {"pl-en", "en-uk"}
    got = models.routes(installed, pivot="en")
    assert set(got) == {("pl", "en"), ("en", "uk"), ("pl", "en", "uk")}
    assert got[-1] == ("pl", "en", "uk")
    assert models.routes(installed, pivot="de") == got[:2]


def test_routes_prefers_direct_pair():
    p = Path("/x")
    ms = [InstalledModel(a, b, "1", "", p) for a, b in [("pl", "en"), ("en", "uk"), ("pl", "uk"), ("en", "pl")]]
    got = models.routes(ms)
    assert ("pl", "en", "uk") not in got
    assert ("pl", "uk") in got
    assert ("en", "en", "en") not in got and ("pl", "en", "pl") not in got


def test_remove(tmp_path, area):
    directory = area / "models"
    models.install_archive(build_argos_package(tmp_path / "a", "pl", "en"), directory)
    models.install_archive(build_argos_package(tmp_path / "a", "en", "uk"), directory)
    removed = models.remove_model("pl-en", directory)
    assert [m.pair for m in removed] == ["pl-en"]
    assert [m.pair for m in models.list_models(directory)] == ["en-uk"]
    assert sorted(p.name for p in directory.iterdir()) == ["translate-en_uk"]
    with pytest.raises(ModelError, match="no pl-en model installed.*en-uk"):
        models.remove_model("pl-en", directory)
    with pytest.raises(ModelError, match="not a language pair"):
        models.remove_model("polish", directory)


def test_replace_with_newer_version(tmp_path, area):
    directory = area / "models"
    models.install_archive(build_argos_package(tmp_path / "a", version="1.0", seed=1), directory)
    old_bin = (directory / "translate-pl_en" / "model" / "model.bin").read_bytes()
    new = models.install_archive(build_argos_package(tmp_path / "b", version="1.1", seed=2), directory)
    assert new.version == "1.1"
    assert [(m.pair, m.version) for m in models.list_models(directory)] == [("pl-en", "1.1")]
    assert (directory / "translate-pl_en" / "model" / "model.bin").read_bytes() != old_bin
    assert sorted(p.name for p in directory.iterdir()) == ["translate-pl_en"]


def test_replace_install_under_another_folder_name(tmp_path, area):
    """An argospm install of the same pair under another folder name is replaced too."""
    directory = area / "models"
    first = models.install_archive(build_argos_package(tmp_path / "a"), directory)
    os.rename(first.path, directory / "translate-pl_en-1_0")
    models.install_archive(build_argos_package(tmp_path / "b", version="2.0"), directory)
    assert [(m.path.name, m.version) for m in models.list_models(directory)] == [("translate-pl_en", "2.0")]


def test_failed_replace_keeps_old_install(tmp_path, area):
    directory = area / "models"
    models.install_archive(build_argos_package(tmp_path / "a"), directory)
    bad = rewrite(build_argos_package(tmp_path / "b", version="2.0"), tmp_path / "bad.argosmodel", drop=["model.bin"])
    with pytest.raises(ModelError, match="model.bin"):
        models.install_archive(bad, directory)
    assert [(m.pair, m.version) for m in models.list_models(directory)] == [("pl-en", "1.0")]


def test_junk_folders_do_not_break_listing(archive, area):
    directory = area / "models"
    models.install_archive(archive, directory)
    (directory / "junk").mkdir()
    (directory / "junk" / "notes.txt").write_text("hello")
    (directory / "broken").mkdir()
    (directory / "broken" / "metadata.json").write_text("{not json")
    (directory / "nomodel").mkdir()
    (directory / "nomodel" / "metadata.json").write_text(json.dumps({"from_code": "pl", "to_code": "de"}))
    (directory / "sbd").mkdir()
    (directory / "sbd" / "metadata.json").write_text(json.dumps({"type": "sbd", "from_code": "pl"}))
    (directory / ".tmp-install-stale").mkdir()
    (directory / "stray.txt").write_text("x")
    found, warnings = models.scan_models(directory)
    assert [m.pair for m in found] == ["pl-en"]
    assert models.list_models(directory) == found
    text = "\n".join(warnings)
    assert "junk: no metadata.json" in text
    assert "broken" in text and "nomodel" in text and "model.bin" in text
    assert "sbd" not in text and "tmp-install" not in text
    assert models.scan_models(area / "missing") == ([], [])


# --------------------------------------------------------------------------- models_dir


def test_models_dir_override_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "from-env"))
    assert models.models_dir() == tmp_path / "from-env"
    assert models.models_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("ARGOS_PACKAGES_DIR")
    from argostranslate import settings

    assert models.models_dir() == Path(settings.package_data_dir)
    assert str(models.models_dir()).startswith(os.environ["HOME"])  # never the real HOME in tests


# --------------------------------------------------------------------------- refusals


def test_refuse_zip_slip(archive, tmp_path, area):
    bad = rewrite(archive, tmp_path / "slip.argosmodel", add=[("translate-pl_en/../../evil", b"x")])
    assert_refused(bad, area, "path traversal")


def test_refuse_absolute_path(archive, tmp_path, area):
    bad = rewrite(archive, tmp_path / "abs.argosmodel", add=[("/tmp/evil", b"x")])
    assert_refused(bad, area, "absolute path")


def test_refuse_backslash_and_drive(archive, tmp_path, area):
    assert_refused(rewrite(archive, tmp_path / "bs.argosmodel", add=[("translate-pl_en\\..\\evil", b"x")]), area, "backslash")
    assert_refused(rewrite(archive, tmp_path / "c.argosmodel", add=[("C:evil", b"x")]), area, "drive letter")


def test_refuse_symlink(archive, tmp_path, area):
    link = zipfile.ZipInfo("translate-pl_en/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    bad = rewrite(archive, tmp_path / "link.argosmodel", add=[(link, "/etc/passwd")])
    assert_refused(bad, area, "symbolic link")


def test_refuse_zip_bomb_ratio(archive, tmp_path, area):
    bad = tmp_path / "bomb.argosmodel"
    rewrite(archive, bad)
    with zipfile.ZipFile(bad, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("translate-pl_en/padding.bin", "w") as out:
            block = b"\0" * (1 << 20)
            for _ in range(50):
                out.write(block)
    assert bad.stat().st_size < 1_000_000
    assert_refused(bad, area, "compression ratio")


def test_refuse_too_large_total(archive, area):
    assert_refused(archive, area, "too large when unpacked", max_total=10_000)


def test_refuse_metadata_too_large(archive, tmp_path, area):
    big = json.dumps({"from_code": "pl", "to_code": "en", "padding": os.urandom(600_000).hex()}).encode()
    bad = rewrite(archive, tmp_path / "m.argosmodel", drop=["metadata.json"], add=[("translate-pl_en/metadata.json", big)])
    assert_refused(bad, area, "metadata.json is too large")


def test_refuse_invalid_json(archive, tmp_path, area):
    bad = rewrite(archive, tmp_path / "j.argosmodel", drop=["metadata.json"], add=[("translate-pl_en/metadata.json", b"{oops")])
    assert_refused(bad, area, "invalid JSON in metadata.json")


@pytest.mark.parametrize(
    "metadata, reason",
    [
        ([1, 2], "not a JSON object"),
        ({"to_code": "en"}, "from_code missing or not a language code"),
        ({"from_code": "pl", "to_code": "../x"}, "to_code missing or not a language code"),
        ({"from_code": "pl", "to_code": "en", "type": "sbd"}, "not a translation model"),
    ],
)
def test_refuse_bad_metadata(archive, tmp_path, area, metadata, reason):
    data = json.dumps(metadata).encode()
    bad = rewrite(archive, tmp_path / "md.argosmodel", drop=["metadata.json"], add=[("translate-pl_en/metadata.json", data)])
    assert_refused(bad, area, reason)


def test_refuse_missing_metadata(archive, tmp_path, area):
    assert_refused(rewrite(archive, tmp_path / "nm.argosmodel", drop=["metadata.json"]), area, "no metadata.json")


def test_refuse_missing_model_bin(archive, tmp_path, area):
    assert_refused(rewrite(archive, tmp_path / "nb.argosmodel", drop=["model.bin"]), area, "no model/model.bin")


def test_refuse_missing_tokenizer(archive, tmp_path, area):
    assert_refused(rewrite(archive, tmp_path / "nt.argosmodel", drop=["sentencepiece.model"]), area, "no sentencepiece.model")


def test_refuse_two_top_level_folders(archive, tmp_path, area):
    bad = rewrite(archive, tmp_path / "two.argosmodel", add=[("other/file.txt", b"x")])
    assert_refused(bad, area, "exactly one top-level folder, found 2")
    flat = rewrite(archive, tmp_path / "flat.argosmodel", rename=lambda n: n.split("/", 1)[1] or "x/")
    assert_refused(flat, area, "exactly one top-level folder")


def test_refuse_truncated_zip(archive, tmp_path, area):
    bad = tmp_path / "cut.argosmodel"
    data = archive.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    assert_refused(bad, area, "truncated or corrupt zip")


def test_refuse_text_file(tmp_path, area):
    bad = tmp_path / "notes.argosmodel"
    bad.write_text("this is not a model\n")
    assert_refused(bad, area, "not a zip archive")


def test_refuse_missing_file(tmp_path, area):
    assert_refused(tmp_path / "nothing.argosmodel", area, "no such file")


def test_corrupt_member_leaves_nothing(archive, tmp_path, area):
    """A CRC error found only while extracting: the temp folder is removed."""
    bad = tmp_path / "crc.argosmodel"
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("translate-pl_en/model/model.bin")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError):
        models.install_archive(bad, area / "models")
    assert list((area / "models").iterdir()) == []


def test_validate_archive_info(archive):
    info = models.validate_archive(archive)
    assert (info.top, info.from_code, info.to_code, info.version) == ("translate-pl_en", "pl", "en", "1.0")
    assert info.metadata["type"] == "translate"
    assert info.uncompressed > archive.stat().st_size


# --------------------------------------------------------------------------- index download (local server only)


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    handler = type("Handler", (_Handler,), {"files": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, handler.files
    httpd.shutdown()
    httpd.server_close()


def _serve_index(base, files, tmp_path):
    index = []
    for a, b, version in [("pl", "en", "1.0"), ("pl", "en", "1.1"), ("en", "uk", "1.0")]:
        archive = build_argos_package(tmp_path / f"srv-{version}", a, b, version=version)
        files[f"/{archive.name}"] = archive.read_bytes()
        index.append({"from_code": a, "to_code": b, "package_version": version, "type": "translate",
                      "links": [f"{base}/{archive.name}"]})
    index.append({"type": "sbd", "from_code": "pl", "links": []})
    files["/index.json"] = json.dumps(index).encode()
    return f"{base}/index.json"


def test_install_from_local_index(server, tmp_path, area):
    base, files = server
    url = _serve_index(base, files, tmp_path)
    directory = area / "models"
    calls = []
    got = models.install_from_index(["pl-en", "en-uk"], directory, index_url=url, progress=lambda d, t: calls.append((d, t)))
    assert [(m.pair, m.version) for m in got] == [("pl-en", "1.1"), ("en-uk", "1.0")]
    assert {m.pair for m in models.list_models(directory)} == {"pl-en", "en-uk"}
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert sorted(p.name for p in directory.iterdir()) == ["translate-en_uk", "translate-pl_en"]
    assert snapshot(area) == {"models"} | {"models/" + s for s in snapshot(directory)}


def test_install_from_index_unknown_pair(server, tmp_path, area):
    base, files = server
    url = _serve_index(base, files, tmp_path)
    with pytest.raises(ModelError, match="no pl-de model in the Argos package index; available: en-uk, pl-en"):
        models.install_from_index(["pl-en", "pl-de"], area / "models", index_url=url)
    assert list((area / "models").iterdir()) == []  # nothing downloaded before every pair was found


def test_install_from_index_bad_download_leaves_nothing(server, tmp_path, area):
    base, files = server
    files["/index.json"] = json.dumps(
        [{"from_code": "pl", "to_code": "en", "package_version": "1", "links": [f"{base}/x.argosmodel"]}]
    ).encode()
    files["/x.argosmodel"] = b"<html>not a zip</html>"
    with pytest.raises(ModelError, match="not a zip archive"):
        models.install_from_index(["pl-en"], area / "models", index_url=f"{base}/index.json")
    assert list((area / "models").iterdir()) == []
    files.pop("/x.argosmodel")
    with pytest.raises(ModelError, match="download of the pl-en model failed .*HTTP 404"):
        models.install_from_index(["pl-en"], area / "models", index_url=f"{base}/index.json")
    assert list((area / "models").iterdir()) == []


def test_download_index_invalid_json(server):
    base, files = server
    files["/index.json"] = b"<html>"
    with pytest.raises(ModelError, match="not valid JSON"):
        models.download_index(index_url=f"{base}/index.json")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_fails_fast(area):
    url = f"http://127.0.0.1:{_closed_port()}/index.json"
    started = time.perf_counter()
    with pytest.raises(ModelError, match="cannot reach the Argos package index .*no internet connection.*models install FILE"):
        models.install_from_index(["pl-en"], area / "models", index_url=url, timeout=2.0)
    assert time.perf_counter() - started < 3.0
    assert list((area / "models").iterdir()) == []


def test_unanswering_server_times_out():
    """A server that accepts but never answers: the timeout is honoured."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/index.json"
        started = time.perf_counter()
        with pytest.raises(ModelError, match="cannot reach the Argos package index"):
            models.download_index(timeout=0.5, index_url=url)
        assert time.perf_counter() - started < 2.5


def test_default_index_url_is_the_sandboxed_one():
    # conftest points ARGOS_PACKAGE_INDEX at a closed local port: tests can never reach the internet.
    assert models.default_index_url().startswith("http://127.0.0.1:9/")


# --------------------------------------------------------------------------- hostile metadata and names

INJECTED_VERSION = '1.0\nmsgid "INJECTED"\nmsgstr "by the model archive"\n#'


@pytest.mark.parametrize("metadata, reason", [
    ({"from_code": "pl", "to_code": "en", "package_version": INJECTED_VERSION}, "package_version is not a version"),
    ({"from_code": "pl", "to_code": "en", "package_version": "1.0 beta"}, "package_version is not a version"),
    ({"from_code": "pl\n", "to_code": "en"}, "from_code missing or not a language code"),
    ({"from_code": "pl", "to_code": "en\n"}, "to_code missing or not a language code"),
])
def test_metadata_that_could_reach_a_catalogue_is_refused(archive, tmp_path, area, metadata, reason):
    data = json.dumps(metadata).encode()
    bad = rewrite(archive, tmp_path / "md.argosmodel", drop=["metadata.json"], add=[("translate-pl_en/metadata.json", data)])
    assert_refused(bad, area, reason)


def test_installed_folder_with_injected_metadata_is_skipped(archive, area):
    directory = area / "models"
    model = models.install_archive(archive, directory)
    meta = json.loads((model.path / "metadata.json").read_text())
    (model.path / "metadata.json").write_text(json.dumps({**meta, "package_version": INJECTED_VERSION}))
    found, warnings = models.scan_models(directory)
    assert found == [] and "package_version is not a version" in warnings[0]


def test_install_folder_is_named_from_the_metadata_not_the_archive(tmp_path, area):
    directory = area / "models"
    en_uk = models.install_archive(build_argos_package(tmp_path / "a", "en", "uk"), directory)
    assert en_uk.path.name == "translate-en_uk"
    disguised = rewrite(build_argos_package(tmp_path / "b", "pl", "en"), tmp_path / "translate-en_uk-1_0.argosmodel",
                        rename=lambda name: name.replace("translate-pl_en/", "translate-en_uk-1_0/"))
    pl_en = models.install_archive(disguised, directory)
    assert pl_en.path.name == "translate-pl_en"
    assert sorted(m.pair for m in models.list_models(directory)) == ["en-uk", "pl-en"]
    assert sorted(p.name for p in directory.iterdir()) == ["translate-en_uk", "translate-pl_en"]


def test_folder_of_another_pair_at_our_name_is_kept(tmp_path, area):
    directory = area / "models"
    en_uk = models.install_archive(build_argos_package(tmp_path / "a", "en", "uk"), directory)
    en_uk.path.rename(directory / "translate-pl_en")  # someone renamed it by hand
    pl_en = models.install_archive(build_argos_package(tmp_path / "b", "pl", "en"), directory)
    assert pl_en.path.name == "translate-pl_en-2"
    assert sorted(m.pair for m in models.list_models(directory)) == ["en-uk", "pl-en"]


def test_too_many_members_and_unprintable_names_are_refused(archive, tmp_path, area):
    many = rewrite(archive, tmp_path / "many.argosmodel",
                   add=[(f"translate-pl_en/junk/{i}", b"") for i in range(models.MAX_MEMBERS)])
    assert_refused(many, area, f"members (at most {models.MAX_MEMBERS:,}); refused")
    newline = rewrite(archive, tmp_path / "nl.argosmodel", add=[("translate-pl_en/a\nb", b"x")])
    assert_refused(newline, area, "unprintable name")
