"""`research result --download` and the web page's downloads: the report's files from the
artifact store, by the names the worker gave them."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.client.files import read_report_file
from durable_research.client.research import download_report
from durable_research.config import Settings
from durable_research.contract.keys import report_name, run_key
from durable_research.contract.report import ReportResult
from durable_research.errors import UserError
from durable_research.store.factory import open_store


def _stored(tmp_path: Path, names: list[str]) -> tuple[Settings, ReportResult]:
    settings = Settings(store=str(tmp_path / "store"))
    store = open_store(settings)
    keys = [run_key("report-abc", report_name("run1", name)) for name in names]
    assert all(k.isascii() for k in keys)
    for key in keys:
        store.put(key, b"%PDF-1.7 ...")
    paths = [f"/srv/reports/{name}" for name in names]
    return settings, ReportResult(paths=paths, keys=keys)


def test_downloads_keep_the_reports_own_file_name(tmp_path: Path) -> None:
    """Keys are ASCII: a Hindi question's report downloaded as ``x____-abc.pdf`` (found in
    a new user's trial). The file gets the name the worker gave it."""
    names = ["टार्डिग्रेड-किन-abc.pdf", "水熊虫-abc.md", "tardigrades-abc.html"]
    settings, result = _stored(tmp_path, names)
    got = download_report(settings, result, str(tmp_path / "dl"))
    assert [p.name for p in got] == names
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == sorted(names)


def test_a_name_that_is_not_the_keys_is_not_used(tmp_path: Path) -> None:
    """Only a plain name whose key it is: nothing else a result carries names a file."""
    settings, result = _stored(tmp_path, ["report-abc.pdf"])
    for odd in ("/srv/reports/other-abc.pdf", "/srv/reports/.bashrc", "/srv/reports/..",
                "/srv/reports/a\nb.pdf", ""):
        result.paths = [odd]
        got = download_report(settings, result, str(tmp_path / "dl"))
        assert [p.name for p in got] == ["report-abc.pdf"]


def test_the_web_download_is_named_as_the_worker_did(tmp_path: Path) -> None:
    settings, result = _stored(tmp_path, ["टार्डिग्रेड-abc.pdf"])
    stored = read_report_file(settings, "report-abc", result, "pdf")
    assert stored.name == "टार्डिग्रेड-abc.pdf"


def test_a_file_given_as_the_folder_is_named_as_such(tmp_path: Path) -> None:
    """A new user's trial: ``--download Makefile`` said "Cannot create Makefile: File
    exists", with no hint."""
    settings, result = _stored(tmp_path, ["report-abc.pdf"])
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError) as caught:
        download_report(settings, result, str(tmp_path / "notes.txt"))
    assert caught.value.message.endswith("notes.txt is a file, not a folder")
    assert caught.value.hint and "folder" in caught.value.hint
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_report_of_another_store_names_the_store_it_is_in(tmp_path: Path) -> None:
    """A new user's trial: a report written while RESEARCH_STORE was a folder, downloaded
    after a switch to S3, said "Cannot download runs/... from s3://...: no object 'runs/...'
    in s3://..." and "check RESEARCH_STORE", never which store holds it (its result does)."""
    written, result = _stored(tmp_path / "then", ["report-abc.pdf"])
    result.store = open_store(written).describe()
    now = Settings(store=str(tmp_path / "now" / "store"))
    with pytest.raises(UserError) as refused:
        download_report(now, result, str(tmp_path / "dl"))
    assert refused.value.message.startswith("Cannot download report-abc.pdf: this report is "
                                            f"stored in {result.store}")
    assert f"this machine's store is {open_store(now).describe()}" in refused.value.message
    assert refused.value.hint == (f"run the download with RESEARCH_STORE (and the S3 settings) "
                                  f"of {result.store}")
