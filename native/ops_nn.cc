// torch.nn.functional: the same ATen entry points PyTorch's Python functions call, so results
// and gradients are PyTorch's own.
#include "op_table.h"

namespace tl {
// fast_pool.cc: max_pool2d's 2×2 / stride 2 fast path (same values, indices and grad_fn as ATen's).
bool maxPool2dFastPathApplies(const at::Tensor& x, at::IntArrayRef k, at::IntArrayRef s, at::IntArrayRef p,
                              at::IntArrayRef d, bool ceil);
at::Tensor maxPool2dFast(const at::Tensor& x);

namespace {

// conv2d(x, w, b|null, stride[], padding[] | "same" | "valid", dilation[], groups)
Napi::Value conv2d(CI& info) {
  if (info[4].IsString())
    return R(info, at::conv2d(A, T(info, 1), optT(info, 2), IL(info, 3), Str(info, 4), IL(info, 5), I(info, 6)));
  return R(info, at::conv2d(A, T(info, 1), optT(info, 2), IL(info, 3), IL(info, 4), IL(info, 5), I(info, 6)));
}
// avgPool2d(x, kernel[], stride[], padding[], ceilMode, countIncludePad, divisorOverride|null)
Napi::Value avgPool2d(CI& info) {
  return R(info, at::avg_pool2d(A, IL(info, 1), IL(info, 2), IL(info, 3), B(info, 4), B(info, 5), optI(info, 6)));
}
// maxPool2d(x, kernel[], stride[], padding[], dilation[], ceilMode)
Napi::Value maxPool2d(CI& info) {
  at::Tensor x = A;
  auto k = IL(info, 1), s = IL(info, 2), p = IL(info, 3), d = IL(info, 4);
  bool ceil = B(info, 5);
  if (maxPool2dFastPathApplies(x, k, s, p, d, ceil)) return R(info, maxPool2dFast(x));
  return R(info, at::max_pool2d(x, k, s, p, d, ceil));
}
// batchNorm(x, runningMean|null, runningVar|null, weight|null, bias|null, training, momentum, eps)
Napi::Value batchNorm(CI& info) {
  return R(info, at::batch_norm(A, optT(info, 3), optT(info, 4), optT(info, 1), optT(info, 2), B(info, 5), D(info, 6),
                                D(info, 7), /*cudnn_enabled=*/true));
}

// gelu(x, approximate): at::gelu, with GeluBackward handed its incoming grad laid out exactly like
// x. libtorch 1.13's CPU gelu_backward (approximate='none') returns wrong values (uninitialised
// memory) when x is contiguous and the grad is not (channels_last, transposed), or when either is not
// dense (pytorch/pytorch#112006, still open in 2.1): a channels_last conv after a GELU whose input is
// contiguous (a 1-channel first conv's output, say) silently trains on garbage. tanh, relu, silu and
// the other activations were checked and are right. The hook copies only when the strides differ.
Napi::Value gelu(CI& info) {
  at::Tensor x = A;
  const std::string approximate = Str(info, 1);
  const bool grad = x.requires_grad() && at::GradMode::is_enabled();
  if (grad && !x.is_non_overlapping_and_dense()) x = x.contiguous();
  at::Tensor out = at::gelu(x, approximate);
  if (grad && out.requires_grad()) {
    out.register_hook([sizes = x.sizes().vec(), strides = x.strides().vec()](const at::Tensor& g) -> at::Tensor {
      if (!g.defined() || g.strides() == c10::IntArrayRef(strides)) return at::Tensor();  // undefined: grad unchanged
      return at::empty_strided(sizes, strides, g.options()).copy_(g);
    });
  }
  return R(info, out);
}

const Binding kNN[] = {
    {"conv2d", conv2d},
    {"maxPool2d", maxPool2d},
    {"maxPool2dWithIndices",
     FN(return RPair(info, at::max_pool2d_with_indices(A, IL(info, 1), IL(info, 2), IL(info, 3), IL(info, 4), B(info, 5))))},
    {"avgPool2d", avgPool2d},
    {"adaptiveAvgPool2d", FN(OUT(at::adaptive_avg_pool2d(A, IL(info, 1))))},
    {"batchNorm", batchNorm},
    {"layerNorm", FN(OUT(at::layer_norm(A, IL(info, 1), optT(info, 2), optT(info, 3), D(info, 4))))},
    {"linear", FN(OUT(at::linear(A, T(info, 1), optT(info, 2))))},
    {"leakyRelu", FN(OUT(at::leaky_relu(A, S(info, 1))))},
    {"gelu", gelu},
    {"silu", FN(OUT(at::silu(A)))},
    {"dropout", FN(OUT(at::dropout(A, D(info, 1), B(info, 2))))},
    {"softmax", FN(OUT(at::softmax(A, I(info, 1), optDtype(info, 2))))},
    {"logSoftmax", FN(OUT(at::log_softmax(A, I(info, 1), optDtype(info, 2))))},
    // losses: reduction is 0 none, 1 mean, 2 sum (at::Reduction)
    {"crossEntropy", FN(OUT(at::cross_entropy_loss(A, T(info, 1), optT(info, 2), I(info, 3), I(info, 4), D(info, 5))))},
    {"nllLoss", FN(OUT(at::nll_loss_nd(A, T(info, 1), optT(info, 2), I(info, 3), I(info, 4))))},
    {"mseLoss", FN(OUT(at::mse_loss(A, T(info, 1), I(info, 2))))},
    {"l1Loss", FN(OUT(at::l1_loss(A, T(info, 1), I(info, 2))))},
    {"bceWithLogits",
     FN(OUT(at::binary_cross_entropy_with_logits(A, T(info, 1), optT(info, 2), optT(info, 3), I(info, 4))))},
    {"pad", FN(OUT(at::pad(A, IL(info, 1), Str(info, 2), optD(info, 3))))},
};
}  // namespace

void registerNN(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kNN); }

}  // namespace tl
