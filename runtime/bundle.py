"""The .gimlet bundle: one zip file holding a manifest, IREE modules and the weights once.

Members are stored uncompressed and 64-byte aligned, so a reader can map
the file and hand IREE each module and the parameter archive without
copying. docs/bundle-format.md describes the format for other runtimes.
This module uses only the standard library: the runtime must not need the
compiler to open a bundle.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import GimletError

FORMAT = "gimlet-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ALIGNMENT = 64
#: Zip extra-field id used to pad local headers for alignment (the id Android's zipalign uses).
_ALIGNMENT_EXTRA_ID = 0xD935
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


class BundleError(GimletError):
    """A bundle is unreadable, corrupt, foreign, or unsafe to load."""


@dataclass
class Bundle:
    """A compiled model in memory: its manifest and its members (module and weight bytes)."""

    manifest: dict
    members: dict[str, bytes] = field(default_factory=dict)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the bundle to `path` (conventionally *.gimlet); returns the path."""
        path = Path(path)
        manifest = dict(self.manifest)
        manifest["members"] = {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in sorted(self.members.items())
        }
        # Write beside the target and rename over it: a session that has the old file mapped keeps
        # reading the old inode instead of crashing on a file truncated under it.
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
                _write_aligned(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                for name, data in sorted(self.members.items()):
                    check_member_name(name)
                    _write_aligned(archive, name, data)
            os.replace(partial, path)
        finally:
            if partial.exists():
                partial.unlink()
        self.manifest = manifest
        return path

    @property
    def inputs(self) -> list[dict]:
        return self.manifest["inputs"]

    @property
    def outputs(self) -> list[dict]:
        return self.manifest["outputs"]

    @property
    def partitions(self) -> list[dict]:
        return self.manifest["partitions"]


def _write_aligned(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Write a stored member whose data starts on an ALIGNMENT boundary."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    offset = archive.fp.tell()
    header_end = offset + _LOCAL_HEADER.size + len(name.encode())
    padding = (-(header_end + 4)) % ALIGNMENT
    info.extra = struct.pack("<HH", _ALIGNMENT_EXTRA_ID, padding) + b"\0" * padding
    archive.writestr(info, data)


def check_member_name(name: str) -> None:
    """Refuse member names that could escape a folder the bundle is extracted to."""
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or ".." in path.parts or ":" in name or name.startswith("/"):
        raise BundleError(f"bundle member '{name}' has an unsafe path (absolute, '..', or a drive); refusing to load")


class BundleFile:
    """A bundle opened for reading: validated manifest, verified members, zero-copy member views."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():
            raise BundleError(f"{self.path}: no such file")
        try:
            self._file = open(self.path, "rb")
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self._zip = zipfile.ZipFile(self._file)
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise BundleError(f"{self.path}: not a gimlet bundle (not a zip archive: {error})") from None
        self._infos = {info.filename: info for info in self._zip.infolist()}
        for name in self._infos:
            check_member_name(name)
        self.manifest = self._read_manifest()
        self._verify_members()

    def _read_manifest(self) -> dict:
        if MANIFEST not in self._infos:
            raise BundleError(f"{self.path}: not a gimlet bundle (no {MANIFEST})")
        try:
            manifest = json.loads(self._zip.read(MANIFEST))
        except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise BundleError(f"{self.path}: the manifest is corrupt ({error}); recompile the model") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleError(f"{self.path}: not a gimlet bundle (format is {manifest.get('format')!r}, expected '{FORMAT}')")
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise BundleError(
                f"{self.path}: bundle format version {version} is not supported by this runtime "
                f"(it reads version {FORMAT_VERSION}); recompile with a matching gimlet"
            )
        for key in ("inputs", "outputs", "partitions", "members"):
            if key not in manifest:
                raise BundleError(f"{self.path}: the manifest has no '{key}'; the bundle is damaged, recompile the model")
        return manifest

    def _verify_members(self) -> None:
        for name, expected in self.manifest["members"].items():
            check_member_name(name)
            digest = hashlib.sha256(self.view(name)).hexdigest()
            if digest != expected.get("sha256"):
                raise BundleError(f"{self.path}: member '{name}' fails its SHA-256 check; the bundle is corrupt, recompile or re-copy it")

    def view(self, name: str) -> memoryview:
        """The bytes of a stored member, mapped from the file without a copy."""
        info = self._infos.get(name)
        if info is None:
            raise BundleError(f"{self.path}: member '{name}' named in the manifest is missing; the bundle is incomplete")
        if info.compress_type != zipfile.ZIP_STORED:
            raise BundleError(f"{self.path}: member '{name}' is compressed; gimlet bundles store members uncompressed")
        header = _LOCAL_HEADER.unpack_from(self._map, info.header_offset)
        if header[0] != b"PK\x03\x04":
            raise BundleError(f"{self.path}: member '{name}' has a damaged header; the bundle is corrupt")
        start = info.header_offset + _LOCAL_HEADER.size + header[9] + header[10]
        if start + info.file_size > len(self._map):
            raise BundleError(f"{self.path}: member '{name}' runs past the end of the file; the bundle is truncated")
        return memoryview(self._map)[start : start + info.file_size]

    def close(self) -> None:
        self._zip.close()
        self._file.close()
