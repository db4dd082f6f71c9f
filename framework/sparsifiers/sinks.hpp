#pragma once
// Where a kernel's keep/prune decisions go: keep flags (select) or the
// sparsified values (a fused sparsify). Kernels are templated on the sink,
// so select() and sparsify() run the same decision code and cannot disagree.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/streaming.hpp"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace interplay::sparsity {

#ifdef __AVX512F__
// A mask as all-ones/all-zero lanes. Not a zero-masking move: compilers fold
// `maskz_mov(k, load(p))` into a masked load, which measured several times
// slower on the project's machine (see ValueSink::put).
inline __m512i mask_vector(__mmask16 k) {
#ifdef __AVX512DQ__
  return _mm512_movm_epi32(k);
#else
  return _mm512_mask_blend_epi32(k, _mm512_setzero_si512(), _mm512_set1_epi32(-1));
#endif
}
#endif

struct FlagSink {
  std::uint8_t* keep;

  FlagSink shifted(std::size_t offset) const { return {keep + offset}; }
  void put(std::size_t i, bool kept, float) const { keep[i] = kept; }
  // Flags are small and read back soon: never streamed, never aliased.
  void drain() const {}
  std::size_t line_offset() const { return 0; }
  bool aliases(const float*) const { return false; }
#ifdef __AVX512F__
  // Sixteen decisions as a mask (bit j: element i + j kept).
  void put16_mask(std::size_t i, __m512i, __mmask16 kept) const {
    _mm_storeu_si128(
        reinterpret_cast<__m128i*>(keep + i),
        _mm512_cvtepi32_epi8(_mm512_and_si512(mask_vector(kept), _mm512_set1_epi32(1))));
  }
#endif
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
//
// With `stream` set (an output much larger than the caches, see
// stream_output()), whole 64-byte lines are written with non-temporal
// stores: they bypass the caches, so the line is not first read from memory
// (the read-for-ownership of a plain store), which saves a third of a fused
// pass's memory traffic. A thread that streamed calls drain() before other
// threads read its output.
struct ValueSink {
  float* out;
  bool stream = false;

  ValueSink shifted(std::size_t offset) const { return {out + offset, stream}; }
  // Whether it writes over the values x (sparsify in place).
  bool aliases(const float* x) const { return out == x; }
  // Elements between the last 64-byte boundary and out[0] (a kernel that
  // starts its chunks at -line_offset() modulo 16 writes whole lines).
  std::size_t line_offset() const {
    return (reinterpret_cast<std::uintptr_t>(out) % 64) / sizeof(float);
  }
  void drain() const {
    if (stream) stream_fence();
  }
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
#ifdef __AVX512F__
    if (stream) return stream_each(x, begin, end, kept_at);
#endif
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
#ifdef __AVX512F__
    if (stream) return stream_each(x, begin, end, [x, &kept](std::size_t i) { return kept(x[i]); });
#endif
    float* o = out;
    for (std::size_t i = begin; i < end; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      bits &= 0u - std::uint32_t(kept(x[i]));
      std::memcpy(o + i, &bits, sizeof bits);
    }
  }
#ifdef __AVX512F__
  // Sixteen decisions as a mask, x the sixteen values' bits; when streaming,
  // out + i must start a 64-byte line (see line_offset()).
  void put16_mask(std::size_t i, __m512i x, __mmask16 kept) const {
    const __m512i v = _mm512_and_si512(x, mask_vector(kept));
    if (stream)
      _mm512_stream_si512(reinterpret_cast<__m512i*>(out + i), v);
    else
      _mm512_storeu_si512(out + i, v);
  }
#endif
#ifdef __SSE2__
  // (N:M's kernel, which does not stream: plain stores.)
  void put16(std::size_t i, const __m128 (&x)[4], const __m128i (&k)[4]) const {
    for (int j = 0; j < 4; ++j)
      _mm_storeu_ps(out + i + 4 * j, _mm_and_ps(x[j], _mm_castsi128_ps(k[j])));
  }
#endif

 private:
#ifdef __AVX512F__
  // The masked values go to an L1 buffer (a loop the compiler vectorises
  // whatever kept_at is), then to memory through stream_copy
  // (core/streaming.hpp); a ragged head up to the first whole line takes
  // plain stores, so that every buffer after it starts a line.
  template <class KeptAt>
  void stream_each(const float* x, std::size_t begin, std::size_t end, KeptAt kept_at) const {
    std::size_t i = begin;
    for (; i < end && (reinterpret_cast<std::uintptr_t>(out + i) & 63) != 0; ++i)
      put(i, kept_at(i), x[i]);
    constexpr std::size_t kBuf = 256;
    alignas(64) float buf[kBuf];
    while (i < end) {
      const std::size_t m = std::min(kBuf, end - i);
      for (std::size_t j = 0; j < m; ++j) {
        std::uint32_t bits;
        std::memcpy(&bits, x + i + j, sizeof bits);
        bits &= 0u - std::uint32_t(kept_at(i + j));
        std::memcpy(buf + j, &bits, sizeof bits);
      }
      stream_copy(out + i, buf, m);
      i += m;
    }
  }
#endif
};

}  // namespace interplay::sparsity
