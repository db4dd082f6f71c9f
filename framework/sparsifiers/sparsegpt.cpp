// SparseGPT (Frantar & Alistarh, IST-DASLab/sparsegpt `fasterprune`): OBS
// pruning with the lazy-block column solver of calibration/obs.hpp. Per lazy
// block of `solver_block` columns, the weights with the smallest
// w^2 / [U]_jj^2 (U: upper Cholesky factor of H^-1) are pruned, or N:M per
// row (chosen at each group's first column from the updated values), and the
// error is fed back to the remaining weights.
//
// Count: floor(rows * block_cols * fraction) per block exactly (ties prune
// the higher flat index). The reference prunes every score <= the sorted
// score at position int(numel * fraction), i.e. one more weight per block
// (more on ties); reference_count=true reproduces that for comparisons.
//
// Joint: with "quantizer": {a quantizer step}, the kept weights are rounded in
// the same pass (the reference's 50% + 4 bit), through that quantizer's own
// scale rule and grid (its scales fixed from W at the start or when a block is
// reached); pruned weights are exactly zero.
//
// Q->S: after a quantizer step the OBS update would move the kept weights off
// that quantizer's grid, so update=auto (default) selects the mask with the
// OBS saliency and leaves the kept weights as they are; update=obs forces the
// update anyway, update=none never updates.
#include "calibration/obs.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "sparsifiers/calibrated.hpp"
#include "sparsifiers/params.hpp"

namespace interplay {
namespace {

class SparseGptSparsifier final : public CalibratedSparsifier {
 public:
  explicit SparseGptSparsifier(const Params& p)
      : CalibratedSparsifier("sparsegpt", p),
        reference_count_(p.flag("reference_count")),
        update_(p.str("update")) {
    options_.dampening = p.real("dampening");
    options_.block = std::size_t(p.integer("solver_block"));
    const json& q = p.value("quantizer");
    if (!q.is_null()) {
      const json step = q.is_string() ? json{{"quantizer", q}} : q;
      if (!step.contains("quantizer") || !step.at("quantizer").is_string())
        throw Error("quantizer: expected a quantizer name or step {\"quantizer\": NAME, ...}");
      auto b = quantizers().build(step, "quantizer", "quantizer");
      if (calib::solver_of(b.params) != calib::Solver::Rtn)
        throw Error(
            "quantizer.solver: the joint quantizer runs inside sparsegpt's own solver; "
            "leave its solver at rtn");
      quantizer_ = std::move(b.object);
    }
  }

  void prune(const Tensor& in, Tensor& out, const CalibrationContext& ctx) const override {
    std::unique_ptr<GroupCodec> codec;
    if (quantizer_) {
      codec = quantizer_->codec(in.shape, ctx.where + ".quantizer");
      if (!codec) throw Error(at(ctx.where + ".quantizer", "this quantizer has no solver codec"));
    }
    calib::Problem p;
    p.rule = m_ > 0 ? calib::MaskRule::NM : calib::MaskRule::Unstructured;
    p.fraction = fraction_;
    p.reference_count = reference_count_;
    p.n = n_, p.m = m_;
    p.codec = codec.get();
    p.update = update_ == "obs" || (update_ == "auto" && !ctx.after_quantizer);
    p.options = options_;
    p.where = ctx.where;
    Tensor w = in;
    calib::solve(w, ctx.data->hessian(), p);
    out = std::move(w);
  }

  // Unstructured masks are chosen per lazy block of columns over every row.
  SparsifierDescription describe() const override {
    SparsifierDescription d = target(Partitioning::column_blocks(-1, options_.block));
    d.score = SparsityScore::Obs;
    d.update = update_ == "none"  ? SparsityUpdate::None
               : update_ == "obs" ? SparsityUpdate::Obs
                                  : SparsityUpdate::ObsUnlessQuantized;
    return d;
  }

 private:
  bool reference_count_;
  std::string update_;
  calib::SolverOptions options_;
  std::unique_ptr<const Quantizer> quantizer_;
};

}  // namespace

void register_sparsegpt_sparsifier(Registry<Sparsifier>& r) {
  r.add(
      {"sparsegpt",
       "SparseGPT: OBS pruning with error feedback, unstructured or N:M, optionally joint with "
       "a quantizer (needs calibration)",
       {sparsity::fraction_param("each lazy block's elements (unstructured)"), sparsity::n_param(),
        sparsity::m_param(),
        ParamSpec::real("dampening", 0.01, 0.0, 1e6, "added to diag H, relative to its mean"),
        ParamSpec::integer("solver_block", 128, 1, 1 << 20, "lazy-batch (and mask) columns"),
        ParamSpec::flag("reference_count", false,
                        "prune the reference's floor(k s) + 1 per block instead of floor(k s)"),
        ParamSpec::choice("update", "auto", {"auto", "obs", "none"},
                          "OBS update of kept weights; auto = none after a quantizer step (Q->S)"),
        ParamSpec::object("quantizer",
                          "joint pruning + quantization: a quantizer step (or preset name)")},
       [](const Params& p) { return std::make_unique<SparseGptSparsifier>(p); }});
}

}  // namespace interplay
