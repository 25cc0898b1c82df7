"""Hugging Face Hub I/O for FAQ datasets: push a dataset folder, download a snapshot.

All Hub traffic of faq-engine goes through here, with the real ``huggingface_hub``
client (imported lazily so ``import faq_engine`` stays fast). The client's errors
become :mod:`faq_engine.errors` Hub errors with messages that say what to do.
When the Hub cannot be reached, or ``HF_HUB_OFFLINE=1``, a copy already in the
Hugging Face cache is used and the returned snapshot says so.

Every call takes a :class:`HubAccess` (token and endpoint) explicitly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .._version import __version__
from ..errors import (
    Advice,
    DatasetError,
    HubAuthError,
    HubError,
    HubNotFoundError,
    HubUnavailableError,
    header_safe,
    remember_secret,
    scrub,
)
from .dataset_format import CARD_FILE
from .source import FORMATS, is_repo_id

log = logging.getLogger(__name__)

REPO_TYPE = "dataset"
INFO_TIMEOUT = 10.0


@dataclass(frozen=True)
class HubAccess:
    """How to reach the Hub: ``endpoint=None`` is the client's own (``HF_ENDPOINT``, else huggingface.co);
    ``token=None`` reads anonymously; ``max_bytes`` caps what one dataset may download (``None``: no cap).

    ``cache_fallback``: whether a copy in the local cache may stand in when the Hub cannot be
    reached. Never for a visitor of the app: the cache is no authorization, and a private dataset
    someone once loaded with their token must not be served to anyone else.
    """

    token: str | None = field(default=None, repr=False)
    endpoint: str | None = None
    max_bytes: int | None = None
    cache_fallback: bool = True

    def __post_init__(self) -> None:
        if self.token is not None and not header_safe(self.token):
            # Checked before any request: an HTTP client fails on such a token locally, which must never
            # pass for "the Hub could not be reached".
            raise HubAuthError("The token has characters no token has (a space, a line break or a non-ASCII "
                               "character): copy it again.")
        remember_secret(self.token)


@dataclass(frozen=True)
class HubSnapshot:
    """A downloaded dataset repo: the local folder and how it was obtained."""

    repo_id: str
    revision: str
    folder: Path
    commit: str | None
    from_cache: bool = False
    reason: str = ""


@dataclass(frozen=True)
class PushResult:
    """Where a push landed."""

    repo_id: str
    commit: str
    url: str
    notes: tuple[str, ...] = ()


def _transport_errors() -> tuple[type[BaseException], ...]:
    from huggingface_hub.errors import OfflineModeIsEnabled

    types: list[type[BaseException]] = [OfflineModeIsEnabled, ConnectionError, TimeoutError]
    for name in ("httpx2", "httpx"):  # whichever HTTP stack this huggingface_hub uses
        try:
            types.append(__import__(name).TransportError)
        except (ImportError, AttributeError):
            continue
    return tuple(types)


def _status(err: BaseException) -> int | None:
    response = getattr(err, "response", None)
    return getattr(response, "status_code", None)


def _client_error(err: BaseException) -> str | None:
    """Which huggingface_hub error class ``err`` is, by name (the mapping tables below use names)."""
    from huggingface_hub import errors

    for name in ("GatedRepoError", "RepositoryNotFoundError", "RevisionNotFoundError"):
        if isinstance(err, getattr(errors, name)):
            return name
    return None


def _api(access: HubAccess):
    from huggingface_hub import HfApi

    return HfApi(endpoint=access.endpoint, token=access.token or False, library_name="faq-engine",
                 library_version=__version__)


# Reading a dataset: the client's error (by class name, else HTTP status) -> our error and its message.
# The Hub answers a private repo exactly like a missing one, so "not found" says both.
READ_ERRORS: dict[str | int, tuple[type[HubError], str, Advice | None]] = {
    "GatedRepoError": (HubAuthError, "Dataset {repo_id!r} is gated: accept its conditions on the Hub first.",
                       Advice.HUB_TOKEN),
    "RepositoryNotFoundError": (HubNotFoundError, "Dataset {repo_id!r} was not found on the Hub, or {private}: "
                                                  "check the id.", Advice.HUB_TOKEN),
    "RevisionNotFoundError": (HubNotFoundError, "Dataset {repo_id!r} has no revision {revision!r}: use a branch, "
                                                "tag or commit id that exists.", None),
    401: (HubAuthError, "The Hub refused the token while reading {repo_id!r}.", Advice.HUB_TOKEN),
}
PUSH_ERRORS: dict[int, tuple[type[HubError], str, Advice | None]] = {
    401: (HubAuthError, "The Hub refused the token while pushing {repo_id!r}.", Advice.HUB_WRITE_TOKEN),
    403: (HubAuthError, "Your token cannot write to {repo_id!r}: use a token with write access to that namespace.",
          None),
    404: (HubNotFoundError, "Cannot push to {repo_id!r}: the repo or namespace was not found for this token.", None),
}


def _map_read_error(err: BaseException, repo_id: str, revision: str, token: str | None) -> HubError:
    kind, text, advice = READ_ERRORS.get(_client_error(err) or _status(err), (HubError, "", None))
    if not text:  # the client's own words name the endpoint's address: the log has them, the reader a summary
        log.warning("The Hub could not serve %r@%s: %s", repo_id, revision, scrub(str(err), token))
        status = _status(err)
        why = f"it answered HTTP {status}" if status is not None else f"{type(err).__name__}"
        return HubError(f"The Hub could not serve {repo_id!r}@{revision} ({why}).", repo_id=repo_id)
    private = "your token cannot read it" if token else "it is private"
    return kind(text.format(repo_id=repo_id, revision=revision, private=private), advice=advice, repo_id=repo_id)


def _unavailable(err: BaseException) -> bool:
    status = _status(err)
    return isinstance(err, _transport_errors()) or (status is not None and (status >= 500 or status == 429))


def wanted_files(sizes: dict[str, int]) -> list[str]:
    """The files of a dataset repo that a FAQ set needs: its Parquet files if any, else its CSV/JSON/JSONL
    files, and the card. Hidden files and everything else (images, archives, models) stay on the Hub."""
    visible = [n for n in sorted(sizes) if not any(part.startswith(".") for part in n.split("/"))]
    parquet = [n for n in visible if n.lower().endswith(".parquet")]
    data = parquet or [n for n in visible if Path(n).suffix.lower() in FORMATS]
    return data + ([CARD_FILE] if CARD_FILE in sizes and data else [])


def download_dataset(repo_id: str, *, revision: str | None = None, access: HubAccess = HubAccess()) -> HubSnapshot:
    """Download (or reuse from the Hugging Face cache) the FAQ files of a dataset repo at ``revision``.

    The revision is resolved online first; only :func:`wanted_files` are downloaded, and
    not at all when they add up to more than ``access.max_bytes``. If the Hub is unreachable or
    offline mode is on, the cached copy of that revision is returned with ``from_cache=True``.
    Raises :class:`HubNotFoundError`, :class:`HubAuthError`, :class:`DatasetError` (no FAQ
    files, or too large) or, with no cached copy, :class:`HubUnavailableError`.
    """
    if not is_repo_id(repo_id):
        raise HubNotFoundError(f"{repo_id!r} is not a Hub dataset id: use the form 'namespace/name[@revision]'.")
    revision = revision or "main"
    try:
        # Resolving first tells a reachable Hub from a fallback to the cache, which
        # snapshot_download alone would do silently.
        info = _api(access).dataset_info(repo_id, revision=revision, timeout=INFO_TIMEOUT, files_metadata=True)
        files = _checked_files(repo_id, {s.rfilename: s.size or 0 for s in info.siblings or []}, access.max_bytes)
        # Download by name (not commit id) so the cache records the ref for offline use.
        folder = _snapshot(repo_id, revision, access, allow=files)
        return HubSnapshot(repo_id, revision, folder, folder.name)
    except Exception as err:  # classified below; anything unexpected is re-raised as is
        if _unavailable(err) and access.cache_fallback:
            return _from_cache(repo_id, revision, access, err)
        if _unavailable(err):
            raise HubUnavailableError(f"Cannot load {repo_id!r}: the Hub could not be reached.",
                                      advice=Advice.CONNECT_HUB, repo_id=repo_id) from err
        if _status(err) is not None:
            raise _map_read_error(err, repo_id, revision, access.token) from err
        raise


def map_download_error(err: BaseException, repo_id: str, access: HubAccess) -> Exception:
    """The typed error for a failed read of ``repo_id`` (no fallback to the cache: for files of one's own)."""
    if _unavailable(err):
        return HubUnavailableError(f"Cannot read {repo_id!r}: the Hub could not be reached.",
                                   advice=Advice.CONNECT_HUB, repo_id=repo_id)
    if _status(err) is not None or _client_error(err):
        return _map_read_error(err, repo_id, "main", access.token)
    return HubError(f"Cannot read {repo_id!r}: {scrub(str(err), access.token)[:300]}", repo_id=repo_id)


def _checked_files(repo_id: str, sizes: dict[str, int], max_bytes: int | None) -> list[str]:
    files = wanted_files(sizes)
    if not files:
        raise DatasetError(f"Dataset {repo_id!r} has no CSV, JSON, JSONL or Parquet file to read FAQs from.")
    total = sum(sizes[name] for name in files)
    if max_bytes is not None and total > max_bytes:
        raise DatasetError(f"Dataset {repo_id!r} has {total / 2**20:.1f} MB of FAQ files; at most "
                           f"{max_bytes / 2**20:.0f} MB can be loaded here. Use a smaller dataset.")
    return files


def _snapshot(repo_id: str, revision: str, access: HubAccess, offline: bool = False,
              allow: list[str] | None = None) -> Path:
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(
        repo_id, repo_type=REPO_TYPE, revision=revision, token=access.token or False, endpoint=access.endpoint,
        local_files_only=offline, allow_patterns=allow, library_name="faq-engine", library_version=__version__,
    ))


def _from_cache(repo_id: str, revision: str, access: HubAccess, cause: BaseException) -> HubSnapshot:
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled

    offline = isinstance(cause, OfflineModeIsEnabled)
    why = "offline mode is on" if offline else "the Hub could not be reached"
    try:
        # Only the card is asked for: the snapshot folder holds every file fetched before, and asking
        # for files never fetched (the repo's other files) would fail the client's completeness check.
        folder = _snapshot(repo_id, revision, access, offline=True, allow=[CARD_FILE])
    except LocalEntryNotFoundError as err:
        raise HubUnavailableError(
            f"Cannot load {repo_id!r}: {why}, and no copy of it is cached.", advice=Advice.CONNECT_HUB,
            repo_id=repo_id, revision=revision
        ) from err
    return HubSnapshot(repo_id, revision, folder, folder.name, from_cache=True, reason=why)


def require_write_token(token: str | None) -> None:
    """Fail early, before any work, when a push could not be authenticated."""
    if not token:
        raise HubAuthError("Pushing to the Hub needs a token with write access.", advice=Advice.HUB_WRITE_TOKEN)


def push_dataset(folder: Path, repo_id: str, *, access: HubAccess, private: bool = False,
                 message: str | None = None) -> PushResult:
    """Upload ``folder``'s Parquet shards and card to the dataset repo ``repo_id`` (created if needed).

    Shards the repo has but the folder has not (an older, differently sharded version) are deleted
    in the same commit.
    """
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    if not is_repo_id(repo_id):
        raise HubError(f"{repo_id!r} is not a Hub dataset id: use the form 'namespace/name'.")
    require_write_token(access.token)
    folder = Path(folder)
    api = _api(access)
    local = sorted(f"data/{p.name}" for p in (folder / "data").glob("train-*.parquet")) + [CARD_FILE]
    ops = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(folder / p)) for p in local]
    try:
        url = api.create_repo(repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True)
        remote = api.list_repo_files(repo_id, repo_type=REPO_TYPE)
        ops += [CommitOperationDelete(path_in_repo=p) for p in remote
                if p.startswith("data/train-") and p.endswith(".parquet") and p not in local]
        notes = ()
        if private and not api.dataset_info(repo_id, timeout=INFO_TIMEOUT).private:
            notes = (f"{repo_id} already exists and is public; a repo is made private only when it is created.",)
        info = api.create_commit(repo_id, ops, repo_type=REPO_TYPE, commit_message=message or "Upload FAQ embeddings")
    except Exception as err:  # mapped to a typed error below
        mapped = _map_push_error(err, repo_id, access.token)
        if mapped is err:
            raise
        raise mapped from err
    return PushResult(repo_id, info.oid, str(url), notes)


def _map_push_error(err: BaseException, repo_id: str, token: str | None) -> BaseException:
    if isinstance(err, _transport_errors()):
        return HubUnavailableError(f"Cannot push to {repo_id!r}: the Hub could not be reached ({type(err).__name__}).")
    status = _status(err)
    if status in PUSH_ERRORS:
        kind, text, advice = PUSH_ERRORS[status]
        return kind(text.format(repo_id=repo_id), advice=advice, repo_id=repo_id)
    if status is not None:
        return HubError(f"The Hub rejected the push to {repo_id!r} (HTTP {status}): {scrub(str(err), token)}")
    if isinstance(err, ValueError):  # e.g. the card's YAML was refused
        return HubError(f"The Hub rejected the push to {repo_id!r}: {scrub(str(err), token)}")
    return err
