"""The question log kept in a Hub dataset: the same JSONL files, uploaded in the background.

huggingface_hub's ``CommitScheduler`` is the documented way a Space keeps data: it uploads
the folder's new and changed files every few minutes (and once more when the process exits).
The dataset is created private: it holds what visitors typed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import ConfigError, scrub
from ..faqs.source import is_repo_id
from .log import QuestionLog

log = logging.getLogger(__name__)

HUB_PREFIX = "hf://datasets/"
PUSH_MINUTES = 5.0


def hub_repo(target: str) -> str | None:
    """The dataset id of an ``hf://datasets/owner/name`` log target, ``None`` for a folder."""
    if not target.startswith(HUB_PREFIX):
        return None
    repo_id = target[len(HUB_PREFIX) :].strip("/")
    if not is_repo_id(repo_id):
        raise ConfigError(f"The question log {target!r} is not hf://datasets/owner/name.")
    return repo_id


def hub_log(repo_id: str, folder: Path, *, token: str | None, endpoint: str | None,
            every_minutes: float = PUSH_MINUTES, **options) -> QuestionLog | None:
    """A :class:`QuestionLog` in ``folder`` uploaded to the dataset ``repo_id``; ``None`` (with a warning) when
    the Hub cannot be reached or refuses: the app then runs without a log."""
    from huggingface_hub import CommitScheduler, HfApi

    try:
        scheduler = CommitScheduler(repo_id=repo_id, repo_type="dataset", folder_path=folder, path_in_repo="data",
                                    every=every_minutes, private=True, token=token or False,
                                    allow_patterns=["questions-*.jsonl"],
                                    hf_api=HfApi(endpoint=endpoint, token=token or False))
    except Exception as err:  # the client raises many types (network, auth, HTTP): one warning, no log
        log.warning("The question log cannot reach the Hub dataset %s (%s): logging is off.", repo_id,
                    scrub(f"{type(err).__name__}: {err}", token)[:300])
        return None
    return QuestionLog(folder, lock=scheduler.lock, where=f"{HUB_PREFIX}{repo_id}", **options)


def download_log(repo_id: str, *, token: str | None, endpoint: str | None) -> Path:
    """A local copy of the log files of the Hub dataset ``repo_id``."""
    from huggingface_hub import snapshot_download

    from ..faqs.hub import HubAccess, map_download_error

    try:
        return Path(snapshot_download(repo_id, repo_type="dataset", allow_patterns=["data/questions-*.jsonl"],
                                      token=token or False, endpoint=endpoint))
    except Exception as err:  # one typed error, worded as any Hub download's
        raise map_download_error(err, repo_id, HubAccess(token, endpoint)) from err
