#pragma once
// M1 (model-level orthogonality threshold) on trained models: for every
// quantizer x sparsity pair, the dense model, S only, Q only, S->Q and Q->S
// are evaluated on the Fashion-MNIST test images (models/ModelStudy), and the
// combination is compared with the threshold m_thr = m0 + (m_s - m0) + (m_q - m0)
// (loss: lower is better; accuracy: signs flipped).
#include <string>
#include <vector>

#include "proofs_check/matrix.hpp"
#include "stats/bootstrap.hpp"

namespace interplay::proofs {

struct ModelCheckOptions {
  std::vector<std::string> models;  // weight files written by `interplay train`
  std::size_t test_images = 1000;   // first N test images (0 = all 10 000)
  int threads = 1;
  // Paired bootstrap over the test images (stats/bootstrap.hpp): the gaps of
  // one pair are contrasts of per-example losses on the same images.
  std::size_t resamples = 2000;
  std::uint64_t bootstrap_seed = 0;
  // The models are training seeds of one model: each pair is reported once,
  // averaged over them, with intervals from the crossed bootstrap over seeds x
  // test images. Otherwise every model is checked alone (images only).
  bool pool_seeds = false;
};

// The four compressed results of one pair, plus the dense one.
struct M1Pair {
  std::string model, quantizer, sparsifier;
  double loss0 = 0, loss_s = 0, loss_q = 0, loss_sq = 0, loss_qs = 0;
  double acc0 = 0, acc_s = 0, acc_q = 0, acc_sq = 0, acc_qs = 0;

  double loss_threshold() const { return loss0 + (loss_s - loss0) + (loss_q - loss0); }
  double acc_threshold() const { return acc0 - (acc0 - acc_s) - (acc0 - acc_q); }
  // > 0: the combination is worse than the threshold (non-orthogonal).
  double loss_gap(bool s_first) const { return (s_first ? loss_sq : loss_qs) - loss_threshold(); }
  double acc_gap(bool s_first) const { return acc_threshold() - (s_first ? acc_sq : acc_qs); }
  // The checker's own double arithmetic on the five numbers (tolerance.hpp);
  // the model evaluations themselves are deterministic float computations.
  double loss_tolerance() const;
  double acc_tolerance() const;

  // 95 % paired-bootstrap intervals of loss_gap / acc_gap ([0]: S->Q, [1]:
  // Q->S) and of the order gap loss(Q->S) - loss(S->Q) (> 0: S->Q better).
  stats::Interval loss_gap_ci[2], acc_gap_ci[2], order_gap_ci;
  // Above: the combination is significantly worse than the threshold (a
  // witness of M1); below: significantly better; else inconclusive.
  stats::Call loss_call(bool s_first) const { return stats::call(loss_gap_ci[s_first ? 0 : 1]); }
  stats::Call order_call() const { return stats::call(order_gap_ci); }
};

struct ModelCheckReport {
  std::size_t test_images = 0;
  double seconds = 0;
  std::vector<M1Pair> pairs;

  std::size_t resamples = 0;

  // Pairs whose loss gap is significantly above the threshold (witnesses).
  std::size_t non_orthogonal(bool s_first) const;
  // Pairs whose loss-gap call (s_first) or order-gap call (order) is `c`.
  std::size_t count_loss(bool s_first, stats::Call c) const;
  std::size_t count_order(stats::Call c) const;
  std::size_t s_first_better() const;  // order gap significantly above 0
};

ModelCheckReport run_model_check(const ModelCheckOptions& options,
                                 const std::vector<NamedStep>& quantizers,
                                 const std::vector<NamedStep>& sparsifiers);

}  // namespace interplay::proofs
