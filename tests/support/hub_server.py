"""A loopback Hugging Face Hub: just enough of the Hub's HTTP API for the real clients.

``huggingface_hub`` and ``datasets`` talk to it when ``HF_ENDPOINT`` points here
(with ``HF_HUB_DISABLE_XET=1``). It creates repos, takes commits (regular files
inline, large or binary files through the git-LFS batch API), and serves repo
info, trees, paths-info and file downloads (with ``Range``) at any branch or
commit sha. Private repos answer exactly as the Hub does to a caller without a
valid token: 401 with ``X-Error-Code: RepoNotFound``. Everything lives in memory.

Run it by hand with ``python -m tests.support.hub_server`` (prints the endpoint URL).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

HUB_TOKEN = "hf_loopback_write_token"  # the user "user"'s token in the tests' shared loopback Hub
OTHER_TOKEN = "hf_someone_else"  # another user's

LFS_SUFFIXES = (".parquet", ".arrow", ".bin", ".safetensors", ".npy", ".zip", ".gz")
GITATTRIBUTES = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(data: bytes) -> bytes:
    sha = hashlib.sha256(data).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    lfs: bool

    def entry(self, path: str) -> dict:
        out = {"type": "file", "path": path, "size": len(self.data)}
        if self.lfs:
            pointer = lfs_pointer(self.data)
            out["oid"] = git_blob_sha(pointer)
            out["lfs"] = {"oid": hashlib.sha256(self.data).hexdigest(), "size": len(self.data), "pointerSize": len(pointer)}
        else:
            out["oid"] = git_blob_sha(self.data)
        return out

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.data).hexdigest() if self.lfs else git_blob_sha(self.data)


@dataclass
class Repo:
    repo_id: str
    owner: str
    private: bool
    branches: dict[str, str] = field(default_factory=dict)
    commits: dict[str, dict[str, StoredFile]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def commit(self, branch: str, files: dict[str, StoredFile], summary: str) -> str:
        digest = hashlib.sha1(f"{self.repo_id}|{len(self.log)}|{summary}".encode())
        for path in sorted(files):
            digest.update(path.encode() + files[path].etag.encode())
        sha = digest.hexdigest()
        self.commits[sha], self.branches[branch] = files, sha
        self.log.append(sha)
        return sha

    def resolve(self, revision: str) -> str | None:
        if revision in self.branches:
            return self.branches[revision]
        return revision if revision in self.commits else None


class HubError(Exception):
    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class HubState:
    """Repos, LFS objects and tokens (token -> user name); thread-safe."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = dict(tokens)
        self.repos: dict[tuple[str, str], Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.RLock()
        self.outage: int | None = None  # set to 503 or 429: every request is answered so, as a Hub in trouble

    def user(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        token = authorization.removeprefix("Bearer ").strip()
        if token not in self.tokens:
            raise HubError(401, None, "Invalid credentials in Authorization header")
        return self.tokens[token]

    def repo(self, kind: str, repo_id: str, user: str | None, write: bool = False) -> Repo:
        repo = self.repos.get((kind, repo_id))
        if repo is None or ((repo.private or write) and user != repo.owner):
            status = 401 if user is None else 404
            raise HubError(status, "RepoNotFound", "Repository not found")
        return repo

    def create(self, kind: str, repo_id: str, user: str | None, private: bool) -> bool:
        if user is None:
            raise HubError(401, None, "You must be logged in to create a repo")
        if repo_id.split("/")[0] != user:
            raise HubError(403, None, f"You don't have the rights to create a repo under {repo_id.split('/')[0]!r}")
        with self.lock:
            if (kind, repo_id) in self.repos:
                return False
            repo = Repo(repo_id, user, private)
            repo.commit("main", {".gitattributes": StoredFile(GITATTRIBUTES, False)}, "initial commit")
            self.repos[(kind, repo_id)] = repo
            return True


ROUTE = re.compile(
    r"^/(?:api/(?P<api>models|datasets|spaces)/|(?P<raw>datasets/|spaces/)?)"
    r"(?P<repo>[^/]+/[^/]+?)(?P<rest>/.*|\.git/info/lfs/objects/batch)?$"
)


class Handler(BaseHTTPRequestHandler):
    server: LoopbackHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _dispatch(self) -> None:
        method = self.command
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.query = parse_qs(url.query)
        state = self.server.state
        state.requests.append((method, url.path))
        try:
            if state.outage is not None:
                raise HubError(state.outage, None, "The Hub is unavailable right now")
            self.user = state.user(self.headers.get("Authorization"))
            self._route(method, url.path)
        except HubError as err:
            headers = {"X-Error-Message": err.message}
            if err.code:
                headers["X-Error-Code"] = err.code
            self._json({"error": err.message}, err.status, headers)

    do_GET = do_HEAD = do_POST = do_PUT = _dispatch

    def _route(self, method: str, path: str) -> None:
        if path == "/api/whoami-v2":
            if self.user is None:
                raise HubError(401, None, "Invalid credentials in Authorization header")
            return self._json({"type": "user", "name": self.user, "auth": {"accessToken": {"role": "write"}}})
        if path == "/api/repos/create" and method == "POST":
            return self._create()
        if path == "/api/validate-yaml" and method == "POST":
            return self._validate_yaml()
        if path.startswith("/__lfs/") and method == "PUT":
            return self._lfs_put(path.rsplit("/", 1)[1])
        match = ROUTE.match(path)
        if not match:
            raise HubError(404, None, f"Unknown endpoint {path}")
        kind = (match["api"] or match["raw"] or "models").rstrip("/").removesuffix("s")
        repo_id, rest = match["repo"], match["rest"] or ""
        parts = [unquote(p) for p in rest.split("/")[1:]]
        if rest.endswith(".git/info/lfs/objects/batch"):
            return self._lfs_batch(kind, repo_id)
        repo = self.server.state.repo(kind, repo_id, self.user, write=method == "POST" and parts[:1] != ["paths-info"])
        if match["api"]:
            return self._api(method, repo, parts)
        if len(parts) >= 3 and parts[0] == "resolve" and method in ("GET", "HEAD"):
            return self._resolve(method, repo, parts[1], "/".join(parts[2:]))
        raise HubError(404, None, f"Unknown endpoint {path}")

    def _api(self, method: str, repo: Repo, parts: list[str]) -> None:
        action = parts[0] if parts else ""
        if method == "GET" and action in ("", "revision"):
            return self._info(repo, parts[1] if action else "main")
        if len(parts) < 2:
            raise HubError(404, None, "Unknown endpoint")
        sha = self._sha(repo, parts[1])
        files = repo.commits[sha]
        if method == "GET" and action == "tree":
            return self._tree(files, "/".join(parts[2:]), self.query.get("recursive", ["false"])[0] == "true")
        if method == "POST" and action == "paths-info":
            return self._paths_info(files)
        if method == "POST" and action == "preupload":
            return self._preupload(files)
        if method == "POST" and action == "commit":
            return self._commit(repo, parts[1], files)
        raise HubError(404, None, "Unknown endpoint")

    def _sha(self, repo: Repo, revision: str) -> str:
        sha = repo.resolve(revision)
        if sha is None:
            raise HubError(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return sha

    def _create(self) -> None:
        body = json.loads(self.body or b"{}")
        owner = body.get("organization") or self.user or ""
        repo_id = f"{owner}/{body['name']}"
        kind = body.get("type") or "model"
        private = body.get("visibility") == "private" or bool(body.get("private"))
        created = self.server.state.create(kind, repo_id, self.user, private)
        url = f"{self.server.url}/{'' if kind == 'model' else kind + 's/'}{repo_id}"
        if not created:
            return self._json({"error": "You already created this repo", "url": url}, 409)
        self._json({"url": url, "name": repo_id, "id": repo_id})

    def _validate_yaml(self) -> None:
        content = json.loads(self.body).get("content", "")
        match = re.match(r"^---\n(.*?)\n---", content, re.S)
        try:
            meta = yaml.safe_load(match[1]) if match else {}
        except yaml.YAMLError as err:
            raise HubError(400, None, f"Invalid YAML in README.md: {err}") from err
        if meta is not None and not isinstance(meta, dict):
            raise HubError(400, None, "README.md metadata must be a YAML mapping")
        self._json({"errors": [], "warnings": []})

    def _info(self, repo: Repo, revision: str) -> None:
        sha = self._sha(repo, revision)
        files = repo.commits[sha]
        siblings = [{"rfilename": p, "size": len(files[p].data)} for p in sorted(files)]  # sizes: as with blobs=True
        self._json({"id": repo.repo_id, "_id": repo.repo_id, "author": repo.owner, "sha": sha, "private": repo.private,
                    "gated": False, "disabled": False, "siblings": siblings, "tags": [], "downloads": 0, "likes": 0})

    @staticmethod
    def _entries(files: dict[str, StoredFile], path: str, recursive: bool = True) -> list[dict]:
        """The tree under ``path`` (a file gives itself); ``[]`` if nothing is there."""
        if path in files:
            return [files[path].entry(path)]
        prefix = f"{path}/" if path else ""
        out, dirs = [], set()
        for name in sorted(n for n in files if n.startswith(prefix)):
            parts = name[len(prefix):].split("/")
            depth = len(parts) - 1 if recursive else min(1, len(parts) - 1)
            dirs.update(prefix + "/".join(parts[: i + 1]) for i in range(depth))
            if recursive or len(parts) == 1:
                out.append(files[name].entry(name))
        return [Handler._dir(d) for d in sorted(dirs)] + out

    @staticmethod
    def _dir(path: str) -> dict:
        return {"type": "directory", "path": path, "size": 0, "oid": git_blob_sha(path.encode())}

    def _paths_info(self, files: dict[str, StoredFile]) -> None:
        out = []
        for path in (p.strip("/") for p in parse_qs(self.body.decode()).get("paths", [])):
            if path in files:
                out.append(files[path].entry(path))
            elif any(name.startswith(path + "/") for name in files):
                out.append(self._dir(path))
        self._json(out)

    def _tree(self, files: dict[str, StoredFile], path: str, recursive: bool) -> None:
        entries = self._entries(files, path, recursive)
        if path and not entries:
            raise HubError(404, "EntryNotFound", f"{path} does not exist")
        self._json(entries)

    def _preupload(self, files: dict[str, StoredFile]) -> None:
        out = []
        for f in json.loads(self.body)["files"]:
            sample = base64.b64decode(f["sample"])
            lfs = f["path"].endswith(LFS_SUFFIXES) or b"\0" in sample or f["size"] > 1_000_000
            item = {"path": f["path"], "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False}
            existing = files.get(f["path"])
            if existing is not None:
                item["oid"] = existing.etag if lfs else git_blob_sha(existing.data)
            out.append(item)
        self._json({"files": out, "commitOid": None})

    def _commit(self, repo: Repo, branch: str, parent: dict[str, StoredFile]) -> None:
        state = self.server.state
        files, summary = dict(parent), ""
        for line in self.body.splitlines():
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                summary = value.get("summary", "")
            elif key == "file":
                files[value["path"]] = StoredFile(base64.b64decode(value["content"]), False)
            elif key == "lfsFile":
                if value["oid"] not in state.lfs:
                    raise HubError(400, None, f"LFS object {value['oid']} was never uploaded")
                files[value["path"]] = StoredFile(state.lfs[value["oid"]], True)
            elif key == "deletedFile":
                files.pop(value["path"], None)
            elif key == "deletedFolder":
                prefix = value["path"].rstrip("/") + "/"
                files = {k: v for k, v in files.items() if not k.startswith(prefix)}
        with state.lock:
            sha = repo.commit(branch, files, summary)
        url = f"{self.server.url}/datasets/{repo.repo_id}/commit/{sha}"
        self._json({"success": True, "commitOid": sha, "commitUrl": url})

    def _lfs_batch(self, kind: str, repo_id: str) -> None:
        self.server.state.repo(kind, repo_id, self.user, write=True)
        objects = []
        for obj in json.loads(self.body)["objects"]:
            item = {"oid": obj["oid"], "size": obj["size"]}
            if obj["oid"] not in self.server.state.lfs:
                item["actions"] = {"upload": {"href": f"{self.server.url}/__lfs/{obj['oid']}"}}
            objects.append(item)
        self._json({"transfer": "basic", "objects": objects}, headers={"Content-Type": "application/vnd.git-lfs+json"})

    def _lfs_put(self, oid: str) -> None:
        if hashlib.sha256(self.body).hexdigest() != oid:
            raise HubError(400, None, "LFS upload does not match its sha256")
        self.server.state.lfs[oid] = self.body
        self._send(200, b"", {})

    def _resolve(self, method: str, repo: Repo, revision: str, path: str) -> None:
        sha = self._sha(repo, revision)
        stored = repo.commits[sha].get(path)
        if stored is None:
            raise HubError(404, "EntryNotFound", f"{path} does not exist at {revision}")
        data, status = stored.data, 200
        headers = {"X-Repo-Commit": sha, "ETag": f'"{stored.etag}"', "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream"}
        if stored.lfs:
            headers.update({"X-Linked-Etag": f'"{stored.etag}"', "X-Linked-Size": str(len(data))})
        match = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range") or "")
        if match and method == "GET":
            start = int(match[1]) if match[1] else max(0, len(data) - int(match[2]))
            end = int(match[2]) if match[1] and match[2] else len(data) - 1
            end = min(end, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            data, status = data[start : end + 1], 206
        self._send(status, data, headers)

    def _json(self, payload, status: int = 200, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self._send(status, body, {"Content-Type": "application/json", **(headers or {})})

    def _send(self, status: int, body: bytes, headers: dict) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class LoopbackHub(ThreadingHTTPServer):
    """The server; ``url`` is its ``HF_ENDPOINT``, ``state`` its repos and tokens."""

    daemon_threads = True

    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = HubState(tokens or {})
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> LoopbackHub:
        self._thread = threading.Thread(target=self.serve_forever, name="loopback-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> LoopbackHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - manual use
    hub = LoopbackHub({"hf_local_token": "user"})
    print(f"HF_ENDPOINT={hub.url}  (token: hf_local_token, user: user)", flush=True)
    hub.serve_forever()
