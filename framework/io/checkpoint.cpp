#include "io/checkpoint.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"

namespace interplay::io {
namespace {

using json = nlohmann::json;

bool ends_with_nocase(const std::string& s, const std::string& suffix) {
  if (s.size() <= suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A shard name is a file next to the index: no absolute path, no "..", so an
// index cannot point a reader at arbitrary files.
void check_shard_name(const std::string& index, const std::string& tensor,
                      const std::string& shard) {
  const bool bad = shard.empty() || shard[0] == '/' || shard == ".." ||
                   shard.rfind("../", 0) == 0 || shard.find("/../") != std::string::npos ||
                   (shard.size() >= 3 && shard.compare(shard.size() - 3, 3, "/..") == 0);
  if (bad)
    throw Error(index + ": weight_map." + tensor + ": shard '" + shard +
                "' must be a file name relative to the index's directory");
  if (!is_safetensors_path(shard))
    throw Error(index + ": weight_map." + tensor + ": shard '" + shard +
                "' is not a .safetensors file");
}

json read_index(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const json::exception& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    throw Error(path + ": invalid JSON: " + msg);
  }
}

}  // namespace

bool is_safetensors_index_path(const std::string& path) {
  return ends_with_nocase(path, ".safetensors.index.json");
}

bool is_checkpoint_path(const std::string& path) {
  return is_safetensors_path(path) || is_safetensors_index_path(path);
}

Checkpoint Checkpoint::open(const std::string& path) {
  Checkpoint c;
  c.path_ = path;
  if (!is_safetensors_index_path(path)) {
    c.shards_.push_back(SafetensorsFile::open(path));
    for (const auto& e : c.shards_[0].entries()) c.tensors_.push_back({nullptr, &e});
  } else {
    const json index = read_index(path);
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
      throw Error(path + ": an index needs a \"weight_map\" object of tensor name -> shard file");
    std::map<std::string, std::size_t> shard_of_file;
    std::vector<std::pair<std::string, std::size_t>> wanted;
    for (const auto& [name, v] : index["weight_map"].items()) {
      if (!v.is_string()) throw Error(path + ": weight_map." + name + " must be a file name");
      const std::string shard = v.get<std::string>();
      check_shard_name(path, name, shard);
      auto it = shard_of_file.find(shard);
      if (it == shard_of_file.end()) {
        const std::string dir = directory_of(path);
        it = shard_of_file.emplace(shard, c.shards_.size()).first;
        c.shards_.push_back(SafetensorsFile::open(dir == "." ? shard : dir + "/" + shard));
      }
      wanted.emplace_back(name, it->second);
    }
    // Refs point into shards_, which no longer grows.
    for (const auto& [name, s] : wanted) {
      const SafetensorsEntry* e = c.shards_[s].find(name);
      if (!e)
        throw Error(path + ": weight_map names '" + name + "' in " + c.shards_[s].path() +
                    ", which does not hold it");
      c.tensors_.push_back({nullptr, e});
      c.tensors_.back().file = &c.shards_[s];
    }
  }
  if (c.tensors_.size() && !c.tensors_[0].file)
    for (auto& r : c.tensors_) r.file = &c.shards_[0];
  std::sort(c.tensors_.begin(), c.tensors_.end(),
            [](const Ref& a, const Ref& b) { return a.entry->name < b.entry->name; });
  return c;
}

const Checkpoint::Ref* Checkpoint::find(const std::string& name) const {
  const auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                                   [](const Ref& r, const std::string& n) { return r.entry->name < n; });
  return it != tensors_.end() && it->entry->name == name ? &*it : nullptr;
}

Tensor Checkpoint::read(const std::string& name) const {
  const Ref* r = find(name);
  if (!r) throw Error(path_ + ":" + name + ": no such tensor; " + listing());
  return r->file->read(*r->entry);
}

std::string Checkpoint::listing() const {
  if (tensors_.empty()) return "the checkpoint has no tensors";
  std::string s = "tensors in the checkpoint: ";
  const std::size_t shown = std::min<std::size_t>(tensors_.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& e = *tensors_[i].entry;
    s += (i ? ", " : "") + e.name + " " + shape_string(e.shape) + " " + e.dtype;
  }
  if (shown < tensors_.size()) s += ", ... (" + std::to_string(tensors_.size() - shown) + " more)";
  return s;
}

}  // namespace interplay::io
