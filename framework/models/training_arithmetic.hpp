#pragma once
// The arithmetic of a training run: the "arithmetic" object of the training
// settings (data/README.md), i.e. which HBFP width every GEMM of every
// matmul layer uses in every epoch, and the session that applies it to a
// model's layers and counts their multiply-accumulates.
//
//   {"format": "hbfp", "mantissa": 4, "block": 64,
//    "last_epochs": {"count": 1, "mantissa": 6}, "first_last_layers": 6,
//    "rounding": {"weights": "nearest_even", "activations": "nearest_even",
//                 "gradients": "nearest_even"}}
//
// "schedule": "boosters" fills in the Accuracy Boosters recipe (HBFP4, HBFP6
// in the last epoch and in the first and last layers); keys given beside it
// override the recipe.
#include <array>
#include <memory>
#include <string>

#include "models/gemm_arithmetic.hpp"
#include "models/model.hpp"

namespace interplay {

struct ArithmeticSchedule {
  bool hbfp = false;       // false: every GEMM in FP32 (the other fields unused)
  int mantissa = 4;        // HBFPk width k (sign included) of every GEMM by default
  std::size_t block = 64;  // elements per shared exponent
  std::size_t last_epochs = 0;
  int last_epochs_mantissa = 0;  // width in the last `last_epochs` epochs
  int first_last_layers = 0;     // width of the first and last matmul layers (0: as the rest)
  std::array<Rounding, 3> rounding{Rounding::NearestEven, Rounding::NearestEven,
                                   Rounding::NearestEven};  // by OperandClass
  std::string schedule;  // the preset it started from ("boosters"), for the record
  // Whether attention's score products (Q K^T, P V and their gradients) run in
  // HBFP too, at the width of the block's qkv projection; FP32 otherwise.
  bool attention_scores = false;

  // The width of matmul layer `layer` (0-based, of `layers`) in epoch `epoch`
  // (0-based, of `epochs`): the largest of `mantissa`, the last-epoch width
  // (in the last epochs) and the first/last-layer width (on those layers);
  // 0 (FP32) when not hbfp.
  int width(std::size_t epoch, std::size_t epochs, std::size_t layer, std::size_t layers) const;

  json to_json() const;
  // Errors name `where`.<key>.
  static ArithmeticSchedule from_json(const json& j, const std::string& where);
  // A named schedule: "boosters" or "constant" (mantissa everywhere).
  static json preset(const std::string& name, const std::string& where);
};

// Applies a schedule to a model's matmul layers for one training run and
// counts every GEMM's MACs (attention score products included). The
// destructor puts the layers back to FP32 with no counter, so evaluation
// after training uses the FP32 master weights in FP32.
class TrainingArithmetic {
 public:
  TrainingArithmetic(Model& model, const ArithmeticSchedule& schedule, std::uint64_t seed);
  ~TrainingArithmetic();
  TrainingArithmetic(const TrainingArithmetic&) = delete;
  TrainingArithmetic& operator=(const TrainingArithmetic&) = delete;

  void begin_epoch(std::size_t epoch, std::size_t epochs);
  const MacCounter& macs() const { return *macs_; }

 private:
  Model& model_;
  ArithmeticSchedule schedule_;
  std::unique_ptr<MacCounter> macs_;
};

// "MACs 1.23e+10: hbfp4 99.70 %, hbfp6 0.30 %" from MacCounter::to_json().
std::string mac_summary(const json& macs);

}  // namespace interplay
