#!/bin/sh
# Training-time overhead of HBFP emulation (results/hbfp_training.md): one
# epoch on a fixed slice of the training data (20 000 images; the gpt 300 000
# bytes), one thread, FP32 / HBFP4 / boosters alternated, three repetitions.
# Prints "model | setting | rep | time".
#   scripts/hbfp_overhead.sh [path/to/interplay] [models...]   (default: mlp cnn vit gpt)
B=${1:-build/interplay}
[ $# -gt 0 ] && shift
MODELS=${*:-mlp cnn vit gpt}
out=$(mktemp --suffix=.h5)
for rep in 1 2 3; do
  for m in $MODELS; do
    if [ "$m" = gpt ]; then limits="--train-limit 300000 --test-limit 2000"
    else limits="--train-limit 20000 --test-limit 100"; fi
    for a in "fp32" "hbfp --mantissa 4" "hbfp --schedule boosters"; do
      t=$(OMP_NUM_THREADS=1 nice -n 5 $B train --model $m --epochs 1 $limits \
            -q --arithmetic $a -o $out | grep -o "trained in [0-9.]* s")
      echo "$m | $a | $rep | $t"
    done
  done
done
rm -f $out
