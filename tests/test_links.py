"""A content file that is a link leading out of the content folder is refused, as an image is."""

from __future__ import annotations

import re
import shutil

import pytest

from icat_reports.cli import main


@pytest.mark.parametrize("target", ["copy", "/dev/zero"])
def test_a_yaml_file_linked_from_outside_is_refused(target, content_copy, tmp_path, capsys):
    contact = content_copy / "contact.yaml"
    outside = tmp_path / "elsewhere" / "contact.yaml"
    outside.parent.mkdir()
    shutil.copy(contact, outside)
    contact.unlink()
    contact.symlink_to(outside if target == "copy" else target)
    out = tmp_path / "out"
    for argv in (["check"], ["all", "--out", str(out)]):
        capsys.readouterr()
        assert main([*argv, "--content", str(content_copy)]) == 2
        err = capsys.readouterr().err
        assert re.search(r"content/contact\.yaml: the file is a link that leads out of the content folder", err), err
        assert "Traceback" not in err
        assert not out.exists()


def test_a_yaml_file_linked_from_inside_the_folder_is_read(content_copy, capsys):
    drafts = content_copy / "drafts"
    drafts.mkdir()
    (content_copy / "contact.yaml").rename(drafts / "contact.yaml")
    (content_copy / "contact.yaml").symlink_to("drafts/contact.yaml")
    assert main(["check", "--content", str(content_copy)]) == 0, capsys.readouterr().err


def test_only_links_leading_out_is_not_an_empty_folder(tmp_path, capsys):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "report.yaml").symlink_to("/etc/hostname")
    assert main(["check", "--content", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "report.yaml: the file is a link that leads out" in err and "no .yaml files" not in err
