// Partitions and the assumption predicates: inside/outside labels are
// computed from the actual partitions, so nested, crossed and spanning
// layouts must come out as THEORY.md defines them.
#include <catch2/catch.hpp>
#include <set>

#include "core/registry.hpp"

#include "proofs_check/helpers.hpp"
#include "proofs_check/matrix.hpp"

using namespace interplay;
using namespace interplay::proofs;
using namespace interplay::proofs::test;

namespace {
const std::string kNm24 = R"({"sparsifier":"nm","n":2,"m":4})";
const std::string kNm24Axis0 = R"({"sparsifier":"nm","n":2,"m":4,"axis":0})";
const std::string kUnstructured = R"({"sparsifier":"magnitude","fraction":0.5})";
const std::string kRow = R"({"sparsifier":"magnitude","fraction":0.5,"scope":"row"})";
using Failing = std::vector<std::string>;
}  // namespace

TEST_CASE("axis partitions and refinement", "[proofs]") {
  const Partition groups = axis_partition({2, 8}, -1, 4);
  CHECK(groups.count == 4);
  CHECK(groups.part == std::vector<std::uint32_t>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
  const Partition cols = axis_partition({2, 8}, 0, 0);  // each column is a lane along axis 0
  CHECK(cols.count == 8);
  CHECK(cols.part[0] == cols.part[8]);
  CHECK(cols.part[0] != cols.part[1]);
  const Partition ragged = axis_partition({1, 6}, -1, 4);  // blocks of 4 and a ragged 2
  CHECK(ragged.part == std::vector<std::uint32_t>{0, 0, 0, 0, 1, 1});
  const Partition blocks = axis_partition({2, 8}, -1, 8);
  CHECK(refines(groups, blocks));
  CHECK_FALSE(refines(blocks, groups));
  CHECK(nested(groups, blocks));
  CHECK_FALSE(nested(groups, cols));  // crossed
  CHECK(refines(singleton_partition({2, 8}), cols));
  CHECK(refines(cols, whole_partition({2, 8})));
}

TEST_CASE("labels: nested N:M inside MX blocks is inside every assumption", "[proofs]") {
  const Case c = make_case(R"({"quantizer":"mxfp4"})", kNm24, {8, 64});
  for (const char* id : {"L1", "T1", "T4"}) CHECK(failing(c, id, Variant{}).empty());
  CHECK(failing(c, "T2", phi(Phi::L2Squared)).empty());
  CHECK(failing(c, "T2", phi(Phi::LHalf)) == Failing{"phi_convex"});
  CHECK(failing(c, "T5", Variant{std::nullopt, Covariance::Isotropic}).empty());
  CHECK(failing(c, "T5", Variant{std::nullopt, Covariance::Correlated}) ==
        Failing{"covariance_isotropic"});
}

TEST_CASE("labels: crossed, spanning and non-amax configurations", "[proofs]") {
  const Variant l2 = phi(Phi::L2Squared);
  // N:M down the columns, MX blocks along the rows: crossed.
  CHECK(failing(make_case(R"({"quantizer":"mxfp4"})", kNm24Axis0, {8, 64}), "T2", l2) ==
        Failing{"partitions_nested", "groups_inside_blocks"});
  // One unstructured group over many blocks: nested (blocks inside the group), not T2's case.
  const Case spanning = make_case(
      R"({"quantizer":"int","bits":4,"granularity":"group","block":32})", kUnstructured, {8, 64});
  CHECK(failing(spanning, "L1", Variant{}).empty());
  CHECK(failing(spanning, "T2", l2) == Failing{"groups_inside_blocks"});
  // ... unless the tensor is a single block.
  CHECK(failing(make_case(R"({"quantizer":"int","bits":4,"granularity":"group","block":32})",
                          kUnstructured, {1, 32}),
                "T2", l2)
            .empty());
  // Per-row groups with per-channel INT scales: the row is the block.
  CHECK(failing(make_case(R"({"quantizer":"int4"})", kRow, {8, 64}), "T2", l2).empty());
  // Searched, percentile and asymmetric ranges are not functions of amax.
  for (const char* q :
       {R"({"quantizer":"int4","clip":"mse"})", R"({"quantizer":"int4","clip":"percentile"})",
        R"({"quantizer":"int4","scheme":"asymmetric"})"})
    CHECK(failing(make_case(q, kNm24, {8, 64}), "L1", Variant{}) == Failing{"scale_from_amax"});
  // Stochastic rounding is outside T2 but not outside L1/T1 (no rounding assumption there).
  const Case stochastic =
      make_case(R"({"quantizer":"mxfp4","rounding":"stochastic"})", kNm24, {8, 64});
  CHECK(failing(stochastic, "T1", l2).empty());
  CHECK(failing(stochastic, "T2", l2) == Failing{"nearest_rounding"});
  // A random mask is not magnitude sparsity.
  CHECK(failing(make_case(R"({"quantizer":"mxfp4"})", R"({"sparsifier":"random","fraction":0.5})",
                          {8, 64}),
                "L1", Variant{}) == Failing{"magnitude_sparsity"});
}

TEST_CASE("labels: two-level NVFP4 scales and unscaled FP8", "[proofs]") {
  const Variant l1 = phi(Phi::L1);
  // 2:4 groups sit inside the 16-blocks and inside the tensor.
  CHECK(failing(make_case(R"({"quantizer":"nvfp4"})", kNm24, {8, 64}), "T2", l1).empty());
  // Rows of 64 contain four 16-blocks: nested, but a group spans blocks.
  CHECK(failing(make_case(R"({"quantizer":"nvfp4"})", kRow, {8, 64}), "T2", l1) ==
        Failing{"groups_inside_blocks"});
  // An unscaled format has one constant scale: every group is inside it.
  CHECK(
      failing(make_case(R"({"quantizer":"fp8_e4m3"})", kUnstructured, {8, 64}), "T2", l1).empty());
}

TEST_CASE("the configuration matrix covers every configuration and rejects unknown filters",
          "[proofs]") {
  const auto cases = build_matrix(MatrixShape{}, MatrixFilter{}, 1);
  std::set<std::string> labels;
  for (const auto& c : cases) labels.insert(c.quantizer_label);
  for (const auto& name : quantizers().configurations()) CHECK(labels.count(name));
  CHECK(labels.count("nvfp4"));  // a plugin without a preset
  // Seeds are per case and do not depend on the order of the matrix.
  const auto only = build_matrix(MatrixShape{}, MatrixFilter{{"mxfp4"}, {"2:4"}, {}, {}}, 1);
  REQUIRE(only.size() == 6);  // 2 roundings x nested, crossed, small
  for (const auto& c : only) {
    const auto it =
        std::find_if(cases.begin(), cases.end(), [&](const Case& d) { return d.id() == c.id(); });
    REQUIRE(it != cases.end());
    CHECK(it->seed == c.seed);
  }
  CHECK_THROWS_WITH(build_matrix(MatrixShape{}, MatrixFilter{{"mxfp5"}, {}, {}, {}}, 1),
                    Catch::Contains("mxfp4"));
  // Any other data-free sparsifier by name, at its defaults; one group per
  // tensor has no crossed layout.
  const auto random = build_matrix(MatrixShape{}, MatrixFilter{{"mxfp4"}, {"random"}, {}, {}}, 1);
  REQUIRE(random.size() == 4);  // 2 roundings x nested, small
  CHECK(random[0].sparsifier_label == "random");
  CHECK_THROWS_WITH(build_matrix(MatrixShape{}, MatrixFilter{{}, {"wanda"}, {}, {}}, 1),
                    "--sparsifier: sparsifier 'wanda' needs calibration data, which prove does "
                    "not have");
}
