"""The target environment a module is compiled for: binaries, env vars, credentials, data sources.

`Environment` is a pydantic model (a compile-time boundary): it is either probed
from this machine (`probe_environment`) or declared in a JSON/YAML file
(`load_environment`, `skc compile --env env.yaml`) that describes another machine:

    os: linux
    arch: x86_64
    has_gpu: false
    binaries:                      # name -> path, or {path, version}
      kubectl: /usr/local/bin/kubectl
      jq: {path: /usr/bin/jq, version: "jq-1.7"}
    env_vars: [NAMESPACE, HOME]    # names only, never values
    credentials: [KUBECONFIG, ~/.kube/config]
    data_sources:                  # name -> sqlite path or DSN (passwords are dropped)
      incidents: /var/db/incidents.sqlite
      metrics: {kind: prometheus, dsn: "http://prometheus:9090"}
    scripts_dir: /opt/skills/scripts
    hosts: [prometheus, "*.gitlab.net"]   # hosts HTTP ops may reach; omit for "any"

A declared environment is complete: a binary it does not list is missing there.
A probed one looks up only the binaries it is asked about (a PATH lookup each,
no scan of the whole PATH) and runs nothing unless `versions=True`; `probe_lookups.py`
remembers the file-system lookups a probe makes.

Secrets never enter the model: env vars and credential files are recorded by
name, DSNs lose their passwords, and nothing reads a credential file's content.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from skc.compiler.probe_lookups import SQLITE_SUFFIXES, Listings, path_stamp, sqlite_names, which
from skc.ir.location import Diagnostic, DiagnosticError, Location

DataSourceKind = Literal["sqlite", "postgres", "mysql", "prometheus", "kusto", "loki", "other"]

# An env var name that holds a secret: ..._TOKEN, ..._KEY, ..._PASSWORD, KUBECONFIG, ...
SECRET_NAME = re.compile(
    r"(?:^|_)(?:TOKEN|KEY|SECRET|PASSWORD|PASSWD|PASS|PAT|CREDENTIALS?|APIKEY|API_KEY|AUTH)$"
    r"|^(?:KUBECONFIG|PGPASSFILE|NETRC|GOOGLE_APPLICATION_CREDENTIALS|AWS_ACCESS_KEY_ID|AWS_PROFILE)$"
)

# Credential files the probe looks for (by existence only), in `~/...` form.
CREDENTIAL_FILES = (
    "~/.kube/config", "~/.aws/credentials", "~/.config/gcloud", "~/.azure", "~/.config/gh/hosts.yml",
    "~/.config/glab-cli/config.yml", "~/.vault-token", "~/.pgpass", "~/.netrc", "~/.docker/config.json",
)

_SCHEME_KIND: dict[str, DataSourceKind] = {
    "sqlite": "sqlite", "postgres": "postgres", "postgresql": "postgres", "mysql": "mysql",
    "mariadb": "mysql", "prometheus": "prometheus", "http": "prometheus", "https": "prometheus",
    "kusto": "kusto", "loki": "loki",
}
_SECRET_QUERY_KEYS = {"password", "passwd", "pwd", "secret", "token", "sslpassword", "api_key", "apikey"}


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:  # asked for every env var of every probe: remembered
    """Does the env var `name` look like it holds a credential?"""
    return bool(SECRET_NAME.search(name.upper()))


def strip_password(dsn: str) -> str:
    """`postgres://u:pw@h/db?password=x` -> `postgres://u@h/db`; other text is returned as is."""
    parts = urlsplit(dsn)
    if not parts.scheme or (not parts.netloc and not parts.query):
        return dsn
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{hostport}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in _SECRET_QUERY_KEYS])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class Binary(BaseModel):
    """An executable: its absolute path, and its version when known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    version: str | None = None


class DataSource(BaseModel):
    """Something `tool.sql` queries: a sqlite file (`path`) or a server (`dsn`, no password)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DataSourceKind = "other"
    path: str | None = None
    dsn: str | None = None

    @field_validator("dsn")
    @classmethod
    def _no_password(cls, value: str | None) -> str | None:
        return strip_password(value) if value else value

    @property
    def target(self) -> str:
        """What the source points at (its path or DSN), for reports."""
        return self.path or self.dsn or ""

    @classmethod
    def from_text(cls, text: str) -> DataSource:
        """A sqlite path (`*.db`, `*.sqlite`) or a DSN (`postgres://...`), kind from the form."""
        scheme = urlsplit(text).scheme.lower()
        if scheme == "sqlite":
            return cls(kind="sqlite", path=text.split("://", 1)[1] if "://" in text else text[7:])
        if scheme in _SCHEME_KIND and "://" in text:
            return cls(kind=_SCHEME_KIND[scheme], dsn=text)
        if text.endswith(SQLITE_SUFFIXES) or "/" in text or not scheme:
            return cls(kind="sqlite", path=text)
        return cls(kind="other", dsn=text)


class Environment(BaseModel):
    """What a target machine offers the ops of a module (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(default="declared", description="`probed` or where it was loaded from")
    os: str = ""
    arch: str = ""
    has_gpu: bool = False
    binaries: dict[str, Binary] = Field(default_factory=dict)
    env_vars: list[str] = Field(default_factory=list, description="names of the env vars set")
    credentials: list[str] = Field(default_factory=list,
                                   description="secret-looking env var names and credential files present")
    data_sources: dict[str, DataSource] = Field(default_factory=dict)
    scripts_dir: str | None = None
    hosts: list[str] | None = Field(default=None, description="hosts HTTP ops may reach; None: not restricted")

    @field_validator("binaries", mode="before")
    @classmethod
    def _binary_shorthand(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: {"path": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("data_sources", mode="before")
    @classmethod
    def _source_shorthand(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: DataSource.from_text(v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("env_vars", "credentials")
    @classmethod
    def _sorted_names(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    def binary(self, name: str) -> Binary | None:
        return self.binaries.get(name)

    def has_env(self, name: str) -> bool:
        return name in self.env_vars

    def has_credential(self, name: str) -> bool:
        """Is the credential `name` (an env var name or a `~/...` file) present?"""
        return name in self.credentials or (name in self.env_vars and is_secret_name(name))

    def allows_host(self, host: str) -> bool:
        if self.hosts is None:
            return True
        return any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in self.hosts)

    def summary(self) -> dict[str, Any]:
        """The machine's description for the bundle (no lists of everything it has)."""
        return {"origin": self.origin, "os": self.os, "arch": self.arch, "has_gpu": self.has_gpu}


def _version(path: str) -> str | None:
    """First line of `path --version` (2 s budget), or None."""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=2,
                             stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0][:200] if out.returncode == 0 and text else None


_GPU_NODES = ("/dev/nvidia0", "/dev/nvidiactl", "/dev/kfd", "/dev/dri/renderD128")


def _has_gpu(path: str, stamp: tuple[int, ...], listings: Listings) -> bool:
    """A GPU device node or driver tool (on `path`) is present (file checks only; runs nothing)."""
    return any(listings.exists(p) for p in _GPU_NODES) or which("nvidia-smi", path, stamp) is not None


def _probe_data_sources(env: Mapping[str, str], names: Iterable[str], root: str | None) -> dict[str, DataSource]:
    """`SKC_DB_<NAME>`, `DATABASE_URL`, `PROMETHEUS_URL`, and sqlite files in the skill folder
    (`names`: the env var names of `env`)."""
    sources: dict[str, DataSource] = {}
    if root is not None:
        for folder in (root, os.path.join(root, "data")):
            try:
                found = sqlite_names(folder)
            except OSError:  # no such folder (or not a folder)
                continue
            for f in sorted(Path(folder) / n for n in found):
                if f.suffix in SQLITE_SUFFIXES and f.is_file():
                    sources.setdefault(f.stem, DataSource(kind="sqlite", path=str(f.resolve())))
    if url := env.get("DATABASE_URL"):
        sources["default"] = DataSource.from_text(url)
    if url := env.get("PROMETHEUS_URL"):
        sources["prometheus"] = DataSource(kind="prometheus", dsn=url)
    for key in sorted(k for k in names if k.startswith("SKC_DB_")):
        if len(key) > 7 and env[key]:
            sources[key[7:].lower()] = DataSource.from_text(env[key])
    return sources


_NAMES: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}  # env var names -> (sorted, secret-looking)


def _env_names(names: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The env var names sorted, and those that look like credentials (the same few sets of
    names come back every compile: remembered, a fresh copy each time)."""
    known = _NAMES.get(names)
    if known is None:
        if len(_NAMES) >= 16:
            _NAMES.clear()
        known = _NAMES[names] = (sorted(set(names)), [k for k in names if is_secret_name(k)])
    return list(known[0]), list(known[1])


def probe_environment(binaries: Iterable[str] = (), *, root: str | Path | None = None,
                      environ: Mapping[str, str] | None = None, versions: bool = False) -> Environment:
    """This machine, as far as the given binaries go (PATH lookups), plus env var names.

    `root` is the skill folder (sqlite files there become data sources); `environ`
    replaces `os.environ` (tests); `versions` runs `<binary> --version` for each found one.

    Every compile of a source without `--env` probes, so the model is built without a
    validation pass (`model_construct`): each field is made here in the form validation gives.
    """
    env = os.environ if environ is None else environ  # values read for a few names only (decoding each is slow)
    names = tuple(env)
    path = env.get("PATH", os.defpath)
    found: dict[str, Binary] = {}
    stamp = path_stamp(path)
    for name in sorted(set(binaries)):
        where = which(name, path, stamp) if "/" not in name else (name if os.access(name, os.X_OK) else None)
        if where is not None:
            if "/" in name or not os.path.isabs(where):  # `which` gives absolute paths as `Path` writes them
                where = str(Path(where).absolute())
            found[name] = Binary.model_construct(path=where, version=_version(where) if versions else None)
    home = env.get("HOME") or str(Path.home())
    listings = Listings()
    files = [f for f in CREDENTIAL_FILES if listings.exists(os.path.join(home, f[2:]))]
    env_vars, secret = _env_names(names)
    return Environment.model_construct(
        origin="probed",
        os=platform.system().lower(),
        arch=platform.machine(),
        has_gpu=_has_gpu(path, stamp, listings),
        binaries=found,
        env_vars=env_vars,
        credentials=sorted(set(secret + files)),
        data_sources=_probe_data_sources(env, names, None if root is None else str(Path(root))),
        scripts_dir=env.get("SKC_SCRIPTS_DIR"),
    )


def load_environment(path: str | Path) -> Environment:
    """An environment declared in a JSON or YAML file; problems are SKC227 diagnostics."""
    path = Path(path)
    loc = Location(str(path), 1, 1)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DiagnosticError([Diagnostic("SKC227", loc, f"cannot read environment file: {e}")]) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as e:
        raise DiagnosticError([Diagnostic("SKC227", Location(str(path), e.lineno, e.colno),
                                          f"environment file is not valid JSON: {e.msg}")]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark is not None else loc
        problem = getattr(e, "problem", None) or str(e)
        raise DiagnosticError([Diagnostic("SKC227", where, f"environment file is not valid YAML: {problem}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DiagnosticError([Diagnostic("SKC227", loc, "an environment file holds a mapping",
                                          "see `skc compile --help` for the format")])
    data.setdefault("origin", str(path))
    try:
        return Environment.model_validate(data)
    except ValidationError as e:
        raise DiagnosticError([
            Diagnostic("SKC227", loc, f"environment field {'.'.join(map(str, err['loc'])) or '<root>'}: {err['msg']}",
                       "fields: os, arch, has_gpu, binaries, env_vars, credentials, data_sources, "
                       "scripts_dir, hosts")
            for err in e.errors()
        ]) from None
