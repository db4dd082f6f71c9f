// "A plugin is one file plus its test" (README, "Adding a plugin"), shown
// with a quantizer that exists only in this test: registered here exactly as
// a built-in registers itself, it passes the same registry-driven contract as
// the built-ins, joins the configurations, and `prove` takes it by name and
// labels its cases from its own description. Nothing else in the tree knows it.
#include <catch2/catch.hpp>

#include "core/plugin_contract.hpp"
#include "proofs_check/helpers.hpp"
#include "proofs_check/matrix.hpp"
#include "proofs_check/run.hpp"
#include "quantizers/common.hpp"

using namespace interplay;

namespace {

// --- what framework/quantizers/pow2int.cpp would hold --------------------
// INT4 elements (levels -7..7) under a power-of-two scale per block of
// `block` along `axis`: 2^(floor(log2 amax) - 2), so amax lands in [4, 8)
// and saturates at 7.
class Pow2IntQuantizer final : public Quantizer {
 public:
  explicit Pow2IntQuantizer(const Params& p)
      : layout_{int(p.integer("axis")), std::size_t(p.integer("block")), false},
        rounding_(RoundingPolicy::from(p)) {}

  void quantize(const Tensor& in, Tensor& out) const override {
    quantize_amax_blocks(in, out, layout_, rounding_, [](float amax) {
      const int e = floor_log2(amax) - 2;
      return BlockPlan{fixed_grid(0, -7.0f, 7.0f), SpanScale{exp2i(e), exp2i(-e), true}};
    });
  }
  double bits_per_element(const Shape& shape) const override {
    return amortised_bits(shape, layout_, 4.0, 8.0);
  }
  // No codec(): round-to-nearest only, and the description says so.
  QuantizerDescription describe() const override {
    QuantizerDescription d;
    d.scales = {{Partitioning::blocks(layout_.axis, layout_.size), ScaleEncoding::PowerOfTwo}};
    d.statistic = ScaleStatistic::Amax;
    d.element = "int4 symmetric";
    d.rounding = rounding_.mode;
    d.solvers = false;
    return d;
  }

 private:
  BlockLayout layout_;
  RoundingPolicy rounding_;
};

void register_pow2int_quantizer(Registry<Quantizer>& r) {
  r.add({"test_pow2int",
         "test only: INT4 elements, power-of-two scale per block",
         {ParamSpec::integer("block", 8, 1, 1 << 20, "elements per scale"), axis_param("blocks"),
          rounding_param(), seed_param()},
         [](const Params& p) { return std::make_unique<Pow2IntQuantizer>(p); }});
}
// --- end of the plugin file -----------------------------------------------

// Registered for one test only: other tests see the registry as built.
struct ScopedPlugin {
  ScopedPlugin() { register_pow2int_quantizer(quantizers()); }
  ~ScopedPlugin() { quantizers().remove("test_pow2int"); }
};

}  // namespace

TEST_CASE("an added quantizer passes the registry-driven contract", "[core][plugins]") {
  ScopedPlugin plugin;
  const auto names = quantizers().configurations();
  CHECK(std::find(names.begin(), names.end(), "test_pow2int") != names.end());
  test::check_quantizer_contract("test_pow2int");
  // The solver parameters every quantizer shares reach a later plugin too;
  // asking for a solver it does not support fails by name, as for any step.
  const auto& params = quantizers().plugins().at("test_pow2int").params;
  CHECK(std::any_of(params.begin(), params.end(), [](auto& p) { return p.name == "solver"; }));
  CHECK(test::quantize(R"({"quantizer":"test_pow2int"})", test::vec({1.0f, -3.0f, 0.5f, 7.0f}))
            .data == std::vector<float>{1.0f, -3.0f, 0.0f, 7.0f});  // scale 1, ties to even
}

TEST_CASE("prove takes an added quantizer by name and labels it from its description",
          "[core][plugins][proofs]") {
  ScopedPlugin plugin;
  using namespace interplay::proofs;
  namespace pt = interplay::proofs::test;
  const Variant l2 = pt::phi(Phi::L2Squared);
  // 2:4 groups inside blocks of 8: inside T2's assumptions; a row spans blocks.
  CHECK(pt::failing(pt::make_case(R"({"quantizer":"test_pow2int"})",
                                  R"({"sparsifier":"nm","n":2,"m":4})", {8, 64}),
                    "T2", l2)
            .empty());
  CHECK(pt::failing(pt::make_case(R"({"quantizer":"test_pow2int"})",
                                  R"({"sparsifier":"magnitude","scope":"row"})", {8, 64}),
                    "T2", l2) == std::vector<std::string>{"groups_inside_blocks"});

  RunOptions o;
  o.filter.quantizers = {"test_pow2int"};
  o.filter.sparsifiers = {"2:4", "row50"};
  o.statements = {"L1", "T1", "T2"};
  const RunReport r = run_checks(o);
  CHECK(r.cases == build_matrix(o.shape, o.filter, o.seed).size());
  CHECK(r.cases > 0);
  CHECK(r.passed());
  for (const auto& s : r.statements) {
    INFO(s.statement->id);
    CHECK(s.inside > 0);  // understood, not labelled outside everything
  }
}
