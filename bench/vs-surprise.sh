#!/usr/bin/env bash
# Compares recscope with the Surprise library on MovieLens 100K: 5-fold
# cross-validation of every algorithm (or the ones named as arguments), same data,
# same run, and prints accuracy, seconds and the speed ratio side by side.
#
#   bench/vs-surprise.sh                 every registered algorithm
#   bench/vs-surprise.sh svd knn_means   just these
#
# Environment:
#   RECSCOPE_BENCH_DATA     ratings file (default ../shared/data/ml-100k/u.data)
#   RECSCOPE_PEERS_PYTHON   python with scikit-surprise
#                           (default ~/.cache/recscope-peers/bin/python)
#   RECSCOPE_BENCH_NO_PEER  set to skip Surprise
#
# Two kinds of seconds: "fit s" is the time spent fitting, summed over the five
# folds; "wall s" is the whole run, recscope's including reading the file,
# Surprise's excluding it. recscope runs its folds one after another (--sequential),
# so each fit has the whole machine, as when one model is fitted in the explorer;
# "1 core" is the same run with RAYON_NUM_THREADS=1, every fit on one core. Surprise
# fits on one core (it has no parallel fit). Where recscope's defaults differ from
# Surprise's (SVD, SVD++, NMF), recscope runs with Surprise's, so that both sides
# fit the same model.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=bench/common.sh
source bench/common.sh

data="${RECSCOPE_BENCH_DATA:-../shared/data/ml-100k/u.data}"
peer_script="../shared/peers/surprise_bench.py"
check_data "$data" "MovieLens 100K ratings file"
find_peer Surprise surprise "$peer_script"
build_binary

# recscope name → Surprise name in the peer script, and any parameter that makes
# the two configurations alike.
peer_name() {
    case "$1" in
        svd | svdpp | nmf | slope_one | knn_basic | knn_means | knn_zscore | \
            knn_baseline | coclustering | random) echo "$1" ;;
        baseline_als) echo "baseline" ;;
        *) echo "" ;;
    esac
}
extra_params() {
    case "$1" in
        knn_baseline) echo "--param sim=pearson_baseline" ;;
        svd) echo "--param learning_rate=0.005 --param reg=0.02" ;;
        svdpp) echo "--param learning_rate=0.007 --param reg=0.02" ;;
        nmf) echo "--param reg_user=0.06" ;;
        *) echo "" ;;
    esac
}

if [[ $# -gt 0 ]]; then
    algorithms=("$@")
else
    mapfile -t algorithms < <("$binary" algorithms --names)
fi

now() { date +%s.%N; }
field() { # field NAME JSON-LINE
    sed -E "s/.*\"$1\": ([0-9.eE+-]+).*/\\1/" <<<"$2"
}

rows=()
for algo in "${algorithms[@]}"; do
    echo "recscope: $algo..." >&2
    start=$(now)
    read -r -a extra <<<"$(extra_params "$algo")"
    ours() { "$binary" eval "$data" --algos "$algo" --folds 5 --seed 0 --csv --sequential \
        "${extra[@]}" 2>/dev/null; }
    if ! csv=$(ours); then
        echo "  recscope eval failed for $algo; skipped" >&2
        continue
    fi
    ours_s=$(awk -v a="$(now)" -v b="$start" 'BEGIN { printf "%.3f", a - b }')
    line=$(sed -n 2p <<<"$csv")
    ours_rmse=$(cut -d, -f2 <<<"$line")
    ours_mae=$(cut -d, -f4 <<<"$line")
    ours_fit=$(printf "%.3f" "$(cut -d, -f7 <<<"$line")")
    if one_core=$(RAYON_NUM_THREADS=1 ours | sed -n 2p | cut -d, -f7) && [[ -n "$one_core" ]]; then
        ours_fit_one=$(printf "%.3f" "$one_core")
    else
        echo "  recscope eval on one core failed for $algo" >&2
        ours_fit_one="-"
    fi
    # A ranking model (wals, bpr) has no RMSE or MAE: its CSV cells are empty.
    figure() { if [[ -n "$1" ]]; then printf "%.4f" "$1"; else echo "n/a"; fi; }
    ours_rmse=$(figure "$ours_rmse")
    ours_mae=$(figure "$ours_mae")

    theirs_rmse="-" theirs_mae="-" theirs_s="-" theirs_fit="-" ratio="-" fit_ratio="-"
    one_core_ratio="-"
    peer=$(peer_name "$algo")
    if [[ $use_peer -eq 1 && -n "$peer" ]]; then
        echo "Surprise: $peer..." >&2
        if json=$("$peer_python" "$peer_script" "$data" ml100k "$peer" 2>/dev/null | tail -n 1) \
            && [[ -n "$json" ]]; then
            theirs_rmse=$(field rmse "$json")
            theirs_mae=$(field mae "$json")
            theirs_s=$(field wall_s "$json")
            theirs_fit=$(field fit_s "$json")
            ratio=$(awk -v a="$theirs_s" -v b="$ours_s" 'BEGIN { printf "%.1f×", a / b }')
            speed_up() {
                awk -v a="$theirs_fit" -v b="$1" \
                    'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "-" }'
            }
            fit_ratio=$(speed_up "$ours_fit")
            one_core_ratio=$(speed_up "$ours_fit_one")
        else
            echo "  Surprise failed for $peer" >&2
        fi
    fi
    rows+=("$(printf "%-14s %7s %7s %6s %6s %6.2f   %7s %7s %6s %6s   %7s %7s %7s" \
        "$algo" "$ours_rmse" "$ours_mae" "$ours_fit" "$ours_fit_one" "$ours_s" \
        "$theirs_rmse" "$theirs_mae" "$theirs_fit" "$theirs_s" \
        "$fit_ratio" "$one_core_ratio" "$ratio")")
done

echo
echo "5-fold cross-validation on $data (seed 0, the same folds in both)"
printf "%-14s %37s   %30s   %23s\n" "" "------------- recscope --------------" \
    "---------- Surprise ----------" "------- speed-up ------"
printf "%-14s %7s %7s %6s %6s %6s   %7s %7s %6s %6s   %7s %7s %7s\n" \
    "algorithm" "RMSE" "MAE" "fit s" "1 core" "wall s" "RMSE" "MAE" "fit s" "wall s" \
    "fit" "1 core" "wall"
for row in "${rows[@]}"; do
    echo "$row"
done
