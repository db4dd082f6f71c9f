#!/bin/sh
# Training-time overhead of HBFP emulation (results/hbfp_training.md): one
# epoch on 20 000 images, one thread, FP32 / HBFP4 / boosters alternated,
# three repetitions, for the MLP and the CNN. Prints "model | setting | rep | time".
#   scripts/hbfp_overhead.sh [path/to/interplay]
B=${1:-build/interplay}
out=$(mktemp --suffix=.h5)
for rep in 1 2 3; do
  for m in mlp cnn; do
    for a in "fp32" "hbfp --mantissa 4" "hbfp --schedule boosters"; do
      t=$(OMP_NUM_THREADS=1 nice -n 5 $B train --model $m --epochs 1 --train-limit 20000 \
            --test-limit 100 -q --arithmetic $a -o $out | grep -o "trained in [0-9.]* s")
      echo "$m | $a | $rep | $t"
    done
  done
done
rm -f $out
