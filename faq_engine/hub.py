"""Hugging Face Hub I/O for FAQ datasets: push a dataset folder, download a snapshot.

All Hub traffic of faq-engine goes through here, with the real ``huggingface_hub``
client (imported lazily so ``import faq_engine`` stays fast). The client's errors
become :mod:`faq_engine.errors` Hub errors with messages that say what to do.
When the Hub cannot be reached, or ``HF_HUB_OFFLINE=1``, a copy already in the
Hugging Face cache is used and the returned snapshot says so.

``endpoint=None`` means the client's configured endpoint (``HF_ENDPOINT``, else
huggingface.co); ``token=None`` means no token at all (callers pass
``Settings.token``, which comes from ``HF_TOKEN`` or the saved login).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .dataset_format import CARD_FILE, DATA_FILE
from .errors import HubAuthError, HubError, HubNotFoundError, HubUnavailableError

REPO_TYPE = "dataset"
INFO_TIMEOUT = 10.0
LOGIN_HINT = "set HF_TOKEN or run `hf auth login`"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


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


def is_repo_id(text: str) -> bool:
    """Whether ``text`` (without ``@revision``) looks like a Hub ``namespace/name`` id."""
    return bool(_REPO_ID.match(text)) and ".." not in text and not text.endswith((".", "-"))


def split_revision(source: str) -> tuple[str, str | None]:
    """``"user/faqs@v2"`` -> ``("user/faqs", "v2")``; no ``@`` -> revision ``None``."""
    repo_id, sep, revision = source.partition("@")
    return repo_id, (revision or None) if sep else None


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


def _not_found(repo_id: str, had_token: bool) -> HubError:
    # The Hub answers a private repo exactly like a missing one, so say both.
    if not had_token:
        return HubNotFoundError(f"Dataset {repo_id!r} was not found on the Hub, or it is private: "
                                f"check the id, or {LOGIN_HINT} with a token that can read it.")
    return HubNotFoundError(f"Dataset {repo_id!r} was not found on the Hub, or your token cannot read it: check the id.")


def _map_read_error(err: BaseException, repo_id: str, revision: str, had_token: bool) -> HubError:
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    if isinstance(err, GatedRepoError):
        return HubAuthError(f"Dataset {repo_id!r} is gated: accept its conditions on the Hub, then {LOGIN_HINT}.")
    if isinstance(err, RepositoryNotFoundError):
        return _not_found(repo_id, had_token)
    if isinstance(err, RevisionNotFoundError):
        return HubNotFoundError(f"Dataset {repo_id!r} has no revision {revision!r}: use a branch, tag or commit id that exists.")
    if _status(err) == 401:
        return HubAuthError(f"The Hub refused the token while reading {repo_id!r}: {LOGIN_HINT} with a valid token.")
    return HubError(f"The Hub could not serve {repo_id!r}@{revision}: {err}")


def _unavailable(err: BaseException) -> bool:
    status = _status(err)
    return isinstance(err, _transport_errors()) or (status is not None and (status >= 500 or status == 429))


def download_dataset(repo_id: str, *, revision: str | None = None, token: str | None = None,
                     endpoint: str | None = None) -> HubSnapshot:
    """Download (or reuse from the Hugging Face cache) a dataset repo at ``revision``.

    The revision is resolved online first; if the Hub is unreachable or offline mode
    is on, the cached copy of that revision is returned with ``from_cache=True``.
    Raises :class:`HubNotFoundError`, :class:`HubAuthError` or, with no cached copy,
    :class:`HubUnavailableError`.
    """
    from huggingface_hub import HfApi

    if not is_repo_id(repo_id):
        raise HubNotFoundError(f"{repo_id!r} is not a Hub dataset id: use the form 'namespace/name[@revision]'.")
    revision = revision or "main"
    api = HfApi(endpoint=endpoint, token=token or False, library_name="faq-engine", library_version=__version__)
    try:
        # Resolving first tells a reachable Hub from a fallback to the cache, which
        # snapshot_download alone would do silently.
        api.dataset_info(repo_id, revision=revision, timeout=INFO_TIMEOUT)
        # Download by name (not commit id) so the cache records the ref for offline use.
        folder = _snapshot(repo_id, revision, token, endpoint)
        return HubSnapshot(repo_id, revision, folder, folder.name)
    except Exception as err:  # classified below; anything unexpected is re-raised as is
        if _unavailable(err):
            return _from_cache(repo_id, revision, token, endpoint, err)
        if _status(err) is not None:
            raise _map_read_error(err, repo_id, revision, bool(token)) from err
        raise


def _snapshot(repo_id: str, revision: str, token: str | None, endpoint: str | None, offline: bool = False) -> Path:
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(
        repo_id, repo_type=REPO_TYPE, revision=revision, token=token or False, endpoint=endpoint,
        local_files_only=offline, library_name="faq-engine", library_version=__version__,
    ))


def _from_cache(repo_id: str, revision: str, token: str | None, endpoint: str | None, cause: BaseException) -> HubSnapshot:
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled

    offline = isinstance(cause, OfflineModeIsEnabled)
    why = "offline mode is on (HF_HUB_OFFLINE=1)" if offline else f"the Hub could not be reached ({type(cause).__name__})"
    try:
        folder = _snapshot(repo_id, revision, token, endpoint, offline=True)
    except LocalEntryNotFoundError as err:
        raise HubUnavailableError(
            f"Cannot load {repo_id!r}@{revision}: {why}, and no copy of it is cached. "
            "Connect to the network (or unset HF_HUB_OFFLINE) and load it once to cache it."
        ) from err
    return HubSnapshot(repo_id, revision, folder, folder.name, from_cache=True, reason=why)


def require_write_token(token: str | None) -> None:
    """Fail early, before any work, when a push could not be authenticated."""
    if not token:
        raise HubAuthError(f"Pushing to the Hub needs a token with write access: {LOGIN_HINT}.")


def push_dataset(folder: Path, repo_id: str, *, private: bool = False, token: str | None = None,
                 endpoint: str | None = None, message: str | None = None) -> PushResult:
    """Upload ``folder``'s Parquet file and card to the dataset repo ``repo_id`` (created if needed)."""
    from huggingface_hub import CommitOperationAdd, HfApi

    if not is_repo_id(repo_id):
        raise HubError(f"{repo_id!r} is not a Hub dataset id: use the form 'namespace/name'.")
    require_write_token(token)
    folder = Path(folder)
    api = HfApi(endpoint=endpoint, token=token, library_name="faq-engine", library_version=__version__)
    ops = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(folder / p)) for p in (DATA_FILE, CARD_FILE)]
    try:
        url = api.create_repo(repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True)
        notes = ()
        if private and not api.dataset_info(repo_id, timeout=INFO_TIMEOUT).private:
            notes = (f"{repo_id} already exists and is public; --private only applies when the repo is created.",)
        info = api.create_commit(repo_id, ops, repo_type=REPO_TYPE, commit_message=message or "Upload FAQ embeddings")
    except Exception as err:  # mapped to a typed error below
        mapped = _map_push_error(err, repo_id)
        if mapped is err:
            raise
        raise mapped from err
    return PushResult(repo_id, info.oid, str(url), notes)


def _map_push_error(err: BaseException, repo_id: str) -> BaseException:
    if isinstance(err, _transport_errors()):
        return HubUnavailableError(f"Cannot push to {repo_id!r}: the Hub could not be reached ({type(err).__name__}).")
    status = _status(err)
    if status == 401:
        return HubAuthError(f"The Hub refused the token while pushing {repo_id!r}: {LOGIN_HINT} with a valid write token.")
    if status == 403:
        return HubAuthError(f"Your token cannot write to {repo_id!r}: use a token with write access to that namespace.")
    if status == 404:
        return HubNotFoundError(f"Cannot push to {repo_id!r}: the repo or namespace was not found for this token.")
    if status is not None:
        return HubError(f"The Hub rejected the push to {repo_id!r} (HTTP {status}): {err}")
    if isinstance(err, ValueError):  # e.g. the card's YAML was refused
        return HubError(f"The Hub rejected the push to {repo_id!r}: {err}")
    return err
