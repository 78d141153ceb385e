# Sourced by setup.sh and test.sh: create .venv in the repo root and install jiuye with its dev tools.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$PY" -m venv .venv
fi
# install only when pyproject changed since the last install (keeps repeated runs fast)
stamp=.venv/.jiuye-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> 安装依赖（pip install -e .[dev]）"
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -m pip install --quiet -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import jiuye, polars, sqlalchemy" || { echo "安装失败" >&2; exit 1; }
  touch "$stamp"
fi
