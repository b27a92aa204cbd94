"""Extracting an interpreter image's layers onto the host: only the directory asked for, and
nothing that could write elsewhere or make a device (issue 27)."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from astro_pyenv_frontend.oci import ExtractError
from astro_pyenv_frontend.oci.extract import extract_layer

from fake_registry import LAYER, entry, layer

SOURCE = "opt/astro-pyenv/python/3.9.2"
P = SOURCE + "/"


def _extract(tmp_path: Path, *layers: bytes, media_type: str = LAYER) -> Path:
    target = tmp_path / "out" / "3.9.2"
    for data in layers:
        extract_layer(io.BytesIO(data), media_type, source=SOURCE, target=target)
    return target


def test_files_dirs_and_links_inside_the_directory_are_written_with_their_permission_bits(tmp_path: Path) -> None:
    data = layer(
        entry("opt/"), entry("opt/astro-pyenv/"), entry(P), entry(P + "bin/"), entry(P + "lib/"),
        (P + "bin/python3.9", b"#!python"),
        entry(P + "bin/python3", tarfile.SYMTYPE, link="python3.9"),
        entry(P + "lib/libz.so.1", tarfile.SYMTYPE, link="../lib/libz.so.1.2"),
        (P + "lib/libz.so.1.2", b"elf"),
        entry(P + "lib/hard", tarfile.LNKTYPE, link=P + "lib/libz.so.1.2"),
        entry(P + "bin/suid", tarfile.REGTYPE, mode=0o4755),
        ("opt/astro-pyenv/bin/python3.9", b"a link elsewhere in the image: not ours"),
        ("etc/passwd", b"root::0:0"),
    )  # fmt: skip
    target = _extract(tmp_path, data)
    assert (target / "bin" / "python3.9").read_bytes() == b"#!python"
    assert os.readlink(target / "bin" / "python3") == "python3.9"
    assert (target / "lib" / "libz.so.1").read_bytes() == b"elf"
    assert (target / "lib" / "hard").stat().st_ino == (target / "lib" / "libz.so.1.2").stat().st_ino
    assert stat.S_IMODE((target / "bin" / "suid").stat().st_mode) == 0o755  # no set-user-id
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["3.9.2"]
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (("/" + P + "x", b""), "absolute or with '..'"),
        ((P + "../../../../../tmp/x", b""), "absolute or with '..'"),
        (entry(P + "abs", tarfile.SYMTYPE, link="/etc/passwd"), "outside"),
        (entry(P + "up", tarfile.SYMTYPE, link="../../../etc"), "outside"),
        (entry(P + "lib/up", tarfile.SYMTYPE, link="../../x"), "outside"),
        (entry(P + "hard", tarfile.LNKTYPE, link="etc/passwd"), "hard link"),
        (entry(P + "tty", tarfile.CHRTYPE, mode=0o666), "a device"),
        (entry(P + "disk", tarfile.BLKTYPE), "a device"),
        (entry(P + "fifo", tarfile.FIFOTYPE), "a FIFO"),
    ],
)
def test_entries_that_could_write_elsewhere_or_make_devices_are_refused(
    tmp_path: Path, bad: tarfile.TarInfo | tuple[str, bytes], message: str
) -> None:
    with pytest.raises(ExtractError, match=message):
        _extract(tmp_path, layer(entry(P), entry(P + "lib/"), bad))
    assert not (tmp_path / "tmp").exists()


def test_a_write_through_a_link_to_a_directory_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "out" / "3.9.2"
    target.mkdir(parents=True)
    os.symlink(outside, target / "lib")  # as left by an earlier, tampered run
    with pytest.raises(ExtractError, match="through a link"):
        _extract(tmp_path, layer(entry(P), (P + "lib/x", b"x")))
    assert list(outside.iterdir()) == []


def test_later_layers_whiteouts_remove_what_earlier_ones_wrote(tmp_path: Path) -> None:
    first = layer(entry(P), entry(P + "lib/"), (P + "lib/a", b"a"), (P + "lib/b", b"b"), entry(P + "share/"), (P + "share/c", b"c"))
    second = layer((P + "lib/.wh.a", b""), (P + "share/.wh..wh..opq", b""), (P + "share/d", b"d"))
    target = _extract(tmp_path, first, second)
    assert sorted(p.name for p in (target / "lib").iterdir()) == ["b"]
    assert sorted(p.name for p in (target / "share").iterdir()) == ["d"]


def test_uncompressed_layers_are_read_and_zstd_is_refused_by_name(tmp_path: Path) -> None:
    plain = layer(entry(P), (P + "x", b"x"), compress=False)
    assert (_extract(tmp_path, plain, media_type="application/vnd.oci.image.layer.v1.tar") / "x").read_bytes() == b"x"
    with pytest.raises(ExtractError, match="zstd"):
        _extract(tmp_path, plain, media_type="application/vnd.oci.image.layer.v1.tar+zstd")


def test_a_file_that_is_not_a_tar_archive_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="not a readable tar archive"):
        _extract(tmp_path, b"\x1f\x8b not really gzip")
