"""`python -m bench` runs every benchmark in turn and prints its figures.

`python -m bench NAME… [--option …]` runs the named ones (`load` or `load_bench`), options going to each.
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def script(name: str) -> Path:
    for candidate in (HERE / f"{name}.py", HERE / f"{name}_bench.py"):
        if candidate.is_file() and candidate.name != "__main__.py":
            return candidate
    sys.exit(f"no benchmark named {name!r}: " + ", ".join(sorted(p.stem.removesuffix("_bench") for p in HERE.glob("*_bench.py"))))


if __name__ == "__main__":
    args = sys.argv[1:]
    first_option = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
    names, options = args[:first_option], args[first_option:]
    for name in names or sorted(p.stem for p in HERE.glob("*_bench.py")):
        path = script(name)
        print(f"\n=== {path.stem} ===", flush=True)
        sys.argv = [str(path), *options]
        runpy.run_path(str(path), run_name="__main__")
