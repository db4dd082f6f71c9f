// FILE[:DATASET] specs: parsing, dispatch by extension, and the errors that
// must come before anything is written.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "io/npy.hpp"
#include "io/scratch.hpp"
#include "io/tensor_file.hpp"

using namespace interplay;
using namespace interplay::io;
using Catch::Matchers::Contains;
using interplay::test::ScratchDir;

TEST_CASE("tensor specs split at the first ':' after a known extension", "[io]") {
  TensorSpec s = parse_tensor_spec("w.npy");
  CHECK(s.file == "w.npy");
  CHECK(s.dataset.empty());
  CHECK(s.format == TensorFormat::Npy);

  s = parse_tensor_spec("dir/model.h5:/layers/0/weight");
  CHECK(s.file == "dir/model.h5");
  CHECK(s.dataset == "/layers/0/weight");
  CHECK(s.format == TensorFormat::Hdf5);
  CHECK(s.str() == "dir/model.h5:/layers/0/weight");

  s = parse_tensor_spec("odd:name/x.HDF5:w");  // ':' in a directory name; relative dataset
  CHECK(s.file == "odd:name/x.HDF5");
  CHECK(s.dataset == "/w");
  CHECK(s.format == TensorFormat::Hdf5);

  CHECK(parse_tensor_spec("m.h5").dataset.empty());  // reported on use, with a listing
  CHECK(parse_tensor_spec("W.NPY").format == TensorFormat::Npy);

  REQUIRE_THROWS_WITH(parse_tensor_spec("w.pt"),
                      Contains("w.pt: unknown file type '.pt'") && Contains(".npy, .h5, .hdf5"));
  REQUIRE_THROWS_WITH(parse_tensor_spec("weights"), Contains("(no extension)"));
  REQUIRE_THROWS_WITH(parse_tensor_spec("a.b/weights"), Contains("(no extension)"));
  REQUIRE_THROWS_WITH(parse_tensor_spec("w.npy:x"), Contains("a .npy file holds one array"));
  REQUIRE_THROWS_WITH(parse_tensor_spec(""), Contains("empty file name"));
}

TEST_CASE("read_tensor and write_tensor dispatch by extension", "[io]") {
  ScratchDir dir;
  const Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
  write_tensor(dir.path("a.npy"), t);
  write_tensor(dir.path("b.h5") + ":/x/y", t);
  write_tensor(dir.path("c.hdf5") + ":z", t);
  for (const std::string spec : {"a.npy", "b.h5:/x/y", "c.hdf5:/z"}) {
    CAPTURE(spec);
    const Tensor back = read_tensor(dir.path(spec));
    CHECK(back.shape == t.shape);
    CHECK(back.data == t.data);
  }
  CHECK(read_npy(dir.path("a.npy")).data == t.data);  // really .npy
  CHECK(h5::is_hdf5_file(dir.path("b.h5")));
}

TEST_CASE("a missing or wrong HDF5 dataset lists the datasets in the file", "[io]") {
  ScratchDir dir;
  const std::string path = dir.path("m.h5");
  write_tensor(path + ":/enc/w", Tensor({2, 2}, {1, 2, 3, 4}));
  write_tensor(path + ":/dec/w", Tensor({3}, {1, 2, 3}));
  REQUIRE_THROWS_WITH(read_tensor(path),
                      Contains("name the dataset to read as " + path + ":DATASET") &&
                          Contains("/dec/w [3] float32, /enc/w [2,2] float32"));
  REQUIRE_THROWS_WITH(read_tensor(path + ":/enc/x"),
                      Contains(path + ":/enc/x: no such dataset") && Contains("/enc/w [2,2]"));
  REQUIRE_THROWS_WITH(read_tensor(path + ":/enc"), Contains("is not a dataset"));
  REQUIRE_THROWS_WITH(read_tensor(dir.path("none.h5") + ":/w"), Contains("none.h5"));
  REQUIRE_THROWS_WITH(read_tensor(dir.path("none.npy")), Contains("none.npy"));
}

TEST_CASE("check_writable refuses outputs that could not be written", "[io]") {
  ScratchDir dir;
  const std::string h5 = dir.path("o.h5");
  write_tensor(h5 + ":/g/w", Tensor({1}, {1}));
  CHECK_NOTHROW(check_writable(parse_tensor_spec(h5 + ":/g/new")));
  CHECK_NOTHROW(check_writable(parse_tensor_spec(h5 + ":/g/w")));  // replaced
  CHECK_NOTHROW(check_writable(parse_tensor_spec(dir.path("new.h5") + ":/a/b")));
  CHECK_NOTHROW(check_writable(parse_tensor_spec(dir.path("new.npy"))));
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(h5)), Contains("name the dataset to write"));
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(h5 + ":/g")),
                      Contains("exists and is not a dataset"));
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(h5 + ":/g/w/under")),
                      Contains("/g/w is not a group"));
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(dir.path("missing/x.npy"))),
                      Contains("does not exist"));
  test::write_bytes(dir.path("text.h5"), "text");
  REQUIRE_THROWS_WITH(check_writable(parse_tensor_spec(dir.path("text.h5") + ":/w")),
                      Contains("not an HDF5 file"));
  CHECK(dir.entries() == std::vector<std::string>{"o.h5", "text.h5"});
}
