// Properties every sparsifier shares: parameter errors that name the
// parameter, select() and sparsify() agreeing (also in place), signs kept and
// pruned entries +0, thread-count independence, degenerate shapes, and the
// CLI listing.
#include <omp.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/error.hpp"
#include "core/pipeline.hpp"
#include "sparsifiers/reference.hpp"
#include "support.hpp"

using namespace interplay;
using interplay::test::same_bits;

namespace {

std::string build_error(const std::string& step) {
  try {
    sparsifiers().build(json::parse(step), "sparsifier", "pipeline.steps[0]");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Every built-in with a spread of parameters, including strided axes.
const char* const kSteps[] = {
    R"({"sparsifier":"magnitude"})",
    R"({"sparsifier":"magnitude","fraction":0.3,"scope":"row"})",
    R"({"sparsifier":"magnitude","fraction":0.7,"scope":"row","axis":0})",
    R"({"sparsifier":"nm"})",
    R"({"sparsifier":"nm","n":1,"m":4,"axis":0})",
    R"({"sparsifier":"nm","n":3,"m":8})",
    R"({"sparsifier":"nm","n":2,"m":6,"axis":1})",
    R"({"sparsifier":"block","block":4,"fraction":0.5})",
    R"({"sparsifier":"block","block":3,"fraction":0.4,"norm":"l1","axis":0})",
    R"({"sparsifier":"random","fraction":0.5,"seed":11})",
};

}  // namespace

TEST_CASE("sparsifiers: parameter errors name the parameter", "[sparsifiers]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(build_error(R"({"sparsifier":"nm","n":5,"m":4})"),
             Contains("pipeline.steps[0]") && Contains("n: value 5 exceeds m = 4"));
  CHECK_THAT(build_error(R"({"sparsifier":"magnitude","fraction":1.5})"),
             Contains("fraction") && Contains("out of range 0..1"));
  CHECK_THAT(build_error(R"({"sparsifier":"random","fraction":-0.1})"),
             Contains("fraction") && Contains("out of range"));
  CHECK_THAT(build_error(R"({"sparsifier":"magnitude","fractoin":0.5})"),
             Contains("unknown parameter 'fractoin'") && Contains("did you mean 'fraction'"));
  CHECK_THAT(build_error(R"({"sparsifier":"block","nrom":"l1"})"),
             Contains("unknown parameter 'nrom'") && Contains("did you mean 'norm'"));
  CHECK_THAT(build_error(R"({"sparsifier":"magnitude","scope":"rows"})"),
             Contains("scope") && Contains("did you mean 'row'"));
  CHECK_THAT(build_error(R"({"sparsifier":"nm","n":"two"})"),
             Contains("n") && Contains("expected an integer"));
  CHECK_THAT(build_error(R"({"sparsifier":"magnitud"})"),
             Contains("unknown sparsifier 'magnitud'") && Contains("did you mean 'magnitude'"));
  CHECK(build_error(R"({"sparsifier":"nm","n":4,"m":4})") == "(no error)");
  // An axis the tensor does not have is reported when the tensor arrives.
  auto nm = sparsifiers().build(json::parse(R"({"sparsifier":"nm","axis":2})"), "sparsifier", "s");
  Tensor x({4, 4}, 1.0f), y;
  CHECK_THROWS_WITH(nm.object->sparsify(x, y), Contains("axis") && Contains("rank 2"));
}

TEST_CASE("sparsifiers: select and sparsify agree; pruned is +0, kept is exact", "[sparsifiers]") {
  const Tensor x = interplay::test::gaussian({3, 40, 57}, 21);
  Tensor negative = x;
  for (auto& v : negative.data) v = -std::fabs(v);
  const Tensor& neg = negative;
  for (const char* step : kSteps) {
    INFO(step);
    auto b = sparsifiers().build(json::parse(step), "sparsifier", "test");
    for (const Tensor* in : {&x, &neg}) {
      std::vector<std::uint8_t> keep;
      b.object->select(*in, keep);
      REQUIRE(keep.size() == in->size());
      Tensor y;
      b.object->sparsify(*in, y);
      CHECK(y.shape == in->shape);
      Tensor z = *in;
      b.object->sparsify(z, z);
      bool ok = true;
      for (std::size_t i = 0; i < in->size(); ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &y.data[i], 4);
        const bool expect = keep[i] ? same_bits(y.data[i], in->data[i]) : bits == 0;
        ok = ok && expect && same_bits(z.data[i], y.data[i]) && keep[i] <= 1;
      }
      CHECK(ok);
    }
  }
}

TEST_CASE("sparsifiers: results do not depend on the thread count", "[sparsifiers]") {
  // Big enough for every threaded path (> 2^16 elements, histogram >= 2^18).
  const Tensor x = interplay::test::tie_heavy({300, 1001}, 8, 53);
  const int saved = omp_get_max_threads();
  for (const char* step : kSteps) {
    INFO(step);
    auto b = sparsifiers().build(json::parse(step), "sparsifier", "test");
    Tensor y1, y2;
    omp_set_num_threads(1);
    b.object->sparsify(x, y1);
    omp_set_num_threads(2);
    b.object->sparsify(x, y2);
    omp_set_num_threads(saved);
    CHECK(std::memcmp(y1.data.data(), y2.data.data(), x.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("sparsifiers: empty tensors, scalars and one-element lanes", "[sparsifiers]") {
  for (const char* step : kSteps) {
    INFO(step);
    auto b = sparsifiers().build(json::parse(step), "sparsifier", "test");
    const bool needs_rank2 = std::string(step).find("\"axis\":1") != std::string::npos;
    for (const Shape& shape : {Shape{0}, Shape{2, 0}, Shape{0, 3}, Shape{1, 1}, Shape{5, 1}}) {
      Tensor x(shape, 2.0f), y;
      b.object->sparsify(x, y);
      CHECK(y.shape == shape);
    }
    if (!needs_rank2) {
      Tensor s(Shape{}, std::vector<float>{3.0f}), y;  // rank 0: one lane of one
      b.object->sparsify(s, y);
      REQUIRE(y.size() == 1);
    }
  }
  // One element: floor(0.5) = 0 pruned; N:M keeps min(2, 1).
  CHECK(interplay::test::sparsify(R"({"sparsifier":"magnitude"})", interplay::test::vec({-4}))
            .data[0] == -4.0f);
  CHECK(interplay::test::sparsify(R"({"sparsifier":"nm"})", interplay::test::vec({-4})).data[0] ==
        -4.0f);
}

TEST_CASE("sparsifiers: in a pipeline, S->Q and Q->S both run", "[sparsifiers]") {
  const Tensor x = interplay::test::gaussian({8, 32}, 4);
  const Pipeline sq =
      Pipeline::from_json(json::parse(R"({"steps":[{"sparsifier":"nm"},{"quantizer":"int8"}]})"));
  const auto outs = sq.run_prefixes(x);
  REQUIRE(outs.size() == 2);
  std::size_t zeros = 0;
  for (float v : outs[0].data) zeros += v == 0.0f;
  CHECK(zeros == x.size() / 2);
  const Pipeline qs = Pipeline::from_json(
      json::parse(R"({"steps":[{"quantizer":"int8"},{"sparsifier":"nm","n":1,"m":4}]})"));
  zeros = 0;
  for (float v : qs.apply(x).data) zeros += v == 0.0f;
  CHECK(zeros >= 3 * x.size() / 4);
}

TEST_CASE("sparsifiers: list-plugins shows every sparsifier and its description", "[sparsifiers]") {
  const std::string cmd = std::string(INTERPLAY_BINARY) + " list-plugins --json";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get()))
    out.append(buf.data(), n);
  const json j = json::parse(out);
  std::vector<std::string> names;
  for (const auto& s : j.at("sparsifiers")) {
    names.push_back(s.at("name"));
    CHECK(s.at("description") == sparsifiers().describe(names.back()).to_json());
  }
  std::vector<std::string> registered;
  for (const auto& [name, info] : sparsifiers().plugins()) registered.push_back(name);
  CHECK(names == registered);
}
