#!/bin/bash
# Side by side, old tree and this tree, on the database paths (issue 11 item 5, session 4).
#
#   bench/db_side_by_side.sh import OLD_TREE CSV_DIR    # jiuye import of CSV_DIR/*.csv into a fresh SQLite file
#                                                       # and a fresh PostgreSQL schema, old then new, rows/s
#   bench/db_side_by_side.sh match  OLD_TREE            # then: bench/ledger.py registry (first run + re-run) on
#                                                       # the databases each side imported (same data, each at
#                                                       # its own schema revision)
#
# OLD_TREE: e.g. `git worktree add --detach /tmp/db-old a7e6166`.  Each side runs with PYTHONPATH and cwd = its
# tree (cwd matters: `python -c` puts it first on sys.path) and this tree's .venv.  Databases: /tmp/jiuye-sbs/
# imp_{old,new}.db and the PostgreSQL schemas imp_{old,new} of $PG (kept for the match step; drop them after).
set -e
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=$HERE/.venv/bin/python; JIUYE=$HERE/.venv/bin/jiuye
PG=${PG:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
WHAT=$1; OLD=$(cd "$2" && pwd); CSV=$3
W=/tmp/jiuye-sbs; mkdir -p $W
url_of() {  # $1 db, $2 side
  if [ "$1" = sqlite ]; then echo "sqlite:///$W/imp_$2.db"; else echo "$PG?options=-csearch_path%3Dimp_$2"; fi
}
for db in ${DBS:-sqlite pg}; do
  for side in old new; do
    tree=$HERE; [ $side = old ] && tree=$OLD
    url=$(url_of $db $side)
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$WHAT" = import ]; then
      rows=$(for f in "$CSV"/*.csv; do tail -n +2 "$f" | wc -l; done | paste -sd+ | bc)
      if [ $db = sqlite ]; then rm -rf $W/imp_$side.db*; else
        psql -q "${PG/+psycopg/}" -c "DROP SCHEMA IF EXISTS imp_$side CASCADE; CREATE SCHEMA imp_$side" >/dev/null 2>&1; fi
      (cd $tree && PYTHONPATH=$tree $PY -c "from jiuye import db; db.upgrade('$url')")
      (cd $tree && PYTHONPATH=$tree /usr/bin/time -f "%e %U %S %M" -o $W/time.txt $JIUYE import --db "$url" -q "$CSV"/*.csv \
        > $W/import_${db}_$side.log 2>&1)
      read wall u s rss < $W/time.txt
      echo "import $db $side: $wall s wall, $(echo "$u+$s" | bc) s CPU, $((rss / 1024)) MB, $(echo "$rows/$wall" | bc) rows/s ($rows rows), load $load → $(cut -d' ' -f1 /proc/loadavg)"
    else
      echo "--- match $db $side ($tree)"
      (cd $tree && PYTHONPATH=$tree $PY $HERE/bench/ledger.py registry --url "$url" --month 2026-10 --chunk-size 200000 \
        | grep -v '^  ')
    fi
  done
done
