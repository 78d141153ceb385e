#!/usr/bin/env bash
# 一条命令运行全部测试（lint、类型检查、pytest）。 One command runs the whole test suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
echo "==> ruff"
.venv/bin/ruff check jiuye tests bench
echo "==> mypy"
.venv/bin/mypy jiuye
echo "==> pytest"
.venv/bin/pytest -q -n 2 "$@"
