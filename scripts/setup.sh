#!/usr/bin/env bash
# 一条命令：建立 .venv、安装、迁移内置 SQLite 数据库、生成演示区数据，并运行主流程
# （主动匹配 → 核准 → 发放 → 资金监管 → 审计校验），按示例案例测算一次，最后启动网页经办系统。
# One command: create .venv, install, migrate the embedded SQLite database, load a demo district and run
# the main job (match → approve → pay → supervise → audit verify), then evaluate the example case.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
J=.venv/bin/jiuye
export JIUYE_USER="${JIUYE_USER:-演示操作员}"
echo "==> 数据库迁移（${JIUYE_DATABASE_URL:-sqlite:///jiuye.db}）"
$J db upgrade
echo "==> 生成演示数据：金山区 5,000 人、崇明区 3,000 人"
$J demo-data --district jinshan --persons 5000 --seed 1
$J demo-data --district chongming --persons 3000 --seed 2
echo "==> 主动匹配（政策找人）2023-01 至 2026-10（演示数据的参考月为 2026-11）"
$J match --from 2023-01 --to 2026-10
echo "==> 核准免申即享的待遇（2026-10 及以前）"
$J approve --month 2026-10
echo "==> 生成发放批次与发放文件（out/发放文件/）"
$J pay --month 2026-10 --out out/发放文件 || echo "    （没有待发放的待遇）"
echo "==> 资金监管检查"
$J supervise
echo "==> 校验审计链"
$J audit verify
echo "==> 按示例案例测算：examples/case-all-measures.json → out/example-result.json"
mkdir -p out
$J evaluate examples/case-all-measures.json > out/example-result.json
echo "==> 政策清单（前 12 行；完整：.venv/bin/jiuye policies）"
$J policies | head -n 12
echo "==> 演示账号：每个角色一个，密码随机生成（写入 out/演示账号.txt，仅本机可读）"
$J accounts demo --out out/演示账号.txt
HOST="${JIUYE_HOST:-127.0.0.1}"
PORT="${JIUYE_PORT:-8000}"
echo "==> 启动网页经办系统：http://${HOST}:${PORT}/ （用上面的演示账号登录；按 Ctrl+C 停止）"
echo "    不想启动网页时：JIUYE_NO_SERVE=1 bash scripts/setup.sh"
if [ -n "${JIUYE_NO_SERVE:-}" ]; then
  echo "完成。常用命令见 README.md。"
  exit 0
fi
exec $J serve --host "$HOST" --port "$PORT"
