#pragma once
// Where a kernel's keep/prune decisions go: keep flags (select) or the
// sparsified values (a fused sparsify). Kernels are templated on the sink,
// so select() and sparsify() run the same decision code and cannot disagree.
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace interplay::sparsity {

struct FlagSink {
  std::uint8_t* keep;

  FlagSink shifted(std::size_t offset) const { return {keep + offset}; }
  void put(std::size_t i, bool kept, float) const { keep[i] = kept; }
  // Decisions kept_at(i) for i in [begin, end) (x is not read).
  template <class KeptAt>
  void put_each(const float*, std::size_t begin, std::size_t end, KeptAt kept_at) const {
    std::uint8_t* k = keep;
    for (std::size_t i = begin; i < end; ++i) k[i] = kept_at(i);
  }
  // Decisions kept(x[i]) for i in [begin, end); a plain loop that vectorises.
  template <class Kept>
  void put_range(const float* x, std::size_t begin, std::size_t end, Kept kept) const {
    std::uint8_t* k = keep;
    for (std::size_t i = begin; i < end; ++i) k[i] = kept(x[i]);
  }
#ifdef __SSE2__
  // Sixteen decisions as four all-ones/all-zero int32 masks.
  void put16(std::size_t i, const __m128 (&)[4], const __m128i (&k)[4]) const {
    const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(k[0], k[1]), _mm_packs_epi32(k[2], k[3]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(keep + i), _mm_and_si128(bytes, _mm_set1_epi8(1)));
  }
#endif
};

// Pruned elements become +0; kept ones are copied bit for bit (so -0 and
// NaN payloads survive). May write over its own input.
struct ValueSink {
  float* out;

  ValueSink shifted(std::size_t offset) const { return {out + offset}; }
  // Bit masking, not a branch: decisions are data-dependent and unpredictable.
  // Nor a select: `kept ? v : 0` (compiled to a masked load) measured several
  // times slower than this AND in a micro-benchmark on the project's machine;
  // the cause was not pinned down.
  void put(std::size_t i, bool kept, float v) const {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    bits &= 0u - std::uint32_t(kept);
    std::memcpy(out + i, &bits, sizeof bits);
  }
  template <class KeptAt>
  void put_each(const float* x, std::size_t begin, std::size_t end, KeptAt kept_at) const {
    float* o = out;
    for (std::size_t i = begin; i < end; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      bits &= 0u - std::uint32_t(kept_at(i));
      std::memcpy(o + i, &bits, sizeof bits);
    }
  }
  template <class Kept>
  void put_range(const float* x, std::size_t begin, std::size_t end, Kept kept) const {
    float* o = out;
    for (std::size_t i = begin; i < end; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      bits &= 0u - std::uint32_t(kept(x[i]));
      std::memcpy(o + i, &bits, sizeof bits);
    }
  }
#ifdef __SSE2__
  void put16(std::size_t i, const __m128 (&x)[4], const __m128i (&k)[4]) const {
    for (int j = 0; j < 4; ++j)
      _mm_storeu_ps(out + i + 4 * j, _mm_and_ps(x[j], _mm_castsi128_ps(k[j])));
  }
#endif
};

}  // namespace interplay::sparsity
