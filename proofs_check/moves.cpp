#include "proofs_check/moves.hpp"

#include <algorithm>
#include <cmath>

namespace interplay::proofs {
namespace {

// q(x)_i with x_i replaced by `value`.
float quantized_at(const MoveContext& ctx, Tensor& probe, Tensor& out, std::size_t i, float value) {
  probe.data[i] = value;
  ctx.subject.quantizer->quantize(probe, out);
  return out.data[i];
}

// Bisection in value space between `same` (maps to the reference output) and
// `other` (does not), to a relative width of 2^-kBisectionSteps of the
// starting interval: enough to place two values inside one cell, at a
// fraction of the cost of an exact float boundary (each step quantizes the
// whole probe tensor).
constexpr int kBisectionSteps = 10;
template <class Same>
float boundary(float same, float other, Same&& is_same) {
  for (int k = 0; k < kBisectionSteps; ++k) {
    const float mid = same + (other - same) * 0.5f;
    if (mid == same || mid == other) break;
    if (is_same(mid))
      same = mid;
    else
      other = mid;
  }
  return same;
}

std::size_t pick(const std::vector<std::uint32_t>& v, Draw& draw) {
  return v[draw.below(v.size())];
}

}  // namespace

std::vector<std::vector<std::uint32_t>> members(const Partition& p) {
  std::vector<std::vector<std::uint32_t>> m(p.count);
  for (std::size_t i = 0; i < p.part.size(); ++i) m[p.part[i]].push_back(std::uint32_t(i));
  return m;
}

MoveContext::MoveContext(const Subject& s, const Shape& shape) : subject(s) {
  groups = members(s.sparsifier_facts(shape).groups);
  const QuantizerFacts qf = s.quantizer_facts(shape);
  block_of = qf.levels.front().part;
  blocks = members(qf.levels.front());
}

Cell rounding_cell(const MoveContext& ctx, const Tensor& x, std::size_t i) {
  const float v = std::fabs(x.data[i]);
  const bool negative = std::signbit(x.data[i]);
  float cap = 0;
  for (std::uint32_t j : ctx.blocks[ctx.block_of[i]])
    if (j != i) cap = std::max(cap, std::fabs(x.data[j]));
  Tensor probe = x, out;
  const auto signed_value = [&](float m) { return negative ? -m : m; };
  const float q0 = quantized_at(ctx, probe, out, i, x.data[i]);
  const auto same = [&](float m) {
    return quantized_at(ctx, probe, out, i, signed_value(m)) == q0;
  };
  Cell c{v, v};
  if (cap > v) c.hi = same(cap) ? cap : boundary(v, cap, same);
  c.lo = same(0.0f) ? 0.0f : boundary(v, 0.0f, same);
  return c;
}

bool random_move(const MoveContext& ctx, Tensor& x, Draw& draw) {
  const std::size_t n = x.size();
  if (n == 0) return false;
  const std::size_t i = draw.below(n);
  const auto& group = ctx.groups[draw.below(ctx.groups.size())];
  switch (draw.below(8)) {
    case 0: {  // small relative perturbation at a random scale
      const double eps = std::exp2(-double(1 + draw.below(12)));
      x.data[i] = static_cast<float>(x.data[i] * (1 + eps * draw.gaussian()));
      return true;
    }
    case 1: {  // to a rounding boundary (a grid midpoint) of its own cell
      const Cell c = rounding_cell(ctx, x, i);
      const float m = draw.coin() ? c.hi : c.lo;
      x.data[i] = std::signbit(x.data[i]) ? -m : m;
      return true;
    }
    case 2:
      build_ties(ctx, x, draw, 1);
      return true;
    case 3: {  // swap two elements of a group
      if (group.size() < 2) return false;
      std::swap(x.data[pick(group, draw)], x.data[pick(group, draw)]);
      return true;
    }
    case 4: {  // snap to its quantized value (exactly representable)
      Tensor q;
      ctx.subject.quantizer->quantize(x, q);
      x.data[i] = q.data[i];
      return true;
    }
    case 5:
      x.data[i] = 0.0f;
      return true;
    case 6: {  // an exact tie in x inside a group
      if (group.size() < 2) return false;
      x.data[pick(group, draw)] = x.data[pick(group, draw)];
      return true;
    }
    default: {  // perturb a whole group
      const double eps = std::exp2(-double(1 + draw.below(8)));
      for (std::uint32_t j : group)
        x.data[j] = static_cast<float>(x.data[j] * (1 + eps * draw.gaussian()));
      return true;
    }
  }
}

void build_ties(const MoveContext& ctx, Tensor& x, Draw& draw, std::size_t count) {
  std::vector<std::uint8_t> keep;
  for (std::size_t t = 0; t < count; ++t) {
    ctx.subject.sparsifier->select(x, keep);
    const auto& g = ctx.groups[draw.below(ctx.groups.size())];
    std::size_t kept = g.size(), pruned = g.size();  // smallest kept, largest pruned
    for (std::uint32_t j : g) {
      const float a = std::fabs(x.data[j]);
      if (keep[j] && (kept == g.size() || a < std::fabs(x.data[kept]))) kept = j;
      if (!keep[j] && (pruned == g.size() || a > std::fabs(x.data[pruned]))) pruned = j;
    }
    if (kept == g.size() || pruned == g.size()) continue;
    const Cell c = rounding_cell(ctx, x, kept);
    if (c.hi <= c.lo) continue;
    const std::size_t low = std::min(kept, pruned), high = std::max(kept, pruned);
    // Just inside the cell at both ends; the lower end never rounds to zero
    // unless the whole cell does.
    const float lo = c.lo > 0 ? c.lo : std::nextafter(0.0f, 1.0f);
    x.data[low] = std::signbit(x.data[kept]) ? -lo : lo;
    x.data[high] = std::signbit(x.data[kept]) ? -c.hi : c.hi;
  }
}

}  // namespace interplay::proofs
