"""`python -m bench` runs every benchmark in turn and prints its figures."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.stem for p in HERE.glob("*_bench.py"))
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
