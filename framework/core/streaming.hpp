#pragma once
// Non-temporal output for passes over tensors much larger than the caches.
// A plain store to a line that is not cached first reads the line from
// memory (read-for-ownership); a non-temporal store writes the whole line
// without reading it. That saves a third of a read-modify-write pass's
// memory traffic, and it keeps the output from evicting the input.
//
// It pays where the stores wait on memory (the strided-column kernel:
// +12 % on one thread); measured on a compute-bound loop (stochastic
// rounding), a burst of non-temporal stores after each chunk made it 25 %
// slower, so kernels opt in one by one, measured.
#include <cstddef>
#include <cstdint>
#ifdef __SSE2__
#include <immintrin.h>
#endif

namespace interplay {

// Whether a pass writing `n` floats should stream them: only outputs well
// beyond the last-level cache, which a plain store would have to fetch first
// and which the next step could not find in the cache anyway.
inline bool stream_output(std::size_t n) {
  return n * sizeof(float) >= (std::size_t(32) << 20);
}

// dst[0, n) = src[0, n) for src a buffer the kernel fills in order (in L1):
// each produced(m) streams the whole 64-byte lines of dst that src[0, m)
// completes, with non-temporal stores, so that they interleave with the
// kernel's arithmetic; finish(n) writes the ragged head and tail with plain
// stores. Call stream_fence() before other threads read dst.
class StreamCopy {
 public:
  StreamCopy(float* dst, const float* src)
      : dst_(dst),
        src_(src),
        head_((64 - reinterpret_cast<std::uintptr_t>(dst) % 64) % 64 / sizeof(float)),
        next_(head_) {}

  void produced(std::size_t m) {
#ifdef __SSE2__
    for (; next_ + 16 <= m; next_ += 16) {
#ifdef __AVX512F__
      _mm512_stream_ps(dst_ + next_, _mm512_loadu_ps(src_ + next_));
#else
      for (std::size_t j = next_; j < next_ + 16; j += 4)
        _mm_stream_ps(dst_ + j, _mm_loadu_ps(src_ + j));
#endif
    }
#endif
  }

  void finish(std::size_t n) {
    produced(n);
    for (std::size_t i = 0; i < head_ && i < n; ++i) dst_[i] = src_[i];
    for (std::size_t i = next_ > head_ ? next_ : head_; i < n; ++i) dst_[i] = src_[i];
  }

 private:
  float* dst_;
  const float* src_;
  std::size_t head_, next_;
};

// The whole copy at once.
inline void stream_copy(float* dst, const float* src, std::size_t n) {
  StreamCopy(dst, src).finish(n);
}

// Orders this thread's non-temporal stores before its later stores (the
// ones an OpenMP barrier makes), so that other threads see the output.
inline void stream_fence() {
#ifdef __SSE2__
  _mm_sfence();
#endif
}

}  // namespace interplay
