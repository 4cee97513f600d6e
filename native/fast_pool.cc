// A faster max_pool2d for the conv nets' most common pooling: 2×2 windows, stride 2, no padding,
// no dilation, floor mode, contiguous NCHW (or CHW) float/double on CPU (the lab's CNNs pool this
// way; ResNet's stem pool and everything else goes to ATen as before).
//
// Why: libtorch 1.13's NCHW max pooling (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, cpu_max_pool)
// is a generic loop over runtime kernel sizes, strides and dilations with a double-precision isnan
// per element, and its backward zero-fills the whole input gradient before scattering into it.
// Profiled in PyTorch on the lab's CNN at batch 1024, max_pool2d_with_indices alone was 14% of the
// training step and its backward (with the fill) another 7%. Here the window is fixed at compile
// time and the backward writes every input-gradient element exactly once.
//
// Results are ATen's, bit for bit: the same scan order (row by row), the same rule (a value replaces
// the maximum when it is greater or NaN, so the first maximum wins ties and the last NaN wins), the
// same plane-relative int64 indices. Autograd records ATen's own node type
// (MaxPool2DWithIndicesBackward0, saving the input and the indices as PyTorch does), so grad_fn
// prints as in PyTorch; a backward that must itself be differentiable (create_graph) calls ATen's
// max_pool2d_with_indices_backward.
#include "common.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/saved_variable.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tl {
namespace {

// One row of windows. Branch-free (a data-dependent branch per comparison mispredicts on real
// activations) so that the compiler can vectorize it. The first element starts as the maximum:
// ATen starts from -inf with the window's first index, which comes to the same thing.
template <typename T>
inline void pool2x2RowT(const T* __restrict r0, const T* __restrict r1, T* __restrict op, int64_t* __restrict xp,
                       int64_t OW, int64_t rowBase, int64_t W) {
  for (int64_t ow = 0; ow < OW; ow++) {
    T m = r0[2 * ow];
    int64_t k = 0;
    const T b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
    bool u = b > m || b != b;  // greater, or NaN
    m = u ? b : m;
    k = u ? 1 : k;
    u = c > m || c != c;
    m = u ? c : m;
    k = u ? W : k;
    u = d > m || d != d;
    m = u ? d : m;
    k = u ? W + 1 : k;
    op[ow] = m;
    if (xp) xp[ow] = rowBase + 2 * ow + k;
  }
}

// Compiled twice, for AVX2 and for baseline x86-64, and picked at load time (the addon is built
// without -march: these machines may be any x86-64); plain overloads elsewhere.
#if defined(__x86_64__) && defined(__GNUC__)
#define TL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TL_CLONES
#endif
TL_CLONES void pool2x2Row(const float* r0, const float* r1, float* op, int64_t* xp, int64_t OW, int64_t rowBase, int64_t W) {
  pool2x2RowT(r0, r1, op, xp, OW, rowBase, W);
}
TL_CLONES void pool2x2Row(const double* r0, const double* r1, double* op, int64_t* xp, int64_t OW, int64_t rowBase, int64_t W) {
  pool2x2RowT(r0, r1, op, xp, OW, rowBase, W);
}

// out/indices: planes × OH × OW; in: planes × H × W. Parallel over planes, as ATen.
template <typename T>
void pool2x2Forward(const T* in, T* out, int64_t* indices, int64_t planes, int64_t H, int64_t W) {
  const int64_t OH = H / 2, OW = W / 2;
  at::parallel_for(0, planes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; p++) {
      const T* ip = in + p * H * W;
      for (int64_t oh = 0; oh < OH; oh++) {
        const T* r0 = ip + 2 * oh * W;
        int64_t o = (p * OH + oh) * OW;
        pool2x2Row(r0, r0 + W, out + o, indices ? indices + o : nullptr, OW, 2 * oh * W, W);
      }
    }
  });
}

// One row of windows' input gradients: the window's winner gets the gradient, the other three 0.
template <typename T>
inline void pool2x2BackwardRowT(const T* __restrict gp, const int64_t* __restrict xp, T* __restrict r0, T* __restrict r1,
                                int64_t OW, int64_t rowBase, int64_t W) {
  for (int64_t ow = 0; ow < OW; ow++) {
    const int64_t k = xp[ow] - rowBase - 2 * ow;  // 0, 1, W or W + 1
    const T g = gp[ow];
    r0[2 * ow] = k == 0 ? g : T(0);
    r0[2 * ow + 1] = k == 1 ? g : T(0);
    r1[2 * ow] = k == W ? g : T(0);
    r1[2 * ow + 1] = k == W + 1 ? g : T(0);
  }
}
TL_CLONES void pool2x2BackwardRow(const float* gp, const int64_t* xp, float* r0, float* r1, int64_t OW, int64_t rowBase, int64_t W) {
  pool2x2BackwardRowT(gp, xp, r0, r1, OW, rowBase, W);
}
TL_CLONES void pool2x2BackwardRow(const double* gp, const int64_t* xp, double* r0, double* r1, int64_t OW, int64_t rowBase, int64_t W) {
  pool2x2BackwardRowT(gp, xp, r0, r1, OW, rowBase, W);
}

// gin: planes × H × W, every element written once (an odd last row/column gets 0, as it is in no
// window); gout/indices: planes × OH × OW. No zero fill of the whole gradient first, unlike ATen.
template <typename T>
void pool2x2Backward(const T* gout, const int64_t* indices, T* gin, int64_t planes, int64_t H, int64_t W) {
  const int64_t OH = H / 2, OW = W / 2;
  at::parallel_for(0, planes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; p++) {
      T* ip = gin + p * H * W;
      for (int64_t oh = 0; oh < OH; oh++) {
        T* r0 = ip + 2 * oh * W;
        const int64_t o = (p * OH + oh) * OW;
        pool2x2BackwardRow(gout + o, indices + o, r0, r0 + W, OW, 2 * oh * W, W);
        if (W % 2) r0[W - 1] = r0[2 * W - 1] = T(0);
      }
      if (H % 2) std::fill(ip + (H - 1) * W, ip + H * W, T(0));
    }
  });
}

std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& x, bool withIndices) {
  const int64_t H = x.size(-2), W = x.size(-1);
  const int64_t planes = x.numel() / (H * W);
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape[shape.size() - 2] = H / 2;
  shape[shape.size() - 1] = W / 2;
  at::Tensor out = at::empty(shape, x.options());
  at::Tensor idx = withIndices ? at::empty(shape, x.options().dtype(at::kLong)) : at::Tensor();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "maxPool2d2x2", [&] {
    pool2x2Forward<scalar_t>(x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), withIndices ? idx.data_ptr<int64_t>() : nullptr,
                             planes, H, W);
  });
  return {out, idx};
}

// PyTorch's node for max_pool2d's backward, with the same saved tensors (self, indices).
struct MaxPool2DWithIndicesBackward0 : public torch::autograd::Node {
  torch::autograd::SavedVariable self_;
  torch::autograd::SavedVariable indices_;
  std::string name() const override { return "MaxPool2DWithIndicesBackward0"; }
  void release_variables() override {
    self_.reset_data();
    indices_.reset_data();
  }
  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    at::Tensor self = self_.unpack(shared_from_this());
    at::Tensor indices = indices_.unpack();
    torch::autograd::variable_list result(1);
    if (!should_compute_output(0) || !grads[0].defined()) return result;
    if (c10::GradMode::is_enabled()) {  // create_graph: ATen's differentiable backward
      result[0] = at::max_pool2d_with_indices_backward(grads[0], self, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false, indices);
      return result;
    }
    at::Tensor g = grads[0].contiguous();
    at::Tensor gin = at::empty(self.sizes(), self.options());
    const int64_t H = self.size(-2), W = self.size(-1);
    AT_DISPATCH_FLOATING_TYPES(self.scalar_type(), "maxPool2d2x2Backward", [&] {
      pool2x2Backward<scalar_t>(g.data_ptr<scalar_t>(), indices.data_ptr<int64_t>(), gin.data_ptr<scalar_t>(),
                                self.numel() / (H * W), H, W);
    });
    result[0] = gin;
    return result;
  }
};

}  // namespace

bool maxPool2dFastPathApplies(const at::Tensor& x, at::IntArrayRef k, at::IntArrayRef s, at::IntArrayRef p,
                              at::IntArrayRef d, bool ceil) {
  auto is = [](at::IntArrayRef a, int64_t v) { return a.size() == 2 && a[0] == v && a[1] == v; };
  return x.defined() && x.device().is_cpu() && x.layout() == at::kStrided && !x.is_quantized() &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble) && (x.dim() == 3 || x.dim() == 4) &&
         x.is_contiguous() && is(k, 2) && (s.empty() || is(s, 2)) && is(p, 0) && is(d, 1) && !ceil &&
         x.size(-2) >= 2 && x.size(-1) >= 2 && x.numel() > 0 && !x._fw_grad(0).defined();
}

at::Tensor maxPool2dFast(const at::Tensor& x) {
  const bool record = torch::autograd::compute_requires_grad(x);
  auto [out, idx] = forward(x, record);
  if (record) {
    auto fn = std::shared_ptr<MaxPool2DWithIndicesBackward0>(new MaxPool2DWithIndicesBackward0(), torch::autograd::deleteNode);
    fn->set_next_edges(torch::autograd::collect_next_edges(x));
    fn->self_ = torch::autograd::SavedVariable(x, false);
    torch::autograd::set_history(out, fn);
    fn->indices_ = torch::autograd::SavedVariable(idx, false);
  }
  return out;
}

}  // namespace tl
