#include "models/dataset.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include "core/error.hpp"
#include "io/idx.hpp"

namespace interplay {

void Dataset::gather(const std::size_t* indices, std::size_t n, Tensor& x,
                     std::vector<std::uint8_t>& y) const {
  const std::size_t per = images.size() / std::max<std::size_t>(size(), 1);
  Shape s = images.shape;
  s[0] = n;
  x.shape = s;
  x.data.resize(n * per);
  y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(x.data.data() + i * per, images.data.data() + indices[i] * per,
                per * sizeof(float));
    y[i] = labels[indices[i]];
  }
}

void Dataset::slice(std::size_t begin, std::size_t n, Tensor& x,
                    std::vector<std::uint8_t>& y) const {
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = begin + i;
  gather(idx.data(), n, x, y);
}

std::string fashion_mnist_dir() {
  const char* env = std::getenv("INTERPLAY_FASHION_MNIST");
  return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

namespace {
std::string find_file(const std::string& dir, const std::string& stem) {
  for (const std::string& name : {stem + ".gz", stem}) {
    const std::string path = dir + "/" + name;
    if (std::ifstream(path).good()) return path;
  }
  throw Error(dir + "/" + stem +
              ".gz: Fashion-MNIST file not found (install the Debian package "
              "dataset-fashion-mnist or set INTERPLAY_FASHION_MNIST)");
}

Dataset read_split(const std::string& split, const std::string& dir) {
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string image_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string label_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  const IdxArray im = read_idx(image_path);
  const IdxArray lb = read_idx(label_path);
  if (im.dims.size() != 3)
    throw Error(image_path + ": expected a 3-D IDX array [N, rows, cols], got " +
                std::to_string(im.dims.size()) + " dimensions");
  if (lb.dims.size() != 1)
    throw Error(label_path + ": expected a 1-D IDX array of labels, got " +
                std::to_string(lb.dims.size()) + " dimensions");
  if (im.dims[0] != lb.dims[0])
    throw Error(label_path + ": " + std::to_string(lb.dims[0]) + " labels for " +
                std::to_string(im.dims[0]) + " images in " + image_path);
  for (std::size_t i = 0; i < lb.data.size(); ++i)
    if (lb.data[i] > 9)
      throw Error(label_path + ": label " + std::to_string(lb.data[i]) + " at index " +
                  std::to_string(i) + " is not a class 0..9");

  const std::size_t n = im.dims[0];
  const std::size_t per = im.dims[1] * im.dims[2];
  Dataset d;
  d.images = Tensor({n, 1, im.dims[1], im.dims[2]});
  for (std::size_t i = 0; i < n * per; ++i)
    d.images.data[i] = (float(im.data[i]) / 255.0f - kFashionMean) / kFashionStd;
  d.labels.assign(lb.data.begin(), lb.data.begin() + std::ptrdiff_t(n));
  return d;
}

}  // namespace

Dataset load_fashion_mnist(const std::string& split, std::size_t limit, const std::string& dir) {
  if (split != "train" && split != "test")
    throw Error("dataset split must be 'train' or 'test', got '" + split + "'");
  // Decompressing the files is the slow part: each split is read once per
  // process and kept; callers get copies of the prefix they ask for.
  static std::mutex mu;
  static std::map<std::pair<std::string, std::string>, std::shared_ptr<const Dataset>> cache;
  std::shared_ptr<const Dataset> full;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = cache[{dir, split}];
    if (!slot) slot = std::make_shared<const Dataset>(read_split(split, dir));
    full = slot;
  }
  Dataset d;
  full->slice(0, limit ? std::min(limit, full->size()) : full->size(), d.images, d.labels);
  return d;
}

}  // namespace interplay
