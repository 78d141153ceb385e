#!/usr/bin/env bash
# 一条命令：建立 .venv、安装、迁移内置 SQLite 数据库、生成演示区数据并运行主流程。
# One command: create .venv, install, migrate the embedded SQLite database, load a demo district, run the main job.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
J=.venv/bin/jiuye
echo "==> 数据库迁移（${JIUYE_DATABASE_URL:-sqlite:///jiuye.db}）"
$J db upgrade
echo "==> 生成演示数据：金山区 2,000 人（种子 1）"
$J demo-data --district jinshan --persons 2000 --seed 1
echo "==> 按案例计算：examples/case-all-measures.json"
$J evaluate examples/case-all-measures.json --no-explain > out-example-result.json
echo "    结果已写入 out-example-result.json"
echo "==> 政策清单：.venv/bin/jiuye policies"
$J policies | head -n 12
echo "完成。"
