#!/usr/bin/env bash
# Compares recscope's weighted ALS (wals) with the `implicit` library's
# AlternatingLeastSquares on the Last.fm play counts, same factors and
# iterations, in one run: fit seconds, precision@10, NDCG@10 and the speed ratio.
#
#   bench/vs-implicit.sh              64 factors, 15 iterations
#   bench/vs-implicit.sh 32 10        other factors and iterations
#
# Environment:
#   RECSCOPE_BENCH_DATA     play-count file (default ../shared/data/lastfm-2k/user_artists.dat)
#   RECSCOPE_PEERS_PYTHON   python with implicit (default ~/.cache/recscope-peers/bin/python)
#   RECSCOPE_BENCH_NO_PEER  set to skip the peer
#
# The protocol matched: confidence from log(1 + count) (recscope: --weights log and
# alpha=1, so c = 1 + log(1 + count); implicit: the matrix holds log1p(count) and
# its alpha is 1), regularisation 0.01, 3 conjugate-gradient steps per row (both),
# an 80/20 random split of the interactions with seed 0, top-10 lists among items
# the user has no training interaction with, every held-out interaction relevant.
# Where it differs:
#   - the split: the same shares, but each library draws its own 20% (recscope the
#     numpy legacy shuffle of the interaction list, implicit its own generator), so
#     the test sets differ and figures agree only within sampling noise;
#   - precision: recscope averages hits/10 over users; implicit divides all hits by
#     the sum over users of min(10, held-out items), which is larger for users with
#     fewer than 10 held-out items;
#   - numbers: recscope fits in f64, implicit in f32; initial factors differ;
#   - seconds: recscope's fit time as eval reports it (all cores); implicit's
#     model.fit (all cores, its default); reading the file is excluded from both.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

factors="${1:-64}"
iterations="${2:-15}"
# shellcheck source=bench/common.sh
source bench/common.sh

data="${RECSCOPE_BENCH_DATA:-../shared/data/lastfm-2k/user_artists.dat}"
peer_script="../shared/peers/implicit_bench.py"
check_data "$data" "Last.fm HetRec 2011 play-count file"
find_peer implicit implicit "$peer_script"
build_binary

echo "recscope: wals..." >&2
csv=$("$binary" eval "$data" --algos wals --split holdout --test-share 0.2 --seed 0 \
    --weights log --top-k 10 --relevant 0 \
    --param "factors=$factors" --param "iterations=$iterations" \
    --param regularization=0.01 --param alpha=1 --param cg_steps=3 --csv 2>/dev/null)
header=$(sed -n 1p <<<"$csv")
line=$(sed -n 2p <<<"$csv")
column() { # column NAME: the value of NAME in the CSV row
    awk -F, -v name="$1" -v header="$header" -v line="$line" 'BEGIN {
        n = split(header, names, ","); split(line, values, ",");
        for (k = 1; k <= n; k++) if (names[k] == name) print values[k] }'
}
ours_fit=$(column fit_s)
ours_precision=$(column precision)
ours_ndcg=$(column ndcg)

theirs_fit="-" theirs_precision="-" theirs_ndcg="-" ratio="-"
if [[ $use_peer -eq 1 ]]; then
    echo "implicit: als..." >&2
    if json=$("$peer_python" "$peer_script" "$data" "$factors" "$iterations" 2>/dev/null \
        | grep '"model": "als"') && [[ -n "$json" ]]; then
        field() { sed -E "s/.*\"$1\": ([0-9.eE+-]+).*/\\1/" <<<"$json"; }
        theirs_fit=$(field fit_s)
        theirs_precision=$(field 'precision@10')
        theirs_ndcg=$(field 'ndcg@10')
        ratio=$(awk -v a="$ours_fit" -v b="$theirs_fit" 'BEGIN { printf "%.2f", a / b }')
    else
        echo "  implicit failed" >&2
    fi
fi

echo
echo "weighted ALS on $data: $factors factors, $iterations iterations, 80/20 split (seed 0)"
printf "%-10s %10s %14s %10s\n" "library" "fit s" "precision@10" "NDCG@10"
printf "%-10s %10.3f %14.4f %10.4f\n" "recscope" "$ours_fit" "$ours_precision" "$ours_ndcg"
printf "%-10s %10s %14s %10s\n" "implicit" "$theirs_fit" "$theirs_precision" "$theirs_ndcg"
echo "fit time ratio recscope / implicit: $ratio"
